package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// States of an instalment plan.
const (
	PlanProposed = "proposta"
	PlanApproved = "approvata"
	PlanRejected = "respinta"
)

// ErrPlanOverlap means a verbale is already in a plan proposed or approved.
var ErrPlanOverlap = errors.New("store: verbale already in an instalment plan")

// ErrPlanDecided means the plan is no longer a proposal.
var ErrPlanDecided = errors.New("store: instalment plan already decided")

// Plan is an instalment plan (art. 202-bis) as stored.
type Plan struct {
	ID            int64
	CodiceFiscale string
	Stato         string
	Verbali       []string
	Rate          int
	TotaleCent    int64
	RedditoCent   int64
	Familiari     int
	ProposedAt    time.Time
	DecidedBy     string    // "" until decided
	DecidedAt     time.Time // zero until decided
	Motivo        string    // why it was rejected
	Instalments   []Instalment
}

// Instalment is one instalment of an approved plan.
type Instalment struct {
	PlanID        int64
	Numero        int
	Scadenza      string // YYYY-MM-DD
	CapitaleCent  int64
	InteressiCent int64
	ImportoCent   int64
	NAV           string
	PaidAt        string // RFC 3339, "" while unpaid
	CodiceFiscale string // of the plan's citizen
	Verbale       string // the plan's first verbale, which payments are filed under
}

// CreatePlan stores a proposal, with its event for the gestionale, unless one
// of its verbali is already in a plan proposed or approved.
func (db *DB) CreatePlan(ctx context.Context, p Plan, event any) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, n := range p.Verbali {
			var busy int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rateizzazioni_verbali rv
				JOIN rateizzazioni r ON r.id = rv.rateizzazione_id
				WHERE rv.numero = ? AND r.stato IN (?, ?)`, n, PlanProposed, PlanApproved).Scan(&busy)
			if err != nil {
				return err
			}
			if busy > 0 {
				return fmt.Errorf("verbale %s: %w", n, ErrPlanOverlap)
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO rateizzazioni (codice_fiscale, stato, rate, totale_cent,
			reddito_cent, familiari_conviventi, proposta_il) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			p.CodiceFiscale, PlanProposed, p.Rate, p.TotaleCent, p.RedditoCent, p.Familiari,
			p.ProposedAt.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, n := range p.Verbali {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rateizzazioni_verbali (rateizzazione_id, numero) VALUES (?, ?)`, id, n); err != nil {
				return err
			}
		}
		return AppendEvent(ctx, tx, "rateizzazione_proposta", p.Verbali[0], withPlanID(event, id))
	})
	return id, err
}

// withPlanID adds the new plan's id to an event payload built before it existed.
func withPlanID(event any, id int64) map[string]any {
	return map[string]any{"rateizzazione_id": id, "dettagli": event}
}

// ApprovePlan turns a proposal into a plan of instalments, each given a notice
// number from the verbali's sequence in the same transaction, and records who
// approved it, when, and the event for the gestionale.
func (db *DB) ApprovePlan(ctx context.Context, id int64, by string, at time.Time, instalments []Instalment, nav NAVMaker, event any) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		numero, err := decide(ctx, tx, id, PlanApproved, by, "", at)
		if err != nil {
			return err
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT value FROM sequences WHERE name = ?), 0)`, navSequence).Scan(&seq); err != nil {
			return err
		}
		for _, in := range instalments {
			seq++
			n, err := nav(seq)
			if err != nil {
				return fmt.Errorf("store: notice number %d: %w", seq, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO rateizzazioni_rate (rateizzazione_id, numero, scadenza,
				capitale_cent, interessi_cent, importo_cent, nav) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				id, in.Numero, in.Scadenza, in.CapitaleCent, in.InteressiCent, in.ImportoCent, n); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sequences (name, value) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, navSequence, seq); err != nil {
			return err
		}
		return AppendEvent(ctx, tx, "rateizzazione_approvata", numero, withPlanID(event, id))
	})
}

// RejectPlan rejects a proposal with a reason, recording who and when, and
// the event for the gestionale.
func (db *DB) RejectPlan(ctx context.Context, id int64, by, motivo string, at time.Time, event any) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		numero, err := decide(ctx, tx, id, PlanRejected, by, motivo, at)
		if err != nil {
			return err
		}
		return AppendEvent(ctx, tx, "rateizzazione_respinta", numero, withPlanID(event, id))
	})
}

// decide moves a proposal to stato and returns its first verbale.
func decide(ctx context.Context, tx *sql.Tx, id int64, stato, by, motivo string, at time.Time) (string, error) {
	res, err := tx.ExecContext(ctx, `UPDATE rateizzazioni SET stato = ?, decisa_da = ?, decisa_il = ?, motivo = ?
		WHERE id = ? AND stato = ?`, stato, by, at.UTC().Format(time.RFC3339), motivo, id, PlanProposed)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT stato FROM rateizzazioni WHERE id = ?`, id).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrNotFound
		}
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("plan %d is %s: %w", id, current, ErrPlanDecided)
	}
	var numero string
	err = tx.QueryRowContext(ctx, `SELECT MIN(numero) FROM rateizzazioni_verbali WHERE rateizzazione_id = ?`, id).Scan(&numero)
	return numero, err
}

