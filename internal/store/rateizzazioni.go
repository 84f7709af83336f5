package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// States of an instalment plan.
const (
	PlanProposed = "proposta"
	PlanCounter  = "controproposta" // the office proposed other terms; the citizen answers
	PlanApproved = "approvata"
	PlanRejected = "respinta"
	PlanLapsed   = "decaduta" // instalments missed (art. 202-bis c.6)
)

// PlanStates lists every state, in the order queues show them.
var PlanStates = []string{PlanProposed, PlanCounter, PlanApproved, PlanRejected, PlanLapsed}

// ErrPlanOverlap means a verbale is already in a plan proposed or approved.
var ErrPlanOverlap = errors.New("store: verbale already in an instalment plan")

// ErrPlanDecided means the plan changed since it was read: someone else
// decided it first.
var ErrPlanDecided = errors.New("store: instalment plan changed meanwhile")

// ErrTooManyAttachments means the plan already has MaxPlanAttachments.
var ErrTooManyAttachments = errors.New("store: too many attachments")

// MaxPlanAttachments is how many documents one plan may carry.
const MaxPlanAttachments = 5

// Plan is an instalment plan (art. 202-bis) as stored.
type Plan struct {
	ID            int64
	Versione      int // bumped by every change
	CodiceFiscale string
	Stato         string
	Verbali       []string
	Rate          int
	TotaleCent    int64
	RedditoCent   int64
	Familiari     int
	ProposedAt    time.Time
	// FirstDue is the first due date the citizen asked for (YYYY-MM-DD), or
	// "" for the default, a month after approval.
	FirstDue  string
	DecidedBy string    // "" until decided
	DecidedAt time.Time // zero until decided
	Motivo    string    // why it was rejected
	// The office's counter-proposal: another number of instalments and/or
	// first due date (YYYY-MM-DD), with a note for the citizen.
	CounterRate     int
	CounterFirstDue string
	CounterNote     string
	// Approvals given so far, for plans both police and collector approve.
	PoliceApprovedBy    string
	PoliceApprovedAt    time.Time
	CollectorApprovedBy string
	CollectorApprovedAt time.Time
	// Decadence: when, and the balance then owed.
	LapsedAt          time.Time
	LapsedBalanceCent int64
	Instalments       []Instalment
	Attachments       []PlanAttachment // without their data
}

// PlanAttachment is a document attached to a plan.
type PlanAttachment struct {
	ID          int64
	PlanID      int64
	Name        string
	ContentType string
	Size        int64
	UploadedAt  time.Time
	Data        []byte // only from PlanAttachment
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
	PaidCent      int64  // what was paid, 0 while unpaid
	CodiceFiscale string // of the plan's citizen
	Verbale       string // the plan's first verbale, which payments are filed under
}

// PlanSummary is what the history and the audit keep of a plan before and
// after a change.
func (p Plan) PlanSummary() map[string]any {
	m := map[string]any{"stato": p.Stato, "rate": p.Rate}
	if p.Motivo != "" {
		m["motivo"] = p.Motivo
	}
	if p.CounterRate > 0 {
		m["controproposta"] = map[string]any{"rate": p.CounterRate, "prima_scadenza": p.CounterFirstDue, "nota": p.CounterNote}
	}
	if p.PoliceApprovedBy != "" {
		m["approvata_polizia_da"] = p.PoliceApprovedBy
	}
	if p.CollectorApprovedBy != "" {
		m["approvata_riscossione_da"] = p.CollectorApprovedBy
	}
	if len(p.Instalments) > 0 {
		m["rate_piano"] = len(p.Instalments)
	}
	if !p.LapsedAt.IsZero() {
		m["saldo_decadenza_cent"] = p.LapsedBalanceCent
	}
	return m
}

