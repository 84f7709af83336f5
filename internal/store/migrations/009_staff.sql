-- Staff accounts for the CMS and the back office. Passwords are bcrypt
-- hashes; sections is the comma-separated list of content sections an editor
-- may change (empty: every section). failed_logins counts consecutive
-- failures; the fifth locks the account until locked_until.
CREATE TABLE staff_users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL,
    sections      TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL
);

-- Staff sessions, like citizens' ones: only the SHA-256 of the cookie's id.
CREATE TABLE staff_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX staff_sessions_by_last_seen ON staff_sessions (last_seen_at);
CREATE INDEX staff_sessions_by_created ON staff_sessions (created_at);

-- Every staff login attempt, successful or not: who tried, from where, how
-- it ended (ok, credenziali_errate, bloccato).
CREATE TABLE staff_logins (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    remote   TEXT NOT NULL
);
CREATE INDEX staff_logins_by_username ON staff_logins (username, id);

-- Every action sent to the CMS backend, denied ones included: who, with
-- which role, what action on what (collection/slug or path), the outcome
-- (eseguita, negata, errore) and a short detail.
CREATE TABLE cms_audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    username TEXT NOT NULL,
    role     TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX cms_audit_by_target ON cms_audit (target, id);