const planColumns = `id, codice_fiscale, stato, rate, totale_cent, reddito_cent, familiari_conviventi,
	proposta_il, decisa_da, decisa_il, motivo`

// Plan returns one plan with its verbali and instalments, or ErrNotFound.
func (db *DB) Plan(ctx context.Context, id int64) (Plan, error) {
	plans, err := db.plans(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Plan{}, err
	}
	if len(plans) == 0 {
		return Plan{}, ErrNotFound
	}
	return plans[0], nil
}

// PlansOf returns the plans a citizen proposed, newest first.
func (db *DB) PlansOf(ctx context.Context, cf string) ([]Plan, error) {
	return db.plans(ctx, `WHERE codice_fiscale = ?`, cf)
}

// PlansIn returns the plans in a state, newest first.
func (db *DB) PlansIn(ctx context.Context, stato string) ([]Plan, error) {
	return db.plans(ctx, `WHERE stato = ?`, stato)
}

func (db *DB) plans(ctx context.Context, where string, arg any) ([]Plan, error) {
	rows, err := db.query(ctx, `SELECT `+planColumns+` FROM rateizzazioni `+where+` ORDER BY id DESC`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Plan{}
	for rows.Next() {
		var p Plan
		var proposed, decided string
		if err := rows.Scan(&p.ID, &p.CodiceFiscale, &p.Stato, &p.Rate, &p.TotaleCent, &p.RedditoCent, &p.Familiari,
			&proposed, &p.DecidedBy, &decided, &p.Motivo); err != nil {
			return nil, err
		}
		if p.ProposedAt, err = time.Parse(time.RFC3339, proposed); err != nil {
			return nil, err
		}
		if decided != "" {
			if p.DecidedAt, err = time.Parse(time.RFC3339, decided); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		if out[i].Verbali, err = db.planVerbali(ctx, out[i].ID); err != nil {
			return nil, err
		}
		if out[i].Instalments, err = db.instalments(ctx, `WHERE r.rateizzazione_id = ? ORDER BY r.numero`, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) planVerbali(ctx context.Context, id int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT numero FROM rateizzazioni_verbali WHERE rateizzazione_id = ? ORDER BY numero`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (db *DB) instalments(ctx context.Context, where string, arg any) ([]Instalment, error) {
	rows, err := db.query(ctx, `SELECT r.rateizzazione_id, r.numero, r.scadenza, r.capitale_cent, r.interessi_cent,
		r.importo_cent, r.nav, COALESCE(p.pagato_il, ''), z.codice_fiscale,
		(SELECT MIN(numero) FROM rateizzazioni_verbali WHERE rateizzazione_id = r.rateizzazione_id)
		FROM rateizzazioni_rate r JOIN rateizzazioni z ON z.id = r.rateizzazione_id
		LEFT JOIN pagamenti p ON p.nav = r.nav `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Instalment{}
	for rows.Next() {
		var in Instalment
		if err := rows.Scan(&in.PlanID, &in.Numero, &in.Scadenza, &in.CapitaleCent, &in.InteressiCent,
			&in.ImportoCent, &in.NAV, &in.PaidAt, &in.CodiceFiscale, &in.Verbale); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// InstalmentByNAV returns the instalment behind a notice number, or ErrNotFound.
func (db *DB) InstalmentByNAV(ctx context.Context, nav string) (Instalment, error) {
	found, err := db.instalments(ctx, `WHERE r.nav = ?`, nav)
	if err != nil {
		return Instalment{}, err
	}
	if len(found) == 0 {
		return Instalment{}, ErrNotFound
	}
	return found[0], nil
}

// MarkPlanned sets Stato to PlanStato on the rows that are in an approved
// plan: the plan is the portal's, and counts before the gestionale's record
// says so.
func (db *DB) MarkPlanned(ctx context.Context, rows []VerbaleRow) error {
	for i := range rows {
		var planned bool
		err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM rateizzazioni_verbali rv
			JOIN rateizzazioni r ON r.id = rv.rateizzazione_id
			WHERE rv.numero = ? AND r.stato = ?)`, rows[i].Numero, PlanApproved).Scan(&planned)
		if err != nil {
			return err
		}
		if planned {
			rows[i].Stato = PlanStato
		}
	}
	return nil
}

// PlanStato is the verbale's stato while it is in an approved plan.
const PlanStato = "rateizzato"
