// Package staff is how the police staff log in: accounts with a role (and,
// for editors, the sections they may change), bcrypt passwords, a lock after
// repeated failures, server-side sessions with idle and absolute timeouts,
// and an audit of every attempt. The CMS and the back office share it: one
// login serves /cms and /backoffice.
//
// Handlers ask for the user with UserFrom, behind RequireStaff.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/store"
)

// Role is what a staff member may do.
type Role string

// The CMS roles grow in power in this order; the back-office roles are
// independent of them.
const (
	Redattore        Role = "redattore"
	RedattoreEsperto Role = "redattore-esperto"
	Validatore       Role = "validatore"
	Amministratore   Role = "amministratore"
	Operatore        Role = "operatore"
	Responsabile     Role = "responsabile"
	Riscossione      Role = "riscossione"
	// Azienda is a rental, leasing or car-sharing company's account, tied
	// to its partita IVA (store.SetStaffPartitaIVA): the company area only.
	Azienda Role = "azienda"
)

// sessionCookieName holds the staff session id; it is not the citizens'
// portale_sessione, so one browser can hold both.
const sessionCookieName = "portale_staff"

// Roles lists every role, CMS roles first.
var Roles = []Role{Redattore, RedattoreEsperto, Validatore, Amministratore, Operatore, Responsabile, Riscossione, Azienda}

// CMSRoles are the roles that may open the CMS.
var CMSRoles = []Role{Redattore, RedattoreEsperto, Validatore, Amministratore}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case Redattore:
		return "Redattore"
	case RedattoreEsperto:
		return "Redattore esperto"
	case Validatore:
		return "Validatore"
	case Amministratore:
		return "Amministratore"
	case Operatore:
		return "Operatore"
	case Responsabile:
		return "Responsabile"
	case Riscossione:
		return "Riscossione"
	case Azienda:
		return "Azienda"
	}
	return string(r)
}

// ParseRole accepts a role's name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(s))
	if !slices.Contains(Roles, r) {
		names := make([]string, len(Roles))
		for i, x := range Roles {
			names[i] = string(x)
		}
		return "", fmt.Errorf("ruolo %q sconosciuto: usa uno tra %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// User is a logged-in staff member.
type User struct {
	ID       int64
	Username string
	Name     string
	Email    string
	Role     Role
	// Sections are the content sections an editor may change; empty means
	// every section.
	Sections []string
}

// InSection reports whether the user may change content of section.
func (u User) InSection(section string) bool {
	return len(u.Sections) == 0 || slices.Contains(u.Sections, section)
}

// LogValue keeps the log to the username and role.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", u.Username), slog.String("role", string(u.Role)))
}

func userOf(u store.StaffUser) User {
	return User{ID: u.ID, Username: u.Username, Name: u.DisplayName, Email: u.Email, Role: Role(u.Role), Sections: u.Sections}
}

type userKey struct{}

// UserFrom returns the staff member of the request, set by RequireStaff.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(userKey{}).(User)
	return u, ok
}

// WithUser returns ctx carrying u, as RequireStaff does.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// Store is what the service keeps; *store.DB implements it.
type Store interface {
	CreateStaffUser(ctx context.Context, u store.StaffUser) (int64, error)
	StaffUserByUsername(ctx context.Context, username string) (store.StaffUser, error)
	StaffUsers(ctx context.Context) ([]store.StaffUser, error)
	StaffLoginFailed(ctx context.Context, id int64, at time.Time, maxFailures int, lockout time.Duration) (time.Time, error)
	StaffLoginSucceeded(ctx context.Context, id int64) error
	RecordStaffLogin(ctx context.Context, l store.StaffLogin) error
	CreateStaffSession(ctx context.Context, idHash string, userID int64, at time.Time) error
	StaffSession(ctx context.Context, idHash string) (store.StaffSession, error)
	TouchStaffSession(ctx context.Context, idHash string, at time.Time) error
	DeleteStaffSession(ctx context.Context, idHash string) error
	DeleteExpiredStaffSessions(ctx context.Context, idleBefore, createdBefore time.Time) error
}

// Config tunes the service; every field but Store is optional.
type Config struct {
	Store  Store
	Logger *slog.Logger
	// Secure marks the cookie Secure even on plain HTTP requests, for a
	// portal behind a proxy that terminates TLS. Under TLS it always is.
	Secure bool
	// IdleTimeout ends a session unused that long (default 30 minutes);
	// AbsoluteTimeout ends any session that old (default 10 hours, a
	// working day).
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// MaxFailures consecutive wrong passwords (default 5) lock an account
	// for Lockout (default 15 minutes).
	MaxFailures int
	Lockout     time.Duration
	// Now is the clock; tests move it. Default: time.Now.
	Now func() time.Time
}

