package apiserver

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// scopeRateizzazioniWrite lets the gestionale decide instalment plans.
const scopeRateizzazioniWrite = "rateizzazioni:write"

// backofficeRoles are the staff roles that decide instalment plans.
var backofficeRoles = []staff.Role{staff.Operatore, staff.Responsabile, staff.Riscossione, staff.Amministratore}

var (
	errStaffUnavailable = &Error{Status: http.StatusServiceUnavailable, Codice: "BACKOFFICE_NON_DISPONIBILE",
		Messaggio: "L'accesso del personale non è configurato su questa installazione."}
	errStaffLogin = &Error{Status: http.StatusUnauthorized, Codice: "ACCESSO_PERSONALE_RICHIESTO",
		Messaggio: "Accedi con le credenziali del personale, o usa un token del gestionale, per continuare."}
	errStaffRole = &Error{Status: http.StatusForbidden, Codice: "PERMESSO_NEGATO",
		Messaggio: "Il tuo profilo non permette di decidere le rateizzazioni."}
	errPlanNotFound = &Error{Status: http.StatusNotFound, Codice: "RATEIZZAZIONE_NON_TROVATA",
		Messaggio: "Questa rateizzazione non esiste."}
	errPlanState = &Error{Status: http.StatusBadRequest, Codice: "STATO_NON_VALIDO",
		Messaggio: "stato deve essere proposta, controproposta, approvata, respinta o decaduta."}
)

type authorKey struct{}

// authorOf names who decides: the staff member with their role, or the
// system named in the gestionale's token.
func authorOf(ctx context.Context) rateizzazioni.Actor {
	a, _ := ctx.Value(authorKey{}).(rateizzazioni.Actor)
	return a
}

// requireBackoffice lets through a gestionale token granting scope or a live
// staff session with one of the back-office roles. A state-changing request
// on a session must come from the portal's own origin.
func (s *Server) requireBackoffice(scope string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return s.handle(func(w http.ResponseWriter, r *http.Request) error {
			if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
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
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authorKey{},
					rateizzazioni.Actor{Username: "gestionale:" + claims.Subject, Role: rateizzazioni.RoleGestionale})))
				return nil
			}
			if s.cfg.Staff == nil {
				return errStaffUnavailable
			}
			u, err := s.cfg.Staff.CurrentUser(w, r)
			switch {
			case errors.Is(err, staff.ErrLoginRequired):
				return errStaffLogin
			case err != nil:
				return err
			case !slices.Contains(backofficeRoles, u.Role):
				return errStaffRole
			}
			ctx := context.WithValue(staff.WithUser(r.Context(), u), authorKey{},
				rateizzazioni.Actor{Username: u.Username, Role: string(u.Role)})
			s.cfg.Staff.Protect(next).ServeHTTP(w, r.WithContext(ctx))
			return nil
		})
	}
}

// getBackofficeRateizzazioni answers GET /api/v1/backoffice/rateizzazioni
// ?stato=proposta (the default): the plans in that state, newest first.
func (s *Server) getBackofficeRateizzazioni(w http.ResponseWriter, r *http.Request) error {
	stato := r.URL.Query().Get("stato")
	if stato == "" {
		stato = store.PlanProposed
	}
	if !slices.Contains(store.PlanStates, stato) {
		return errPlanState
	}
	plans, err := s.plans().PlansIn(r.Context(), stato)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.plansJSON(plans, true))
	return nil
}

func planID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errPlanNotFound
	}
	return id, nil
}

// postApprovaRateizzazione answers POST /api/v1/backoffice/rateizzazioni/{id}/approva:
// the plan gets its schedule and a pagoPA notice per instalment.
func (s *Server) postApprovaRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	p, err := s.plans().Approve(r.Context(), id, authorOf(r.Context()), s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusOK, s.planJSON(p, true))
	return nil
}

// postRespingiRateizzazione answers POST /api/v1/backoffice/rateizzazioni/{id}/respingi
// {"motivo": "…"}: the citizen reads the reason in their area.
func (s *Server) postRespingiRateizzazione(w http.ResponseWriter, r *http.Request) error {
	id, err := planID(r)
	if err != nil {
		return err
	}
	var req struct {
		Motivo string `json:"motivo"`
	}
	if err := decodeProfilo(w, r, &req); err != nil {
		return err
	}
	p, err := s.plans().Reject(r.Context(), id, authorOf(r.Context()), req.Motivo, s.cfg.Now())
	if err != nil {
		return planError(err)
	}
	writeJSON(w, http.StatusOK, s.planJSON(p, true))
	return nil
}
