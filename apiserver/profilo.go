package apiserver

import (
	"errors"
	"net/http"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/calcolo"
	"github.com/comune-torino/portale/internal/profilo"
)

// maxProfiloBody bounds a personal-area request: a plate or a PEC address.
const maxProfiloBody = 4 << 10

// citizenCF is the fiscal code of the session's citizen; the personal-area
// routes are behind requireCitizen, so there is one.
func citizenCF(r *http.Request) string {
	c, _ := auth.CitizenFrom(r.Context())
	return c.CodiceFiscale
}

// decodeProfilo reads a small JSON request body: one object, no unknown
// fields; the citizen's mistakes are 400 with a stable code.
func decodeProfilo(w http.ResponseWriter, r *http.Request, v any) error {
	err := calcolo.Decode(http.MaxBytesReader(w, r.Body, maxProfiloBody), v)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return calcoloError(err)
}

// profiloError answers a refused request with its code and message.
func profiloError(status int, err error) error {
	var p *profilo.Problem
	if errors.As(err, &p) {
		return &Error{Status: status, Codice: p.Codice, Messaggio: p.Messaggio}
	}
	return err
}
