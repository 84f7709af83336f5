package apiserver

import (
	"errors"
	"net/http"

	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
)

// getPreferenze answers GET /api/v1/me/preferenze (A9): how notifications
// reach the citizen; ordinary post until they choose.
func (s *Server) getPreferenze(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.DB.NotificationPreference(r.Context(), citizenCF(r))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusOK, profilo.DefaultPreference())
	case err != nil:
		return err
	default:
		writeJSON(w, http.StatusOK, profilo.Preference(p))
	}
	return nil
}

// putPreferenze answers PUT /api/v1/me/preferenze {"canale": "pec"|"posta",
// "pec": "…"}, with an event for the gestionale, which sends the
// notifications.
func (s *Server) putPreferenze(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Canale string `json:"canale"`
		PEC    string `json:"pec"`
	}
	if err := decodeProfilo(w, r, &req); err != nil {
		return err
	}
	choice, err := profilo.CheckPreference(req.Canale, req.PEC)
	if err != nil {
		return profiloError(http.StatusBadRequest, err)
	}
	p := store.PreferenzaNotifica{CodiceFiscale: citizenCF(r), Canale: choice.Canale, PEC: choice.PEC, AggiornatoIl: s.cfg.Now()}
	event := map[string]string{"codice_fiscale": p.CodiceFiscale, "canale": p.Canale, "pec": p.PEC}
	if err := s.cfg.DB.SetNotificationPreference(r.Context(), p, event); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, profilo.Preference(p))
	return nil
}
