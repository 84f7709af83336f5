package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"
)

// ProfiloRow is one record of a citizen's profile as the gestionale sent it
// (a licence, a points movement, a permit, …), keyed by its kind and natural
// key. A vehicle goes to the citizen's vehicle list instead: Veicolo is set.
type ProfiloRow struct {
	Tipo          string
	Chiave        string
	CodiceFiscale string
	Record        []byte
	Veicolo       *Veicolo
}

// Veicolo is a vehicle in a citizen's list (A8).
type Veicolo struct {
	CodiceFiscale string
	Targa         string
	Descrizione   string
	Origine       string // gestionale or cittadino
	AggiuntoIl    time.Time
}

// Where a vehicle in the list came from.
const (
	OrigineGestionale = "gestionale"
	OrigineCittadino  = "cittadino"
)

// UpsertProfilo stores rows in one transaction: a new key is inserted, a
// changed record replaces the stored one, an identical one is left alone.
// A vehicle the citizen removed from the list stays removed.
func (db *DB) UpsertProfilo(ctx context.Context, rows []ProfiloRow) ([]UpsertOutcome, error) {
	out := make([]UpsertOutcome, len(rows))
	now := time.Now().UTC().Format(time.RFC3339)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for i, r := range rows {
			var err error
			if r.Veicolo != nil {
				out[i], err = upsertVeicolo(ctx, tx, *r.Veicolo, now)
			} else {
				out[i], err = upsertProfiloRecord(ctx, tx, r, now)
			}
			if err != nil {
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

func upsertProfiloRecord(ctx context.Context, tx *sql.Tx, r ProfiloRow, now string) (UpsertOutcome, error) {
	var cf string
	var record []byte
	err := tx.QueryRowContext(ctx, `SELECT codice_fiscale, record FROM profilo WHERE tipo = ? AND chiave = ?`,
		r.Tipo, r.Chiave).Scan(&cf, &record)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO profilo (tipo, chiave, codice_fiscale, record, imported_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.Tipo, r.Chiave, r.CodiceFiscale, r.Record, now, now)
		return Inserted, err
	case err != nil:
		return 0, err
	case cf == r.CodiceFiscale && bytes.Equal(record, r.Record):
		return Unchanged, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE profilo SET codice_fiscale = ?, record = ?, updated_at = ? WHERE tipo = ? AND chiave = ?`,
		r.CodiceFiscale, r.Record, now, r.Tipo, r.Chiave)
	return Updated, err
}

func upsertVeicolo(ctx context.Context, tx *sql.Tx, v Veicolo, now string) (UpsertOutcome, error) {
	var descrizione string
	err := tx.QueryRowContext(ctx, `SELECT descrizione FROM veicoli WHERE codice_fiscale = ? AND targa = ?`,
		v.CodiceFiscale, v.Targa).Scan(&descrizione)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO veicoli (codice_fiscale, targa, descrizione, origine, aggiunto_il)
			VALUES (?, ?, ?, ?, ?)`, v.CodiceFiscale, v.Targa, v.Descrizione, OrigineGestionale, now)
		return Inserted, err
	case err != nil:
		return 0, err
	case descrizione == v.Descrizione:
		return Unchanged, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE veicoli SET descrizione = ? WHERE codice_fiscale = ? AND targa = ?`,
		v.Descrizione, v.CodiceFiscale, v.Targa)
	return Updated, err
}

// ProfiloOf returns cf's records of one kind, by key.
func (db *DB) ProfiloOf(ctx context.Context, cf, tipo string) ([]ProfiloRow, error) {
	rows, err := db.query(ctx, `SELECT tipo, chiave, codice_fiscale, record FROM profilo
		WHERE codice_fiscale = ? AND tipo = ? ORDER BY chiave`, cf, tipo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProfiloRow
	for rows.Next() {
		var r ProfiloRow
		if err := rows.Scan(&r.Tipo, &r.Chiave, &r.CodiceFiscale, &r.Record); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VeicoliOf returns the vehicles in cf's list, by plate.
func (db *DB) VeicoliOf(ctx context.Context, cf string) ([]Veicolo, error) {
	rows, err := db.query(ctx, `SELECT codice_fiscale, targa, descrizione, origine, aggiunto_il FROM veicoli
		WHERE codice_fiscale = ? AND rimosso_il IS NULL ORDER BY targa`, cf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Veicolo{}
	for rows.Next() {
		var v Veicolo
		var added string
		if err := rows.Scan(&v.CodiceFiscale, &v.Targa, &v.Descrizione, &v.Origine, &added); err != nil {
			return nil, err
		}
		if v.AggiuntoIl, err = time.Parse(time.RFC3339, added); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// AddVeicolo puts v in its citizen's list, with the event for the gestionale
// in the same transaction. It reports false, and changes nothing, when the
// vehicle is already there.
func (db *DB) AddVeicolo(ctx context.Context, v Veicolo, event any) (bool, error) {
	added := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO veicoli (codice_fiscale, targa, descrizione, origine, aggiunto_il)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (codice_fiscale, targa) DO UPDATE SET descrizione = excluded.descrizione,
				origine = excluded.origine, aggiunto_il = excluded.aggiunto_il, rimosso_il = NULL
			WHERE veicoli.rimosso_il IS NOT NULL`,
			v.CodiceFiscale, v.Targa, v.Descrizione, v.Origine, v.AggiuntoIl.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		added = true
		return AppendEvent(ctx, tx, "veicolo_aggiunto", "", event)
	})
	return added, err
}

