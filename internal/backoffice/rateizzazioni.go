package backoffice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// queue is a list of work on the desk, with how many items wait in it.
type queue struct {
	Label string
	Count int
	URL   string
}

// tab is one state filter of the list.
type tab struct {
	Stato, Label, URL string
	Count             int
	Current           bool
}

// planRow is a plan in the list.
type planRow struct {
	store.Plan
	WaitingFor []string
}

// verbaleLine is a verbale of a plan as the officer reads it.
type verbaleLine struct {
	Numero, DataOra, Luogo, Targa, Articoli, Fase string
	ImportoCent                                   int64
}

// planDetail is everything the detail page shows.
type planDetail struct {
	Plan         store.Plan
	Cittadino    string
	Verbali      []verbaleLine
	IncomeLimit  int64
	MaxRate      int
	WaitingFor   []string
	Preview      []store.Instalment // the schedule approving today would give
	CounterPlan  []store.Instalment
	History      []store.PlanEvent
	MayDecide    bool
	Approvazione string
	Today        string // YYYY-MM-DD, the date input's minimum
}

// formState keeps what the officer typed and what was wrong with it.
type formState struct {
	Form   string // approva, respingi, controproponi: the form with the error
	Field  string // the field in error
	Error  string
	Motivo string
	Rate   string
	Prima  string
	Nota   string
	// Risposta is the reply typed in a communication's form.
	Risposta string
}

func (h *Handler) showDashboard(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	counts, err := h.cfg.Plans.Store.PlanCounts(r.Context())
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	queues := []queue{
		{Label: "Proposte di rateizzazione da decidere", Count: counts[store.PlanProposed], URL: "/backoffice/rateizzazioni?stato=proposta"},
		{Label: "Controproposte in attesa della risposta del cittadino", Count: counts[store.PlanCounter], URL: "/backoffice/rateizzazioni?stato=controproposta"},
	}
	if h.cfg.Comunicazioni != nil && slices.Contains(comRoles, u.Role) {
		com, err := h.comQueues(r)
		if err != nil {
			h.fail(w, r, u, err)
			return
		}
		queues = append(queues, com...)
	}
	h.render(w, http.StatusOK, "scrivania.html", page{Title: "Scrivania", User: u, Section: "scrivania", Queues: queues})
}

func (h *Handler) showPlans(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	ctx := r.Context()
	stato := r.URL.Query().Get("stato")
	if stato == "" {
		stato = store.PlanProposed
	}
	if !slices.Contains(store.PlanStates, stato) {
		h.renderError(w, u, http.StatusNotFound, "Stato sconosciuto: scegli uno degli stati elencati nella pagina delle rateizzazioni.")
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	counts, err := h.cfg.Plans.Store.PlanCounts(ctx)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	plans, err := h.cfg.Plans.PlansIn(ctx, stato)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	rows := make([]planRow, 0, len(plans))
	for _, p := range plans {
		if q != "" && !strings.EqualFold(p.CodiceFiscale, q) && !slices.Contains(p.Verbali, q) {
			continue
		}
		rows = append(rows, planRow{Plan: p, WaitingFor: h.cfg.Plans.WaitingFor(p)})
	}
	tabs := make([]tab, len(store.PlanStates))
	for i, s := range store.PlanStates {
		v := url.Values{"stato": {s}}
		if q != "" {
			v.Set("q", q)
		}
		tabs[i] = tab{Stato: s, Label: stateLabel(s), Count: counts[s], URL: "/backoffice/rateizzazioni?" + v.Encode(), Current: s == stato}
	}
	h.render(w, http.StatusOK, "rateizzazioni.html", page{Title: "Rateizzazioni: " + strings.ToLower(stateLabel(stato)),
		User: u, Section: "rateizzazioni", Stato: stato, Query: q, Tabs: tabs, Plans: rows})
}

func planID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id, err == nil && id > 0
}

