package apiserver

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/verbali"
)

// Scopes a gestionale token may carry.
const (
	scopeVerbaliWrite = "verbali:write"
	scopeEventsRead   = "events:read"
)

var (
	errTokenRequired = &Error{Status: http.StatusUnauthorized, Codice: "TOKEN_NON_VALIDO",
		Messaggio: "Serve un token di accesso valido (Authorization: Bearer …)."}
	errAPINotConfigured = &Error{Status: http.StatusServiceUnavailable, Codice: "API_NON_CONFIGURATA",
		Messaggio: "L'API per il gestionale non è configurata su questa installazione (gestionale.jwt_keys)."}
	errScope = &Error{Status: http.StatusForbidden, Codice: "PERMESSO_NEGATO",
		Messaggio: "Il token non permette questa operazione."}
)

// requireToken lets through machine-to-machine requests whose JWT grants scope.
func (s *Server) requireToken(scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.handle(func(w http.ResponseWriter, r *http.Request) error {
			claims, err := s.cfg.Tokens.Verify(r)
			switch {
			case errors.Is(err, apitoken.ErrNoKeys):
				return errAPINotConfigured
			case err != nil:
				w.Header().Set("WWW-Authenticate", `Bearer realm="portale"`)
				return errTokenRequired
			case !claims.Has(scope):
				return errScope
			}
			next.ServeHTTP(w, r)
			return nil
		})
	}
}

// maxIngestBody bounds one bulk request; larger loads go in several requests
// or through `portale import`.
const maxIngestBody = 64 << 20

// postIngestVerbali answers POST /api/v1/ingest/verbali: JSON Lines of
// verbali, the same rules as `portale import verbali`.
func (s *Server) postIngestVerbali(w http.ResponseWriter, r *http.Request) error {
	sum, err := verbali.Import(r.Context(), http.MaxBytesReader(w, r.Body, maxIngestBody), s.cfg.DB, verbali.ImportOptions{
		Rules: s.cfg.Rules, NAV: s.cfg.NAV,
	})
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Codice: "RICHIESTA_TROPPO_GRANDE",
			Messaggio: "Il corpo supera 64 MiB: dividilo in più richieste (i lotti già letti sono salvati)."}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

type eventsResponse struct {
	Eventi  any   `json:"eventi"`
	Cursore int64 `json:"cursore"` // pass as ?after= to read on
}

// getEvents answers GET /api/v1/events?after=CURSOR&limit=N, oldest first.
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) error {
	after, limit := int64(0), 100
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return &Error{Status: http.StatusBadRequest, Codice: "CURSORE_NON_VALIDO", Messaggio: "after deve essere l'id dell'ultimo evento letto (un numero da 0 in su)."}
		}
		after = n
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return &Error{Status: http.StatusBadRequest, Codice: "LIMITE_NON_VALIDO", Messaggio: "limit deve essere tra 1 e 1000."}
		}
		limit = n
	}
	events, err := s.cfg.DB.EventsAfter(r.Context(), after, limit)
	if err != nil {
		return err
	}
	cursor := after
	if len(events) > 0 {
		cursor = events[len(events)-1].ID
	}
	writeJSON(w, http.StatusOK, eventsResponse{Eventi: events, Cursore: cursor})
	return nil
}
