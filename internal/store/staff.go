package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StaffUser is a staff account: an editor of the CMS or an officer of the
// back office. Sections lists the content sections an editor may change;
// empty means every section.
type StaffUser struct {
	ID           int64
	Username     string
	DisplayName  string
	Email        string
	Role         string
	Sections     []string
	PasswordHash string
	FailedLogins int
	LockedUntil  time.Time
	CreatedAt    time.Time
}

// StaffSession is a staff login as the server keeps it, with its user.
type StaffSession struct {
	IDHash     string
	User       StaffUser
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// StaffLogin is one attempt to log in, for the audit.
type StaffLogin struct {
	At       time.Time
	Username string
	Outcome  string
	Remote   string
}

// CMSAuditEntry is one action sent to the CMS backend.
type CMSAuditEntry struct {
	ID       int64
	At       time.Time
	Username string
	Role     string
	Action   string
	Target   string
	Outcome  string
	Detail   string
}

// ErrStaffExists is returned when a username is already taken.
var ErrStaffExists = errors.New("store: staff username already exists")

const staffColumns = `id, username, display_name, email, role, sections, password_hash, failed_logins,
	COALESCE(locked_until, ''), created_at`

func scanStaffUser(scan func(...any) error) (StaffUser, error) {
	var u StaffUser
	var sections, locked, created string
	if err := scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, &sections, &u.PasswordHash,
		&u.FailedLogins, &locked, &created); err != nil {
		return StaffUser{}, err
	}
	if sections != "" {
		u.Sections = strings.Split(sections, ",")
	}
	var err error
	if locked != "" {
		if u.LockedUntil, err = parseTime(locked); err != nil {
			return StaffUser{}, err
		}
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return StaffUser{}, err
	}
	return u, nil
}

// CreateStaffUser stores a new account and returns its id, or ErrStaffExists.
func (db *DB) CreateStaffUser(ctx context.Context, u StaffUser) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_users WHERE username = ?`, u.Username).Scan(&n); err != nil {
			return fmt.Errorf("store: create staff user: %w", err)
		}
		if n > 0 {
			return ErrStaffExists
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO staff_users
			(username, display_name, email, role, sections, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.Username, u.DisplayName, u.Email, u.Role, strings.Join(u.Sections, ","), u.PasswordHash, formatTime(u.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: create staff user: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// StaffUserByUsername returns the account with that username, or ErrNotFound.
func (db *DB) StaffUserByUsername(ctx context.Context, username string) (StaffUser, error) {
	u, err := scanStaffUser(db.queryRow(ctx, `SELECT `+staffColumns+` FROM staff_users WHERE username = ?`, username).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return StaffUser{}, ErrNotFound
	}
	if err != nil {
		return StaffUser{}, fmt.Errorf("store: read staff user: %w", err)
	}
	return u, nil
}

// StaffUsers lists every account by username.
func (db *DB) StaffUsers(ctx context.Context) ([]StaffUser, error) {
	rows, err := db.query(ctx, `SELECT `+staffColumns+` FROM staff_users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: list staff users: %w", err)
	}
	defer rows.Close()
	var out []StaffUser
	for rows.Next() {
		u, err := scanStaffUser(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: list staff users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// StaffLoginFailed counts a failed login of account id. The maxFailures-th
// consecutive failure locks the account until at+lockout and starts the
// count again; it returns the lock's end (zero while not locked).
func (db *DB) StaffLoginFailed(ctx context.Context, id int64, at time.Time, maxFailures int, lockout time.Duration) (time.Time, error) {
	var until time.Time
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var failures int
		if err := tx.QueryRowContext(ctx, `UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = ?
			RETURNING failed_logins`, id).Scan(&failures); err != nil {
			return fmt.Errorf("store: count failed login: %w", err)
		}
		if failures < maxFailures {
			return nil
		}
		until = at.Add(lockout)
		_, err := tx.ExecContext(ctx, `UPDATE staff_users SET failed_logins = 0, locked_until = ? WHERE id = ?`,
			formatTime(until), id)
		return err
	})
	return until, err
}

// StaffLoginSucceeded clears the failures and any lock of account id.
func (db *DB) StaffLoginSucceeded(ctx context.Context, id int64) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id)
		return err
	})
}

