package apiserver

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/staff"
)

// scopeAziendaConducenti lets a company's systems list their fleet's fines
// and name drivers.
const scopeAziendaConducenti = "azienda:conducenti"

// maxCSVBody bounds a company's driver file.
const maxCSVBody = 1 << 20

var (
	errAziendaLogin = &Error{Status: http.StatusUnauthorized, Codice: "ACCESSO_AZIENDA_RICHIESTO",
		Messaggio: "Accedi con l'account della tua azienda, o usa il token della tua azienda, per continuare."}
	errAziendaRole = &Error{Status: http.StatusForbidden, Codice: "PERMESSO_NEGATO",
		Messaggio: "Questa area è per le aziende di noleggio, leasing e car sharing: il tuo account non è di un'azienda."}
	errAziendaSenzaPIVA = &Error{Status: http.StatusForbidden, Codice: "PARTITA_IVA_MANCANTE",
		Messaggio: "Il tuo account aziendale non è collegato a una partita IVA: chiedi all'amministratore di collegarlo."}
	errCSVRequired = &Error{Status: http.StatusUnsupportedMediaType, Codice: "FORMATO_NON_SUPPORTATO",
		Messaggio: "Invia il file come text/csv."}
	errCSVTooLarge = &Error{Status: http.StatusRequestEntityTooLarge, Codice: "RICHIESTA_TROPPO_GRANDE",
		Messaggio: "Il file supera 1 MB: dividilo in più file."}
)

type companyKey struct{}

// companyOf is the partita IVA of the request's company.
func companyOf(r *http.Request) string {
	p, _ := r.Context().Value(companyKey{}).(string)
	return p
}

// requireAzienda lets through a company: a bearer token signed with one of
// the company's own keys (Config.CompanyKeys) whose subject is its partita
// IVA, or a staff session of role azienda tied to a partita IVA. A
// state-changing request on a session must come from the portal's origin.
func (s *Server) requireAzienda(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			if len(s.cfg.CompanyKeys) == 0 {
				return errAPINotConfigured
			}
			for piva, keys := range s.cfg.CompanyKeys {
				claims, err := apitoken.NewVerifier(keys).Verify(r)
				if err != nil || claims.Subject != piva {
					continue
				}
				if !claims.Has(scopeAziendaConducenti) {
					return errScope
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), companyKey{}, piva)))
				return nil
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="portale"`)
			return errTokenRequired
		}
		if s.cfg.Staff == nil {
			return errStaffUnavailable
		}
		u, err := s.cfg.Staff.CurrentUser(w, r)
		switch {
		case errors.Is(err, staff.ErrLoginRequired):
			return errAziendaLogin
		case err != nil:
			return err
		case u.Role != staff.Azienda:
			return errAziendaRole
		}
		piva, err := s.cfg.DB.StaffPartitaIVA(r.Context(), u.Username)
		if err != nil {
			return err
		}
		if piva == "" {
			return errAziendaSenzaPIVA
		}
		ctx := context.WithValue(staff.WithUser(r.Context(), u), companyKey{}, piva)
		s.cfg.Staff.Protect(next).ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// getAziendaVerbali answers GET /api/v1/azienda/verbali (A20): the fines on
// the company's vehicles, each with the driver named, if any.
func (s *Server) getAziendaVerbali(w http.ResponseWriter, r *http.Request) error {
	piva := companyOf(r)
	list, err := s.comunicazioni().Fleet(r.Context(), piva, s.today())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"partita_iva": piva, "verbali": list})
	return nil
}

// postAziendaConducenti answers POST /api/v1/azienda/conducenti: a CSV file
// naming many drivers at once; each line applies or is reported on its own.
func (s *Server) postAziendaConducenti(w http.ResponseWriter, r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		return errCSVRequired
	}
	res, err := s.comunicazioni().ImportDrivers(r.Context(), companyOf(r), http.MaxBytesReader(w, r.Body, maxCSVBody), s.cfg.Now())
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errCSVTooLarge
	}
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
