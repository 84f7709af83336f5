package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/store"
)

// Citizen is the person logged in, as their identity provider vouched for them.
type Citizen struct {
	CodiceFiscale string
	Nome          string
	Cognome       string
}

// LogValue keeps a citizen out of the logs in clear: only the masked code.
func (c Citizen) LogValue() slog.Value {
	return slog.StringValue(codicefiscale.Mask(c.CodiceFiscale))
}

type citizenKey struct{}

// CitizenFrom returns the citizen of the request's session. It is only set
// behind RequireCitizen.
func CitizenFrom(ctx context.Context) (Citizen, bool) {
	c, ok := ctx.Value(citizenKey{}).(Citizen)
	return c, ok
}

func withCitizen(ctx context.Context, c Citizen) context.Context {
	return context.WithValue(ctx, citizenKey{}, c)
}

// sessionCookie holds the session id: 256 random bits, base64url.
const sessionCookie = "portale_sessione"

func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashID is what the store keeps in place of the id.
func hashID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func (s *Service) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Service) clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	s.setCookie(w, r, name, "", path, -1)
}

// startSession creates a new session for c and sets its cookie. Any session
// the browser held before is ended first, so an id planted before login is
// worth nothing after it.
func (s *Service) startSession(w http.ResponseWriter, r *http.Request, c Citizen, idToken string) error {
	ctx := r.Context()
	if old, err := r.Cookie(sessionCookie); err == nil {
		if err := s.sessions.DeleteSession(ctx, hashID(old.Value)); err != nil {
			return err
		}
	}
	now := s.cfg.Now()
	if _, err := s.sessions.DeleteExpiredSessions(ctx, now.Add(-s.cfg.IdleTimeout), now.Add(-s.cfg.AbsoluteTimeout)); err != nil {
		return err
	}
	id := newSessionID()
	err := s.sessions.CreateSession(ctx, store.Session{IDHash: hashID(id), CodiceFiscale: c.CodiceFiscale,
		Nome: c.Nome, Cognome: c.Cognome, IDToken: idToken, CreatedAt: now, LastSeenAt: now})
	if err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, id, "/", 0)
	return nil
}

// currentSession returns the live session of the request. An expired one is
// deleted along with its cookie and reported as errSessionExpired; no cookie,
// or one the store does not know, is errLoginRequired.
func (s *Service) currentSession(w http.ResponseWriter, r *http.Request) (store.Session, error) {
	cookie, err := r.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		return store.Session{}, errLoginRequired
	}
	ctx := r.Context()
	sess, err := s.session(ctx, hashID(cookie.Value))
	if errors.Is(err, store.ErrNotFound) {
		s.clearCookie(w, r, sessionCookie, "/")
		return store.Session{}, errLoginRequired
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("auth: read session: %w", err)
	}
	now := s.cfg.Now()
	if now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) > s.cfg.AbsoluteTimeout {
		if err := s.sessions.DeleteSession(ctx, sess.IDHash); err != nil {
			return store.Session{}, fmt.Errorf("auth: end expired session: %w", err)
		}
		s.clearCookie(w, r, sessionCookie, "/")
		return store.Session{}, errSessionExpired
	}
	// Recording every request would make each read a write; a thirtieth of
	// the idle timeout (a minute by default) is precise enough.
	if now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout/30 {
		if err := s.sessions.TouchSession(ctx, sess.IDHash, now); err != nil {
			return store.Session{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	return sess, nil
}

// session reads a session, from memory when nothing was committed since it
// was last read.
func (s *Service) session(ctx context.Context, idHash string) (store.Session, error) {
	gen, err := s.sessions.Version(ctx)
	if err != nil {
		return store.Session{}, err
	}
	if sess, ok := s.sessionMemo.Get(idHash, gen); ok {
		return sess, nil
	}
	sess, err := s.sessions.Session(ctx, idHash)
	if err == nil {
		s.sessionMemo.Put(idHash, gen, sess)
	}
	return sess, err
}

func citizenOf(sess store.Session) Citizen {
	return Citizen{CodiceFiscale: sess.CodiceFiscale, Nome: sess.Nome, Cognome: sess.Cognome}
}

// RequireCitizen lets a request through only with a live session, and puts
// its citizen in the context (see CitizenFrom). Otherwise it answers 401
// ACCESSO_RICHIESTO.
func (s *Service) RequireCitizen(next http.Handler) http.Handler {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		sess, err := s.currentSession(w, r)
		if err != nil {
			return err
		}
		next.ServeHTTP(w, r.WithContext(withCitizen(r.Context(), citizenOf(sess))))
		return nil
	})
}

// RequireConsent lets a request through only when the citizen (set by
// RequireCitizen, which must come first) has accepted the current privacy
// notice. Otherwise it answers 403 CONSENSO_RICHIESTO.
func (s *Service) RequireConsent(next http.Handler) http.Handler {
	return s.api(func(w http.ResponseWriter, r *http.Request) error {
		c, ok := CitizenFrom(r.Context())
		if !ok {
			return errLoginRequired
		}
		given, err := s.hasConsent(r.Context(), c.CodiceFiscale)
		if err != nil {
			return err
		}
		if !given {
			return errConsentRequired
		}
		next.ServeHTTP(w, r)
		return nil
	})
}
