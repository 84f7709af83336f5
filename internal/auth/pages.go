package auth

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
)

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

type errorPage struct {
	Error *Error
}

type consentPage struct {
	Version   string
	NoticeURL string
	Next      string
}

// render writes one of the pages in templates/. A template that fails to run
// is a bug: the citizen gets the plain error page, the log the detail.
func (s *Service) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.logger.ErrorContext(r.Context(), "auth page failed", "page", name, "err", err)
		status, buf = http.StatusInternalServerError, bytes.Buffer{}
		if err := pages.ExecuteTemplate(&buf, "errore", errorPage{Error: errInternal}); err != nil {
			http.Error(w, errInternal.Messaggio, status)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// showConsentPage answers GET /auth/consenso: the privacy notice summary and
// the button to accept it, where the login lands the first time. Without a
// session it starts a login that comes back here.
func (s *Service) showConsentPage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"), s.cfg.HomePath)
	sess, err := s.currentSession(w, r)
	var public *Error
	if errors.As(err, &public) && public.Status == http.StatusUnauthorized {
		http.Redirect(w, r, "/auth/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	given, err := s.hasConsent(r.Context(), sess.CodiceFiscale)
	if err != nil {
		return err
	}
	if given {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "consenso", consentPage{Version: s.cfg.PrivacyVersion, NoticeURL: s.cfg.PrivacyNoticeURL, Next: next})
	return nil
}

// giveConsentPage answers the form of the consent page (POST /auth/consenso,
// fields versione and next) and continues to next.
func (s *Service) giveConsentPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.currentSession(w, r)
	if err != nil {
		return err
	}
	if r.PostFormValue("versione") != s.cfg.PrivacyVersion {
		return errConsentVersion
	}
	if err := s.sessions.GiveConsent(r.Context(), sess.CodiceFiscale, s.cfg.PrivacyVersion, s.cfg.Now()); err != nil {
		return fmt.Errorf("auth: give consent: %w", err)
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next"), s.cfg.HomePath), http.StatusSeeOther)
	return nil
}
