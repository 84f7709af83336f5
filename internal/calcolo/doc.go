// Package calcolo is the JSON contract of the public calculator "Quanto
// devo pagare?" (tracker issue 3), shared by the CLI and the HTTP API so
// both answer the same bytes to the same request.
//
// # Wiring
//
// CLI, "portale calcola importo" and "portale calcola rateizzazione": read
// stdin with Decode into an ImportoRequest or RateizzazioneRequest, call
// Importo or Rateizzazione with today's date in Europe/Rome
// (civil.FromTime(time.Now())), and write the response as JSON on stdout.
// When the error is an *Error, write it as JSON (its MarshalJSON gives
// {"errore": {"codice": "...", "messaggio": "..."}}) and exit with status 2;
// any other error is ours (exit 1, log it).
//
// HTTP, POST /api/v1/calcolo/importo and POST /api/v1/calcolo/rateizzazione:
// the same, with the body limited by http.MaxBytesReader (Decode returns the
// reader's error wrapped when the limit is hit: answer 413), an *Error as
// 400 with its JSON, any other error as 500. GET of the list of violations
// for the searchable picker: Violazioni(today).
//
//	var req calcolo.ImportoRequest
//	if err := calcolo.Decode(r.Body, &req); err != nil { … }
//	res, err := calcolo.Importo(req, civil.FromTime(time.Now()))
//
// # Functions
//
//	func Decode(r io.Reader, v any) error
//	func Importo(req ImportoRequest, today civil.Date) (ImportoResponse, error)
//	func Rateizzazione(req RateizzazioneRequest, today civil.Date) (RateizzazioneResponse, error)
//	func Violazioni(day civil.Date) []VoceTariffa
//
// They use cds.DefaultConfig (Turin); a Calcolatore with another cds.Config
// has the same methods. today is only read when the request has no
// data_pagamento (importo) or data_prima_rata (rateizzazione); the package
// never reads the clock.
//
// # Error codes
//
// JSON_NON_VALIDO, VIOLAZIONI_MANCANTI, TROPPE_VIOLAZIONI,
// VIOLAZIONE_NON_VALIDA, ARTICOLO_SCONOSCIUTO, TARIFFA_NON_IN_VIGORE,
// VIOLAZIONE_PENALE, IMPORTO_NON_VALIDO, PUNTI_NON_VALIDI, DATA_MANCANTE,
// DATA_NON_VALIDA, DATE_INCOERENTI, REDDITO_NON_VALIDO, FAMILIARI_NON_VALIDI,
// RATE_NON_VALIDE. Messages are short plain Italian in the second person.
//
// # Contract notes
//
// A violation is either {"articolo", "comma"} (looked up on the day of the
// violation) or explicit {"minimo_cent", "massimo_cent", "punti",
// "sospensione_patente", "maggiorazione_notturna"}; mixing the two is an
// error. For explicit violations "maggiorazione_notturna": true means the
// article is one of art. 195 c.2-bis: the surcharge applies only when
// data_ora_violazione is between 22:00 and 07:00, Rome time. Either
// "data_notifica" or "data_contestazione" is required, not both. Amounts
// are integer cents; dates are YYYY-MM-DD; data_ora_violazione is RFC 3339
// with its offset. Responses carry the amounts in cents and, in
// "spiegazione", the steps in plain Italian with amounts formatted
// "1.234,56 €".
package calcolo
