package rateizzazioni

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/store"
)

// Actor is who decides: a staff member with their role, or the gestionale
// (Role "gestionale"), which decides for the police.
type Actor struct {
	Username string
	Role     string
}

// The roles beyond the staff's.
const (
	RoleGestionale = "gestionale"
	roleCitizen    = "cittadino"
	roleSystem     = "sistema"
)

// side is which approver a role speaks for: "polizia", "riscossione", or ""
// for a role that decides nothing.
func side(role string) string {
	switch role {
	case "operatore", "responsabile", "amministratore", RoleGestionale:
		return ApprovedByPolice
	case "riscossione":
		return ApprovedByCollector
	}
	return ""
}

// MayDecide reports whether role may approve, reject or counter-propose
// plans under the installation's settings.
func (s *Service) MayDecide(role string) bool {
	sd := side(role)
	mode := s.settings().Approvazione
	return sd != "" && (mode == ApprovedByBoth || mode == sd)
}

var (
	errNoRole = &Error{Forbidden, "PERMESSO_NEGATO",
		"Il tuo profilo non permette di decidere le rateizzazioni con la configurazione di questa installazione."}
	errAlreadyApproved = &Error{Conflict, "GIA_APPROVATA_DA_TE",
		"Hai già dato l'approvazione per il tuo ufficio: manca quella dell'altro ufficio."}
	errNoNote = &Error{Invalid, "NOTA_MANCANTE",
		"Scrivi una nota per il cittadino che spieghi la controproposta."}
	errNoCounter = &Error{Invalid, "CONTROPROPOSTA_VUOTA",
		"Indica un numero di rate o una data della prima rata diversi da quelli proposti."}
	errCounterDate = &Error{Invalid, "DATA_NON_VALIDA",
		"La data della prima rata deve essere nel formato GG/MM/AAAA o AAAA-MM-GG, tra domani e 90 giorni da oggi."}
	errNotCounter = &Error{Conflict, "NESSUNA_CONTROPROPOSTA",
		"Questa rateizzazione non ha una controproposta da accettare o rifiutare."}
	errCounterExpired = &Error{Conflict, "CONTROPROPOSTA_SCADUTA",
		"La controproposta andava accettata prima della data della prima rata: puoi solo rifiutarla."}
)

type decisionEvent struct {
	Stato           string   `json:"stato"`
	Autore          string   `json:"autore"`
	Ruolo           string   `json:"ruolo"`
	Motivo          string   `json:"motivo,omitempty"`
	Nota            string   `json:"nota,omitempty"`
	Rate            int      `json:"rate,omitempty"`
	PrimaScadenza   string   `json:"prima_scadenza,omitempty"`
	InAttesaDi      string   `json:"in_attesa_di,omitempty"`
	SaldoCent       int64    `json:"saldo_cent,omitempty"`
	Verbali         []string `json:"verbali"`
	ImportoPagato   int64    `json:"importo_pagato_cent,omitempty"`
	RateNonPagate   []int    `json:"rate_non_pagate,omitempty"`
	ControRifiutata bool     `json:"controproposta_rifiutata,omitempty"`
}

// Approve approves proposal id for actor's office. When both offices must
// approve, the first approval is recorded and the plan stays a proposal,
// waiting for the other; the last one gives the plan its schedule, starting
// a month from now, each instalment with its own notice.
func (s *Service) Approve(ctx context.Context, id int64, actor Actor, now time.Time) (store.Plan, error) {
	if !s.MayDecide(actor.Role) {
		return store.Plan{}, errNoRole
	}
	p, err := s.inState(ctx, id, store.PlanProposed)
	if err != nil {
		return p, err
	}
	after := p
	switch side(actor.Role) {
	case ApprovedByPolice:
		if p.PoliceApprovedBy != "" {
			return p, errAlreadyApproved
		}
		after.PoliceApprovedBy, after.PoliceApprovedAt = actor.Username, now
	case ApprovedByCollector:
		if p.CollectorApprovedBy != "" {
			return p, errAlreadyApproved
		}
		after.CollectorApprovedBy, after.CollectorApprovedAt = actor.Username, now
	}
	if s.settings().Approvazione == ApprovedByBoth && (after.PoliceApprovedBy == "" || after.CollectorApprovedBy == "") {
		waiting := ApprovedByCollector
		if after.PoliceApprovedBy == "" {
			waiting = ApprovedByPolice
		}
		err = s.Store.UpdatePlan(ctx, p, after, s.change(actor, "approva_parziale", "", now, "rateizzazione_approvata_parzialmente",
			decisionEvent{Stato: p.Stato, Autore: actor.Username, Ruolo: actor.Role, InAttesaDi: waiting, Verbali: p.Verbali}))
		return s.decided(ctx, id, err)
	}
	return s.approve(ctx, p, after, actor, p.Rate, firstDue(p, now), "approva", "", now)
}

