// Package rateizzazioni runs instalment plans (art. 202-bis): a citizen
// proposes one for their verbali, checked against internal/cds, and an
// officer or the gestionale approves it, giving each instalment its pagoPA
// notice, or rejects it with a reason.
package rateizzazioni

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Store is what plans need from storage; *store.DB implements it.
type Store interface {
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
	MarkPlanned(ctx context.Context, rows []store.VerbaleRow) error
	CreatePlan(ctx context.Context, p store.Plan, event any) (int64, error)
	UpdatePlan(ctx context.Context, before, after store.Plan, c store.PlanChange) error
	Plan(ctx context.Context, id int64) (store.Plan, error)
	PlansOf(ctx context.Context, cf string) ([]store.Plan, error)
	PlansIn(ctx context.Context, stato string) ([]store.Plan, error)
	PlanCounts(ctx context.Context) (map[string]int, error)
	PlanHistory(ctx context.Context, id int64) ([]store.PlanEvent, error)
	AddPlanAttachment(ctx context.Context, a store.PlanAttachment) (int64, error)
	PlanAttachment(ctx context.Context, planID, id int64) (store.PlanAttachment, error)
	EnqueueEmail(ctx context.Context, e store.Email, now time.Time) (int64, bool, error)
}

// Kind is what went wrong with a request, for the HTTP status.
type Kind int

// The kinds of refusal.
const (
	Invalid   Kind = iota + 1 // the request cannot be granted as written
	NotFound                  // no such verbale or plan for this person
	Conflict                  // the state of the verbale or plan forbids it
	Forbidden                 // the role may not take this decision
	TooLarge                  // an attachment over the size limit
)

