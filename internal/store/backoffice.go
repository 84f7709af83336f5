package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
)

// AuditEntry is one action of the staff in the back office: who, with which
// role, when, what on which item, and the item before and after.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Username string
	Role     string
	Action   string // e.g. rateizzazione.approva
	Target   string // e.g. rateizzazione:12
	Before   map[string]any
	After    map[string]any
}

// appendAudit writes e inside tx, so the audit row exists exactly when the
// action does.
func appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	before, err := json.Marshal(nonNilMap(e.Before))
	if err != nil {
		return err
	}
	after, err := json.Marshal(nonNilMap(e.After))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO backoffice_audit (at, username, role, action, target, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, formatTime(e.At), e.Username, e.Role, e.Action, e.Target, before, after)
	return err
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// AuditFilter narrows the audit log; empty fields match everything.
type AuditFilter struct {
	Username string
	Action   string // an action, or its prefix ending in "." (e.g. "rateizzazione.")
	Target   string
	From, To time.Time // To is exclusive
	Limit    int       // default 200
}

// AuditLog returns the back-office actions matching f, newest first.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	var where []string
	var args []any
	if f.Username != "" {
		where, args = append(where, "username = ?"), append(args, f.Username)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			where, args = append(where, "substr(action, 1, ?) = ?"), append(args, len(f.Action), f.Action)
		} else {
			where, args = append(where, "action = ?"), append(args, f.Action)
		}
	}
	if f.Target != "" {
		where, args = append(where, "target = ?"), append(args, f.Target)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, formatTime(f.To))
	}
	q := `SELECT id, at, username, role, action, target, before, after FROM backoffice_audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	rows, err := db.read.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at, before, after string
		if err := rows.Scan(&e.ID, &at, &e.Username, &e.Role, &e.Action, &e.Target, &before, &after); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(before), &e.Before); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(after), &e.After); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditUsernames lists who appears in the audit log, for the filter.
func (db *DB) AuditUsernames(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT username FROM backoffice_audit ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
