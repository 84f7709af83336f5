// Package backoffice is the police staff's back office at /backoffice:
// server-rendered pages (html/template, Bootstrap Italia, no script) with the
// queues of work, a page per item with its history, the forms that decide
// it, and the audit log of every action. Staff log in with internal/staff;
// the roles operatore, responsabile, riscossione and amministratore may
// enter. Its queues are instalment plans (rateizzazioni) and the
// communications citizens and companies send (internal/comunicazioni).
package backoffice

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// Roles are the staff roles that may enter the back office.
var Roles = []staff.Role{staff.Operatore, staff.Responsabile, staff.Riscossione, staff.Amministratore}

// auditRoles may read the audit log.
var auditRoles = []staff.Role{staff.Responsabile, staff.Amministratore}

// Store is what the pages read besides the plans; *store.DB implements it.
type Store interface {
	AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
	AuditUsernames(ctx context.Context) ([]string, error)
}

// Config wires the back office.
type Config struct {
	Staff *staff.Service
	Plans *rateizzazioni.Service
	// Comunicazioni answers citizens' communications; nil leaves their
	// queue out.
	Comunicazioni *comunicazioni.Service
	Store         Store
	Logger        *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler serves /backoffice.
type Handler struct {
	cfg    Config
	router chi.Router
}

// New checks cfg and builds the routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Staff == nil || cfg.Plans == nil || cfg.Store == nil {
		return nil, errors.New("backoffice: staff login, plans and store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg}
	r := chi.NewRouter()
	r.Use(h.requireStaff)
	r.Get("/backoffice", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/backoffice/", http.StatusMovedPermanently)
	})
	r.Get("/backoffice/", h.showDashboard)
	r.Get("/backoffice/rateizzazioni", h.showPlans)
	r.Get("/backoffice/rateizzazioni/{id}", h.showPlan)
	r.Get("/backoffice/rateizzazioni/{id}/allegati/{allegato}", h.downloadAttachment)
	r.Group(func(r chi.Router) {
		r.Use(cfg.Staff.Protect)
		r.Post("/backoffice/rateizzazioni/{id}/approva", h.approvePlan)
		r.Post("/backoffice/rateizzazioni/{id}/respingi", h.rejectPlan)
		r.Post("/backoffice/rateizzazioni/{id}/controproponi", h.counterPlan)
	})
	r.Group(func(r chi.Router) {
		if cfg.Comunicazioni == nil {
			return
		}
		r.Use(h.requireRole(msgComRole, comRoles...))
		r.Get("/backoffice/comunicazioni", h.showComunicazioni)
		r.Get("/backoffice/comunicazioni/{id}", h.showComunicazione)
		r.Get("/backoffice/comunicazioni/{id}/file/{file}", h.downloadComFile)
		r.With(cfg.Staff.Protect).Post("/backoffice/comunicazioni/{id}/prendi-in-carico", h.takeComunicazione)
		r.With(cfg.Staff.Protect).Post("/backoffice/comunicazioni/{id}/accogli", h.acceptComunicazione)
		r.With(cfg.Staff.Protect).Post("/backoffice/comunicazioni/{id}/respingi", h.rejectComunicazione)
		r.With(cfg.Staff.Protect).Post("/backoffice/comunicazioni/{id}/documento", h.deliverDocument)
	})
	r.With(h.requireRole(msgAuditRole, auditRoles...)).Get("/backoffice/audit", h.showAudit)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		u, _ := staff.UserFrom(r.Context())
		h.renderError(w, u, http.StatusNotFound, "Questa pagina del back office non esiste. Torna alla scrivania.")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		u, _ := staff.UserFrom(r.Context())
		h.renderError(w, u, http.StatusMethodNotAllowed, "Questa azione non si può fare da qui. Torna alla scrivania.")
	})
	h.router = r
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

