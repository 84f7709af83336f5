package apiserver

import (
	"net/http"

	"github.com/comune-torino/portale/internal/profilo"
)

// getPatente answers GET /api/v1/me/patente (A6): the licence and the points
// balance on today, each movement with the verbale behind it.
func (s *Server) getPatente(w http.ResponseWriter, r *http.Request) error {
	ctx, cf := r.Context(), citizenCF(r)
	licence, err := s.cfg.DB.ProfiloOf(ctx, cf, profilo.TipoPatente)
	if err != nil {
		return err
	}
	movements, err := s.cfg.DB.ProfiloOf(ctx, cf, profilo.TipoPunti)
	if err != nil {
		return err
	}
	st, err := s.statement(r)
	if err != nil {
		return err
	}
	e := st.e
	scheda, err := profilo.Licence(licence, movements, e.Verbali, s.cfg.Rules, e.Data)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, scheda)
	return nil
}
