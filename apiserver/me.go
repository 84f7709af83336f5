package apiserver

import (
	"encoding/json"
	"errors"
	"github.com/comune-torino/portale/internal/store"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/civil"
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

// cachedStatement is a statement with its JSON, for one day.
type cachedStatement struct {
	day  civil.Date
	e    verbali.Estratto
	body []byte
}

// statement computes the logged-in citizen's statement for today. Citizens
// reload it often and it changes only with a commit or with the date, so
// the last one computed is reused while the store version and the day are
// the same: a repeated request costs one cheap pragma instead of the
// queries and the computation.
func (s *Server) statement(r *http.Request) (cachedStatement, error) {
	ctx := r.Context()
	c, _ := auth.CitizenFrom(ctx)
	today := s.today()
	gen, err := s.cfg.DB.Version(ctx)
	if err != nil {
		return cachedStatement{}, err
	}
	if st, ok := s.statements.Get(c.CodiceFiscale, gen); ok && st.day == today {
		return st, nil
	}
	rows, err := s.cfg.DB.VerbaliOf(ctx, c.CodiceFiscale)
	if err != nil {
		return cachedStatement{}, err
	}
	e, err := verbali.Statement(c.CodiceFiscale, rows, today, verbali.StatementOptions{
		Rules: s.cfg.Rules, CreditorFiscalCode: s.cfg.CreditorFiscalCode,
	})
	if err != nil {
		return cachedStatement{}, err
	}
	// A driver already named: the fine says so, with the tracking number.
	for i := range e.Verbali {
		cc := e.Verbali[i].ComunicazioneConducente
		if cc == nil {
			continue
		}
		c, err := s.cfg.DB.DriverIdentificationOf(ctx, e.Verbali[i].Numero)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return cachedStatement{}, err
		}
		cc.Protocollo, cc.Stato = c.Protocollo, c.Stato
	}
	body, err := json.Marshal(e)
	if err != nil {
		return cachedStatement{}, err
	}
	st := cachedStatement{day: today, e: e, body: append(body, '\n')}
	s.statements.Put(c.CodiceFiscale, gen, st)
	return st, nil
}

// getEstrattoConto answers GET /api/v1/me/estratto-conto (A1): every verbale
// of the citizen with what is due today.
func (s *Server) getEstrattoConto(w http.ResponseWriter, r *http.Request) error {
	st, err := s.statement(r)
	if err != nil {
		return err
	}
	writeJSONBytes(w, http.StatusOK, st.body)
	return nil
}

// getVerbale answers GET /api/v1/me/verbali/{numero} (A3). Only the
// citizen's own verbali are found: another's number is "not found", never
// "forbidden", so numbers cannot be probed.
func (s *Server) getVerbale(w http.ResponseWriter, r *http.Request) error {
	st, err := s.statement(r)
	if err != nil {
		return err
	}
	e := st.e
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