// approve gives after its schedule of n instalments from first and stores
// it as approved.
func (s *Service) approve(ctx context.Context, p, after store.Plan, actor Actor, n int, first civil.Date, action, note string, now time.Time) (store.Plan, error) {
	if s.NAV == nil {
		return store.Plan{}, errors.New("rateizzazioni: no notice number maker configured")
	}
	plan, err := s.Rules.Schedule(money.Cents(p.TotaleCent), n, first)
	if err != nil {
		return p, err
	}
	after.Instalments = make([]store.Instalment, len(plan))
	for i, in := range plan {
		after.Instalments[i] = store.Instalment{Numero: in.Number, Scadenza: in.Due.String(), CapitaleCent: int64(in.Principal),
			InteressiCent: int64(in.Interest), ImportoCent: int64(in.Amount)}
	}
	after.Stato, after.Rate, after.DecidedBy, after.DecidedAt = store.PlanApproved, n, actor.Username, now
	c := s.change(actor, action, note, now, "rateizzazione_approvata",
		decisionEvent{Stato: store.PlanApproved, Autore: actor.Username, Ruolo: actor.Role, Rate: n, PrimaScadenza: first.String(), Verbali: p.Verbali})
	c.NAV = s.NAV
	if err := s.withEmail(ctx, &c, p, kindApproved, fmt.Sprintf("rateizzazione:%d:%d", p.ID, p.Versione), emailData{
		Rate: n, PrimaScadenza: first.Italian(), PrimaRata: money.Cents(plan[0].Amount).String()}); err != nil {
		return p, err
	}
	return s.decided(ctx, p.ID, s.Store.UpdatePlan(ctx, p, after, c))
}

// Reject rejects proposal id for actor, with a reason for the citizen.
func (s *Service) Reject(ctx context.Context, id int64, actor Actor, motivo string, now time.Time) (store.Plan, error) {
	if !s.MayDecide(actor.Role) {
		return store.Plan{}, errNoRole
	}
	motivo = strings.TrimSpace(motivo)
	if motivo == "" {
		return store.Plan{}, errNoReason
	}
	p, err := s.inState(ctx, id, store.PlanProposed)
	if err != nil {
		return p, err
	}
	after := p
	after.Stato, after.Motivo, after.DecidedBy, after.DecidedAt = store.PlanRejected, motivo, actor.Username, now
	c := s.change(actor, "respingi", motivo, now, "rateizzazione_respinta",
		decisionEvent{Stato: store.PlanRejected, Autore: actor.Username, Ruolo: actor.Role, Motivo: motivo, Verbali: p.Verbali})
	if err := s.withEmail(ctx, &c, p, kindRejected, fmt.Sprintf("rateizzazione:%d:%d", p.ID, p.Versione), emailData{Motivo: motivo}); err != nil {
		return p, err
	}
	return s.decided(ctx, id, s.Store.UpdatePlan(ctx, p, after, c))
}

// Counter is the office's counter-proposal: another number of instalments
// and/or another first due date, with a note.
type Counter struct {
	Rate          int    // 0 keeps the proposed number
	PrimaScadenza string // GG/MM/AAAA or AAAA-MM-GG; "" means a month from now
	Nota          string
}

