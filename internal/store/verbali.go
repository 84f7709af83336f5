package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// VerbaleRow is a verbale as stored: the gestionale's record (JSON) and the
// columns queries need.
type VerbaleRow struct {
	Numero         string
	Versione       int64
	Stato          string
	TrasgressoreCF string
	ObbligatoCF    string
	Targa          string
	NAV            string // assigned on first insert; ignored on input
	Record         []byte
	// Paid is the amount and day of a pagoPA payment the portal recorded
	// (zero when none): it may arrive before the gestionale's update.
	PaidCents int64
	PaidAt    string // RFC 3339
}

// UpsertOutcome says what UpsertVerbali did with one row.
type UpsertOutcome int

const (
	Inserted  UpsertOutcome = iota + 1 // a new verbale
	Updated                            // a newer versione replaced the stored one
	Unchanged                          // same or older versione: ignored
)

// NAVMaker turns the creditor's next sequence number into a notice number.
type NAVMaker func(seq int64) (string, error)

const navSequence = "nav"

// UpsertVerbali stores rows in one transaction: a new numero is inserted with
// a fresh NAV, a higher versione replaces the record (the NAV stays), an equal
// or lower one is ignored. Either every row is applied or none is.
func (db *DB) UpsertVerbali(ctx context.Context, rows []VerbaleRow, nav NAVMaker) ([]UpsertOutcome, error) {
	out := make([]UpsertOutcome, len(rows))
	now := time.Now().UTC().Format(time.RFC3339)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		// New numbers are the common case of an import: try the insert
		// first, and only when the number exists, update it if newer.
		insert, err := tx.PrepareContext(ctx, `INSERT INTO verbali
			(numero, versione, stato, trasgressore_cf, obbligato_cf, targa, nav, record, imported_at, updated_at)
			VALUES (?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, ?, ?) ON CONFLICT (numero) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		update, err := tx.PrepareContext(ctx, `UPDATE verbali SET versione = ?, stato = ?,
			trasgressore_cf = NULLIF(?, ''), obbligato_cf = NULLIF(?, ''), targa = ?, record = ?, updated_at = ?
			WHERE numero = ? AND versione < ?`)
		if err != nil {
			return err
		}
		defer update.Close()
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM sequences WHERE name = ?), 0)`, navSequence).Scan(&seq); err != nil {
			return err
		}
		startSeq := seq
		for i, r := range rows {
			// The sequence number is spent only if the insert happens, so
			// notice numbers stay gapless.
			n, err := nav(seq + 1)
			if err != nil {
				return fmt.Errorf("store: notice number %d: %w", seq+1, err)
			}
			res, err := insert.ExecContext(ctx, r.Numero, r.Versione, r.Stato, r.TrasgressoreCF, r.ObbligatoCF,
				r.Targa, n, r.Record, now, now)
			if err != nil {
				return err
			}
			if inserted, _ := res.RowsAffected(); inserted == 1 {
				seq++
				out[i] = Inserted
				continue
			}
			res, err = update.ExecContext(ctx, r.Versione, r.Stato, r.TrasgressoreCF, r.ObbligatoCF,
				r.Targa, r.Record, now, r.Numero, r.Versione)
			if err != nil {
				return err
			}
			if updated, _ := res.RowsAffected(); updated == 1 {
				out[i] = Updated
			} else {
				out[i] = Unchanged
			}
		}
		if seq != startSeq {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sequences (name, value) VALUES (?, ?)
				ON CONFLICT(name) DO UPDATE SET value = excluded.value`, navSequence, seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const verbaleColumns = `v.numero, v.versione, v.stato, COALESCE(v.trasgressore_cf, ''), COALESCE(v.obbligato_cf, ''),
	v.targa, v.nav, v.record, COALESCE(p.importo_cent, 0), COALESCE(p.pagato_il, '')`

const verbaleFrom = ` FROM verbali v LEFT JOIN pagamenti p ON p.nav = v.nav `

func scanVerbale(sc interface{ Scan(...any) error }) (VerbaleRow, error) {
	var v VerbaleRow
	err := sc.Scan(&v.Numero, &v.Versione, &v.Stato, &v.TrasgressoreCF, &v.ObbligatoCF, &v.Targa, &v.NAV, &v.Record,
		&v.PaidCents, &v.PaidAt)
	return v, err
}

// VerbaliOf returns the verbali in which cf is the offender or the owner
// jointly liable, newest first.
func (db *DB) VerbaliOf(ctx context.Context, cf string) ([]VerbaleRow, error) {
	rows, err := db.query(ctx, `SELECT `+verbaleColumns+verbaleFrom+`WHERE v.trasgressore_cf = ?
		UNION SELECT `+verbaleColumns+verbaleFrom+`WHERE v.obbligato_cf = ?
		ORDER BY 1 DESC`, cf, cf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VerbaleRow
	for rows.Next() {
		v, err := scanVerbale(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VerbaleByNumero returns one verbale, or ErrNotFound.
func (db *DB) VerbaleByNumero(ctx context.Context, numero string) (VerbaleRow, error) {
	v, err := scanVerbale(db.queryRow(ctx, `SELECT `+verbaleColumns+verbaleFrom+`WHERE v.numero = ?`, numero))
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// VerbaleByNAV returns the verbale behind a notice number, or ErrNotFound.
func (db *DB) VerbaleByNAV(ctx context.Context, nav string) (VerbaleRow, error) {
	v, err := scanVerbale(db.queryRow(ctx, `SELECT `+verbaleColumns+verbaleFrom+`WHERE v.nav = ?`, nav))
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// CountVerbali returns how many verbali are stored.
func (db *DB) CountVerbali(ctx context.Context) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM verbali`).Scan(&n)
	return n, err
}
