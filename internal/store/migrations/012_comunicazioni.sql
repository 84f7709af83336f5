-- Communications from citizens and companies to the police (A6, A7, A15,
-- A20): driver identifications (art. 126-bis), contestations and document
-- requests. Each has a tracking number (protocollo), a state, the structured
-- data of its kind (JSON), and the office's decision: who, when, the reply.
CREATE TABLE comunicazioni (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    protocollo     TEXT NOT NULL UNIQUE,
    tipo           TEXT NOT NULL,              -- dati_conducente, contestazione, richiesta_documento
    sottotipo      TEXT NOT NULL DEFAULT '',   -- the contestation's or document's kind
    mittente       TEXT NOT NULL,              -- a citizen's codice fiscale or a company's partita IVA
    conducente_cf  TEXT NOT NULL DEFAULT '',   -- dati_conducente: the driver named
    numero         TEXT NOT NULL DEFAULT '',   -- the verbale concerned, if any
    stato          TEXT NOT NULL,
    dati           TEXT NOT NULL,              -- JSON, the fields of the kind
    email          TEXT NOT NULL DEFAULT '',   -- where the sender is told of decisions
    creata_il      TEXT NOT NULL,              -- RFC 3339
    confermata_il  TEXT NOT NULL DEFAULT '',   -- dati_conducente: when the driver confirmed
    decisa_da      TEXT NOT NULL DEFAULT '',
    decisa_il      TEXT NOT NULL DEFAULT '',
    risposta       TEXT NOT NULL DEFAULT ''    -- the office's reply or reason
);
CREATE INDEX comunicazioni_mittente ON comunicazioni (mittente);
CREATE INDEX comunicazioni_conducente ON comunicazioni (conducente_cf);
CREATE INDEX comunicazioni_stato ON comunicazioni (stato);
-- One live driver identification per verbale: a new one only after the
-- office rejected the previous.
CREATE UNIQUE INDEX comunicazioni_un_conducente ON comunicazioni (numero)
    WHERE tipo = 'dati_conducente' AND stato <> 'respinta';

-- Files of a communication: the sender's attachments, the licence image of
-- a driver identification, the document the office delivers.
CREATE TABLE comunicazioni_file (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    comunicazione_id INTEGER NOT NULL REFERENCES comunicazioni (id),
    ruolo            TEXT NOT NULL,            -- allegato, patente, documento
    nome             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    dati             BLOB NOT NULL,
    caricato_il      TEXT NOT NULL
);
CREATE INDEX comunicazioni_file_by_comunicazione ON comunicazioni_file (comunicazione_id, ruolo);

-- Pre-notices sent on to formal notification (A14): one row, and one event
-- for the gestionale, per verbale, however often the daily job runs.
CREATE TABLE notifiche_formali (
    numero    TEXT PRIMARY KEY REFERENCES verbali (numero),
    canale    TEXT NOT NULL,                   -- pec or posta
    creata_il TEXT NOT NULL
);

-- Company accounts (role azienda) see the fines of one partita IVA (A20).
ALTER TABLE staff_users ADD COLUMN partita_iva TEXT NOT NULL DEFAULT '';
