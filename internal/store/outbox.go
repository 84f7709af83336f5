package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// EmailStatus is where an outgoing email stands; the values are what the
// outbox table holds.
type EmailStatus string

const (
	EmailQueued   EmailStatus = "in_coda"           // waiting for its first attempt
	EmailSent     EmailStatus = "inviato"           // accepted by the mail server
	EmailRetrying EmailStatus = "errore_temporaneo" // failed; tried again at NextAttemptAt
	EmailFailed   EmailStatus = "errore_definitivo" // given up: an officer must look
)

// OutboxBackoff is how long a failed email waits before the next attempt:
// the n-th failure waits OutboxBackoff[n-1]; the failure after the last
// entry is final. Six attempts over about 15 hours ride out a mail server's
// maintenance window without hammering it.
var OutboxBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// Email is a rendered message to queue.
type Email struct {
	// DedupKey, when set, makes queueing idempotent: a second email with the
	// same key is not queued (e.g. "ricevuta:<NAV>").
	DedupKey    string
	Kind        string // template name, for the operator
	To          string
	Subject     string
	Text        string
	HTML        string
	Attachments []EmailAttachment
}

// EmailAttachment is a file sent with an email.
type EmailAttachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// ClaimedEmail is an email a sender holds until its lease runs out.
type ClaimedEmail struct {
	Email
	ID int64
	// MessageID is the stable left part of the Message-ID header: every
	// attempt carries the same one, so a repeat can be recognised.
	MessageID string
	Attempt   int // 1 for the first attempt
	Claim     string
	CreatedAt time.Time
}

// EmailDelivery is what became of a queued email.
type EmailDelivery struct {
	ID            int64
	Kind          string
	Status        EmailStatus
	Attempts      int
	NextAttemptAt time.Time // meaningful while queued or retrying
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time // zero until sent
}

// EnqueueEmail queues e inside tx, so the email exists exactly when the
// change it reports does. queued is false when e.DedupKey was queued
// before; id is then that earlier email's.
func EnqueueEmail(ctx context.Context, tx *sql.Tx, e Email, now time.Time) (id int64, queued bool, err error) {
	if e.To == "" || e.Subject == "" || e.Kind == "" {
		return 0, false, errors.New("store: email needs a recipient, a subject and a kind")
	}
	token, err := randomToken()
	if err != nil {
		return 0, false, err
	}
	at := formatTime(now)
	err = tx.QueryRowContext(ctx, `INSERT INTO outbox
		(dedup_key, kind, recipient, subject, body_text, body_html, message_id, status, next_attempt_at, created_at)
		VALUES (NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		e.DedupKey, e.Kind, e.To, e.Subject, e.Text, e.HTML, token, EmailQueued, at, at).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT id FROM outbox WHERE dedup_key = ?`, e.DedupKey).Scan(&id)
		return id, false, wrapOutbox("enqueue", err)
	}
	if err != nil {
		return 0, false, wrapOutbox("enqueue", err)
	}
	for i, a := range e.Attachments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attachments (message_id, position, name, content_type, data)
			VALUES (?, ?, ?, ?, ?)`, id, i, a.Name, a.ContentType, a.Data); err != nil {
			return 0, false, wrapOutbox("enqueue attachment", err)
		}
	}
	return id, true, nil
}

// EnqueueEmail queues e in a transaction of its own; see the function
// EnqueueEmail to queue it together with another change.
func (db *DB) EnqueueEmail(ctx context.Context, e Email, now time.Time) (id int64, queued bool, err error) {
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		id, queued, err = EnqueueEmail(ctx, tx, e, now)
		return err
	})
	return id, queued, err
}

// ClaimEmails leases up to limit emails that are due at now, oldest first,
// for lease. Each claim counts as an attempt, so an email whose sender keeps
// dying is given up on like one that keeps failing.
func (db *DB) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ClaimedEmail, error) {
	var out []ClaimedEmail
	at := formatTime(now)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out = nil
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, claim = NULL, lease_until = NULL,
			last_error = 'invio interrotto troppe volte'
			WHERE status IN (?, ?) AND lease_until <= ? AND attempts >= ?`,
			EmailFailed, EmailQueued, EmailRetrying, at, len(OutboxBackoff)+1); err != nil {
			return err
		}
		token, err := randomToken()
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET claim = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status IN (?, ?) AND next_attempt_at <= ?
				AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING id, COALESCE(dedup_key, ''), kind, recipient, subject, body_text, body_html, message_id,
				attempts, created_at`,
			token, formatTime(now.Add(lease)), EmailQueued, EmailRetrying, at, at, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := ClaimedEmail{Claim: token}
			var created string
			if err := rows.Scan(&c.ID, &c.DedupKey, &c.Kind, &c.To, &c.Subject, &c.Text, &c.HTML, &c.MessageID,
				&c.Attempt, &created); err != nil {
				return err
			}
			if c.CreatedAt, err = parseTime(created); err != nil {
				return err
			}
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b ClaimedEmail) int { return cmp.Compare(a.ID, b.ID) })
		for i := range out {
			if out[i].Attachments, err = attachments(ctx, tx, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, wrapOutbox("claim", err)
}

func attachments(ctx context.Context, tx *sql.Tx, id int64) ([]EmailAttachment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, content_type, data FROM outbox_attachments
		WHERE message_id = ? ORDER BY position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EmailAttachment
	for rows.Next() {
		var a EmailAttachment
		if err := rows.Scan(&a.Name, &a.ContentType, &a.Data); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// MarkEmailSent records that the mail server accepted email id. It holds
// whoever sent it: once an email went out, it is sent.
func (db *DB) MarkEmailSent(ctx context.Context, id int64, now time.Time) error {
	return wrapOutbox("mark sent", db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, sent_at = ?, claim = NULL, lease_until = NULL,
			last_error = '' WHERE id = ? AND status <> ?`, EmailSent, formatTime(now), id, EmailSent)
		return err
	}))
}

