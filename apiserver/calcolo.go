package apiserver

import (
	"errors"
	"net/http"

	"github.com/comune-torino/portale/internal/calcolo"
	"github.com/comune-torino/portale/internal/civil"
)

// maxCalcoloBody bounds a calculator request: the largest legal one (20
// violations) is a few kilobytes.
const maxCalcoloBody = 64 << 10

var errBodyTooLarge = &Error{Status: http.StatusRequestEntityTooLarge, Codice: "RICHIESTA_TROPPO_GRANDE",
	Messaggio: "La richiesta è troppo grande."}

// today is the civil day in Europe/Rome; tests replace Config.Now.
func (s *Server) today() civil.Date {
	return civil.FromTime(s.cfg.Now())
}

// decodeCalcolo reads a calculator request, mapping the contract's errors to
// HTTP: the client's mistakes are 400 with the contract's code.
func decodeCalcolo(w http.ResponseWriter, r *http.Request, v any) error {
	err := calcolo.Decode(http.MaxBytesReader(w, r.Body, maxCalcoloBody), v)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return calcoloError(err)
}

func calcoloError(err error) error {
	var ce *calcolo.Error
	if errors.As(err, &ce) {
		return &Error{Status: http.StatusBadRequest, Codice: ce.Codice, Messaggio: ce.Messaggio}
	}
	return err
}

// postCalcoloImporto answers POST /api/v1/calcolo/importo.
func (s *Server) postCalcoloImporto(w http.ResponseWriter, r *http.Request) error {
	var req calcolo.ImportoRequest
	if err := decodeCalcolo(w, r, &req); err != nil {
		return err
	}
	res, err := calcolo.Importo(req, s.today())
	if err != nil {
		return calcoloError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// postCalcoloRateizzazione answers POST /api/v1/calcolo/rateizzazione.
func (s *Server) postCalcoloRateizzazione(w http.ResponseWriter, r *http.Request) error {
	var req calcolo.RateizzazioneRequest
	if err := decodeCalcolo(w, r, &req); err != nil {
		return err
	}
	res, err := calcolo.Rateizzazione(req, s.today())
	if err != nil {
		return calcoloError(err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// getCalcoloViolazioni answers GET /api/v1/calcolo/violazioni: the list the
// calculator's picker searches. It changes only with the tariff table, so
// browsers may keep it for an hour.
func (s *Server) getCalcoloViolazioni(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, map[string]any{
		"data":       s.today(),
		"violazioni": calcolo.Violazioni(s.today()),
	})
	return nil
}
