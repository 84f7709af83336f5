package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Attempt is a payer sent to the checkout to pay one notice.
type Attempt struct {
	ID          string
	NAV         string
	Numero      string
	AmountCents int64 // due on the day the attempt started
	// CodiceFiscale is the logged-in citizen who started it; empty for a
	// pre-notice paid without an account.
	CodiceFiscale string
	// Outcome is what the checkout reported without a payment: "annullato"
	// or "errore"; empty while nothing was reported.
	Outcome   string
	CreatedAt time.Time
}

// CreateAttempt records a new attempt.
func (db *DB) CreateAttempt(ctx context.Context, a Attempt) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pagamenti_tentativi
			(id, nav, numero, importo_cent, codice_fiscale, creato_il) VALUES (?, ?, ?, ?, NULLIF(?, ''), ?)`,
			a.ID, a.NAV, a.Numero, a.AmountCents, a.CodiceFiscale, a.CreatedAt.UTC().Format(time.RFC3339))
		return err
	})
}

// AttemptByID returns an attempt, or ErrNotFound.
func (db *DB) AttemptByID(ctx context.Context, id string) (Attempt, error) {
	var a Attempt
	var created string
	err := db.queryRow(ctx, `SELECT id, nav, numero, importo_cent, COALESCE(codice_fiscale, ''), COALESCE(esito, ''), creato_il
		FROM pagamenti_tentativi WHERE id = ?`, id).
		Scan(&a.ID, &a.NAV, &a.Numero, &a.AmountCents, &a.CodiceFiscale, &a.Outcome, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.CreatedAt, err = time.Parse(time.RFC3339, created)
	return a, err
}

// CloseAttempt records what the checkout reported for an attempt that ended
// without a payment. The first report wins; later ones change nothing.
func (db *DB) CloseAttempt(ctx context.Context, id, outcome string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE pagamenti_tentativi SET esito = ?, concluso_il = ?
			WHERE id = ? AND esito IS NULL`, outcome, time.Now().UTC().Format(time.RFC3339), id)
		return err
	})
}