// ParseDate reads a date as people type it (GG/MM/AAAA) or as date inputs
// send it (AAAA-MM-GG).
func ParseDate(s string) (civil.Date, error) {
	s = strings.TrimSpace(s)
	if d, err := civil.Parse(s); err == nil {
		return d, nil
	}
	var d, m, y int
	if n, err := fmt.Sscanf(s, "%d/%d/%d", &d, &m, &y); err != nil || n != 3 {
		return civil.Date{}, errCounterDate
	}
	out := civil.New(y, time.Month(m), d)
	if !out.IsValid() {
		return civil.Date{}, errCounterDate
	}
	return out, nil
}

// CounterPropose puts other terms to the citizen: the plan waits for them to
// accept or refuse (stato controproposta).
func (s *Service) CounterPropose(ctx context.Context, id int64, actor Actor, c Counter, now time.Time) (store.Plan, error) {
	if !s.MayDecide(actor.Role) {
		return store.Plan{}, errNoRole
	}
	c.Nota = strings.TrimSpace(c.Nota)
	p, err := s.inState(ctx, id, store.PlanProposed)
	if err != nil {
		return p, err
	}
	today := civil.FromTime(now)
	first := firstDue(p, now)
	if strings.TrimSpace(c.PrimaScadenza) != "" {
		if first, err = ParseDate(c.PrimaScadenza); err != nil {
			return p, err
		}
		if !first.After(today) || first.After(today.AddDays(90)) {
			return p, errCounterDate
		}
	}
	n := c.Rate
	if n == 0 {
		n = p.Rate
	}
	if n == p.Rate && strings.TrimSpace(c.PrimaScadenza) == "" {
		return p, errNoCounter
	}
	e := s.Rules.InstalmentEligibility(money.Cents(p.TotaleCent), money.Cents(p.RedditoCent), p.Familiari)
	if n < 1 || n > e.MaxInstalments {
		return p, &Error{Invalid, "RATE_NON_VALIDE", fmt.Sprintf("Per questo importo le rate possono essere da 1 a %d.", e.MaxInstalments)}
	}
	if c.Nota == "" {
		return p, errNoNote
	}
	after := p
	after.Stato, after.DecidedBy, after.DecidedAt = store.PlanCounter, actor.Username, now
	after.CounterRate, after.CounterFirstDue, after.CounterNote = n, first.String(), c.Nota
	ch := s.change(actor, "controproponi", c.Nota, now, "rateizzazione_controproposta",
		decisionEvent{Stato: store.PlanCounter, Autore: actor.Username, Ruolo: actor.Role, Rate: n, PrimaScadenza: first.String(),
			Nota: c.Nota, Verbali: p.Verbali})
	if err := s.withEmail(ctx, &ch, p, kindCounter, fmt.Sprintf("rateizzazione:%d:%d", p.ID, p.Versione), emailData{
		Rate: n, PrimaScadenza: first.Italian(), Nota: c.Nota}); err != nil {
		return p, err
	}
	return s.decided(ctx, id, s.Store.UpdatePlan(ctx, p, after, ch))
}

// CounterSchedule is the schedule the citizen would get by accepting the
// counter-proposal of p.
func (s *Service) CounterSchedule(p store.Plan) ([]store.Instalment, error) {
	first, err := civil.Parse(p.CounterFirstDue)
	if err != nil {
		return nil, err
	}
	plan, err := s.Rules.Schedule(money.Cents(p.TotaleCent), p.CounterRate, first)
	if err != nil {
		return nil, err
	}
	out := make([]store.Instalment, len(plan))
	for i, in := range plan {
		out[i] = store.Instalment{Numero: in.Number, Scadenza: in.Due.String(), CapitaleCent: int64(in.Principal),
			InteressiCent: int64(in.Interest), ImportoCent: int64(in.Amount)}
	}
	return out, nil
}

// Accept is the citizen cf accepting the counter-proposal of plan id before
// its first due date: the plan is approved with the counter-proposed
// schedule.
func (s *Service) Accept(ctx context.Context, cf string, id int64, now time.Time) (store.Plan, error) {
	p, err := s.ownCounter(ctx, cf, id)
	if err != nil {
		return p, err
	}
	first, err := civil.Parse(p.CounterFirstDue)
	if err != nil {
		return p, err
	}
	if !civil.FromTime(now).Before(first) {
		return p, errCounterExpired
	}
	return s.approve(ctx, p, p, Actor{Username: roleCitizen, Role: roleCitizen}, p.CounterRate, first, "accetta", "", now)
}

