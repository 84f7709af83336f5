// Package azienda is the company area at /azienda: server-rendered pages
// (html/template, Bootstrap Italia, no script) where a rental, leasing or
// car-sharing company sees the fines on its fleet and names the driver of
// each, one by one or with a CSV file (A20). Companies log in with
// internal/staff (role azienda, tied to a partita IVA) and see only their
// own fleet; an amministratore may open any company's area, for support.
// The rules are internal/comunicazioni's; the JSON API for the companies'
// systems is in apiserver.
package azienda

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/partitaiva"
	"github.com/comune-torino/portale/internal/staff"
)

// Store is what the pages read besides the communications; *store.DB
// implements it.
type Store interface {
	StaffPartitaIVA(ctx context.Context, username string) (string, error)
}

// Config wires the company area.
type Config struct {
	Staff         *staff.Service
	Comunicazioni *comunicazioni.Service
	Store         Store
	Logger        *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler serves /azienda.
type Handler struct {
	cfg    Config
	router chi.Router
}

// New checks cfg and builds the routes.
func New(cfg Config) (*Handler, error) {
	if cfg.Staff == nil || cfg.Comunicazioni == nil || cfg.Store == nil {
		return nil, errors.New("azienda: staff login, communications and store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg}
	r := chi.NewRouter()
	r.Use(h.requireCompany)
	r.Get("/azienda", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/azienda/", http.StatusMovedPermanently)
	})
	r.Get("/azienda/", h.showFleet)
	r.Group(func(r chi.Router) {
		r.Use(cfg.Staff.Protect)
		r.Post("/azienda/conducente", h.nameDriver)
		r.Post("/azienda/patente", h.attachLicence)
		r.Post("/azienda/conducenti", h.importDrivers)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "Questa pagina dell'area aziende non esiste.")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusMethodNotAllowed, "Questa azione non si può fare da qui.")
	})
	h.router = r
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

type companyKey struct{}

// company is whose fleet the request is about.
type company struct {
	PartitaIVA string
	// Chosen is false for an amministratore who has not picked a company.
	Chosen bool
	Admin  bool
}

// Action is a form's address: an amministratore's names the company.
func (c company) Action(path string) string {
	if c.Admin {
		return path + "?" + url.Values{"partita_iva": {c.PartitaIVA}}.Encode()
	}
	return path
}

func companyOf(r *http.Request) company {
	c, _ := r.Context().Value(companyKey{}).(company)
	return c
}

// requireCompany lets in a company's account, with its own partita IVA,
// and an amministratore, with the partita IVA the request names
// (partita_iva); without a staff session it sends to the login page, to
// come back here.
func (h *Handler) requireCompany(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.cfg.Staff.CurrentUser(w, r)
		if errors.Is(err, staff.ErrLoginRequired) {
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				back = "/azienda/"
			}
			http.Redirect(w, r, staff.LoginURL(back), http.StatusSeeOther)
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		r = r.WithContext(staff.WithUser(r.Context(), u))
		var c company
		switch u.Role {
		case staff.Azienda:
			piva, err := h.cfg.Store.StaffPartitaIVA(r.Context(), u.Username)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			if piva == "" {
				h.renderError(w, r, http.StatusForbidden,
					"Il tuo account aziendale non è collegato a una partita IVA: chiedi all'amministratore di collegarlo.")
				return
			}
			c = company{PartitaIVA: piva, Chosen: true}
		case staff.Amministratore:
			c.Admin = true
			// Forms name it in their address too, so a body is never
			// read before its size is bounded.
			if given := r.URL.Query().Get("partita_iva"); given != "" {
				piva, err := partitaiva.Parse(given)
				if err != nil {
					h.renderError(w, r, http.StatusUnprocessableEntity, "La partita IVA «"+given+"» non è valida: controllala.")
					return
				}
				c.PartitaIVA, c.Chosen = piva, true
			}
		default:
			h.renderError(w, r, http.StatusForbidden, "L'area aziende è per le aziende di noleggio, leasing e car sharing: il tuo profilo ("+
				u.Role.Label()+") non è di un'azienda.")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), companyKey{}, c)))
	})
}

//go:embed templates/*.html
var templateFiles embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"euro":   func(c money.Cents) string { return c.String() },
	"day":    func(d civil.Date) string { return d.Italian() },
	"when":   formatWhen,
	"stato":  stateLabel,
	"header": func() string { return strings.Join(comunicazioni.CSVHeader, ",") },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}).ParseFS(templateFiles, "templates/*.html"))

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.User, _ = staff.UserFrom(r.Context())
	p.Company = companyOf(r)
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, p); err != nil {
		h.cfg.Logger.Error("azienda: template", "template", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		templates.ExecuteTemplate(&buf, "errore.html", page{Title: "Errore", User: p.User,
			Message: "Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa la Polizia Municipale."})
	}
	staff.WritePage(w, status, buf.Bytes())
}

var errorTitles = map[int]string{
	http.StatusForbidden: "Accesso non consentito", http.StatusNotFound: "Pagina non trovata",
	http.StatusMethodNotAllowed: "Operazione non consentita", http.StatusUnprocessableEntity: "Dato non valido",
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	title, ok := errorTitles[status]
	if !ok {
		title = "Errore"
	}
	h.render(w, r, status, "errore.html", page{Title: title, Message: message})
}

// fail logs an unexpected error (no personal data) and answers a page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	u, _ := staff.UserFrom(r.Context())
	h.cfg.Logger.ErrorContext(r.Context(), "azienda failed", "user", u, "path", r.URL.Path, "err", err)
	h.renderError(w, r, http.StatusInternalServerError,
		"Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa la Polizia Municipale.")
}

// home is the fleet page of c, with extra query parameters.
func home(c company, extra url.Values) string {
	if extra == nil {
		extra = url.Values{}
	}
	if c.Admin {
		extra.Set("partita_iva", c.PartitaIVA)
	}
	if len(extra) == 0 {
		return "/azienda/"
	}
	return "/azienda/?" + extra.Encode()
}

func formatWhen(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(civil.Rome).Format("02/01/2006 15:04")
}

var stateLabels = map[string]string{
	"in_attesa_conferma": "comunicato, in attesa della conferma del conducente",
	"confermata":         "confermato dal conducente, in attesa della validazione",
	"accolta":            "validato dalla Polizia Municipale",
	"ricevuta":           "ricevuto",
	"in_lavorazione":     "in lavorazione",
	"respinta":           "respinto: comunicalo di nuovo",
}

func stateLabel(s string) string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return s
}
