package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Payment is a payment recorded from a pagoPA receipt.
type Payment struct {
	ReceiptID   string
	NAV         string
	Numero      string
	AmountCents int64
	PaidAt      time.Time
	PSP         string
	Receipt     string // as received, for review
}

// PaymentOutcome says what RecordPayment did.
type PaymentOutcome int

const (
	PaymentRecorded  PaymentOutcome = iota + 1 // a new payment
	PaymentDuplicate                           // the same receipt again: nothing changed
	PaymentConflict                            // disagrees with what is recorded: kept for review
)

// RecordPayment records p exactly once, with the event for the gestionale in
// the same transaction. A receipt seen before with the same content is a
// duplicate; one that disagrees (same receipt id with other data, or another
// receipt for a notice already paid) is stored for review as a conflict.
func (db *DB) RecordPayment(ctx context.Context, p Payment, event any) (PaymentOutcome, error) {
	var out PaymentOutcome
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var nav string
		var amount int64
		err := tx.QueryRowContext(ctx, `SELECT nav, importo_cent FROM pagamenti WHERE receipt_id = ?`, p.ReceiptID).Scan(&nav, &amount)
		switch {
		case err == nil && nav == p.NAV && amount == p.AmountCents:
			out = PaymentDuplicate
			return nil
		case err == nil:
			out = PaymentConflict
			return recordConflict(ctx, tx, p, "ricevuta già registrata con altri dati", now)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var other string
		err = tx.QueryRowContext(ctx, `SELECT receipt_id FROM pagamenti WHERE nav = ?`, p.NAV).Scan(&other)
		switch {
		case err == nil:
			out = PaymentConflict
			return recordConflict(ctx, tx, p, "avviso già pagato con la ricevuta "+other, now)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pagamenti
			(receipt_id, nav, numero, importo_cent, pagato_il, psp, ricevuta, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ReceiptID, p.NAV, p.Numero, p.AmountCents, p.PaidAt.UTC().Format(time.RFC3339), p.PSP, p.Receipt, now); err != nil {
			return err
		}
		out = PaymentRecorded
		return AppendEvent(ctx, tx, "pagamento", p.Numero, event)
	})
	return out, err
}

func recordConflict(ctx context.Context, tx *sql.Tx, p Payment, why, now string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pagamenti_conflitti (receipt_id, nav, motivo, ricevuta, recorded_at)
		VALUES (?, ?, ?, ?, ?)`, p.ReceiptID, p.NAV, why, p.Receipt, now)
	return err
}

// PaymentOf returns the payment recorded for a notice, or ErrNotFound.
func (db *DB) PaymentOf(ctx context.Context, nav string) (Payment, error) {
	var p Payment
	var paid string
	err := db.queryRow(ctx, `SELECT receipt_id, nav, numero, importo_cent, pagato_il, psp, ricevuta
		FROM pagamenti WHERE nav = ?`, nav).Scan(&p.ReceiptID, &p.NAV, &p.Numero, &p.AmountCents, &paid, &p.PSP, &p.Receipt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.PaidAt, err = time.Parse(time.RFC3339, paid)
	return p, err
}

// PaymentConflicts counts receipts kept for review.
func (db *DB) PaymentConflicts(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM pagamenti_conflitti`).Scan(&n)
	return n, err
}
