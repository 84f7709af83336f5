package apiserver

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/store"
)

// withPlans shows the verbali of approved instalment plans as rateizzato
// wherever the API reads a citizen's verbali.
type withPlans struct{ Store }

func (s withPlans) VerbaliOf(ctx context.Context, cf string) ([]store.VerbaleRow, error) {
	rows, err := s.Store.VerbaliOf(ctx, cf)
	if err != nil {
		return nil, err
	}
	return rows, s.MarkPlanned(ctx, rows)
}

func (s *Server) plans() *rateizzazioni.Service {
	return &rateizzazioni.Service{Store: s.cfg.DB, Rules: s.cfg.Rules, NAV: s.cfg.NAV}
}

// rataJSON is one instalment of an approved plan.
type rataJSON struct {
	Numero        int         `json:"numero"`
	Scadenza      string      `json:"scadenza"`
	CapitaleCent  money.Cents `json:"capitale_cent"`
	InteressiCent money.Cents `json:"interessi_cent"`
	ImportoCent   money.Cents `json:"importo_cent"`
	NAV           string      `json:"nav"`
	Pagata        bool        `json:"pagata"`
	PagataIl      *string     `json:"pagata_il"`
}

// rateizzazioneJSON is a plan as the API answers it.
type rateizzazioneJSON struct {
	ID                  int64       `json:"id"`
	Stato               string      `json:"stato"`
	Verbali             []string    `json:"verbali"`
	Rate                int         `json:"rate"`
	TotaleCent          money.Cents `json:"totale_cent"`
	RedditoCent         money.Cents `json:"reddito_cent"`
	FamiliariConviventi int         `json:"familiari_conviventi"`
	PropostaIl          time.Time   `json:"proposta_il"`
	DecisaIl            *time.Time  `json:"decisa_il"`
	DecisaDa            string      `json:"decisa_da,omitempty"` // staff only
	Motivo              string      `json:"motivo,omitempty"`
	Piano               []rataJSON  `json:"piano"`
}

func planJSON(p store.Plan, staff bool) rateizzazioneJSON {
	out := rateizzazioneJSON{
		ID: p.ID, Stato: p.Stato, Verbali: p.Verbali, Rate: p.Rate, TotaleCent: money.Cents(p.TotaleCent),
		RedditoCent: money.Cents(p.RedditoCent), FamiliariConviventi: p.Familiari, PropostaIl: p.ProposedAt,
		Motivo: p.Motivo, Piano: make([]rataJSON, 0, len(p.Instalments)),
	}
	if !p.DecidedAt.IsZero() {
		at := p.DecidedAt
		out.DecisaIl = &at
	}
	if staff {
		out.DecisaDa = p.DecidedBy
	}
	for _, in := range p.Instalments {
		r := rataJSON{Numero: in.Numero, Scadenza: in.Scadenza, CapitaleCent: money.Cents(in.CapitaleCent),
			InteressiCent: money.Cents(in.InteressiCent), ImportoCent: money.Cents(in.ImportoCent), NAV: in.NAV}
		if in.PaidAt != "" {
			paid := in.PaidAt
			r.Pagata, r.PagataIl = true, &paid
		}
		out.Piano = append(out.Piano, r)
	}
	return out
}

func plansJSON(plans []store.Plan, staff bool) map[string][]rateizzazioneJSON {
	out := make([]rateizzazioneJSON, len(plans))
	for i, p := range plans {
		out[i] = planJSON(p, staff)
	}
	return map[string][]rateizzazioneJSON{"rateizzazioni": out}
}

// planError answers a refused request with its code and message.
func planError(err error) error {
	var e *rateizzazioni.Error
	if !errors.As(err, &e) {
		return err
	}
	status := http.StatusBadRequest
	switch e.Kind {
	case rateizzazioni.NotFound:
		status = http.StatusNotFound
	case rateizzazioni.Conflict:
		status = http.StatusConflict
	}
	return &Error{Status: status, Codice: e.Codice, Messaggio: e.Messaggio}
}

// postRateizzazione answers POST /api/v1/me/rateizzazioni (A5): the citizen
// proposes an instalment plan for some of their verbali.
func (s *Server) postRateizzazione(w http.ResponseWriter, r *http.Request) error {
	var req rateizzazioni.Request
	if err := decodeProfilo(w, r, &req); err != nil {
		return err
	}
	p, err := s.plans().Propose(r.Context(), citizenCF(r), req, s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusCreated, planJSON(p, false))
	return nil
}

// getRateizzazioni answers GET /api/v1/me/rateizzazioni: the citizen's
// plans, newest first, with the instalments of the approved ones.
func (s *Server) getRateizzazioni(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.plans().PlansOf(r.Context(), citizenCF(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, plansJSON(plans, false))
	return nil
}
