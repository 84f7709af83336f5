-- Payment attempts: a payer sent to the pagoPA checkout for one notice. The
-- outcome "paid" is never stored here: it is read from pagamenti, which only
-- a receipt fills. esito holds what the checkout itself reported when the
-- payer gave up or the payment failed.
CREATE TABLE pagamenti_tentativi (
    id             TEXT PRIMARY KEY,      -- random, unguessable: the payer's reference
    nav            TEXT NOT NULL REFERENCES verbali (nav),
    numero         TEXT NOT NULL,
    importo_cent   INTEGER NOT NULL,      -- due on the day the attempt started
    codice_fiscale TEXT,                  -- the logged-in citizen; NULL for a pre-notice paid without login
    esito          TEXT CHECK (esito IN ('annullato', 'errore')),
    creato_il      TEXT NOT NULL,
    concluso_il    TEXT
);
CREATE INDEX pagamenti_tentativi_nav ON pagamenti_tentativi (nav);
