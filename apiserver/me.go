package apiserver

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/verbali"
)

var errLoginUnavailable = &Error{Status: http.StatusServiceUnavailable, Codice: "ACCESSO_NON_DISPONIBILE",
	Messaggio: "L'accesso all'area personale non è configurato su questa installazione."}

var errVerbaleNotFound = &Error{Status: http.StatusNotFound, Codice: "VERBALE_NON_TROVATO",
	Messaggio: "Non troviamo questo verbale tra i tuoi. Controlla il numero."}

// requireCitizen lets through a logged-in citizen who accepted the privacy
// notice; without an identity provider, nobody.
func (s *Server) requireCitizen(next http.Handler) http.Handler {
	if s.cfg.Auth == nil {
		return s.handle(func(http.ResponseWriter, *http.Request) error { return errLoginUnavailable })
	}
	return s.cfg.Auth.RequireCitizen(s.cfg.Auth.RequireConsent(next))
}

// statement computes the logged-in citizen's statement for today.
func (s *Server) statement(r *http.Request) (verbali.Estratto, error) {
	c, _ := auth.CitizenFrom(r.Context())
	rows, err := s.cfg.DB.VerbaliOf(r.Context(), c.CodiceFiscale)
	if err != nil {
		return verbali.Estratto{}, err
	}
	return verbali.Statement(c.CodiceFiscale, rows, s.today(), verbali.StatementOptions{
		Rules: s.cfg.Rules, CreditorFiscalCode: s.cfg.CreditorFiscalCode,
	})
}

// getEstrattoConto answers GET /api/v1/me/estratto-conto (A1): every verbale
// of the citizen with what is due today.
func (s *Server) getEstrattoConto(w http.ResponseWriter, r *http.Request) error {
	e, err := s.statement(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// getVerbale answers GET /api/v1/me/verbali/{numero} (A3). Only the
// citizen's own verbali are found: another's number is "not found", never
// "forbidden", so numbers cannot be probed.
func (s *Server) getVerbale(w http.ResponseWriter, r *http.Request) error {
	e, err := s.statement(r)
	if err != nil {
		return err
	}
	// Numbers may hold slashes ("2026/PM/000101"), sent as %2F: chi routes
	// on the raw path, so the parameter arrives still escaped.
	numero, err := url.PathUnescape(chi.URLParam(r, "numero"))
	if err != nil {
		return errVerbaleNotFound
	}
	for _, v := range e.Verbali {
		if v.Numero == numero {
			writeJSON(w, http.StatusOK, v)
			return nil
		}
	}
	return errVerbaleNotFound
}
