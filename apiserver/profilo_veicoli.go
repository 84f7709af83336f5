package apiserver

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
)

var (
	errRegistryUnavailable = &Error{Status: http.StatusServiceUnavailable, Codice: "REGISTRO_NON_DISPONIBILE",
		Messaggio: "Non riusciamo a verificare la targa nei registri dei veicoli in questo momento. Riprova più tardi."}
	errVeicoloNotFound = &Error{Status: http.StatusNotFound, Codice: "VEICOLO_NON_TROVATO",
		Messaggio: "Questo veicolo non è tra i tuoi. Controlla la targa."}
)

type veicoliResponse struct {
	Veicoli []profilo.VoceVeicolo `json:"veicoli"`
}

// getVeicoli answers GET /api/v1/me/veicoli (A8).
func (s *Server) getVeicoli(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.cfg.DB.VeicoliOf(r.Context(), citizenCF(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, veicoliResponse{Veicoli: profilo.Vehicles(rows)})
	return nil
}

// postVeicolo answers POST /api/v1/me/veicoli {"targa": "…"}: the plate is
// added when the registries say it is the citizen's. 201 for a new vehicle,
// 200 when it was already in the list.
func (s *Server) postVeicolo(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Targa string `json:"targa"`
	}
	if err := decodeProfilo(w, r, &req); err != nil {
		return err
	}
	targa, err := profilo.NormalizePlate(req.Targa)
	if err != nil {
		return profiloError(http.StatusBadRequest, err)
	}
	reg := s.cfg.Registry
	if reg == nil {
		return errRegistryUnavailable
	}
	ctx, cf := r.Context(), citizenCF(r)
	found, err := reg.Vehicle(ctx, targa)
	switch {
	case errors.Is(err, profilo.ErrPlateUnknown):
		return profiloError(http.StatusUnprocessableEntity, profilo.UnknownPlate(targa))
	case err != nil:
		s.cfg.Logger.ErrorContext(ctx, "vehicle registry unavailable", "err", err)
		return errRegistryUnavailable
	}
	if err := profilo.CheckOwner(found, cf); err != nil {
		return profiloError(http.StatusUnprocessableEntity, err)
	}
	v := store.Veicolo{CodiceFiscale: cf, Targa: targa, Descrizione: found.Descrizione, Origine: store.OrigineCittadino,
		AggiuntoIl: s.cfg.Now()}
	added, err := s.cfg.DB.AddVeicolo(ctx, v, vehicleEvent(v))
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !added {
		status = http.StatusOK
		if v, err = s.ownVehicle(r, targa); err != nil {
			return err
		}
	}
	writeJSON(w, status, profilo.Vehicle(v))
	return nil
}

// deleteVeicolo answers DELETE /api/v1/me/veicoli/{targa}: the vehicle
// leaves the citizen's list. Another citizen's plate is "not found".
func (s *Server) deleteVeicolo(w http.ResponseWriter, r *http.Request) error {
	raw, err := url.PathUnescape(chi.URLParam(r, "targa"))
	if err != nil {
		return errVeicoloNotFound
	}
	targa, err := profilo.NormalizePlate(raw)
	if err != nil {
		return profiloError(http.StatusBadRequest, err)
	}
	v := store.Veicolo{CodiceFiscale: citizenCF(r), Targa: targa}
	if err := s.cfg.DB.RemoveVeicolo(r.Context(), v.CodiceFiscale, targa, vehicleEvent(v)); errors.Is(err, store.ErrNotFound) {
		return errVeicoloNotFound
	} else if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ownVehicle finds targa in the citizen's list.
func (s *Server) ownVehicle(r *http.Request, targa string) (store.Veicolo, error) {
	rows, err := s.cfg.DB.VeicoliOf(r.Context(), citizenCF(r))
	if err != nil {
		return store.Veicolo{}, err
	}
	for _, v := range rows {
		if v.Targa == targa {
			return v, nil
		}
	}
	return store.Veicolo{}, errVeicoloNotFound
}

// vehicleEvent tells the gestionale which citizen listed or dropped which
// vehicle.
func vehicleEvent(v store.Veicolo) map[string]string {
	return map[string]string{"codice_fiscale": v.CodiceFiscale, "targa": v.Targa}
}
