package apiserver

import (
	"github.com/comune-torino/portale/internal/comunicazioni"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// scopeComunicazioniWrite lets the gestionale answer communications.
const scopeComunicazioniWrite = "comunicazioni:write"

// comunicazioniRoles are the staff roles that answer communications, as on
// the /backoffice pages: the collector's staff (riscossione) do not.
var comunicazioniRoles = []staff.Role{staff.Operatore, staff.Responsabile, staff.Amministratore}

var (
	errComunicazioniRole = &Error{Status: http.StatusForbidden, Codice: "PERMESSO_NEGATO",
		Messaggio: "Il tuo profilo non permette di rispondere alle comunicazioni."}
	errComunicazioneFilter = &Error{Status: http.StatusBadRequest, Codice: "FILTRO_NON_VALIDO",
		Messaggio: "stato deve essere in_attesa_conferma, confermata, ricevuta, in_lavorazione, accolta o respinta; tipo dati_conducente, contestazione o richiesta_documento."}
)

// onlyComunicazioniRoles refuses staff sessions of the other back-office
// roles; gestionale tokens were checked by requireBackoffice.
func (s *Server) onlyComunicazioniRoles(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if u, ok := staff.UserFrom(r.Context()); ok && !slices.Contains(comunicazioniRoles, u.Role) {
			return errComunicazioniRole
		}
		next.ServeHTTP(w, r)
		return nil
	})
}

var (
	comunicazioneStates = []string{"", store.ComInAttesaConferma, store.ComConfermata, store.ComRicevuta,
		store.ComInLavorazione, store.ComAccolta, store.ComRespinta}
	comunicazioneKinds = []string{"", store.ComDatiConducente, store.ComContestazione, store.ComRichiestaDocumento}
)

// getBackofficeComunicazioni answers GET /api/v1/backoffice/comunicazioni
// ?stato=…&tipo=…: the communications to answer, newest first.
func (s *Server) getBackofficeComunicazioni(w http.ResponseWriter, r *http.Request) error {
	stato, tipo := r.URL.Query().Get("stato"), r.URL.Query().Get("tipo")
	if !slices.Contains(comunicazioneStates, stato) || !slices.Contains(comunicazioneKinds, tipo) {
		return errComunicazioneFilter
	}
	list, err := s.comunicazioni().In(r.Context(), stato, tipo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, comunicazioniOut(list, func(store.Comunicazione) string { return "" }))
	return nil
}

// getBackofficeComunicazione answers GET /api/v1/backoffice/comunicazioni/{id}.
func (s *Server) getBackofficeComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	c, err := s.comunicazioni().ByID(r.Context(), id)
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ""))
	return nil
}

// getBackofficeFileComunicazione answers GET /api/v1/backoffice/comunicazioni/{id}/file/{file}:
// an attachment, the licence image or the delivered document.
func (s *Server) getBackofficeFileComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	fileID, err := strconv.ParseInt(chi.URLParam(r, "file"), 10, 64)
	if err != nil {
		return errNotFound
	}
	f, err := s.comunicazioni().File(r.Context(), id, fileID)
	if err != nil {
		return comError(err)
	}
	serveFile(w, f)
	return nil
}

// postPrendiInCaricoComunicazione answers POST …/comunicazioni/{id}/prendi-in-carico:
// a contestation or document request goes to in_lavorazione.
func (s *Server) postPrendiInCaricoComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	c, err := s.auditedComunicazioni(r).TakeCharge(r.Context(), id, decider(r), s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ""))
	return nil
}

// postAccogliComunicazione answers POST …/comunicazioni/{id}/accogli
// {"risposta": "…"} (optional body): a validated driver identification
// moves the points to the driver's licence.
func (s *Server) postAccogliComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	var req struct {
		Risposta string `json:"risposta"`
	}
	if r.ContentLength != 0 {
		if err := decodeContestazione(w, r, &req); err != nil {
			return err
		}
	}
	c, err := s.auditedComunicazioni(r).Accept(r.Context(), id, decider(r), req.Risposta, s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ""))
	return nil
}

// postRespingiComunicazione answers POST …/comunicazioni/{id}/respingi
// {"motivo": "…"}: the sender reads the reason.
func (s *Server) postRespingiComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	var req struct {
		Motivo string `json:"motivo"`
	}
	if err := decodeContestazione(w, r, &req); err != nil {
		return err
	}
	c, err := s.auditedComunicazioni(r).Reject(r.Context(), id, decider(r), req.Motivo, s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ""))
	return nil
}

// postDocumentoComunicazione answers POST …/comunicazioni/{id}/documento:
// multipart with the file in "documento" and an optional "risposta"; the
// request is accepted and the citizen downloads the document.
func (s *Server) postDocumentoComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	doc, err := f.one("documento")
	if err != nil {
		return err
	}
	c, err := s.auditedComunicazioni(r).Deliver(r.Context(), id, decider(r), doc, f.fields["risposta"], s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ""))
	return nil
}

// decider names who answers: the staff member's username, or the system
// named in the gestionale's token.
func decider(r *http.Request) string { return authorOf(r.Context()).Username }

// auditedComunicazioni is the communications service acting for the
// request's author (an officer, or the gestionale): every decision also
// writes its row in the back-office audit log, as from the /backoffice pages.
func (s *Server) auditedComunicazioni(r *http.Request) *comunicazioni.Service {
	a := authorOf(r.Context())
	return s.comunicazioni().As(comunicazioni.Actor{Username: a.Username, Role: string(a.Role)})
}
