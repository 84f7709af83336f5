-- A payment attempt may be for an instalment of a plan (rateizzazioni_rate),
-- whose notice is not a verbale's: the attempt's nav no longer references
-- verbali. SQLite drops a foreign key only by rebuilding the table.
CREATE TABLE pagamenti_tentativi_nuova (
    id             TEXT PRIMARY KEY,
    nav            TEXT NOT NULL,         -- a verbale's or an instalment's notice
    numero         TEXT NOT NULL,         -- the verbale (for an instalment, its plan's first)
    importo_cent   INTEGER NOT NULL,
    codice_fiscale TEXT,
    esito          TEXT CHECK (esito IN ('annullato', 'errore')),
    creato_il      TEXT NOT NULL,
    concluso_il    TEXT
);
INSERT INTO pagamenti_tentativi_nuova (id, nav, numero, importo_cent, codice_fiscale, esito, creato_il, concluso_il)
    SELECT id, nav, numero, importo_cent, codice_fiscale, esito, creato_il, concluso_il FROM pagamenti_tentativi;
DROP TABLE pagamenti_tentativi;
ALTER TABLE pagamenti_tentativi_nuova RENAME TO pagamenti_tentativi;
CREATE INDEX pagamenti_tentativi_nav ON pagamenti_tentativi (nav);
