package rateizzazioni

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Checked is what one run of Check did.
type Checked struct {
	Lapsed  int // plans marked decaduta
	Warned  int // warning emails queued
	Expired int // counter-proposals not accepted in time
}

// Check applies the passing of time to the plans on now's day (Europe/Rome):
//   - an approved plan whose missed instalments make it lapse (art. 202-bis
//     c.6, cds.Config.PlanLapsed) becomes decaduta, with the balance
//     recomputed (half the maximum minus what was paid), an event for the
//     gestionale and an email to the citizen. An instalment is missed when
//     it is still unpaid Settings.ToleranceDays after its due date;
//   - the citizen is warned Settings.WarningDays before an unpaid instalment
//     would make the plan lapse, once per instalment;
//   - a counter-proposal not accepted by its first due date is rejected.
//
// Running it twice on a day changes nothing the second time.
func (s *Service) Check(ctx context.Context, now time.Time) (Checked, error) {
	var done Checked
	var errs []error
	approved, err := s.Store.PlansIn(ctx, store.PlanApproved)
	if err != nil {
		return done, err
	}
	today := civil.FromTime(now)
	for _, p := range approved {
		lapsed, warned, err := s.checkPlan(ctx, p, today, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("plan %d: %w", p.ID, err))
		}
		if lapsed {
			done.Lapsed++
		}
		done.Warned += warned
	}
	counters, err := s.Store.PlansIn(ctx, store.PlanCounter)
	if err != nil {
		return done, errors.Join(append(errs, err)...)
	}
	for _, p := range counters {
		first, err := civil.Parse(p.CounterFirstDue)
		if err != nil || today.Before(first) {
			continue
		}
		if _, err := s.refuse(ctx, p, Actor{Username: roleSystem, Role: roleSystem}, "scadenza_controproposta",
			"La controproposta non è stata accettata entro la data della prima rata.", now); err != nil && !errors.Is(err, errDecided) {
			errs = append(errs, fmt.Errorf("plan %d: %w", p.ID, err))
			continue
		}
		done.Expired++
	}
	return done, errors.Join(errs...)
}

// lastDay is the last day an instalment due on due may be paid before it
// counts as missed.
func (s *Service) lastDay(due civil.Date) civil.Date {
	return due.AddDays(s.settings().ToleranceDays)
}

func (s *Service) checkPlan(ctx context.Context, p store.Plan, today civil.Date, now time.Time) (lapsed bool, warned int, err error) {
	var missed []bool
	var unpaid []bool
	for _, in := range p.Instalments {
		due, err := civil.Parse(in.Scadenza)
		if err != nil {
			return false, 0, err
		}
		unpaid = append(unpaid, in.PaidAt == "")
		if today.After(s.lastDay(due)) {
			missed = append(missed, in.PaidAt == "")
		}
	}
	if s.Rules.PlanLapsed(missed) {
		return true, 0, s.lapse(ctx, p, missed, now)
	}
	for k, in := range p.Instalments {
		if in.PaidAt != "" {
			continue
		}
		due, _ := civil.Parse(in.Scadenza)
		last := s.lastDay(due)
		if today.After(last) || today.Before(last.AddDays(-s.settings().WarningDays+1)) {
			continue
		}
		// Would missing this one, with the earlier unpaid ones, lose the plan?
		would := append(append([]bool{}, unpaid[:k]...), true)
		if !s.Rules.PlanLapsed(would) {
			continue
		}
		queued, err := s.warn(ctx, p, in, last, now)
		if err != nil {
			return false, warned, err
		}
		if queued {
			warned++
		}
	}
	return false, warned, nil
}

// warn queues the warning for instalment in, once.
func (s *Service) warn(ctx context.Context, p store.Plan, in store.Instalment, last civil.Date, now time.Time) (bool, error) {
	due, _ := civil.Parse(in.Scadenza)
	nav := in.NAV
	if n, err := pagopa.ParseNoticeNumber(in.NAV); err == nil {
		nav = n.Grouped()
	}
	e, err := s.email(ctx, p, kindWarning, "rateizzazione-preavviso:"+in.NAV, emailData{Rata: in.Numero,
		Importo: money.Cents(in.ImportoCent).String(), Scadenza: due.Italian(), NAV: nav, UltimoGiorno: last.Italian()})
	if err != nil || e == nil {
		return false, err
	}
	_, queued, err := s.Store.EnqueueEmail(ctx, *e, now)
	return queued, err
}

// lapse marks p decaduta with its balance: half the maximum of its verbali
// (as if never in a plan), minus what the instalments paid.
func (s *Service) lapse(ctx context.Context, p store.Plan, missed []bool, now time.Time) error {
	today := civil.FromTime(now)
	var halfMax, paid money.Cents
	for _, n := range p.Verbali {
		row, err := s.Store.VerbaleByNumero(ctx, n)
		if err != nil {
			return err
		}
		st, err := verbali.Statement(p.CodiceFiscale, []store.VerbaleRow{row}, today, verbali.StatementOptions{Rules: s.Rules})
		if err != nil {
			return err
		}
		v := st.Verbali[0]
		if v.Importi != nil {
			halfMax += v.Importi.MetaMassimoCent
		} else {
			halfMax += v.ImportoCent
		}
	}
	var unpaid []int
	for i, in := range p.Instalments {
		paid += money.Cents(in.PaidCent)
		if i < len(missed) && missed[i] {
			unpaid = append(unpaid, in.Numero)
		}
	}
	balance := cds.LapsedBalance(halfMax, paid)
	after := p
	after.Stato, after.LapsedAt, after.LapsedBalanceCent = store.PlanLapsed, now, int64(balance)
	actor := Actor{Username: roleSystem, Role: roleSystem}
	c := s.change(actor, "decadenza", fmt.Sprintf("Rate non pagate: %s.", joinInts(unpaid)), now, "rateizzazione_decaduta",
		decisionEvent{Stato: store.PlanLapsed, Autore: actor.Username, Ruolo: actor.Role, SaldoCent: int64(balance),
			ImportoPagato: int64(paid), RateNonPagate: unpaid, Verbali: p.Verbali})
	words := "la rata " + joinInts(unpaid)
	if len(unpaid) > 1 {
		words = "le rate " + joinInts(unpaid)
	}
	if err := s.withEmail(ctx, &c, p, kindLapsed, fmt.Sprintf("rateizzazione-decaduta:%d", p.ID), emailData{
		Pagato: paid.String(), Saldo: balance.String(), RateNonPagate: words}); err != nil {
		return err
	}
	return s.Store.UpdatePlan(ctx, p, after, c)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// Run checks the plans at once and then every day at 06:00 Rome time, until
// ctx ends, logging what it did (no personal data).
func (s *Service) Run(ctx context.Context, logger *slog.Logger, clock func() time.Time) {
	if clock == nil {
		clock = time.Now
	}
	for {
		done, err := s.Check(ctx, clock())
		if err != nil {
			logger.ErrorContext(ctx, "instalment plans check", "err", err)
		}
		if done != (Checked{}) {
			logger.InfoContext(ctx, "instalment plans checked", "lapsed", done.Lapsed, "warned", done.Warned, "expired", done.Expired)
		}
		now := clock().In(civil.Rome)
		next := time.Date(now.Year(), now.Month(), now.Day(), 6, 0, 0, 0, civil.Rome)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
	}
}
