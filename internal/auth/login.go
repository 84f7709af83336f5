package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/store"
)

// loginCookie carries a login in progress from /auth/login to
// /auth/callback: the state and nonce the provider must send back, the PKCE
// verifier, and the page to return to. It lives ten minutes, on /auth/ only.
const (
	loginCookie     = "portale_accesso"
	loginCookiePath = "/auth/"
	loginMaxAge     = 600
)

type pendingLogin struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"p"`
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// login answers GET /auth/login[?next=/area-personale/...]: it sends the
// browser to the provider with a fresh state, nonce and PKCE challenge.
func (s *Service) login(w http.ResponseWriter, r *http.Request) error {
	_, oc, err := s.oidc(r.Context())
	if err != nil {
		return s.providerFailure(r, "discovery", err)
	}
	p := pendingLogin{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next"), s.cfg.HomePath)}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	s.setCookie(w, r, loginCookie, base64.RawURLEncoding.EncodeToString(raw), loginCookiePath, loginMaxAge)
	http.Redirect(w, r, oc.AuthCodeURL(p.State, oauth2.SetAuthURLParam("nonce", p.Nonce),
		oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
	return nil
}

// callback answers GET /auth/callback, where the provider sends the browser
// back with a code. The code is exchanged (with the PKCE verifier) for an ID
// token; a verified token with a valid codice fiscale starts a new session.
func (s *Service) callback(w http.ResponseWriter, r *http.Request) error {
	pending, ok := readPendingLogin(r)
	s.clearCookie(w, r, loginCookie, loginCookiePath)
	q := r.URL.Query()
	if !ok || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(pending.State)) != 1 {
		return errLoginExpired
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return errLoginCancelled
		}
		return s.providerFailure(r, "authorization", fmt.Errorf("provider error %q", e))
	}
	ctx := r.Context()
	p, oc, err := s.oidc(ctx)
	if err != nil {
		return s.providerFailure(r, "discovery", err)
	}
	tok, err := oc.Exchange(oidc.ClientContext(ctx, s.cfg.HTTPClient), q.Get("code"), oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return s.providerFailure(r, "token exchange", err)
	}
	rawIDToken, _ := tok.Extra("id_token").(string)
	if rawIDToken == "" {
		return s.providerFailure(r, "token exchange", errors.New("no id_token in the answer"))
	}
	claims, err := p.verifyIDToken(ctx, rawIDToken, s.cfg.ClientID, pending.Nonce)
	if err != nil {
		return s.providerFailure(r, "id token", err)
	}
	if _, ok := claims[s.cfg.FiscalCodeClaim]; !ok {
		// Providers that follow OpenID Connect Core §5.4 to the letter give
		// the person's claims only from the userinfo endpoint.
		if claims, err = p.userinfo(oidc.ClientContext(ctx, s.cfg.HTTPClient), tok, claims); err != nil {
			return s.providerFailure(r, "userinfo", err)
		}
	}
	fiscal, _ := claims[s.cfg.FiscalCodeClaim].(string)
	cf, err := codicefiscale.FromFiscalNumber(fiscal)
	if err != nil {
		s.logger.WarnContext(ctx, "login refused: no valid fiscal code from the provider",
			"claim", s.cfg.FiscalCodeClaim, "reason", errorCode(err))
		return errNoFiscalCode
	}
	given, _ := claims[s.cfg.GivenNameClaim].(string)
	family, _ := claims[s.cfg.FamilyNameClaim].(string)
	citizen := Citizen{CodiceFiscale: cf, Nome: strings.TrimSpace(given), Cognome: strings.TrimSpace(family)}
	if err := s.startSession(w, r, citizen, rawIDToken); err != nil {
		return fmt.Errorf("auth: start session: %w", err)
	}
	s.logger.InfoContext(ctx, "citizen logged in", "citizen", citizen)

	next := pending.Next
	consent, err := s.hasConsent(ctx, cf)
	if err != nil {
		return err
	}
	if !consent {
		next = "/auth/consenso?next=" + url.QueryEscape(next)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func readPendingLogin(r *http.Request) (pendingLogin, bool) {
	var p pendingLogin
	c, err := r.Cookie(loginCookie)
	if err != nil {
		return p, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || json.Unmarshal(raw, &p) != nil || p.State == "" || p.Nonce == "" || p.Verifier == "" {
		return pendingLogin{}, false
	}
	p.Next = safeNext(p.Next, "/")
	return p, true
}

// errorCode names a codice fiscale error for the log without its input.
func errorCode(err error) string {
	var e *codicefiscale.Error
	if errors.As(err, &e) {
		return e.Codice
	}
	return "unknown"
}

// providerFailure logs why talking to the provider failed (the errors carry
// no personal data: the codes and tokens are never part of them) and tells
// the citizen to try again later.
func (s *Service) providerFailure(r *http.Request, stage string, err error) error {
	s.logger.ErrorContext(r.Context(), "oidc login failed", "stage", stage, "err", err)
	return errProvider
}

// safeNext keeps "next" to a path on this portal, so the login cannot be
// used to send a citizen to another site after they authenticate.
func safeNext(next, fallback string) string {
	if next == "" || len(next) > 1024 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return fallback
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "/auth/") {
		return fallback
	}
	return next
}

// confirmLogout answers GET /auth/logout with a page and a button: logging
// out changes state, so only POST does it, and a link or an image on another
// site cannot log a citizen out.
func (s *Service) confirmLogout(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "logout", s.cfg.HomePath)
	return nil
}

// logout answers POST /auth/logout: the session ends here, then the browser
// goes to the provider's end_session_endpoint (when it has one) to end the
// single sign-on session too, and comes back to the portal's home.
func (s *Service) logout(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	target := s.cfg.PostLogoutRedirectURL
	cookie, err := r.Cookie(sessionCookie)
	if err != nil || cookie.Value == "" {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	s.clearCookie(w, r, sessionCookie, "/")
	sess, err := s.sessions.Session(ctx, hashID(cookie.Value))
	if errors.Is(err, store.ErrNotFound) {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	if err := s.sessions.DeleteSession(ctx, sess.IDHash); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	s.logger.InfoContext(ctx, "citizen logged out", "citizen", citizenOf(sess))
	if end := s.endSessionURL(r); end != "" {
		v := url.Values{"client_id": {s.cfg.ClientID}, "post_logout_redirect_uri": {s.cfg.PostLogoutRedirectURL}}
		if sess.IDToken != "" {
			v.Set("id_token_hint", sess.IDToken)
		}
		sep := "?"
		if strings.Contains(end, "?") {
			sep = "&"
		}
		target = end + sep + v.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func (s *Service) endSessionURL(r *http.Request) string {
	if s.cfg.EndSessionURL != "" {
		return s.cfg.EndSessionURL
	}
	p, _, err := s.oidc(r.Context())
	if err != nil {
		s.logger.WarnContext(r.Context(), "logout at the provider skipped", "err", err)
		return ""
	}
	return p.endSessionEndpoint
}