func (h *Handler) showPlan(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := planID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, "Questa rateizzazione non esiste.")
		return
	}
	p := page{Title: fmt.Sprintf("Rateizzazione n. %d", id), User: u, Section: "rateizzazioni"}
	switch r.URL.Query().Get("esito") {
	case "approvata":
		p.Success = "Hai approvato la rateizzazione. Il cittadino riceve un'email e trova il piano nella sua area personale."
	case "approvata_parziale":
		p.Success = "Hai dato l'approvazione del tuo ufficio: la rateizzazione attende quella dell'altro ufficio."
	case "respinta":
		p.Success = "Hai respinto la rateizzazione. Il cittadino riceve un'email con il motivo."
	case "controproposta":
		p.Success = "Hai inviato la controproposta. Il cittadino riceve un'email e può accettarla o rifiutarla dalla sua area personale."
	}
	h.renderPlan(w, r, http.StatusOK, id, p)
}

// renderPlan shows plan id on p (which may carry a form's error).
func (h *Handler) renderPlan(w http.ResponseWriter, r *http.Request, status int, id int64, p page) {
	d, err := h.detail(r.Context(), id, p.User)
	if err != nil {
		h.fail(w, r, p.User, err)
		return
	}
	p.Detail = d
	h.render(w, status, "rateizzazione.html", p)
}

func (h *Handler) detail(ctx context.Context, id int64, u staff.User) (*planDetail, error) {
	svc := h.cfg.Plans
	plan, err := svc.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	now := h.cfg.Now()
	today := civil.FromTime(now)
	d := &planDetail{Plan: plan, WaitingFor: svc.WaitingFor(plan), MayDecide: svc.MayDecide(string(u.Role)),
		Approvazione: svc.Approvazione(), Today: today.AddDays(1).String()}
	e := svc.Rules.InstalmentEligibility(money.Cents(plan.TotaleCent), money.Cents(plan.RedditoCent), plan.Familiari)
	d.IncomeLimit, d.MaxRate = int64(e.IncomeLimit), e.MaxInstalments
	for _, n := range plan.Verbali {
		row, err := svc.Store.VerbaleByNumero(ctx, n)
		if err != nil {
			return nil, err
		}
		rows := []store.VerbaleRow{row}
		if err := svc.Store.MarkPlanned(ctx, rows); err != nil {
			return nil, err
		}
		rec, err := verbali.FromRow(rows[0])
		if err != nil {
			return nil, err
		}
		for _, who := range []*verbali.Persona{rec.Trasgressore, rec.Obbligato} {
			if d.Cittadino == "" && who != nil && who.CodiceFiscale == plan.CodiceFiscale {
				d.Cittadino = strings.TrimSpace(who.Nome + " " + who.Cognome)
			}
		}
		st, err := verbali.Statement(plan.CodiceFiscale, rows, today, verbali.StatementOptions{Rules: svc.Rules})
		if err != nil {
			return nil, err
		}
		v := st.Verbali[0]
		arts := make([]string, len(v.Violazioni))
		for i, x := range v.Violazioni {
			arts[i] = "art. " + x.Articolo + " c. " + x.Comma
		}
		d.Verbali = append(d.Verbali, verbaleLine{Numero: v.Numero, DataOra: v.DataOra, Luogo: v.Luogo, Targa: v.Targa,
			Articoli: strings.Join(arts, ", "), Fase: v.Fase, ImportoCent: int64(v.ImportoCent)})
	}
	if plan.Stato == store.PlanProposed {
		if sched, err := svc.Rules.Schedule(money.Cents(plan.TotaleCent), plan.Rate, today.AddMonths(1)); err == nil {
			for _, in := range sched {
				d.Preview = append(d.Preview, store.Instalment{Numero: in.Number, Scadenza: in.Due.String(),
					CapitaleCent: int64(in.Principal), InteressiCent: int64(in.Interest), ImportoCent: int64(in.Amount)})
			}
		}
	}
	if plan.Stato == store.PlanCounter {
		if d.CounterPlan, err = svc.CounterSchedule(plan); err != nil {
			return nil, err
		}
	}
	if d.History, err = svc.Store.PlanHistory(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

func actorOf(u staff.User) rateizzazioni.Actor {
	return rateizzazioni.Actor{Username: u.Username, Role: string(u.Role)}
}

// decided answers a form: on success back to the plan with a confirmation;
// a mistake in the form shows the page again with what was typed and the
// error next to its field (422); anything else is an error page.
func (h *Handler) decided(w http.ResponseWriter, r *http.Request, id int64, esito string, f formState, err error) {
	u, _ := staff.UserFrom(r.Context())
	var pe *rateizzazioni.Error
	if errors.As(err, &pe) && pe.Kind == rateizzazioni.Invalid {
		f.Error, f.Field = pe.Messaggio, fieldOf(pe.Codice)
		h.renderPlan(w, r, http.StatusUnprocessableEntity, id, page{Title: fmt.Sprintf("Rateizzazione n. %d", id), User: u,
			Section: "rateizzazioni", Form: f})
		return
	}
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/backoffice/rateizzazioni/%d?esito=%s", id, esito), http.StatusSeeOther)
}

// fieldOf is the form field an error code is about.
func fieldOf(codice string) string {
	switch codice {
	case "MOTIVO_MANCANTE":
		return "motivo"
	case "RATE_NON_VALIDE", "CONTROPROPOSTA_VUOTA":
		return "rate"
	case "DATA_NON_VALIDA":
		return "prima_scadenza"
	case "NOTA_MANCANTE":
		return "nota"
	}
	return ""
}

func (h *Handler) approvePlan(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := planID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, "Questa rateizzazione non esiste.")
		return
	}
	p, err := h.cfg.Plans.Approve(r.Context(), id, actorOf(u), h.cfg.Now())
	esito := "approvata"
	if err == nil && p.Stato == store.PlanProposed {
		esito = "approvata_parziale"
	}
	h.decided(w, r, id, esito, formState{Form: "approva"}, err)
}

