-- Instalment plans (art. 202-bis): a citizen proposes one for some of their
-- verbali, an officer (or the gestionale) approves or rejects it. Every
-- decision keeps who made it and when.
CREATE TABLE rateizzazioni (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    codice_fiscale       TEXT NOT NULL,
    stato                TEXT NOT NULL,     -- proposta, approvata, respinta
    rate                 INTEGER NOT NULL,
    totale_cent          INTEGER NOT NULL,  -- due on the day of the proposal
    reddito_cent         INTEGER NOT NULL,
    familiari_conviventi INTEGER NOT NULL,
    proposta_il          TEXT NOT NULL,     -- RFC 3339
    decisa_da            TEXT NOT NULL DEFAULT '',
    decisa_il            TEXT NOT NULL DEFAULT '',
    motivo               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rateizzazioni_cf ON rateizzazioni (codice_fiscale);
CREATE INDEX rateizzazioni_stato ON rateizzazioni (stato);

CREATE TABLE rateizzazioni_verbali (
    rateizzazione_id INTEGER NOT NULL REFERENCES rateizzazioni (id),
    numero           TEXT NOT NULL REFERENCES verbali (numero),
    PRIMARY KEY (rateizzazione_id, numero)
);
CREATE INDEX rateizzazioni_verbali_numero ON rateizzazioni_verbali (numero);

-- The instalments of an approved plan, each with its own pagoPA notice from
-- the same sequence as the verbali's. A payment is a row in pagamenti with
-- the instalment's nav.
CREATE TABLE rateizzazioni_rate (
    rateizzazione_id INTEGER NOT NULL REFERENCES rateizzazioni (id),
    numero           INTEGER NOT NULL,
    scadenza         TEXT NOT NULL,     -- YYYY-MM-DD
    capitale_cent    INTEGER NOT NULL,
    interessi_cent   INTEGER NOT NULL,
    importo_cent     INTEGER NOT NULL,
    nav              TEXT NOT NULL UNIQUE,
    PRIMARY KEY (rateizzazione_id, numero)
);
