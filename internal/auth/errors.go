package auth

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Error is an answer a citizen can act on: the HTTP status, a stable code for
// programs and a plain Italian message. API routes write it as
// {"errore":{"codice","messaggio"}}, like every other API error of the
// portal; pages show the message.
type Error struct {
	Status    int    `json:"-"`
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
	// English is the message for the English half of a page.
	English string `json:"-"`
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

var (
	errLoginRequired = &Error{Status: http.StatusUnauthorized, Codice: "ACCESSO_RICHIESTO",
		Messaggio: "Per vedere questa pagina accedi con SPID, CIE o le credenziali del Comune.",
		English:   "Log in with SPID, CIE or your city account to see this page."}
	errSessionExpired = &Error{Status: http.StatusUnauthorized, Codice: "ACCESSO_RICHIESTO",
		Messaggio: "La sessione è scaduta per motivi di sicurezza: accedi di nuovo.",
		English:   "Your session expired for security reasons: please log in again."}
	errConsentRequired = &Error{Status: http.StatusForbidden, Codice: "CONSENSO_RICHIESTO",
		Messaggio: "Prima di usare l'area personale leggi l'informativa sulla privacy e dai il tuo consenso.",
		English:   "Before using your personal area, read the privacy notice and give your consent."}
	errConsentVersion = &Error{Status: http.StatusConflict, Codice: "INFORMATIVA_CAMBIATA",
		Messaggio: "L'informativa sulla privacy è stata aggiornata: rileggila e dai di nuovo il consenso.",
		English:   "The privacy notice has changed: read it again and give your consent."}
	errBadRequest = &Error{Status: http.StatusBadRequest, Codice: "RICHIESTA_NON_VALIDA",
		Messaggio: "La richiesta non è valida: indica la versione dell'informativa che hai letto, come {\"versione\":\"1\"}.",
		English:   "The request is not valid."}
	errCrossOrigin = &Error{Status: http.StatusForbidden, Codice: "ORIGINE_NON_CONSENTITA",
		Messaggio: "Questa richiesta arriva da un altro sito e non è stata eseguita. Se l'hai fatta tu, riprova dalle pagine del portale.",
		English:   "This request came from another site and was not carried out."}
	errLoginExpired = &Error{Status: http.StatusBadRequest, Codice: "ACCESSO_NON_VALIDO",
		Messaggio: "Il tentativo di accesso è scaduto o non è partito da questo browser. Riprova.",
		English:   "The login attempt expired or did not start in this browser. Please try again."}
	errLoginCancelled = &Error{Status: http.StatusUnauthorized, Codice: "ACCESSO_ANNULLATO",
		Messaggio: "L'accesso è stato annullato. Puoi riprovare quando vuoi.",
		English:   "The login was cancelled. You can try again whenever you like."}
	errProvider = &Error{Status: http.StatusBadGateway, Codice: "IDENTITA_NON_DISPONIBILE",
		Messaggio: "Il servizio di identità digitale non ha risposto come previsto. Riprova tra qualche minuto.",
		English:   "The digital identity service did not answer as expected. Please try again in a few minutes."}
	errNoFiscalCode = &Error{Status: http.StatusForbidden, Codice: "CODICE_FISCALE_ASSENTE",
		Messaggio: "La tua identità digitale non ha fornito un codice fiscale italiano valido, che serve per l'area personale.",
		English:   "Your digital identity did not provide a valid Italian tax code, which the personal area needs."}
	errInternal = &Error{Status: http.StatusInternalServerError, Codice: "ERRORE_INTERNO",
		Messaggio: "Si è verificato un errore imprevisto. Riprova tra qualche minuto; se il problema continua, contatta l'assistenza.",
		English:   "Something went wrong. Please try again in a few minutes."}
)

// handlerFunc is the shape of every handler here: it writes a success or
// returns an error, and never writes its own 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// api adapts a JSON handler: errors become {"errore":{...}}.
func (s *Service) api(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			writeJSONError(w, s.publicError(r, err))
		}
	}
}

// page adapts an HTML handler: errors become a page with the message.
func (s *Service) page(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := h(w, r); err != nil {
			e := s.publicError(r, err)
			s.render(w, r, e.Status, "errore", errorPage{Error: e})
		}
	}
}

// publicError logs what the citizen must not see and returns what they may.
func (s *Service) publicError(r *http.Request, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	s.logger.ErrorContext(r.Context(), "auth request failed", "path", r.URL.Path, "err", err)
	return errInternal
}

func writeJSONError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, map[string]*Error{"errore": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"errore":{"codice":"ERRORE_INTERNO","messaggio":"Risposta non disponibile."}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
