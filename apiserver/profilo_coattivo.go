package apiserver

import (
	"net/http"

	"github.com/comune-torino/portale/internal/profilo"
)

// getPosizioniCoattive answers GET /api/v1/me/posizioni-coattive (A10,
// A19): the verbali handed to the collector, with the link to its
// "Estratto conto on line".
func (s *Server) getPosizioniCoattive(w http.ResponseWriter, r *http.Request) error {
	st, err := s.statement(r)
	if err != nil {
		return err
	}
	e := st.e
	writeJSON(w, http.StatusOK, profilo.CoercivePositions(e))
	return nil
}
