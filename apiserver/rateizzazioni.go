package apiserver

import (
	"context"
	"errors"
	"fmt"
	"github.com/comune-torino/portale/internal/verbali"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

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
	return &rateizzazioni.Service{Store: s.cfg.DB, Rules: s.cfg.Rules, NAV: s.cfg.NAV, Settings: s.cfg.Rateizzazioni}
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
	// Pagabile: an unpaid instalment of an approved plan, which
	// POST .../rate/{numero}/pagamento pays with pagoPA.
	Pagabile bool `json:"pagabile"`
}

// contropropostaJSON is the office's counter-proposal, with the schedule
// the citizen gets by accepting it.
type contropropostaJSON struct {
	Rate          int        `json:"rate"`
	PrimaScadenza string     `json:"prima_scadenza"`
	Nota          string     `json:"nota"`
	Piano         []rataJSON `json:"piano"`
}

// approvazioneJSON is one office's approval.
type approvazioneJSON struct {
	Ufficio string    `json:"ufficio"` // polizia or riscossione
	Il      time.Time `json:"il"`
	Da      string    `json:"da,omitempty"` // staff only
}

// allegatoJSON is a document attached to a plan.
type allegatoJSON struct {
	ID         int64     `json:"id"`
	Nome       string    `json:"nome"`
	Tipo       string    `json:"tipo"`
	Dimensione int64     `json:"dimensione"`
	CaricatoIl time.Time `json:"caricato_il"`
	URL        string    `json:"url"`
}

// rateizzazioneJSON is a plan as the API answers it.
type rateizzazioneJSON struct {
	ID                  int64               `json:"id"`
	Stato               string              `json:"stato"`
	Verbali             []string            `json:"verbali"`
	Rate                int                 `json:"rate"`
	TotaleCent          money.Cents         `json:"totale_cent"`
	RedditoCent         money.Cents         `json:"reddito_cent"`
	FamiliariConviventi int                 `json:"familiari_conviventi"`
	PropostaIl          time.Time           `json:"proposta_il"`
	DataPrimaRata       *string             `json:"data_prima_rata"`
	DecisaIl            *time.Time          `json:"decisa_il"`
	DecisaDa            string              `json:"decisa_da,omitempty"` // staff only
	Motivo              string              `json:"motivo,omitempty"`
	Controproposta      *contropropostaJSON `json:"controproposta,omitempty"`
	Approvazioni        []approvazioneJSON  `json:"approvazioni"`
	InAttesaDi          []string            `json:"in_attesa_di"`
	DecadutaIl          *time.Time          `json:"decaduta_il,omitempty"`
	SaldoDecadenzaCent  *money.Cents        `json:"saldo_decadenza_cent,omitempty"`
	Allegati            []allegatoJSON      `json:"allegati"`
	Piano               []rataJSON          `json:"piano"`
}

func rataOf(in store.Instalment) rataJSON {
	r := rataJSON{Numero: in.Numero, Scadenza: in.Scadenza, CapitaleCent: money.Cents(in.CapitaleCent),
		InteressiCent: money.Cents(in.InteressiCent), ImportoCent: money.Cents(in.ImportoCent), NAV: in.NAV}
	if in.PaidAt != "" {
		paid := in.PaidAt
		r.Pagata, r.PagataIl = true, &paid
	}
	return r
}

func (s *Server) planJSON(p store.Plan, staff bool) rateizzazioneJSON {
	svc := s.plans()
	out := rateizzazioneJSON{
		ID: p.ID, Stato: p.Stato, Verbali: p.Verbali, Rate: p.Rate, TotaleCent: money.Cents(p.TotaleCent),
		RedditoCent: money.Cents(p.RedditoCent), FamiliariConviventi: p.Familiari, PropostaIl: p.ProposedAt,
		Motivo: p.Motivo, Piano: make([]rataJSON, 0, len(p.Instalments)), Approvazioni: []approvazioneJSON{},
		InAttesaDi: svc.WaitingFor(p), Allegati: make([]allegatoJSON, 0, len(p.Attachments)),
	}
	if p.FirstDue != "" {
		first := p.FirstDue
		out.DataPrimaRata = &first
	}
	if out.InAttesaDi == nil {
		out.InAttesaDi = []string{}
	}
	if !p.DecidedAt.IsZero() {
		at := p.DecidedAt
		out.DecisaIl = &at
	}
	if staff {
		out.DecisaDa = p.DecidedBy
	}
	for _, a := range []struct {
		ufficio, by string
		at          time.Time
	}{{rateizzazioni.ApprovedByPolice, p.PoliceApprovedBy, p.PoliceApprovedAt}, {rateizzazioni.ApprovedByCollector, p.CollectorApprovedBy, p.CollectorApprovedAt}} {
		if a.by == "" {
			continue
		}
		ap := approvazioneJSON{Ufficio: a.ufficio, Il: a.at}
		if staff {
			ap.Da = a.by
		}
		out.Approvazioni = append(out.Approvazioni, ap)
	}
	if p.Stato == store.PlanCounter {
		c := &contropropostaJSON{Rate: p.CounterRate, PrimaScadenza: p.CounterFirstDue, Nota: p.CounterNote, Piano: []rataJSON{}}
		if plan, err := svc.CounterSchedule(p); err == nil {
			for _, in := range plan {
				c.Piano = append(c.Piano, rataOf(in))
			}
		}
		out.Controproposta = c
	}
	if !p.LapsedAt.IsZero() {
		at, saldo := p.LapsedAt, money.Cents(p.LapsedBalanceCent)
		out.DecadutaIl, out.SaldoDecadenzaCent = &at, &saldo
	}
	for _, a := range p.Attachments {
		out.Allegati = append(out.Allegati, allegatoJSON{ID: a.ID, Nome: a.Name, Tipo: a.ContentType, Dimensione: a.Size,
			CaricatoIl: a.UploadedAt, URL: fmt.Sprintf("/api/v1/me/rateizzazioni/%d/allegati/%d", p.ID, a.ID)})
	}
	for _, in := range p.Instalments {
		r := rataOf(in)
		r.Pagabile = p.Stato == store.PlanApproved && !r.Pagata && in.ImportoCent > 0
		out.Piano = append(out.Piano, r)
	}
	return out
}