// requireStaff sends a visitor without a staff session to the login page,
// to come back here after it (a form sent without one comes back to the
// desk), and answers a role that may not enter with an Italian 403 page.
func (h *Handler) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.cfg.Staff.CurrentUser(w, r)
		if errors.Is(err, staff.ErrLoginRequired) {
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				back = "/backoffice/"
			}
			http.Redirect(w, r, staff.LoginURL(back), http.StatusSeeOther)
			return
		}
		if err != nil {
			h.fail(w, r, staff.User{}, err)
			return
		}
		if !slices.Contains(Roles, u.Role) {
			h.renderError(w, u, http.StatusForbidden, "Il tuo profilo ("+u.Role.Label()+
				") non permette di usare il back office. Se ti serve, chiedi all'amministratore di cambiarti il ruolo.")
			return
		}
		next.ServeHTTP(w, r.WithContext(staff.WithUser(r.Context(), u)))
	})
}

const (
	msgAuditRole = "Il registro delle azioni è riservato ai responsabili e agli amministratori."
	msgComRole   = "Le comunicazioni dei cittadini sono trattate dagli operatori, dai responsabili e dagli amministratori."
)

// requireRole answers roles other than roles with an Italian 403 page
// saying message.
func (h *Handler) requireRole(message string, roles ...staff.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := staff.UserFrom(r.Context())
			if !slices.Contains(roles, u.Role) {
				h.renderError(w, u, http.StatusForbidden, message)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"when":       formatWhen,
	"day":        formatDay,
	"euro":       func(c int64) string { return money.Cents(c).String() },
	"stateLabel": stateLabel,
	"action":     actionLabel,
	"office":     officeLabel,
	"roleLabel":  func(r string) string { return staff.Role(r).Label() },
	"comState":   func(s string) string { return comLabel(comStateLabels, s) },
	"kind":       kindLabel,
	"fileRole":   func(s string) string { return comLabel(fileRoleLabels, s) },
	"kb":         func(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) },
	"auditLink":  auditLink,
	"changes":    changes,
	"join":       strings.Join,
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}).ParseFS(templateFiles, "templates/*.html"))

// page is what every template receives.
type page struct {
	Title    string
	User     staff.User
	Section  string // dashboard, rateizzazioni, comunicazioni, audit: the current menu item
	MayAudit bool
	// MayComunicazioni shows the communications to the roles that answer them.
	MayComunicazioni bool
	Message          string // an error page's explanation
	Success          string // a confirmation after an action

	Queues []queue

	Stato  string
	Query  string
	Tabs   []tab
	Plans  []planRow
	Detail *planDetail
	Form   formState

	Tipo          string
	Kinds         []tab
	Comunicazioni []store.Comunicazione
	Com           *comDetail

	Audit       []store.AuditEntry
	AuditFilter auditFilter
	Usernames   []string
	Actions     []string
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) {
	p.MayAudit = slices.Contains(auditRoles, p.User.Role)
	p.MayComunicazioni = h.cfg.Comunicazioni != nil && slices.Contains(comRoles, p.User.Role)
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, p); err != nil {
		h.cfg.Logger.Error("backoffice: template", "template", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		templates.ExecuteTemplate(&buf, "errore.html", page{Title: "Errore", User: p.User,
			Message: "Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa l'amministratore."})
	}
	staff.WritePage(w, status, buf.Bytes())
}

var errorTitles = map[int]string{
	http.StatusForbidden: "Accesso non consentito", http.StatusNotFound: "Pagina non trovata",
	http.StatusConflict: "Operazione non più possibile", http.StatusMethodNotAllowed: "Operazione non consentita",
}

func (h *Handler) renderError(w http.ResponseWriter, u staff.User, status int, message string) {
	title, ok := errorTitles[status]
	if !ok {
		title = "Errore"
	}
	h.render(w, status, "errore.html", page{Title: title, User: u, Message: message})
}

// fail logs an unexpected error (no personal data) and answers a page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, u staff.User, err error) {
	var pe *rateizzazioni.Error
	if errors.As(err, &pe) {
		h.renderError(w, u, statusOf(pe), pe.Messaggio)
		return
	}
	var ce *comunicazioni.Error
	if errors.As(err, &ce) {
		status := http.StatusUnprocessableEntity
		switch ce.Kind {
		case comunicazioni.NotFound:
			status = http.StatusNotFound
		case comunicazioni.Conflict:
			status = http.StatusConflict
		}
		h.renderError(w, u, status, ce.Messaggio)
		return
	}
	h.cfg.Logger.ErrorContext(r.Context(), "backoffice failed", "user", u, "path", r.URL.Path, "err", err)
	h.renderError(w, u, http.StatusInternalServerError,
		"Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa l'amministratore.")
}

