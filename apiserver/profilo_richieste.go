package apiserver

import (
	"net/http"

	"github.com/comune-torino/portale/internal/profilo"
)

// getRichiestePagamento answers GET /api/v1/me/richieste-pagamento (A18):
// what other city departments ask the citizen to pay.
func (s *Server) getRichiestePagamento(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.cfg.DB.ProfiloOf(r.Context(), citizenCF(r), profilo.TipoRichiestaPagamento)
	if err != nil {
		return err
	}
	list, err := profilo.PaymentRequests(rows, s.cfg.CreditorFiscalCode, s.today())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