// CreatePlan stores a proposal, with its event for the gestionale and the
// first line of its history, unless one of its verbali is already in a plan
// proposed, counter-proposed or approved.
func (db *DB) CreatePlan(ctx context.Context, p Plan, event any) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, n := range p.Verbali {
			var busy int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rateizzazioni_verbali rv
				JOIN rateizzazioni r ON r.id = rv.rateizzazione_id
				WHERE rv.numero = ? AND r.stato IN (?, ?, ?)`, n, PlanProposed, PlanCounter, PlanApproved).Scan(&busy)
			if err != nil {
				return err
			}
			if busy > 0 {
				return fmt.Errorf("verbale %s: %w", n, ErrPlanOverlap)
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO rateizzazioni (codice_fiscale, stato, rate, totale_cent,
			reddito_cent, familiari_conviventi, proposta_il, prima_rata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.CodiceFiscale, PlanProposed, p.Rate, p.TotaleCent, p.RedditoCent, p.Familiari,
			p.ProposedAt.UTC().Format(time.RFC3339), p.FirstDue)
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
		p.Stato = PlanProposed
		if err := appendHistory(ctx, tx, id, PlanChange{Actor: "cittadino", Role: "cittadino", Action: "proponi", At: p.ProposedAt},
			map[string]any{}, p.PlanSummary()); err != nil {
			return err
		}
		return AppendEvent(ctx, tx, "rateizzazione_proposta", p.Verbali[0], withPlanID(event, id))
	})
	return id, err
}

// withPlanID adds the new plan's id to an event payload built before it existed.
func withPlanID(event any, id int64) map[string]any {
	return map[string]any{"rateizzazione_id": id, "dettagli": event}
}

// PlanChange is one change to a plan (a decision, the citizen's answer, a
// decadence) with what it causes; UpdatePlan stores it all in one
// transaction.
type PlanChange struct {
	Actor  string // username, "cittadino", "gestionale:<sub>" or "sistema"
	Role   string // staff role, or cittadino, gestionale, sistema
	Action string // approva, respingi, controproponi, accetta, rifiuta, decadenza, …
	Note   string
	At     time.Time
	// Audit writes the change to the back-office audit too: staff actions.
	Audit bool
	// EventType and Event, when set, are the event for the gestionale.
	EventType string
	Event     any
	// Emails are queued with the change.
	Emails []Email
	// NAV gives notice numbers to the instalments of after, when before
	// had none.
	NAV NAVMaker
}

// UpdatePlan stores after in place of before, which must still be the
// stored version (else ErrPlanDecided), with the instalments after brings,
// a line of history, the audit row, the event and the emails of c.
func (db *DB) UpdatePlan(ctx context.Context, before, after Plan, c PlanChange) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE rateizzazioni SET stato = ?, rate = ?, decisa_da = ?, decisa_il = ?,
			motivo = ?, controproposta_rate = ?, controproposta_prima_scadenza = ?, controproposta_nota = ?,
			approvata_polizia_da = ?, approvata_polizia_il = ?, approvata_riscossione_da = ?, approvata_riscossione_il = ?,
			decaduta_il = ?, saldo_decadenza_cent = ?, versione = versione + 1
			WHERE id = ? AND versione = ?`,
			after.Stato, after.Rate, after.DecidedBy, optTime(after.DecidedAt), after.Motivo,
			after.CounterRate, after.CounterFirstDue, after.CounterNote,
			after.PoliceApprovedBy, optTime(after.PoliceApprovedAt), after.CollectorApprovedBy, optTime(after.CollectorApprovedAt),
			optTime(after.LapsedAt), after.LapsedBalanceCent, before.ID, before.Versione)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var v int
			err := tx.QueryRowContext(ctx, `SELECT versione FROM rateizzazioni WHERE id = ?`, before.ID).Scan(&v)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("plan %d is at version %d, not %d: %w", before.ID, v, before.Versione, ErrPlanDecided)
		}
		if len(before.Instalments) == 0 && len(after.Instalments) > 0 {
			if err := insertInstalments(ctx, tx, before.ID, after.Instalments, c.NAV); err != nil {
				return err
			}
		}
		if err := appendHistory(ctx, tx, before.ID, c, before.PlanSummary(), after.PlanSummary()); err != nil {
			return err
		}
		if c.Audit {
			if err := appendAudit(ctx, tx, AuditEntry{At: c.At, Username: c.Actor, Role: c.Role,
				Action: "rateizzazione." + c.Action, Target: fmt.Sprintf("rateizzazione:%d", before.ID),
				Before: before.PlanSummary(), After: withNote(after.PlanSummary(), c.Note)}); err != nil {
				return err
			}
		}
		if c.EventType != "" {
			numero := ""
			if len(before.Verbali) > 0 {
				numero = before.Verbali[0]
			}
			if err := AppendEvent(ctx, tx, c.EventType, numero, withPlanID(c.Event, before.ID)); err != nil {
				return err
			}
		}
		for _, e := range c.Emails {
			if _, _, err := EnqueueEmail(ctx, tx, e, c.At); err != nil {
				return err
			}
		}
		return nil
	})
}

