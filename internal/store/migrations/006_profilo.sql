-- The citizen's profile as the gestionale sends it (licence, points
-- movements, permits, documents, payment requests from other departments):
-- each record kept whole as JSON, keyed by its kind and natural key, with the
-- holder's fiscal code for the personal area's queries.
CREATE TABLE profilo (
    tipo           TEXT NOT NULL,
    chiave         TEXT NOT NULL,
    codice_fiscale TEXT NOT NULL,
    record         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (tipo, chiave)
);
CREATE INDEX profilo_by_codice_fiscale ON profilo (codice_fiscale, tipo);

-- The citizen's vehicles (A8): those the gestionale knows and those the
-- citizen added after the registry check. A removal is kept as a date, so a
-- later import of the same vehicle does not bring it back.
CREATE TABLE veicoli (
    codice_fiscale TEXT NOT NULL,
    targa          TEXT NOT NULL,
    descrizione    TEXT NOT NULL,
    origine        TEXT NOT NULL,      -- gestionale or cittadino
    aggiunto_il    TEXT NOT NULL,      -- RFC 3339
    rimosso_il     TEXT,
    PRIMARY KEY (codice_fiscale, targa)
);

-- Renewal requests for permits (A16). One per permit and expiry: once the
-- gestionale sends the renewed permit with its new expiry, the next renewal
-- can be asked for.
CREATE TABLE rinnovi_permessi (
    permesso_id    TEXT NOT NULL,
    scadenza       TEXT NOT NULL,      -- the expiry being renewed, YYYY-MM-DD
    codice_fiscale TEXT NOT NULL,
    richiesto_il   TEXT NOT NULL,      -- RFC 3339
    PRIMARY KEY (permesso_id, scadenza)
);
CREATE INDEX rinnovi_permessi_by_codice_fiscale ON rinnovi_permessi (codice_fiscale);

-- How the citizen wants notifications to arrive (A9).
CREATE TABLE preferenze_notifica (
    codice_fiscale TEXT PRIMARY KEY,
    canale         TEXT NOT NULL,      -- pec or posta
    pec            TEXT NOT NULL DEFAULT '',
    aggiornato_il  TEXT NOT NULL       -- RFC 3339
);