func statusOf(e *rateizzazioni.Error) int {
	switch e.Kind {
	case rateizzazioni.NotFound:
		return http.StatusNotFound
	case rateizzazioni.Conflict:
		return http.StatusConflict
	case rateizzazioni.Forbidden:
		return http.StatusForbidden
	}
	return http.StatusUnprocessableEntity
}

func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(civil.Rome).Format("02/01/2006 15:04")
}

// formatDay turns YYYY-MM-DD into GG/MM/AAAA.
func formatDay(s string) string {
	d, err := civil.Parse(s)
	if err != nil {
		return s
	}
	return d.Italian()
}

var stateLabels = map[string]string{
	store.PlanProposed: "Proposta da decidere", store.PlanCounter: "Controproposta al cittadino",
	store.PlanApproved: "Approvata", store.PlanRejected: "Respinta", store.PlanLapsed: "Decaduta",
}

func stateLabel(s string) string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return s
}

var actionLabels = map[string]string{
	"proponi": "Proposta del cittadino", "approva": "Approvazione", "approva_parziale": "Approvazione di un ufficio (parziale)",
	"respingi": "Respinta", "controproponi": "Controproposta", "accetta": "Controproposta accettata dal cittadino",
	"rifiuta": "Controproposta rifiutata dal cittadino", "decadenza": "Decadenza per rate non pagate",
	"scadenza_controproposta": "Controproposta scaduta senza risposta",
	"prendi_in_carico":        "Presa in carico", "accogli": "Accolta", "documento": "Documento consegnato",
}

// actionSubjects name the item an audited action is about.
var actionSubjects = map[string]string{"rateizzazione": "Rateizzazione", "comunicazione": "Comunicazione"}

// actionLabel names an action of the history or of the audit
// ("rateizzazione.approva", "comunicazione.respingi").
func actionLabel(a string) string {
	subject, short, found := strings.Cut(a, ".")
	if !found {
		short = a
	}
	if l, ok := actionLabels[short]; ok {
		if s, ok := actionSubjects[subject]; ok && found {
			return s + ": " + strings.ToLower(l[:1]) + l[1:]
		}
		return l
	}
	return a
}

// auditLink is the page of an audited item ("rateizzazione:12"), or "".
func auditLink(target string) string {
	kind, id, _ := strings.Cut(target, ":")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return ""
	}
	switch kind {
	case "rateizzazione":
		return "/backoffice/rateizzazioni/" + id
	case "comunicazione":
		return "/backoffice/comunicazioni/" + id
	}
	return ""
}

func officeLabel(o string) string {
	switch o {
	case rateizzazioni.ApprovedByPolice:
		return "Polizia Municipale"
	case rateizzazioni.ApprovedByCollector:
		return "Riscossione"
	case rateizzazioni.ApprovedByBoth:
		return "Polizia Municipale e Riscossione"
	}
	return o
}

// change is one field that an action changed.
type change struct {
	Field, Before, After string
}

var fieldLabels = map[string]string{
	"stato": "Stato", "rate": "Rate", "motivo": "Motivo", "controproposta": "Controproposta",
	"approvata_polizia_da": "Approvata dalla polizia", "approvata_riscossione_da": "Approvata dalla riscossione",
	"rate_piano": "Rate con avviso pagoPA", "saldo_decadenza_cent": "Saldo dopo la decadenza (centesimi)", "nota": "Nota",
	"risposta": "Risposta", "decisa_da": "Decisa da", "documento": "Documento", "punti_al_conducente": "Punti sulla patente del conducente",
}

// changes lists the fields that differ between before and after, in a
// stable order.
func changes(before, after map[string]any) []change {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []change
	for k := range keys {
		b, a := show(before[k]), show(after[k])
		if b == a {
			continue
		}
		label, ok := fieldLabels[k]
		if !ok {
			label = k
		}
		out = append(out, change{Field: label, Before: b, After: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if l, ok := stateLabels[x]; ok {
			return l
		}
		if l, ok := comStateLabels[x]; ok {
			return l
		}
		if x == "" {
			return "—"
		}
		return x
	case float64:
		return fmt.Sprint(int64(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = strings.ReplaceAll(k, "_", " ") + ": " + show(x[k])
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}
