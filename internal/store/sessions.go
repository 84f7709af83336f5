package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a citizen's login as the server keeps it. IDHash is the SHA-256
// (hex) of the id in the browser's cookie; the id itself is never stored.
type Session struct {
	IDHash        string
	CodiceFiscale string
	Nome          string
	Cognome       string
	IDToken       string
	CreatedAt     time.Time
	LastSeenAt    time.Time
}

// Consent is the latest privacy consent a citizen gave; WithdrawnAt is zero
// while it stands.
type Consent struct {
	Version     string
	GivenAt     time.Time
	WithdrawnAt time.Time
}

// timeLayout has a fixed width, so stored times compare correctly as text.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad time %q: %w", s, err)
	}
	return t, nil
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions
			(id_hash, codice_fiscale, nome, cognome, id_token, created_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.IDHash, s.CodiceFiscale, s.Nome, s.Cognome, s.IDToken, formatTime(s.CreatedAt), formatTime(s.LastSeenAt))
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		return nil
	})
}

// Session returns the session with the given id hash, or ErrNotFound.
func (db *DB) Session(ctx context.Context, idHash string) (Session, error) {
	s := Session{IDHash: idHash}
	var created, seen string
	err := db.queryRow(ctx, `SELECT codice_fiscale, nome, cognome, id_token, created_at, last_seen_at
		FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&s.CodiceFiscale, &s.Nome, &s.Cognome, &s.IDToken, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: read session: %w", err)
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return Session{}, err
	}
	if s.LastSeenAt, err = parseTime(seen); err != nil {
		return Session{}, err
	}
	return s, nil
}

// TouchSession records activity on a session, for the idle timeout.
func (db *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, formatTime(at), idHash)
		if err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// DeleteSession ends a session; ending one that does not exist is not an error.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions removes the sessions idle since before idleBefore or
// created before createdBefore, and reports how many went.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
			formatTime(idleBefore), formatTime(createdBefore))
		if err != nil {
			return fmt.Errorf("store: delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Consent returns the latest privacy consent of a citizen, or ErrNotFound if
// they never gave one.
func (db *DB) Consent(ctx context.Context, codiceFiscale string) (Consent, error) {
	var c Consent
	var given string
	var withdrawn sql.NullString
	err := db.queryRow(ctx, `SELECT version, given_at, withdrawn_at FROM privacy_consents
		WHERE codice_fiscale = ? ORDER BY id DESC LIMIT 1`, codiceFiscale).Scan(&c.Version, &given, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return Consent{}, ErrNotFound
	}
	if err != nil {
		return Consent{}, fmt.Errorf("store: read consent: %w", err)
	}
	if c.GivenAt, err = parseTime(given); err != nil {
		return Consent{}, err
	}
	if withdrawn.Valid {
		if c.WithdrawnAt, err = parseTime(withdrawn.String); err != nil {
			return Consent{}, err
		}
	}
	return c, nil
}

// GiveConsent records that a citizen accepted version of the privacy notice.
// Accepting the version already standing changes nothing, so the original
// time is kept.
func (db *DB) GiveConsent(ctx context.Context, codiceFiscale, version string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var standing int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM privacy_consents
			WHERE id = (SELECT MAX(id) FROM privacy_consents WHERE codice_fiscale = ?)
			AND version = ? AND withdrawn_at IS NULL`, codiceFiscale, version).Scan(&standing)
		if err != nil {
			return fmt.Errorf("store: give consent: %w", err)
		}
		if standing > 0 {
			return nil
		}
		// A consent to an older version is superseded, not withdrawn: close it
		// at the same instant so at most one row stands.
		if _, err := tx.ExecContext(ctx, `UPDATE privacy_consents SET withdrawn_at = ?
			WHERE codice_fiscale = ? AND withdrawn_at IS NULL`, formatTime(at), codiceFiscale); err != nil {
			return fmt.Errorf("store: give consent: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_consents (codice_fiscale, version, given_at)
			VALUES (?, ?, ?)`, codiceFiscale, version, formatTime(at)); err != nil {
			return fmt.Errorf("store: give consent: %w", err)
		}
		return nil
	})
}

// WithdrawConsent closes the standing consent of a citizen. It returns
// ErrNotFound when none stands.
func (db *DB) WithdrawConsent(ctx context.Context, codiceFiscale string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE privacy_consents SET withdrawn_at = ?
			WHERE codice_fiscale = ? AND withdrawn_at IS NULL`, formatTime(at), codiceFiscale)
		if err != nil {
			return fmt.Errorf("store: withdraw consent: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: withdraw consent: %w", err)
		}
		if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