func withNote(m map[string]any, note string) map[string]any {
	if note != "" {
		m["nota"] = note
	}
	return m
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// insertInstalments gives each instalment a notice number from the verbali's
// sequence, in the same transaction.
func insertInstalments(ctx context.Context, tx *sql.Tx, id int64, instalments []Instalment, nav NAVMaker) error {
	if nav == nil {
		return errors.New("store: no notice number maker for the instalments")
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
	_, err := tx.ExecContext(ctx, `INSERT INTO sequences (name, value) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET value = excluded.value`, navSequence, seq)
	return err
}

// PlanEvent is one line of a plan's history.
type PlanEvent struct {
	At     time.Time
	Actor  string
	Role   string
	Action string
	Note   string
	Before map[string]any
	After  map[string]any
}

func appendHistory(ctx context.Context, tx *sql.Tx, id int64, c PlanChange, before, after map[string]any) error {
	b, err := json.Marshal(before)
	if err != nil {
		return err
	}
	a, err := json.Marshal(after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO rateizzazioni_storia (rateizzazione_id, at, autore, ruolo, azione, nota, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, formatTime(c.At), c.Actor, c.Role, c.Action, c.Note, b, a)
	return err
}

// PlanHistory returns every change of plan id, oldest first.
func (db *DB) PlanHistory(ctx context.Context, id int64) ([]PlanEvent, error) {
	rows, err := db.query(ctx, `SELECT at, autore, ruolo, azione, nota, before, after FROM rateizzazioni_storia
		WHERE rateizzazione_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PlanEvent
	for rows.Next() {
		var e PlanEvent
		var at, before, after string
		if err := rows.Scan(&at, &e.Actor, &e.Role, &e.Action, &e.Note, &before, &after); err != nil {
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

const planColumns = `id, versione, codice_fiscale, stato, rate, totale_cent, reddito_cent, familiari_conviventi,
	proposta_il, decisa_da, decisa_il, motivo, controproposta_rate, controproposta_prima_scadenza, controproposta_nota,
	approvata_polizia_da, approvata_polizia_il, approvata_riscossione_da, approvata_riscossione_il,
	decaduta_il, saldo_decadenza_cent, prima_rata`

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

// PlanCounts returns how many plans are in each state.
func (db *DB) PlanCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT stato, COUNT(*) FROM rateizzazioni GROUP BY stato`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var stato string
		var n int
		if err := rows.Scan(&stato, &n); err != nil {
			return nil, err
		}
		out[stato] = n
	}
	return out, rows.Err()
}

func (db *DB) plans(ctx context.Context, where string, args ...any) ([]Plan, error) {
	rows, err := db.query(ctx, `SELECT `+planColumns+` FROM rateizzazioni `+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Plan{}
	for rows.Next() {
		var p Plan
		var proposed, decided, police, collector, lapsed string
		if err := rows.Scan(&p.ID, &p.Versione, &p.CodiceFiscale, &p.Stato, &p.Rate, &p.TotaleCent, &p.RedditoCent, &p.Familiari,
			&proposed, &p.DecidedBy, &decided, &p.Motivo, &p.CounterRate, &p.CounterFirstDue, &p.CounterNote,
			&p.PoliceApprovedBy, &police, &p.CollectorApprovedBy, &collector, &lapsed, &p.LapsedBalanceCent, &p.FirstDue); err != nil {
			return nil, err
		}
		if p.ProposedAt, err = time.Parse(time.RFC3339, proposed); err != nil {
			return nil, err
		}
		for _, t := range []struct {
			s string
			t *time.Time
		}{{decided, &p.DecidedAt}, {police, &p.PoliceApprovedAt}, {collector, &p.CollectorApprovedAt}, {lapsed, &p.LapsedAt}} {
			if *t.t, err = parseOptTime(t.s); err != nil {
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
		if out[i].Attachments, err = db.planAttachments(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddPlanAttachment stores a document on plan id, unless it already has
// MaxPlanAttachments (ErrTooManyAttachments).
func (db *DB) AddPlanAttachment(ctx context.Context, a PlanAttachment) (int64, error) {
	var id int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rateizzazioni_allegati WHERE rateizzazione_id = ?`, a.PlanID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPlanAttachments {
			return ErrTooManyAttachments
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO rateizzazioni_allegati (rateizzazione_id, nome, content_type, dimensione, dati, caricato_il)
			VALUES (?, ?, ?, ?, ?, ?)`, a.PlanID, a.Name, a.ContentType, len(a.Data), a.Data, formatTime(a.UploadedAt))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// PlanAttachment returns attachment id of plan planID, with its data, or
// ErrNotFound.
func (db *DB) PlanAttachment(ctx context.Context, planID, id int64) (PlanAttachment, error) {
	a := PlanAttachment{ID: id, PlanID: planID}
	var at string
	err := db.queryRow(ctx, `SELECT nome, content_type, dimensione, dati, caricato_il FROM rateizzazioni_allegati
		WHERE id = ? AND rateizzazione_id = ?`, id, planID).Scan(&a.Name, &a.ContentType, &a.Size, &a.Data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.UploadedAt, err = parseTime(at)
	return a, err
}

func (db *DB) planAttachments(ctx context.Context, id int64) ([]PlanAttachment, error) {
	rows, err := db.query(ctx, `SELECT id, nome, content_type, dimensione, caricato_il FROM rateizzazioni_allegati
		WHERE rateizzazione_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlanAttachment{}
	for rows.Next() {
		a := PlanAttachment{PlanID: id}
		var at string
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &at); err != nil {
			return nil, err
		}
		if a.UploadedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
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
		r.importo_cent, r.nav, COALESCE(p.pagato_il, ''), COALESCE(p.importo_cent, 0), z.codice_fiscale,
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
			&in.ImportoCent, &in.NAV, &in.PaidAt, &in.PaidCent, &in.CodiceFiscale, &in.Verbale); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// InstalmentByNAV returns the instalment behind a notice number, or
// ErrNotFound. An unpaid instalment of a plan no longer approved (lapsed)
// is not found: its notice cannot be paid any more.
func (db *DB) InstalmentByNAV(ctx context.Context, nav string) (Instalment, error) {
	found, err := db.instalments(ctx, `WHERE r.nav = ? AND (z.stato = '`+PlanApproved+`' OR p.pagato_il IS NOT NULL)`, nav)
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
	if len(rows) == 0 {
		return nil
	}
	// One query for all the rows, whatever their number: the numbers go in
	// as one JSON array, so the prepared statement is always the same.
	numeri := make([]string, len(rows))
	for i := range rows {
		numeri[i] = rows[i].Numero
	}
	list, err := json.Marshal(numeri)
	if err != nil {
		return err
	}
	found, err := db.query(ctx, `SELECT DISTINCT rv.numero FROM rateizzazioni_verbali rv
		JOIN rateizzazioni r ON r.id = rv.rateizzazione_id
		WHERE rv.numero IN (SELECT value FROM json_each(?)) AND r.stato = ?`, string(list), PlanApproved)
	if err != nil {
		return err
	}
	defer found.Close()
	planned := make(map[string]bool)
	for found.Next() {
		var n string
		if err := found.Scan(&n); err != nil {
			return err
		}
		planned[n] = true
	}
	if err := found.Err(); err != nil {
		return err
	}
	for i := range rows {
		if planned[rows[i].Numero] {
			rows[i].Stato = PlanStato
		}
	}
	return nil
}

// PlanStato is the verbale's stato while it is in an approved plan.
const PlanStato = "rateizzato"
