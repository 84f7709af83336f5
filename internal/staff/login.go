package staff

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/comune-torino/portale/internal/store"
)

//go:embed templates/login.html
var templateFiles embed.FS

var loginTemplate = template.Must(template.ParseFS(templateFiles, "templates/login.html"))

type loginPage struct {
	Next      string
	Username  string
	Error     string
	LoggedOut bool
	// Current is who is already logged in, if anyone.
	Current *User
	Home    string
}

// Login outcomes, as the audit records them.
const (
	outcomeOK       = "ok"
	outcomeWrong    = "credenziali_errate"
	outcomeLocked   = "bloccato"
	msgWrong        = "Nome utente o password non corretti. Controlla e riprova."
	msgLockedPrefix = "Troppi tentativi sbagliati: l'account è bloccato fino alle "
)

// dummyHash makes a login with an unknown username cost as much as one with a
// wrong password, so the time taken does not tell which usernames exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("nessun-utente-con-questo-nome"), bcrypt.DefaultCost)

// showLogin answers GET /auth/staff/login[?next=/cms/].
func (s *Service) showLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := loginPage{Next: safeNext(q.Get("next")), LoggedOut: q.Has("uscito")}
	if u, err := s.CurrentUser(w, r); err == nil {
		page.Current, page.Home = &u, page.Next
		if page.Home == "" {
			page.Home = homeOf(u.Role)
		}
	}
	s.render(w, http.StatusOK, page)
}

// login answers the form: right credentials start a session and continue to
// next; wrong ones show the form again. Every attempt is audited.
func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	now := s.cfg.Now()
	page := loginPage{Next: next, Username: username}

	audit := func(outcome string) bool {
		err := s.cfg.Store.RecordStaffLogin(ctx, store.StaffLogin{At: now, Username: username, Outcome: outcome, Remote: remoteHost(r)})
		if err != nil {
			s.fail(w, r, err)
			return false
		}
		return true
	}
	u, err := s.cfg.Store.StaffUserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		if audit(outcomeWrong) {
			page.Error = msgWrong
			s.render(w, http.StatusUnauthorized, page)
		}
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if now.Before(u.LockedUntil) {
		if audit(outcomeLocked) {
			s.locked(w, page, u.LockedUntil)
		}
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		until, err := s.cfg.Store.StaffLoginFailed(ctx, u.ID, now, s.cfg.MaxFailures, s.cfg.Lockout)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !audit(outcomeWrong) {
			return
		}
		if !until.IsZero() {
			s.cfg.Logger.WarnContext(ctx, "staff account locked after failed logins", "username", username)
			s.locked(w, page, until)
			return
		}
		page.Error = msgWrong
		s.render(w, http.StatusUnauthorized, page)
		return
	}
	if err := s.cfg.Store.StaffLoginSucceeded(ctx, u.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if !audit(outcomeOK) {
		return
	}
	// A session id planted before login is worth nothing after it.
	if old, err := r.Cookie(sessionCookieName); err == nil {
		if err := s.cfg.Store.DeleteStaffSession(ctx, hashID(old.Value)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.cfg.Store.DeleteExpiredStaffSessions(ctx, now.Add(-s.cfg.IdleTimeout), now.Add(-s.cfg.AbsoluteTimeout)); err != nil {
		s.fail(w, r, err)
		return
	}
	id := newSessionID()
	if err := s.cfg.Store.CreateStaffSession(ctx, hashID(id), u.ID, now); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, id, 0)
	if next == "" {
		next = homeOf(Role(u.Role))
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout answers POST /auth/staff/logout: the session ends on the server
// and in the browser.
func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookieName); err == nil {
		if err := s.cfg.Store.DeleteStaffSession(r.Context(), hashID(c.Value)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/auth/staff/login?uscito=1", http.StatusSeeOther)
}

func (s *Service) locked(w http.ResponseWriter, page loginPage, until time.Time) {
	page.Error = msgLockedPrefix + until.In(rome).Format("15:04") + ". Riprova dopo, o chiedi all'amministratore."
	w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(s.cfg.Now()).Seconds())+1))
	s.render(w, http.StatusTooManyRequests, page)
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Logger.ErrorContext(r.Context(), "staff login failed", "err", err)
	s.render(w, http.StatusInternalServerError, loginPage{Error: "Si è verificato un errore imprevisto. Riprova tra qualche minuto."})
}

func (s *Service) render(w http.ResponseWriter, status int, p loginPage) {
	var buf bytes.Buffer
	if err := loginTemplate.Execute(&buf, p); err != nil {
		s.cfg.Logger.Error("staff login page", "err", err)
		http.Error(w, "Errore interno", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// rome is the time zone staff read lock times in.
var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// homeOf is where a user lands after login without a next page: the CMS,
// the company area, or the back office.
func homeOf(r Role) string {
	if r == Azienda {
		return "/azienda/"
	}
	for _, c := range CMSRoles {
		if c == r {
			return "/cms/"
		}
	}
	return "/backoffice/"
}

// safeNext keeps only a path of this origin, never the login pages.
func safeNext(next string) string {
	if next == "" || len(next) > 1024 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "/auth/") {
		return ""
	}
	return next
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
