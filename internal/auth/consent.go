package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// consentResponse is a citizen's privacy consent (A13) as the API shows it.
type consentResponse struct {
	// Dato is true when a consent to the current notice stands.
	Dato bool `json:"dato"`
	// VersioneRichiesta is the version of the notice in force.
	VersioneRichiesta string `json:"versione_richiesta"`
	InformativaURL    string `json:"informativa_url"`
	// Versione, DatoIl and RevocatoIl describe the latest consent given, if any.
	Versione   string     `json:"versione,omitempty"`
	DatoIl     *time.Time `json:"dato_il,omitempty"`
	RevocatoIl *time.Time `json:"revocato_il,omitempty"`
}

func (s *Service) consentOf(ctx context.Context, cf string) (consentResponse, error) {
	gen, err := s.sessions.Version(ctx)
	if err != nil {
		return consentResponse{}, fmt.Errorf("auth: read consent: %w", err)
	}
	if resp, ok := s.consentMemo.Get(cf, gen); ok {
		return resp, nil
	}
	resp, err := s.readConsent(ctx, cf)
	if err == nil {
		s.consentMemo.Put(cf, gen, resp)
	}
	return resp, err
}

func (s *Service) readConsent(ctx context.Context, cf string) (consentResponse, error) {
	resp := consentResponse{VersioneRichiesta: s.cfg.PrivacyVersion, InformativaURL: s.cfg.PrivacyNoticeURL}
	c, err := s.sessions.Consent(ctx, cf)
	if errors.Is(err, store.ErrNotFound) {
		return resp, nil
	}
	if err != nil {
		return resp, fmt.Errorf("auth: read consent: %w", err)
	}
	resp.Versione = c.Version
	given := c.GivenAt.UTC()
	resp.DatoIl = &given
	if !c.WithdrawnAt.IsZero() {
		withdrawn := c.WithdrawnAt.UTC()
		resp.RevocatoIl = &withdrawn
	}
	resp.Dato = c.WithdrawnAt.IsZero() && c.Version == s.cfg.PrivacyVersion
	return resp, nil
}

func (s *Service) hasConsent(ctx context.Context, cf string) (bool, error) {
	c, err := s.consentOf(ctx, cf)
	return c.Dato, err
}

// getConsent answers GET /api/v1/me/consenso.
func (s *Service) getConsent(w http.ResponseWriter, r *http.Request) error {
	c, _ := CitizenFrom(r.Context())
	resp, err := s.consentOf(r.Context(), c.CodiceFiscale)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// giveConsent answers POST /api/v1/me/consenso with {"versione":"1"}: the
// client states which notice the citizen read, so a consent is never
// recorded for a text they did not see.
func (s *Service) giveConsent(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Versione string `json:"versione"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || body.Versione == "" {
		return errBadRequest
	}
	if body.Versione != s.cfg.PrivacyVersion {
		return errConsentVersion
	}
	c, _ := CitizenFrom(r.Context())
	if err := s.sessions.GiveConsent(r.Context(), c.CodiceFiscale, body.Versione, s.cfg.Now()); err != nil {
		return fmt.Errorf("auth: give consent: %w", err)
	}
	return s.getConsent(w, r)
}

// withdrawConsent answers DELETE /api/v1/me/consenso. Withdrawing twice is
// not an error: the answer is the state after the request.
func (s *Service) withdrawConsent(w http.ResponseWriter, r *http.Request) error {
	c, _ := CitizenFrom(r.Context())
	err := s.sessions.WithdrawConsent(r.Context(), c.CodiceFiscale, s.cfg.Now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: withdraw consent: %w", err)
	}
	return s.getConsent(w, r)
}

// meResponse is GET /api/v1/me.
type meResponse struct {
	CodiceFiscale string          `json:"codice_fiscale"`
	Nome          string          `json:"nome"`
	Cognome       string          `json:"cognome"`
	Consenso      consentResponse `json:"consenso"`
}

// getMe answers GET /api/v1/me: who is logged in and where their consent
// stands, so an island knows whether to show the personal area or the notice.
func (s *Service) getMe(w http.ResponseWriter, r *http.Request) error {
	c, _ := CitizenFrom(r.Context())
	consent, err := s.consentOf(r.Context(), c.CodiceFiscale)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meResponse{CodiceFiscale: c.CodiceFiscale, Nome: c.Nome, Cognome: c.Cognome, Consenso: consent})
	return nil
}
