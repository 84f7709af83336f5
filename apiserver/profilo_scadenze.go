package apiserver

import (
	"net/http"

	"github.com/comune-torino/portale/internal/profilo"
)

// getScadenze answers GET /api/v1/me/scadenze (A17): the expiry of the
// licence, the identity documents and the permits, each with its reminders
// 60, 30 and 7 days before and whether they are due.
func (s *Server) getScadenze(w http.ResponseWriter, r *http.Request) error {
	ctx, cf := r.Context(), citizenCF(r)
	licence, err := s.cfg.DB.ProfiloOf(ctx, cf, profilo.TipoPatente)
	if err != nil {
		return err
	}
	documents, err := s.cfg.DB.ProfiloOf(ctx, cf, profilo.TipoDocumento)
	if err != nil {
		return err
	}
	permits, err := s.permits(r)
	if err != nil {
		return err
	}
	list, err := profilo.Expiries(licence, documents, permits, s.today())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
