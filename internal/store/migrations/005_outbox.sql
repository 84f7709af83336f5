-- Email to citizens, written in the same transaction as the change it reports
-- (or on its own), then sent by notify.Worker. A sender claims a message with
-- a lease: if it dies before recording the outcome, the lease runs out and the
-- message is sent again (at least once; message_id lets mail clients spot a
-- repeat). The body is stored rendered, so what is sent is what was queued.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Optional: the same key is queued once (e.g. "ricevuta:<NAV>").
    dedup_key       TEXT UNIQUE,
    kind            TEXT NOT NULL,           -- template name, e.g. "ricevuta"
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    -- in_coda, inviato, errore_temporaneo, errore_definitivo
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claim           TEXT,                    -- the holder's random token while leased
    lease_until     TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE outbox_attachments (
    message_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (message_id, position)
);