// RecordStaffLogin keeps one login attempt in the audit.
func (db *DB) RecordStaffLogin(ctx context.Context, l StaffLogin) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_logins (at, username, outcome, remote) VALUES (?, ?, ?, ?)`,
			formatTime(l.At), l.Username, l.Outcome, l.Remote)
		if err != nil {
			return fmt.Errorf("store: record staff login: %w", err)
		}
		return nil
	})
}

// StaffLogins returns the latest login attempts of username, newest first.
func (db *DB) StaffLogins(ctx context.Context, username string, limit int) ([]StaffLogin, error) {
	rows, err := db.query(ctx, `SELECT at, username, outcome, remote FROM staff_logins
		WHERE username = ? ORDER BY id DESC LIMIT ?`, username, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list staff logins: %w", err)
	}
	defer rows.Close()
	var out []StaffLogin
	for rows.Next() {
		var l StaffLogin
		var at string
		if err := rows.Scan(&at, &l.Username, &l.Outcome, &l.Remote); err != nil {
			return nil, err
		}
		if l.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CreateStaffSession stores a new staff session.
func (db *DB) CreateStaffSession(ctx context.Context, idHash string, userID int64, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_sessions (id_hash, user_id, created_at, last_seen_at)
			VALUES (?, ?, ?, ?)`, idHash, userID, formatTime(at), formatTime(at))
		if err != nil {
			return fmt.Errorf("store: create staff session: %w", err)
		}
		return nil
	})
}

// StaffSession returns the session with that id hash and its user, or
// ErrNotFound.
func (db *DB) StaffSession(ctx context.Context, idHash string) (StaffSession, error) {
	s := StaffSession{IDHash: idHash}
	var created, seen string
	u, err := scanStaffUser(func(dest ...any) error {
		return db.queryRow(ctx, `SELECT s.created_at, s.last_seen_at, u.id, u.username, u.display_name,
			u.email, u.role, u.sections, u.password_hash, u.failed_logins, COALESCE(u.locked_until, ''), u.created_at
			FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash).
			Scan(append([]any{&created, &seen}, dest...)...)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return StaffSession{}, ErrNotFound
	}
	if err != nil {
		return StaffSession{}, fmt.Errorf("store: read staff session: %w", err)
	}
	s.User = u
	if s.CreatedAt, err = parseTime(created); err != nil {
		return StaffSession{}, err
	}
	if s.LastSeenAt, err = parseTime(seen); err != nil {
		return StaffSession{}, err
	}
	return s, nil
}

// TouchStaffSession records activity on a staff session.
func (db *DB) TouchStaffSession(ctx context.Context, idHash string, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?`, formatTime(at), idHash)
		return err
	})
}

// DeleteStaffSession ends a staff session; ending one that does not exist
// is not an error.
func (db *DB) DeleteStaffSession(ctx context.Context, idHash string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id_hash = ?`, idHash)
		return err
	})
}

// DeleteExpiredStaffSessions removes the staff sessions idle since before
// idleBefore or created before createdBefore.
func (db *DB) DeleteExpiredStaffSessions(ctx context.Context, idleBefore, createdBefore time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE last_seen_at < ? OR created_at < ?`,
			formatTime(idleBefore), formatTime(createdBefore))
		return err
	})
}

// RecordCMSAction keeps one CMS action in the audit.
func (db *DB) RecordCMSAction(ctx context.Context, e CMSAuditEntry) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cms_audit (at, username, role, action, target, outcome, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, formatTime(e.At), e.Username, e.Role, e.Action, e.Target, e.Outcome, e.Detail)
		if err != nil {
			return fmt.Errorf("store: record cms action: %w", err)
		}
		return nil
	})
}

// CMSActions returns the latest CMS actions, newest first.
func (db *DB) CMSActions(ctx context.Context, limit int) ([]CMSAuditEntry, error) {
	rows, err := db.query(ctx, `SELECT id, at, username, role, action, target, outcome, detail
		FROM cms_audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list cms actions: %w", err)
	}
	defer rows.Close()
	var out []CMSAuditEntry
	for rows.Next() {
		var e CMSAuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Username, &e.Role, &e.Action, &e.Target, &e.Outcome, &e.Detail); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
