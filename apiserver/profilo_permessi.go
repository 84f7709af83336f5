package apiserver

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
)

type permessiResponse struct {
	Permessi []profilo.VocePermesso `json:"permessi"`
}

// permits lists the citizen's permits on today.
func (s *Server) permits(r *http.Request) ([]profilo.VocePermesso, error) {
	ctx, cf := r.Context(), citizenCF(r)
	rows, err := s.cfg.DB.ProfiloOf(ctx, cf, profilo.TipoPermesso)
	if err != nil {
		return nil, err
	}
	renewals, err := s.cfg.DB.PermitRenewalsOf(ctx, cf)
	if err != nil {
		return nil, err
	}
	return profilo.Permits(rows, renewals, s.today())
}

// getPermessi answers GET /api/v1/me/permessi (A16).
func (s *Server) getPermessi(w http.ResponseWriter, r *http.Request) error {
	list, err := s.permits(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, permessiResponse{Permessi: list})
	return nil
}

// postRinnovoPermesso answers POST /api/v1/me/permessi/{id}/rinnovo: the
// renewal request is recorded with an event for the gestionale, which
// issues the renewed permit. Asking twice records it once.
func (s *Server) postRinnovoPermesso(w http.ResponseWriter, r *http.Request) error {
	list, err := s.permits(r)
	if err != nil {
		return err
	}
	// Ids may hold slashes, sent as %2F; one that does not decode is empty
	// and matches no permit.
	id, _ := url.PathUnescape(chi.URLParam(r, "id"))
	today := s.today()
	p, err := profilo.Renewal(list, id, today)
	var refused *profilo.Problem
	if errors.As(err, &refused) && refused.Codice == profilo.PermessoNonTrovato {
		return profiloError(http.StatusNotFound, err)
	}
	if err != nil {
		return profiloError(http.StatusConflict, err)
	}
	req := store.RinnovoPermesso{PermessoID: p.ID, Scadenza: p.Scadenza.String(), CodiceFiscale: citizenCF(r), RichiestoIl: s.cfg.Now()}
	event := map[string]string{
		"permesso": p.ID, "categoria": p.Categoria, "codice_fiscale": req.CodiceFiscale,
		"scadenza": req.Scadenza, "richiesto_il": today.String(),
	}
	if _, err := s.cfg.DB.RequestPermitRenewal(r.Context(), req, event); err != nil {
		return err
	}
	if list, err = s.permits(r); err != nil {
		return err
	}
	p, err = profilo.Renewal(list, id, today)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
