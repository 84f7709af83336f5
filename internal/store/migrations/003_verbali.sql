-- Verbali as the gestionale sends them: the record is kept whole as JSON (the
-- gestionale is the source of truth); the columns are what queries need.
-- Amounts due are never stored: they depend on the day (internal/cds).
CREATE TABLE verbali (
    numero          TEXT PRIMARY KEY,
    versione        INTEGER NOT NULL,
    stato           TEXT NOT NULL,
    trasgressore_cf TEXT,
    obbligato_cf    TEXT,
    targa           TEXT NOT NULL DEFAULT '',
    -- The pagoPA notice number (18 digits), assigned once and never reused.
    nav             TEXT NOT NULL UNIQUE,
    record          TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX verbali_trasgressore ON verbali (trasgressore_cf);
CREATE INDEX verbali_obbligato ON verbali (obbligato_cf);
CREATE INDEX verbali_targa ON verbali (targa);

-- One counter per creditor for IUV bases: a NAV is never reused.
CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- What citizens did, in order, for the gestionale to read with a cursor.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tipo       TEXT NOT NULL,
    numero     TEXT,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
