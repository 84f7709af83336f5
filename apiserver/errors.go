package apiserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// Error is an answer a person can act on: a stable code for programs and a
// plain Italian message for people. Handlers return it; handle writes it.
type Error struct {
	Status    int    `json:"-"`
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

var (
	errNotFound = &Error{Status: http.StatusNotFound, Codice: "NON_TROVATO",
		Messaggio: "L'indirizzo richiesto non esiste."}
	errMethodNotAllowed = &Error{Status: http.StatusMethodNotAllowed, Codice: "METODO_NON_CONSENTITO",
		Messaggio: "Questa operazione non è disponibile per questo indirizzo."}
	errInternal = &Error{Status: http.StatusInternalServerError, Codice: "ERRORE_INTERNO",
		Messaggio: "Si è verificato un errore imprevisto. Riprova tra qualche minuto; se il problema continua, contatta l'assistenza."}
)

// handlerFunc is the shape of every API handler: it writes a success or
// returns an error, and never writes its own 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			// The detail goes to the log (without personal data); the person
			// gets a plain message and a code to quote to support.
			s.cfg.Logger.ErrorContext(r.Context(), "request failed", "route", routeOf(r), "err", err)
			apiErr = errInternal
		}
		writeJSON(w, apiErr.Status, map[string]*Error{"errore": apiErr})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"errore":{"codice":"ERRORE_INTERNO","messaggio":"Risposta non disponibile."}}`, http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, append(body, '\n'))
}

// writeJSONBytes sends an encoded JSON body with its length, so the answer
// goes out in one piece rather than chunked.
func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