// Service logs staff in and keeps their sessions.
type Service struct {
	cfg  Config
	csrf *http.CrossOriginProtection
}

// New fills in cfg's defaults and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("staff: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = 10 * time.Hour
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = 5
	}
	if cfg.Lockout <= 0 {
		cfg.Lockout = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusForbidden, "Questa richiesta arriva da un altro sito e non è stata eseguita.")
	}))
	return &Service{cfg: cfg, csrf: csrf}, nil
}

// Routes mounts GET and POST /auth/staff/login and POST /auth/staff/logout.
// POSTs from another origin are refused.
func (s *Service) Routes(r chi.Router) {
	r.Get("/auth/staff/login", s.showLogin)
	r.Method(http.MethodPost, "/auth/staff/login", s.csrf.Handler(http.HandlerFunc(s.login)))
	r.Method(http.MethodPost, "/auth/staff/logout", s.csrf.Handler(http.HandlerFunc(s.logout)))
}

// Protect refuses state-changing requests from another origin.
func (s *Service) Protect(h http.Handler) http.Handler { return s.csrf.Handler(h) }

// ErrLoginRequired means the request carries no live staff session.
var ErrLoginRequired = errors.New("staff: login required")

// CurrentUser returns the staff member of the request's live session. An
// expired session is ended and its cookie cleared; without one the error is
// ErrLoginRequired.
func (s *Service) CurrentUser(w http.ResponseWriter, r *http.Request) (User, error) {
	c, err := r.Cookie(sessionCookieName)
	if err != nil || c.Value == "" {
		return User{}, ErrLoginRequired
	}
	ctx := r.Context()
	sess, err := s.cfg.Store.StaffSession(ctx, hashID(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		s.setCookie(w, r, "", -1)
		return User{}, ErrLoginRequired
	}
	if err != nil {
		return User{}, err
	}
	now := s.cfg.Now()
	if now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) > s.cfg.AbsoluteTimeout {
		if err := s.cfg.Store.DeleteStaffSession(ctx, sess.IDHash); err != nil {
			return User{}, err
		}
		s.setCookie(w, r, "", -1)
		return User{}, ErrLoginRequired
	}
	if now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout/30 {
		if err := s.cfg.Store.TouchStaffSession(ctx, sess.IDHash, now); err != nil {
			return User{}, err
		}
	}
	return userOf(sess.User), nil
}

// RequireStaff lets a request through only with a live staff session whose
// role is one of roles (any role when none is given), with the user in the
// context (see UserFrom). Without a session a page (GET asking for HTML) is
// sent to the login page and comes back after it; anything else gets 401.
// A role not allowed gets 403. Errors are JSON {"error": "..."}.
func (s *Service) RequireStaff(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, err := s.CurrentUser(w, r)
			if errors.Is(err, ErrLoginRequired) {
				if r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
					http.Redirect(w, r, LoginURL(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				WriteError(w, http.StatusUnauthorized, "Accedi con le credenziali del personale per continuare.")
				return
			}
			if err != nil {
				s.cfg.Logger.ErrorContext(r.Context(), "staff session", "err", err)
				WriteError(w, http.StatusInternalServerError, "Si è verificato un errore imprevisto. Riprova tra qualche minuto.")
				return
			}
			if len(roles) > 0 && !slices.Contains(roles, u.Role) {
				WriteError(w, http.StatusForbidden, "Il tuo profilo ("+u.Role.Label()+") non permette di usare questa funzione.")
				return
			}
			next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
		})
	}
}

// LoginURL is the login page that continues to next after login.
func LoginURL(next string) string {
	return "/auth/staff/login?next=" + url.QueryEscape(next)
}

// WriteError answers {"error": message} with status: the shape Decap CMS
// reads, used for every staff JSON error.
func WriteError(w http.ResponseWriter, status int, message string) {
	WriteJSON(w, status, map[string]string{"error": message})
}

// PageCSP is the Content-Security-Policy of the staff's server-rendered
// pages (back office, company area): their own stylesheet and fonts, no
// script at all.
const PageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// WritePage answers a rendered staff page: HTML, never cached, with PageCSP.
func WritePage(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", PageCSP)
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	w.Write(body)
}

// WriteJSON answers v as JSON, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"Risposta non disponibile."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func (s *Service) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cfg.Secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}