// Refuse is the citizen cf refusing the counter-proposal of plan id: the
// plan is rejected and its verbali are due as before.
func (s *Service) Refuse(ctx context.Context, cf string, id int64, now time.Time) (store.Plan, error) {
	p, err := s.ownCounter(ctx, cf, id)
	if err != nil {
		return p, err
	}
	return s.refuse(ctx, p, Actor{Username: roleCitizen, Role: roleCitizen}, "rifiuta",
		"Controproposta rifiutata dal cittadino.", now)
}

func (s *Service) refuse(ctx context.Context, p store.Plan, actor Actor, action, motivo string, now time.Time) (store.Plan, error) {
	after := p
	after.Stato, after.Motivo, after.DecidedAt = store.PlanRejected, motivo, now
	c := s.change(actor, action, motivo, now, "rateizzazione_respinta",
		decisionEvent{Stato: store.PlanRejected, Autore: actor.Username, Ruolo: actor.Role, Motivo: motivo, Verbali: p.Verbali,
			ControRifiutata: true})
	if err := s.withEmail(ctx, &c, p, kindRejected, fmt.Sprintf("rateizzazione:%d:%d", p.ID, p.Versione), emailData{Motivo: motivo}); err != nil {
		return p, err
	}
	return s.decided(ctx, p.ID, s.Store.UpdatePlan(ctx, p, after, c))
}

func (s *Service) ownCounter(ctx context.Context, cf string, id int64) (store.Plan, error) {
	p, err := s.Own(ctx, cf, id)
	if err != nil {
		return p, err
	}
	if p.Stato != store.PlanCounter {
		return p, errNotCounter
	}
	return p, nil
}

// Own returns plan id if it is cf's; another citizen's plan is not found.
func (s *Service) Own(ctx context.Context, cf string, id int64) (store.Plan, error) {
	p, err := s.Store.Plan(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.CodiceFiscale != cf) {
		return store.Plan{}, errPlanNotFound
	}
	return p, err
}

// change is a PlanChange by actor; staff actions are audited.
func (s *Service) change(actor Actor, action, note string, now time.Time, eventType string, event any) store.PlanChange {
	return store.PlanChange{Actor: actor.Username, Role: actor.Role, Action: action, Note: note, At: now,
		Audit: side(actor.Role) != "" && actor.Role != RoleGestionale, EventType: eventType, Event: event}
}

func (s *Service) inState(ctx context.Context, id int64, stato string) (store.Plan, error) {
	p, err := s.Store.Plan(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return p, errPlanNotFound
	case err != nil:
		return p, err
	case p.Stato != stato:
		return p, errDecided
	}
	return p, nil
}

// decided maps a decision's storage error and returns the plan as decided.
func (s *Service) decided(ctx context.Context, id int64, err error) (store.Plan, error) {
	switch {
	case errors.Is(err, store.ErrPlanDecided):
		return store.Plan{}, errDecided
	case errors.Is(err, store.ErrNotFound):
		return store.Plan{}, errPlanNotFound
	case err != nil:
		return store.Plan{}, err
	}
	return s.Store.Plan(ctx, id)
}

// Plan returns plan id for the staff.
func (s *Service) Plan(ctx context.Context, id int64) (store.Plan, error) {
	p, err := s.Store.Plan(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, errPlanNotFound
	}
	return p, err
}

// WaitingFor lists the offices whose approval a proposal still needs.
func (s *Service) WaitingFor(p store.Plan) []string {
	if p.Stato != store.PlanProposed {
		return nil
	}
	mode := s.settings().Approvazione
	var out []string
	if (mode == ApprovedByPolice || mode == ApprovedByBoth) && p.PoliceApprovedBy == "" {
		out = append(out, ApprovedByPolice)
	}
	if (mode == ApprovedByCollector || mode == ApprovedByBoth) && p.CollectorApprovedBy == "" {
		out = append(out, ApprovedByCollector)
	}
	return out
}

// Approvazione is who approves plans on this installation.
func (s *Service) Approvazione() string { return s.settings().Approvazione }