var errRataNonTrovata = &Error{Status: http.StatusNotFound, Codice: "RATA_NON_TROVATA",
	Messaggio: "Questa rata non c'è nel piano di rateizzazione."}

// postPagamentoRata answers POST /api/v1/me/rateizzazioni/{id}/rate/{numero}/pagamento:
// "Paga con pagoPA" on an instalment of one of the citizen's approved plans,
// for the instalment's amount. The receipt, through the creditor endpoint,
// marks it paid.
func (s *Server) postPagamentoRata(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Checkout == nil {
		return errPaymentUnavailable
	}
	id, err := planID(r)
	if err != nil {
		return err
	}
	numero, err := strconv.Atoi(chi.URLParam(r, "numero"))
	if err != nil {
		return errRataNonTrovata
	}
	cf := citizenCF(r)
	plans, err := s.plans().PlansOf(r.Context(), cf)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.ID != id {
			continue
		}
		if p.Stato != store.PlanApproved {
			return errNotPayable
		}
		for _, in := range p.Instalments {
			if in.Numero != numero {
				continue
			}
			payable := p.Stato == store.PlanApproved && in.PaidAt == "" && in.ImportoCent > 0
			return s.startPayment(w, r, verbali.VoceEstratto{Numero: in.Verbale, NAV: in.NAV,
				ImportoCent: money.Cents(in.ImportoCent), Pagabile: payable}, cf)
		}
		return errRataNonTrovata
	}
	return errPlanNotFound
}

func (s *Server) plansJSON(plans []store.Plan, staff bool) map[string][]rateizzazioneJSON {
	out := make([]rateizzazioneJSON, len(plans))
	for i, p := range plans {
		out[i] = s.planJSON(p, staff)
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
	case rateizzazioni.Forbidden:
		status = http.StatusForbidden
	case rateizzazioni.TooLarge:
		status = http.StatusRequestEntityTooLarge
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
	writeJSON(w, http.StatusCreated, s.planJSON(p, false))
	return nil
}

// getRateizzazioni answers GET /api/v1/me/rateizzazioni: the citizen's
// plans, newest first, with the instalments of the approved ones.
func (s *Server) getRateizzazioni(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.plans().PlansOf(r.Context(), citizenCF(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.plansJSON(plans, false))
	return nil
}

// postAccettaRateizzazione answers POST /api/v1/me/rateizzazioni/{id}/accetta:
// the citizen accepts the office's counter-proposal, and the plan is
// approved with its schedule.
func (s *Server) postAccettaRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	p, err := s.plans().Accept(r.Context(), citizenCF(r), id, s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusOK, s.planJSON(p, false))
	return nil
}

// postRifiutaRateizzazione answers POST /api/v1/me/rateizzazioni/{id}/rifiuta:
// the citizen refuses the counter-proposal; the plan is rejected.
func (s *Server) postRifiutaRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	p, err := s.plans().Refuse(r.Context(), citizenCF(r), id, s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusOK, s.planJSON(p, false))
	return nil
}

var errAttachmentMissing = &Error{Status: http.StatusBadRequest, Codice: "FILE_MANCANTE",
	Messaggio: "Scegli il documento da allegare (campo file, in un modulo multipart/form-data)."}

// postAllegatoRateizzazione answers POST /api/v1/me/rateizzazioni/{id}/allegati
// (multipart/form-data, field file): a PDF, PNG or JPEG of at most 5 MB,
// at most 5 per plan.
func (s *Server) postAllegatoRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, rateizzazioni.MaxAttachmentSize+64<<10)
	f, hdr, err := r.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return planError(rateizzazioni.ErrAttachmentTooLarge)
	case err != nil:
		return errAttachmentMissing
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, rateizzazioni.MaxAttachmentSize+1))
	if err != nil {
		return err
	}
	a, err := s.plans().Attach(r.Context(), citizenCF(r), id, hdr.Filename, data, s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusCreated, allegatoJSON{ID: a.ID, Nome: a.Name, Tipo: a.ContentType, Dimensione: a.Size,
		CaricatoIl: a.UploadedAt, URL: fmt.Sprintf("/api/v1/me/rateizzazioni/%d/allegati/%d", id, a.ID)})
	return nil
}

// getAllegatoRateizzazione answers GET /api/v1/me/rateizzazioni/{id}/allegati/{allegato}:
// the document, to its citizen only.
func (s *Server) getAllegatoRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	aid, err := strconv.ParseInt(chi.URLParam(r, "allegato"), 10, 64)
	if err != nil || aid < 1 {
		return planError(rateizzazioni.ErrAttachmentNotFound)
	}
	a, err := s.plans().Attachment(r.Context(), citizenCF(r), id, aid)
	if err != nil {
		return planError(err)
	}
	rateizzazioni.ServeAttachment(w, a)
	return nil
}