// Error is a refusal a person can act on: a stable code and an Italian
// message.
type Error struct {
	Kind      Kind
	Codice    string
	Messaggio string
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

var (
	errNoVerbali = &Error{Invalid, "VERBALI_MANCANTI",
		"Indica uno o più verbali da rateizzare, ciascuno una volta sola."}
	errDeclaration = &Error{Invalid, "DICHIARAZIONE_NON_VALIDA",
		"Il reddito e il numero di familiari conviventi non possono essere negativi."}
	errVerbaleNotFound = &Error{NotFound, "VERBALE_NON_TROVATO",
		"Non troviamo questo verbale tra i tuoi. Controlla il numero."}
	errTotalTooLow = &Error{Invalid, "IMPORTO_INSUFFICIENTE",
		"La rateizzazione è possibile solo per importi superiori a € 200,00."}
	errAlreadyPlanned = &Error{Conflict, "GIA_IN_RATEIZZAZIONE",
		"Uno dei verbali è già in una rateizzazione proposta o approvata."}
	errPlanNotFound = &Error{NotFound, "RATEIZZAZIONE_NON_TROVATA",
		"Questa rateizzazione non esiste."}
	errDecided = &Error{Conflict, "RATEIZZAZIONE_GIA_DECISA",
		"Questa rateizzazione è già stata decisa, o è cambiata mentre la guardavi: ricarica la pagina."}
	errNoReason = &Error{Invalid, "MOTIVO_MANCANTE",
		"Scrivi il motivo per cui la rateizzazione è respinta: il cittadino lo leggerà."}
)

// Request is a citizen's proposal.
type Request struct {
	Verbali             []string    `json:"verbali"`
	Rate                int         `json:"rate"`
	RedditoCent         money.Cents `json:"reddito_cent"`
	FamiliariConviventi int         `json:"familiari_conviventi"`
	// DataPrimaRata is the first due date the citizen asks for (AAAA-MM-GG,
	// from tomorrow to 90 days ahead); empty: a month after approval.
	DataPrimaRata string `json:"data_prima_rata,omitempty"`
}

// Service proposes and decides plans.
type Service struct {
	Store Store
	Rules cds.Config
	// NAV makes the notice number of each instalment from the creditor's
	// sequence, as for new verbali.
	NAV      store.NAVMaker
	Settings Settings
}

// Approvers: who must approve a plan ([rateizzazioni] approvazione).
const (
	ApprovedByPolice    = "polizia"
	ApprovedByCollector = "riscossione"
	ApprovedByBoth      = "entrambi"
)

// Settings are the installation's choices for plans.
type Settings struct {
	// Approvazione is who approves: ApprovedByPolice (the default),
	// ApprovedByCollector, or ApprovedByBoth.
	Approvazione string
	// ToleranceDays is how many days after its due date an unpaid
	// instalment counts as missed: a payment made on the due date may
	// reach the portal a few days later (portale.toml's default is 5).
	ToleranceDays int
	// WarningDays is how many days before decadence the citizen is warned
	// (default 7).
	WarningDays int
	// Ente and PublicURL sign the emails and link the personal area.
	Ente      string
	PublicURL string
}

func (s *Service) settings() Settings {
	c := s.Settings
	if c.Approvazione == "" {
		c.Approvazione = ApprovedByPolice
	}
	c.ToleranceDays = max(c.ToleranceDays, 0)
	if c.WarningDays <= 0 {
		c.WarningDays = 7
	}
	if c.Ente == "" {
		c.Ente = "Città di Torino"
	}
	return c
}

type proposalEvent struct {
	Verbali             []string `json:"verbali"`
	Rate                int      `json:"rate"`
	TotaleCent          int64    `json:"totale_cent"`
	RedditoCent         int64    `json:"reddito_cent"`
	FamiliariConviventi int      `json:"familiari_conviventi"`
}

// Propose checks req for the citizen cf on now's day and stores it as a
// proposal: the verbali must be cf's, payable and within the request window
// (art. 202-bis: 30 days from notification), their total and the declared
// income eligible, and the instalments within the legal maximum.
func (s *Service) Propose(ctx context.Context, cf string, req Request, now time.Time) (store.Plan, error) {
	if len(req.Verbali) == 0 || len(req.Verbali) != len(uniq(req.Verbali)) {
		return store.Plan{}, errNoVerbali
	}
	if req.RedditoCent < 0 || req.FamiliariConviventi < 0 {
		return store.Plan{}, errDeclaration
	}
	rows := make([]store.VerbaleRow, 0, len(req.Verbali))
	for _, n := range req.Verbali {
		row, err := s.Store.VerbaleByNumero(ctx, n)
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.TrasgressoreCF != cf && row.ObbligatoCF != cf) {
			return store.Plan{}, errVerbaleNotFound
		}
		if err != nil {
			return store.Plan{}, err
		}
		rows = append(rows, row)
	}
	if err := s.Store.MarkPlanned(ctx, rows); err != nil {
		return store.Plan{}, err
	}
	today := civil.FromTime(now)
	st, err := verbali.Statement(cf, rows, today, verbali.StatementOptions{Rules: s.Rules})
	if err != nil {
		return store.Plan{}, err
	}
	for _, v := range st.Verbali {
		if !v.Pagabile {
			return store.Plan{}, &Error{Conflict, "VERBALE_NON_PAGABILE",
				"Il verbale " + v.Numero + " non si può rateizzare: non è da pagare (" + v.Fase + ")."}
		}
		if v.Scadenze == nil || today.After(v.Scadenze.RichiestaRateizzazione) {
			return store.Plan{}, &Error{Conflict, "TERMINE_SCADUTO",
				"Il termine per chiedere la rateizzazione del verbale " + v.Numero + " è scaduto (30 giorni dalla notifica)."}
		}
	}
	e := s.Rules.InstalmentEligibility(st.TotaleCent, req.RedditoCent, req.FamiliariConviventi)
	switch e.Reason {
	case cds.TotalTooLow:
		return store.Plan{}, errTotalTooLow
	case cds.IncomeTooHigh:
		return store.Plan{}, &Error{Invalid, "REDDITO_TROPPO_ALTO",
			"Con questo reddito la rateizzazione non è possibile: il limite per il tuo nucleo familiare è " + e.IncomeLimit.String() + "."}
	}
	if req.Rate < 1 || req.Rate > e.MaxInstalments {
		return store.Plan{}, &Error{Invalid, "RATE_NON_VALIDE",
			fmt.Sprintf("Per questo importo puoi chiedere da 1 a %d rate.", e.MaxInstalments)}
	}
	p := store.Plan{
		CodiceFiscale: cf, Stato: store.PlanProposed, Verbali: req.Verbali, Rate: req.Rate,
		TotaleCent: int64(st.TotaleCent), RedditoCent: int64(req.RedditoCent), Familiari: req.FamiliariConviventi,
		ProposedAt: now,
	}
	if req.DataPrimaRata != "" {
		first, err := civil.Parse(strings.TrimSpace(req.DataPrimaRata))
		if err != nil || !first.After(today) || first.After(today.AddDays(90)) {
			return store.Plan{}, errFirstDue
		}
		p.FirstDue = first.String()
	}
	id, err := s.Store.CreatePlan(ctx, p, proposalEvent{Verbali: p.Verbali, Rate: p.Rate, TotaleCent: p.TotaleCent,
		RedditoCent: p.RedditoCent, FamiliariConviventi: p.Familiari})
	if errors.Is(err, store.ErrPlanOverlap) {
		return store.Plan{}, errAlreadyPlanned
	}
	if err != nil {
		return store.Plan{}, err
	}
	return s.Store.Plan(ctx, id)
}

var errFirstDue = &Error{Invalid, "DATA_PRIMA_RATA_NON_VALIDA",
	"La data della prima rata deve essere nel formato AAAA-MM-GG, tra domani e 90 giorni da oggi."}

// firstDue is when the first instalment of p falls if approved now: the
// date the citizen asked for while it is still ahead, otherwise a month
// after approval.
func firstDue(p store.Plan, now time.Time) civil.Date {
	today := civil.FromTime(now)
	if d, err := civil.Parse(p.FirstDue); err == nil && d.After(today) {
		return d
	}
	return today.AddMonths(1)
}

func uniq(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// PlansOf returns the citizen's plans, newest first.
func (s *Service) PlansOf(ctx context.Context, cf string) ([]store.Plan, error) {
	return s.Store.PlansOf(ctx, cf)
}

// PlansIn returns the plans in a state, newest first.
func (s *Service) PlansIn(ctx context.Context, stato string) ([]store.Plan, error) {
	return s.Store.PlansIn(ctx, stato)
}
