// Package apiserver is the portal's HTTP front: the JSON API under /api/v1
// (chi), the staff pages, and — for every other path — the static site of the
// live deploy. One origin serves it all, so islands on static pages call the
// API with a same-origin cookie and no CORS.
package apiserver

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/documenti"
	"github.com/comune-torino/portale/internal/limitazioni"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// LiveDeploy reports the id of the deploy being served ("" when none).
type LiveDeploy func() string

// Store is what the API needs from storage; *store.DB implements it.
type Store interface {
	Health(ctx context.Context) store.Status
	verbali.Store
	documenti.Store
	VerbaliOf(ctx context.Context, cf string) ([]store.VerbaleRow, error)
	EventsAfter(ctx context.Context, after int64, limit int) ([]store.Event, error)
	SaveRating(ctx context.Context, r store.Rating) error
	profilo.Store
	pagamenti.AttemptStore
	VerbaleByNAV(ctx context.Context, nav string) (store.VerbaleRow, error)
	rateizzazioni.Store
	// Version changes with every commit (see store.DB.Version).
	Version(ctx context.Context) (store.Generation, error)
	comunicazioni.Store
	StaffPartitaIVA(ctx context.Context, username string) (string, error)
}

// Config wires the server to the rest of the portal.
type Config struct {
	Version    string
	DB         Store
	Static     http.Handler // the live deploy; nil serves only the API
	LiveDeploy LiveDeploy
	Logger     *slog.Logger
	// Now is the clock; nil means time.Now. Only tests set it.
	Now func() time.Time
	// Rules are the Codice della Strada rules every amount is computed with.
	Rules cds.Config
	// NAV assigns notice numbers to new verbali.
	NAV store.NAVMaker
	// CreditorFiscalCode is the city's fiscal code, for pagoPA payloads.
	CreditorFiscalCode string
	// Tokens checks the gestionale's bearer tokens.
	Tokens *apitoken.Verifier
	// Auth logs citizens in; nil means no identity provider is configured
	// and the personal area answers that login is unavailable.
	Auth *auth.Service
	// DemoIdP, when set, is the demo identity provider served at /demo-idp.
	DemoIdP http.Handler
	// DemoMail, when set, is the demo's web mailbox served at /demo-mail.
	DemoMail http.Handler
	// Staff logs the police staff in at /auth/staff/*; nil leaves it unserved.
	Staff *staff.Service
	// CMS is the content management system at /cms; nil leaves it unserved.
	CMS http.Handler
	// Backoffice is the staff's back office at /backoffice (internal/backoffice);
	// nil leaves it unserved.
	Backoffice http.Handler
	// Azienda is the company area at /azienda (internal/azienda); nil
	// leaves it unserved.
	Azienda http.Handler
	// Rateizzazioni are the installation's choices for instalment plans
	// (who approves, tolerance and warning days, email signature).
	Rateizzazioni rateizzazioni.Settings
	// Limitazioni reads the traffic restrictions in force from the site's
	// content, for the live JSON, Atom and JSON Feed answers; nil answers
	// that they are unavailable.
	Limitazioni *limitazioni.Source
	// Ente is the city as its payment documents name it.
	Ente documenti.EnteInfo
	// Registry checks vehicles against the national registries (PRA/MCTC);
	// nil answers that the check is unavailable.
	Registry profilo.Registry
	// PagoPA is the creditor SOAP endpoint the pagoPA node calls
	// (POST /pagopa/paForNode); nil leaves it unserved.
	PagoPA http.Handler
	// Checkout is where payers go to pay with pagoPA; nil answers that
	// online payment is not available.
	Checkout pagamenti.Checkout
	// DemoCheckout, when set, is the demo's simulated checkout served at
	// /demo-checkout.
	DemoCheckout http.Handler
	// CalcoloRate is how many calculator requests one client address may
	// make per minute (default 120).
	CalcoloRate int
	// CompanyKeys are the HMAC keys (at least 32 bytes) each company's
	// systems sign their tokens with, by partita IVA (A20); empty, the
	// company API answers only to staff sessions of role azienda.
	CompanyKeys map[string][]string
}