func (h *Handler) rejectPlan(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := planID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, "Questa rateizzazione non esiste.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	motivo := r.PostFormValue("motivo")
	_, err := h.cfg.Plans.Reject(r.Context(), id, actorOf(u), motivo, h.cfg.Now())
	h.decided(w, r, id, "respinta", formState{Form: "respingi", Motivo: motivo}, err)
}

var errRateNotNumber = &rateizzazioni.Error{Kind: rateizzazioni.Invalid, Codice: "RATE_NON_VALIDE",
	Messaggio: "Scrivi il numero di rate in cifre (per esempio 6), o lascia il campo vuoto per mantenere quelle proposte."}

func (h *Handler) counterPlan(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := planID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, "Questa rateizzazione non esiste.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	f := formState{Form: "controproponi", Rate: strings.TrimSpace(r.PostFormValue("rate")),
		Prima: strings.TrimSpace(r.PostFormValue("prima_scadenza")), Nota: r.PostFormValue("nota")}
	c := rateizzazioni.Counter{PrimaScadenza: f.Prima, Nota: f.Nota}
	if f.Rate != "" {
		n, err := strconv.Atoi(f.Rate)
		if err != nil {
			h.decided(w, r, id, "", f, errRateNotNumber)
			return
		}
		c.Rate = n
		if n == 0 {
			c.Rate = -1 // zero typed is a wrong count, not "keep the proposed one"
		}
	}
	_, err := h.cfg.Plans.CounterPropose(r.Context(), id, actorOf(u), c, h.cfg.Now())
	h.decided(w, r, id, "controproposta", f, err)
}

func (h *Handler) downloadAttachment(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := planID(r)
	aid, err := strconv.ParseInt(chi.URLParam(r, "allegato"), 10, 64)
	if !ok || err != nil {
		h.renderError(w, u, http.StatusNotFound, "Questo allegato non esiste.")
		return
	}
	a, err := h.cfg.Plans.Attachment(r.Context(), "", id, aid)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	rateizzazioni.ServeAttachment(w, a)
}