// MarkEmailFailed records a failed attempt at email id by the holder of
// claim, and schedules the next one per OutboxBackoff; permanent (or the
// attempts running out) gives up for good. A holder whose lease was taken
// over changes nothing. It returns the status the email is left in.
func (db *DB) MarkEmailFailed(ctx context.Context, id int64, claim string, now time.Time, reason string, permanent bool) (EmailStatus, error) {
	var st EmailStatus
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var attempts int
		var holder sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT status, attempts, claim FROM outbox WHERE id = ?`, id).
			Scan(&st, &attempts, &holder); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if st == EmailSent || holder.String != claim {
			return nil
		}
		next := now
		st = EmailFailed
		if !permanent && attempts <= len(OutboxBackoff) {
			st = EmailRetrying
			next = now.Add(OutboxBackoff[max(attempts, 1)-1])
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?,
			claim = NULL, lease_until = NULL WHERE id = ?`, st, formatTime(next), truncate(reason, 1000), id)
		return err
	})
	return st, wrapOutbox("mark failed", err)
}

// EmailDelivery returns what became of email id, or ErrNotFound.
func (db *DB) EmailDelivery(ctx context.Context, id int64) (EmailDelivery, error) {
	return db.emailDelivery(ctx, `id = ?`, id)
}

// EmailDeliveryByKey returns what became of the email queued with dedupKey,
// or ErrNotFound.
func (db *DB) EmailDeliveryByKey(ctx context.Context, dedupKey string) (EmailDelivery, error) {
	return db.emailDelivery(ctx, `dedup_key = ?`, dedupKey)
}

func (db *DB) emailDelivery(ctx context.Context, where string, arg any) (EmailDelivery, error) {
	var d EmailDelivery
	var next, created string
	var sent sql.NullString
	err := db.queryRow(ctx, `SELECT id, kind, status, attempts, next_attempt_at, last_error, created_at, sent_at
		FROM outbox WHERE `+where, arg).
		Scan(&d.ID, &d.Kind, &d.Status, &d.Attempts, &next, &d.LastError, &created, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, wrapOutbox("read delivery", err)
	}
	if d.NextAttemptAt, err = parseTime(next); err != nil {
		return d, err
	}
	if d.CreatedAt, err = parseTime(created); err != nil {
		return d, err
	}
	if sent.Valid {
		if d.SentAt, err = parseTime(sent.String); err != nil {
			return d, err
		}
	}
	return d, nil
}

func randomToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: random token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

func wrapOutbox(op string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("store: outbox %s: %w", op, err)
}

// PaymentsWithoutEmail returns the verbali whose payment was recorded at or
// after since and has no email queued under dedupPrefix+NAV, oldest first:
// the receipts a crash between recording a payment and queueing its email
// left behind.
func (db *DB) PaymentsWithoutEmail(ctx context.Context, dedupPrefix string, since time.Time) ([]string, error) {
	rows, err := db.query(ctx, `SELECT p.numero FROM pagamenti p
		WHERE p.recorded_at >= ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedup_key = ? || p.nav)
		ORDER BY p.recorded_at`, since.UTC().Format(time.RFC3339Nano), dedupPrefix)
	if err != nil {
		return nil, wrapOutbox("payments without email", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, wrapOutbox("payments without email", err)
		}
		out = append(out, n)
	}
	return out, wrapOutbox("payments without email", rows.Err())
}
