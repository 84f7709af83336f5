// Package auth is how a citizen logs in to the portal and stays logged in:
// an OpenID Connect relying party (the city's SSO, a SPID/CIE gateway, or the
// demo provider in package demoidp), server-side sessions with idle and
// absolute timeouts, protection against cross-site requests, and the privacy
// consent a citizen gives before using the personal area.
//
// Handlers further down ask for the citizen with CitizenFrom; the routes that
// need one are wrapped in RequireCitizen, and those that show personal data
// also in RequireConsent.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/oauth2"

	"github.com/comune-torino/portale/internal/store"
)

// Config is what the portal needs to know about its identity provider and
// its sessions. Only the first four fields are required.
type Config struct {
	// IssuerURL identifies the OpenID provider; its discovery document is at
	// IssuerURL + "/.well-known/openid-configuration".
	IssuerURL    string
	ClientID     string
	ClientSecret string
	// RedirectURL is this portal's callback as registered with the provider,
	// e.g. https://servizi.comune.torino.it/auth/callback. When it is https,
	// cookies are marked Secure.
	RedirectURL string

	// Scopes requested; "openid" is always added. Default: openid, profile.
	Scopes []string
	// FiscalCodeClaim is the ID token claim with the citizen's codice
	// fiscale, bare or as "TINIT-<CF>". Default: fiscalNumber.
	FiscalCodeClaim string
	// GivenNameClaim and FamilyNameClaim hold the names. Default:
	// given_name, family_name.
	GivenNameClaim  string
	FamilyNameClaim string
	// EndSessionURL overrides the end_session_endpoint of the discovery
	// document, for providers that do not publish one.
	EndSessionURL string
	// PostLogoutRedirectURL is where the provider sends the citizen after
	// logging out there. Default: the portal's home, from RedirectURL.
	PostLogoutRedirectURL string

	// IdleTimeout ends a session nobody used for that long (default 30
	// minutes); AbsoluteTimeout ends any session that old (default 12 hours).
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration

	// PrivacyVersion is the version of the privacy notice a citizen must
	// accept (default "1"); change it and everyone is asked again.
	// PrivacyNoticeURL is the page with the full notice (default /privacy/).
	PrivacyVersion   string
	PrivacyNoticeURL string
	// HomePath is where a citizen lands after login without a "next" page.
	// Default: /area-personale/.
	HomePath string

	// TrustedOrigins may send state-changing requests from another origin
	// (e.g. "https://www.comune.torino.it"); same-origin requests always can.
	TrustedOrigins []string

	// HTTPClient talks to the provider. Default: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock; tests move it to expire sessions. Default: time.Now.
	Now func() time.Time
}

// SessionStore keeps sessions and privacy consents; *store.DB implements it.
type SessionStore interface {
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, idHash string) (store.Session, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)

	Consent(ctx context.Context, codiceFiscale string) (store.Consent, error)
	GiveConsent(ctx context.Context, codiceFiscale, version string, at time.Time) error
	WithdrawConsent(ctx context.Context, codiceFiscale string, at time.Time) error

	// Version changes with every commit to the store (see store.DB.Version):
	// sessions and consents read at one version are reused until it moves.
	Version(ctx context.Context) (store.Generation, error)
}

// Service is citizen authentication for one portal.
type Service struct {
	cfg      Config
	sessions SessionStore
	// Sessions and consents as last read, valid at the store version they
	// were read at: a request that finds them current costs no query.
	sessionMemo store.Memo[string, store.Session]
	consentMemo store.Memo[string, consentResponse]
	logger      *slog.Logger
	secure      bool
	csrf        *http.CrossOriginProtection

	mu       sync.Mutex
	provider *provider
}

// New checks cfg, fills in its defaults and returns the service. It does not
// contact the provider: that happens at the first login, so the portal starts
// even while the provider is down (and the demo provider, served by this same
// portal, is not listening yet).
func New(cfg Config, sessions SessionStore, logger *slog.Logger) (*Service, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"IssuerURL", cfg.IssuerURL}, {"ClientID", cfg.ClientID},
		{"ClientSecret", cfg.ClientSecret}, {"RedirectURL", cfg.RedirectURL}} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("auth: configuration incomplete, missing %s", strings.Join(missing, ", "))
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || (redirect.Scheme != "https" && redirect.Scheme != "http") || redirect.Host == "" {
		return nil, fmt.Errorf("auth: RedirectURL %q is not an absolute http(s) address", cfg.RedirectURL)
	}
	if sessions == nil {
		return nil, errors.New("auth: no session store")
	}
	setDefault(&cfg.FiscalCodeClaim, "fiscalNumber")
	setDefault(&cfg.GivenNameClaim, "given_name")
	setDefault(&cfg.FamilyNameClaim, "family_name")
	setDefault(&cfg.PrivacyVersion, "1")
	setDefault(&cfg.PrivacyNoticeURL, "/privacy/")
	setDefault(&cfg.HomePath, "/area-personale/")
	setDefault(&cfg.PostLogoutRedirectURL, redirect.Scheme+"://"+redirect.Host+"/")
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile"}
	} else if !slices.Contains(cfg.Scopes, "openid") {
		cfg.Scopes = append([]string{"openid"}, cfg.Scopes...)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	csrf := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if err := csrf.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("auth: trusted origin: %w", err)
		}
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, errCrossOrigin)
	}))
	return &Service{cfg: cfg, sessions: sessions, logger: logger, secure: redirect.Scheme == "https", csrf: csrf}, nil
}

func setDefault(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

// Routes mounts the login pages on the portal's root router: /auth/login,
// /auth/callback, /auth/logout and the consent page /auth/consenso.
func (s *Service) Routes(r chi.Router) {
	r.Get("/auth/login", s.page(s.login))
	r.Get("/auth/callback", s.page(s.callback))
	r.Get("/auth/logout", s.page(s.confirmLogout))
	r.Post("/auth/logout", s.page(s.logout))
	r.Get("/auth/consenso", s.page(s.showConsentPage))
	r.Post("/auth/consenso", s.page(s.giveConsentPage))
}

// APIRoutes mounts GET /me and GET, POST, DELETE /me/consenso on the API
// router (the one serving /api/v1). The rest of /me/... belongs to the
// caller, behind RequireCitizen and RequireConsent.
func (s *Service) APIRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.RequireCitizen)
		r.Get("/me", s.api(s.getMe))
		r.Get("/me/consenso", s.api(s.getConsent))
		r.Post("/me/consenso", s.api(s.giveConsent))
		r.Delete("/me/consenso", s.api(s.withdrawConsent))
	})
}

// Protect rejects state-changing requests (POST, PUT, PATCH, DELETE) that a
// browser sends from another origin, with net/http's CrossOriginProtection
// (Sec-Fetch-Site, or Origin against Host). Wrap the whole portal handler
// with it: pages and islands of the same origin need no CSRF token.
func (s *Service) Protect(h http.Handler) http.Handler { return s.csrf.Handler(h) }

// oidc returns the provider and the OAuth 2.0 client for it, discovering the
// provider on first use.
func (s *Service) oidc(ctx context.Context) (*provider, *oauth2.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider == nil {
		p, err := discover(ctx, s.cfg.HTTPClient, s.cfg.IssuerURL, s.cfg.ClientID, s.cfg.Now)
		if err != nil {
			return nil, nil, err
		}
		s.provider = p
	}
	return s.provider, &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		RedirectURL:  s.cfg.RedirectURL,
		Scopes:       s.cfg.Scopes,
		Endpoint:     s.provider.oidc.Endpoint(),
	}, nil
}
