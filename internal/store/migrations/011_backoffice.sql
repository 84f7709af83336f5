-- The back office (/backoffice): every action of the staff is audited, and
-- instalment plans gain counter-proposals, a second approver, attachments
-- and decadence.

-- Who did what in the back office, with the item before and after (JSON).
-- Written in the same transaction as the action itself.
CREATE TABLE backoffice_audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,      -- RFC 3339, UTC
    username TEXT NOT NULL,
    role     TEXT NOT NULL,
    action   TEXT NOT NULL,      -- e.g. rateizzazione.approva
    target   TEXT NOT NULL,      -- e.g. rateizzazione:12
    before   TEXT NOT NULL DEFAULT '{}',
    after    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX backoffice_audit_at ON backoffice_audit (at);
CREATE INDEX backoffice_audit_target ON backoffice_audit (target);

-- A plan's state moves under optimistic locking: every change bumps
-- versione and must name the one it read.
ALTER TABLE rateizzazioni ADD COLUMN versione INTEGER NOT NULL DEFAULT 1;
-- The counter-proposal of the office (stato controproposta).
ALTER TABLE rateizzazioni ADD COLUMN controproposta_rate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rateizzazioni ADD COLUMN controproposta_prima_scadenza TEXT NOT NULL DEFAULT ''; -- YYYY-MM-DD
ALTER TABLE rateizzazioni ADD COLUMN controproposta_nota TEXT NOT NULL DEFAULT '';
-- The approvals given so far, when both the police and the collector must
-- approve ([rateizzazioni] approvazione = "entrambi").
ALTER TABLE rateizzazioni ADD COLUMN approvata_polizia_da TEXT NOT NULL DEFAULT '';
ALTER TABLE rateizzazioni ADD COLUMN approvata_polizia_il TEXT NOT NULL DEFAULT '';
ALTER TABLE rateizzazioni ADD COLUMN approvata_riscossione_da TEXT NOT NULL DEFAULT '';
ALTER TABLE rateizzazioni ADD COLUMN approvata_riscossione_il TEXT NOT NULL DEFAULT '';
-- Decadence: when, and the balance then owed (half the maximum minus what
-- was paid).
ALTER TABLE rateizzazioni ADD COLUMN decaduta_il TEXT NOT NULL DEFAULT '';
ALTER TABLE rateizzazioni ADD COLUMN saldo_decadenza_cent INTEGER NOT NULL DEFAULT 0;

-- Every change of a plan, by whoever made it (citizen, staff, gestionale,
-- the portal itself), for the detail page.
CREATE TABLE rateizzazioni_storia (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    rateizzazione_id INTEGER NOT NULL REFERENCES rateizzazioni (id),
    at               TEXT NOT NULL,
    autore           TEXT NOT NULL,
    ruolo            TEXT NOT NULL,   -- cittadino, operatore, …, gestionale, sistema
    azione           TEXT NOT NULL,
    nota             TEXT NOT NULL DEFAULT '',
    before           TEXT NOT NULL DEFAULT '{}',
    after            TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX rateizzazioni_storia_plan ON rateizzazioni_storia (rateizzazione_id);

-- Documents a citizen attaches to a proposal (income statement, …).
CREATE TABLE rateizzazioni_allegati (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    rateizzazione_id INTEGER NOT NULL REFERENCES rateizzazioni (id),
    nome             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    dimensione       INTEGER NOT NULL,
    dati             BLOB NOT NULL,
    caricato_il      TEXT NOT NULL
);
CREATE INDEX rateizzazioni_allegati_plan ON rateizzazioni_allegati (rateizzazione_id);
