-- Payments the portal learned of from pagoPA receipts (RT). A verbale is paid
-- at most once: nav is unique; receipt_id makes a repeated receipt a no-op.
CREATE TABLE pagamenti (
    receipt_id   TEXT PRIMARY KEY,
    nav          TEXT NOT NULL UNIQUE,
    numero       TEXT NOT NULL REFERENCES verbali (numero),
    importo_cent INTEGER NOT NULL,
    pagato_il    TEXT NOT NULL,      -- RFC 3339, from the receipt
    psp          TEXT NOT NULL,
    ricevuta     TEXT NOT NULL,      -- the receipt as received (XML)
    recorded_at  TEXT NOT NULL
);

-- Receipts that disagree with what is recorded: kept for an officer to review.
CREATE TABLE pagamenti_conflitti (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id  TEXT NOT NULL,
    nav         TEXT NOT NULL,
    motivo      TEXT NOT NULL,
    ricevuta    TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