// Server is the portal's http.Handler.
type Server struct {
	cfg    Config
	router chi.Router
	// statements keeps each citizen's statement as last computed, valid
	// for its day and store version (see statement).
	statements store.Memo[string, cachedStatement]
}

// New builds the router. Routes are listed here, in one place.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CalcoloRate == 0 {
		cfg.CalcoloRate = 120
	}
	if cfg.Tokens == nil {
		cfg.Tokens = apitoken.NewVerifier(nil)
	}
	if cfg.Rules.Tariffs == nil {
		cfg.Rules = cds.DefaultConfig()
	}
	if cfg.Ente.Nome == "" {
		cfg.Ente = documenti.EnteFromConfig(config.Default(), cfg.Rules)
	}
	// Documents and the statement must compute with the same rules.
	cfg.Ente.Rules = cfg.Rules
	if cfg.DB != nil {
		cfg.DB = withPlans{cfg.DB}
	}
	if cfg.LiveDeploy == nil {
		cfg.LiveDeploy = func() string { return "" }
	}
	s := &Server{cfg: cfg}
	r := chi.NewRouter()
	r.Use(s.recoverPanics, s.logRequests)
	if cfg.Auth != nil {
		r.Use(cfg.Auth.Protect)
		cfg.Auth.Routes(r)
	} else {
		r.HandleFunc("/auth/*", s.handle(func(http.ResponseWriter, *http.Request) error { return errLoginUnavailable }))
	}
	if cfg.Staff != nil {
		cfg.Staff.Routes(r)
	}
	if cfg.CMS != nil {
		r.Handle("/cms", cfg.CMS)
		r.Handle("/cms/*", cfg.CMS)
		// The content history (Storico, C4) is the CMS's: /backoffice/storico
		// leads there, with what follows in the address.
		storico := func(w http.ResponseWriter, r *http.Request) {
			to := "/cms/storico/" + strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/backoffice/storico"), "/")
			if r.URL.RawQuery != "" {
				to += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, to, http.StatusFound)
		}
		r.Get("/backoffice/storico", storico)
		r.Get("/backoffice/storico/*", storico)
	}
	if cfg.Backoffice != nil {
		r.Handle("/backoffice", cfg.Backoffice)
		r.Handle("/backoffice/*", cfg.Backoffice)
	}
	if cfg.Azienda != nil {
		r.Handle("/azienda", cfg.Azienda)
		r.Handle("/azienda/*", cfg.Azienda)
	}
	if cfg.PagoPA != nil {
		r.Method(http.MethodPost, "/pagopa/paForNode", cfg.PagoPA)
	}
	if cfg.DemoMail != nil {
		r.Handle("/demo-mail", cfg.DemoMail)
		r.Handle("/demo-mail/*", cfg.DemoMail)
	}
	if cfg.DemoCheckout != nil {
		r.Handle("/demo-checkout/*", cfg.DemoCheckout)
	}
	if cfg.DemoIdP != nil {
		r.Handle("/demo-idp", cfg.DemoIdP)
		r.Handle("/demo-idp/*", cfg.DemoIdP)
	}

	r.Route("/api/v1", func(r chi.Router) {
		r.Use(apiHeaders)
		r.Method(http.MethodGet, "/health", s.handle(s.getHealth))
		r.Method(http.MethodGet, "/openapi.yaml", s.handle(s.getOpenAPI))
		r.With(s.rateLimit(30)).Method(http.MethodPost, "/feedback", s.handle(s.postFeedback))
		r.Route("/calcolo", func(r chi.Router) {
			r.Use(s.rateLimit(s.cfg.CalcoloRate))
			r.Method(http.MethodGet, "/violazioni", s.handle(s.getCalcoloViolazioni))
			r.Method(http.MethodPost, "/importo", s.handle(s.postCalcoloImporto))
			r.Method(http.MethodPost, "/rateizzazione", s.handle(s.postCalcoloRateizzazione))
		})
		r.Method(http.MethodGet, "/limitazioni", s.handle(s.getLimitazioni))
		r.Method(http.MethodGet, "/limitazioni/feed.atom", s.handle(s.getLimitazioniAtom))
		r.Method(http.MethodGet, "/limitazioni/feed.json", s.handle(s.getLimitazioniJSONFeed))
		r.With(s.rateLimit(20)).Method(http.MethodPost, "/preavvisi/cerca", s.handle(s.postCercaPreavviso))
		r.With(s.rateLimit(20)).Method(http.MethodPost, "/preavvisi/pagamento", s.handle(s.postPagamentoPreavviso))
		r.With(s.rateLimit(120)).Method(http.MethodGet, "/preavvisi/pagamenti/{id}", s.handle(s.getPagamentoPreavviso))
		if cfg.Auth != nil {
			cfg.Auth.APIRoutes(r)
		}
		r.Group(func(r chi.Router) {
			r.Use(s.requireCitizen)
			r.Method(http.MethodGet, "/me/estratto-conto", s.handle(s.getEstrattoConto))
			r.Method(http.MethodGet, "/me/verbali/{numero}", s.handle(s.getVerbale))
			r.Method(http.MethodPost, "/me/verbali/{numero}/pagamento", s.handle(s.postPagamentoVerbale))
			r.Method(http.MethodGet, "/me/pagamenti/{id}", s.handle(s.getPagamento))
			docs := documenti.HandlerConfig{Ente: s.cfg.Ente, Logger: s.cfg.Logger, Now: s.cfg.Now}
			r.Method(http.MethodGet, "/me/verbali/{numero}/avviso.pdf", documenti.AvvisoHandler(s.cfg.DB, docs))
			r.Method(http.MethodGet, "/me/verbali/{numero}/quietanza.pdf", documenti.QuietanzaHandler(s.cfg.DB, docs))
			r.Method(http.MethodGet, "/me/patente", s.handle(s.getPatente))
			r.Method(http.MethodGet, "/me/veicoli", s.handle(s.getVeicoli))
			r.Method(http.MethodPost, "/me/veicoli", s.handle(s.postVeicolo))
			r.Method(http.MethodDelete, "/me/veicoli/{targa}", s.handle(s.deleteVeicolo))
			r.Method(http.MethodGet, "/me/permessi", s.handle(s.getPermessi))
			r.Method(http.MethodPost, "/me/permessi/{id}/rinnovo", s.handle(s.postRinnovoPermesso))
			r.Method(http.MethodGet, "/me/scadenze", s.handle(s.getScadenze))
			r.Method(http.MethodGet, "/me/richieste-pagamento", s.handle(s.getRichiestePagamento))
			r.Method(http.MethodGet, "/me/posizioni-coattive", s.handle(s.getPosizioniCoattive))
			r.Method(http.MethodGet, "/me/preferenze", s.handle(s.getPreferenze))
			r.Method(http.MethodPut, "/me/preferenze", s.handle(s.putPreferenze))
			r.Method(http.MethodGet, "/me/rateizzazioni", s.handle(s.getRateizzazioni))
			r.Method(http.MethodPost, "/me/rateizzazioni", s.handle(s.postRateizzazione))
			r.Method(http.MethodPost, "/me/rateizzazioni/{id}/rate/{numero}/pagamento", s.handle(s.postPagamentoRata))
			r.Method(http.MethodPost, "/me/rateizzazioni/{id}/accetta", s.handle(s.postAccettaRateizzazione))
			r.Method(http.MethodPost, "/me/rateizzazioni/{id}/rifiuta", s.handle(s.postRifiutaRateizzazione))
			r.Method(http.MethodPost, "/me/rateizzazioni/{id}/allegati", s.handle(s.postAllegatoRateizzazione))
			r.Method(http.MethodGet, "/me/rateizzazioni/{id}/allegati/{allegato}", s.handle(s.getAllegatoRateizzazione))
			r.Method(http.MethodPost, "/me/verbali/{numero}/conducente", s.handle(s.nameDriver(citizenCF)))
			r.Method(http.MethodPost, "/me/verbali/{numero}/conducente/patente", s.handle(s.attachLicence(citizenCF)))
			r.Method(http.MethodPost, "/me/contestazioni", s.handle(s.postContestazione))
			r.Method(http.MethodPost, "/me/richieste-documento", s.handle(s.postRichiestaDocumento))
			r.Method(http.MethodGet, "/me/comunicazioni", s.handle(s.getComunicazioni))
			r.Method(http.MethodGet, "/me/comunicazioni/{id}", s.handle(s.getComunicazione))
			r.Method(http.MethodPost, "/me/comunicazioni/{id}/conferma", s.handle(s.postConfermaComunicazione))
			r.Method(http.MethodGet, "/me/comunicazioni/{id}/documento", s.handle(s.getDocumentoComunicazione))
		})
		r.Group(func(r chi.Router) {
			r.Use(s.requireBackoffice(scopeRateizzazioniWrite))
			r.Method(http.MethodGet, "/backoffice/rateizzazioni", s.handle(s.getBackofficeRateizzazioni))
			r.Method(http.MethodPost, "/backoffice/rateizzazioni/{id}/approva", s.handle(s.postApprovaRateizzazione))
			r.Method(http.MethodPost, "/backoffice/rateizzazioni/{id}/respingi", s.handle(s.postRespingiRateizzazione))
		})
		r.Group(func(r chi.Router) {
			r.Use(s.requireBackoffice(scopeComunicazioniWrite), s.onlyComunicazioniRoles)
			r.Method(http.MethodGet, "/backoffice/comunicazioni", s.handle(s.getBackofficeComunicazioni))
			r.Method(http.MethodGet, "/backoffice/comunicazioni/{id}", s.handle(s.getBackofficeComunicazione))
			r.Method(http.MethodGet, "/backoffice/comunicazioni/{id}/file/{file}", s.handle(s.getBackofficeFileComunicazione))
			r.Method(http.MethodPost, "/backoffice/comunicazioni/{id}/prendi-in-carico", s.handle(s.postPrendiInCaricoComunicazione))
			r.Method(http.MethodPost, "/backoffice/comunicazioni/{id}/accogli", s.handle(s.postAccogliComunicazione))
			r.Method(http.MethodPost, "/backoffice/comunicazioni/{id}/respingi", s.handle(s.postRespingiComunicazione))
			r.Method(http.MethodPost, "/backoffice/comunicazioni/{id}/documento", s.handle(s.postDocumentoComunicazione))
		})
		r.Group(func(r chi.Router) {
			r.Use(s.requireAzienda)
			r.Method(http.MethodGet, "/azienda/verbali", s.handle(s.getAziendaVerbali))
			r.Method(http.MethodPost, "/azienda/verbali/{numero}/conducente", s.handle(s.nameDriver(companyOf)))
			r.Method(http.MethodPost, "/azienda/verbali/{numero}/conducente/patente", s.handle(s.attachLicence(companyOf)))
			r.Method(http.MethodPost, "/azienda/conducenti", s.handle(s.postAziendaConducenti))
		})
		r.With(s.requireToken(scopeVerbaliWrite)).Method(http.MethodPost, "/ingest/verbali", s.handle(s.postIngestVerbali))
		r.With(s.requireToken(scopeEventsRead)).Method(http.MethodGet, "/events", s.handle(s.getEvents))
		r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error { return errNotFound }))
		r.MethodNotAllowed(s.handle(func(http.ResponseWriter, *http.Request) error { return errMethodNotAllowed }))
	})

	static := cfg.Static
	if static == nil {
		static = http.NotFoundHandler()
	}
	r.NotFound(static.ServeHTTP)
	r.MethodNotAllowed(static.ServeHTTP)
	s.router = r
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// apiHeaders marks API answers as personal and never cacheable by shared caches.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