// RemoveVeicolo takes a vehicle off cf's list, with the event for the
// gestionale; ErrNotFound when it is not in the list.
func (db *DB) RemoveVeicolo(ctx context.Context, cf, targa string, event any) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE veicoli SET rimosso_il = ?
			WHERE codice_fiscale = ? AND targa = ? AND rimosso_il IS NULL`,
			time.Now().UTC().Format(time.RFC3339), cf, targa)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return AppendEvent(ctx, tx, "veicolo_rimosso", "", event)
	})
}

// RinnovoPermesso is a citizen's request to renew a permit expiring on
// Scadenza (YYYY-MM-DD).
type RinnovoPermesso struct {
	PermessoID    string
	Scadenza      string
	CodiceFiscale string
	RichiestoIl   time.Time
}

// RequestPermitRenewal records r with the richiesta_rinnovo_permesso event
// for the gestionale, in one transaction. It reports false, and changes
// nothing, when the renewal of that expiry was already asked for.
func (db *DB) RequestPermitRenewal(ctx context.Context, r RinnovoPermesso, event any) (bool, error) {
	created := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO rinnovi_permessi (permesso_id, scadenza, codice_fiscale, richiesto_il)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.PermessoID, r.Scadenza, r.CodiceFiscale, r.RichiestoIl.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		created = true
		return AppendEvent(ctx, tx, "richiesta_rinnovo_permesso", "", event)
	})
	return created, err
}

// PermitRenewalsOf returns cf's renewal requests, oldest first.
func (db *DB) PermitRenewalsOf(ctx context.Context, cf string) ([]RinnovoPermesso, error) {
	rows, err := db.query(ctx, `SELECT permesso_id, scadenza, codice_fiscale, richiesto_il
		FROM rinnovi_permessi WHERE codice_fiscale = ? ORDER BY richiesto_il`, cf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RinnovoPermesso
	for rows.Next() {
		var r RinnovoPermesso
		var at string
		if err := rows.Scan(&r.PermessoID, &r.Scadenza, &r.CodiceFiscale, &at); err != nil {
			return nil, err
		}
		if r.RichiestoIl, err = time.Parse(time.RFC3339, at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PreferenzaNotifica is how a citizen wants notifications to arrive (A9).
type PreferenzaNotifica struct {
	CodiceFiscale string
	Canale        string // pec or posta
	PEC           string
	AggiornatoIl  time.Time
}

// NotificationPreference returns cf's choice, or ErrNotFound when they never
// made one.
func (db *DB) NotificationPreference(ctx context.Context, cf string) (PreferenzaNotifica, error) {
	p := PreferenzaNotifica{CodiceFiscale: cf}
	var at string
	err := db.queryRow(ctx, `SELECT canale, pec, aggiornato_il FROM preferenze_notifica WHERE codice_fiscale = ?`,
		cf).Scan(&p.Canale, &p.PEC, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.AggiornatoIl, err = time.Parse(time.RFC3339, at)
	return p, err
}

// SetNotificationPreference stores p with the event for the gestionale, which
// sends the notifications, in one transaction.
func (db *DB) SetNotificationPreference(ctx context.Context, p PreferenzaNotifica, event any) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO preferenze_notifica (codice_fiscale, canale, pec, aggiornato_il)
			VALUES (?, ?, ?, ?) ON CONFLICT (codice_fiscale) DO UPDATE SET canale = excluded.canale,
				pec = excluded.pec, aggiornato_il = excluded.aggiornato_il`,
			p.CodiceFiscale, p.Canale, p.PEC, p.AggiornatoIl.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return AppendEvent(ctx, tx, "preferenza_notifica", "", event)
	})
}
