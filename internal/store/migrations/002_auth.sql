-- Citizen sessions, kept on the server. The browser holds a random 256-bit id
-- in a cookie; only its SHA-256 is stored, so a copy of the database does not
-- hand out live sessions. The ID token is kept for logout at the provider.
CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    codice_fiscale TEXT NOT NULL,
    nome           TEXT NOT NULL,
    cognome        TEXT NOT NULL,
    id_token       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL
);
CREATE INDEX sessions_by_codice_fiscale ON sessions (codice_fiscale);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);
CREATE INDEX sessions_by_created ON sessions (created_at);

-- Informed privacy consent (A13), one row each time a citizen gives it; a
-- withdrawal closes the row. The history stays, as evidence of what was
-- accepted and when.
CREATE TABLE privacy_consents (
    id             INTEGER PRIMARY KEY,
    codice_fiscale TEXT NOT NULL,
    version        TEXT NOT NULL,
    given_at       TEXT NOT NULL,
    withdrawn_at   TEXT
);
CREATE INDEX privacy_consents_by_codice_fiscale ON privacy_consents (codice_fiscale, id);
