package calcolo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The error codes of the contract. They are stable: clients and tests
// match on them, so never rename one; add new ones instead.
const (
	JSONNonValido       = "JSON_NON_VALIDO"       // not JSON, unknown field, wrong type, trailing data
	ViolazioniMancanti  = "VIOLAZIONI_MANCANTI"   // empty "violazioni"
	TroppeViolazioni    = "TROPPE_VIOLAZIONI"     // more than MaxViolazioni
	ViolazioneNonValida = "VIOLAZIONE_NON_VALIDA" // neither article nor amounts, or both, or half of them
	ArticoloSconosciuto = "ARTICOLO_SCONOSCIUTO"  // article and comma not in the table
	TariffaNonInVigore  = "TARIFFA_NON_IN_VIGORE" // known article, no amounts for that date
	ViolazionePenale    = "VIOLAZIONE_PENALE"     // a crime: no payment in misura ridotta
	ImportoNonValido    = "IMPORTO_NON_VALIDO"    // negative, zero where not allowed, too large, min > max
	PuntiNonValidi      = "PUNTI_NON_VALIDI"      // points out of 0–20
	DataMancante        = "DATA_MANCANTE"         // a required date is missing
	DataNonValida       = "DATA_NON_VALIDA"       // a date is not in the expected format or does not exist
	DateIncoerenti      = "DATE_INCOERENTI"       // dates in an impossible order, or both notifica and contestazione
	RedditoNonValido    = "REDDITO_NON_VALIDO"    // negative or too large income
	FamiliariNonValidi  = "FAMILIARI_NON_VALIDI"  // cohabiting members out of 0–50
	RateNonValide       = "RATE_NON_VALIDE"       // instalments outside 2–max_rate
)

// Error is a problem with the request, to show to the person who sent it.
// Its JSON form is {"errore": {"codice": "...", "messaggio": "..."}}.
// Every Error is the client's fault (HTTP 400, CLI exit status 2); any other
// error returned by this package is a bug on our side.
type Error struct {
	Codice    string
	Messaggio string
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

// MarshalJSON wraps the error in the "errore" envelope of the contract.
func (e *Error) MarshalJSON() ([]byte, error) {
	type body struct {
		Codice    string `json:"codice"`
		Messaggio string `json:"messaggio"`
	}
	return json.Marshal(struct {
		Errore body `json:"errore"`
	}{body{e.Codice, e.Messaggio}})
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Codice: code, Messaggio: fmt.Sprintf(format, args...)}
}

// Decode reads exactly one JSON value from r into v. Unknown fields,
// values of the wrong type, an empty body and anything after the value are
// errors: a typo in a field name must not silently change an amount. The
// error is always an *Error with code JSON_NON_VALIDO; read errors of r
// other than a clean end are returned wrapped as they are, since they are
// not the client's JSON (for instance a body over the size limit).
func Decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return errorf(JSONNonValido, "Dopo la richiesta c'è altro testo: invia un solo oggetto JSON.")
	default:
		return decodeError(err)
	}
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errorf(JSONNonValido, "La richiesta è vuota: invia un oggetto JSON.")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &syntax):
		return errorf(JSONNonValido, "La richiesta non è un JSON valido: controlla virgolette, virgole e parentesi.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errorf(JSONNonValido, "La richiesta deve essere un oggetto JSON.")
		}
		return errorf(JSONNonValido, "Il campo %q ha un valore del tipo sbagliato.", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only as text; a test pins
		// the wording, so a change in a Go release fails loudly.
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return errorf(JSONNonValido, "Il campo %s non esiste: controlla come l'hai scritto.", name)
	case strings.HasPrefix(err.Error(), "json: "):
		return errorf(JSONNonValido, "La richiesta non è un JSON valido.")
	}
	return fmt.Errorf("calcolo: reading the request: %w", err)
}
