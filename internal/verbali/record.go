// Package verbali holds the portal's view of a verbale as the back-office
// system (gestionale) sends it: the record, its validation, reading a batch of
// records from JSON Lines or CSV, and the citizen's statement computed from
// the records and the rules of internal/cds on a given day.
//
// The gestionale is the source of truth. The portal stores each record as it
// came (keyed by numero, newest versione wins) and never stores "what is
// due": that depends on the day and is computed when asked.
package verbali

import (
	"github.com/comune-torino/portale/internal/money"
)

// Stato is the procedural state the gestionale reports.
type Stato string

const (
	StatoPreavviso  Stato = "preavviso"  // pre-notice on the windscreen or digital, not yet notified
	StatoContestato Stato = "contestato" // contested to the driver on the spot
	StatoNotificato Stato = "notificato" // formally notified by post, PEC or SEND
	StatoPagato     Stato = "pagato"     // paid in full
	StatoRicorso    Stato = "ricorso"    // under appeal: payment suspended
	StatoRateizzato Stato = "rateizzato" // in an instalment plan
	StatoCoattivo   Stato = "coattivo"   // handed to the collector (ruolo / ingiunzione)
	StatoArchiviato Stato = "archiviato" // cancelled: nothing due
)

var stati = map[Stato]bool{
	StatoPreavviso: true, StatoContestato: true, StatoNotificato: true, StatoPagato: true,
	StatoRicorso: true, StatoRateizzato: true, StatoCoattivo: true, StatoArchiviato: true,
}

// Persona is a person named on a verbale.
type Persona struct {
	CodiceFiscale string `json:"codice_fiscale"`
	Nome          string `json:"nome,omitempty"`
	Cognome       string `json:"cognome,omitempty"`
	// Email is where receipts go, when the gestionale knows one.
	Email string `json:"email,omitempty"`
	// PartitaIVA names a company as the owner jointly liable (rental,
	// leasing, car sharing: A20); codice_fiscale may then be empty, and
	// becomes the partita IVA: the company's verbali are stored under it.
	PartitaIVA string `json:"partita_iva,omitempty"`
}

// Violazione is one violation of the record. The gestionale's own amounts,
// when present, win over the tariff table; an article the table lacks is
// accepted only with them.
type Violazione struct {
	Articolo             string       `json:"articolo"`
	Comma                string       `json:"comma"`
	Descrizione          string       `json:"descrizione,omitempty"`
	MinimoCent           *money.Cents `json:"minimo_cent,omitempty"`
	MassimoCent          *money.Cents `json:"massimo_cent,omitempty"`
	Punti                *int         `json:"punti,omitempty"`
	TariffaNonPagataCent money.Cents  `json:"tariffa_non_pagata_cent,omitempty"`
}

// SanzioneAccessoria is a measure beside the fine (A2): fermo, sequestro,
// rimozione, sospensione della patente, …
type SanzioneAccessoria struct {
	Tipo        string `json:"tipo"` // fermo, sequestro, rimozione, sospensione_patente, confisca, …
	Descrizione string `json:"descrizione"`
	// Where and how to get the vehicle back (rimozione, fermo).
	Deposito string `json:"deposito,omitempty"`
	Orari    string `json:"orari,omitempty"`
	Dal      string `json:"dal,omitempty"` // YYYY-MM-DD
	Al       string `json:"al,omitempty"`  // YYYY-MM-DD
}

// Pagamento is a payment the gestionale already knows of.
type Pagamento struct {
	Data        string      `json:"data"` // YYYY-MM-DD
	ImportoCent money.Cents `json:"importo_cent"`
}

// Coattivo is the coercive-phase position at the collector (A10, A19).
type Coattivo struct {
	Ente        string      `json:"ente"`                   // e.g. "Soris"
	Riferimento string      `json:"riferimento,omitempty"`  // cartella or ingiunzione number
	ImportoCent money.Cents `json:"importo_cent,omitempty"` // the collector's figure, when known
	Link        string      `json:"link,omitempty"`         // the collector's "Estratto conto on line"
}

// Record is one verbale as the gestionale sends it.
type Record struct {
	Numero             string               `json:"numero"`
	Versione           int64                `json:"versione"`
	Stato              Stato                `json:"stato"`
	DataOra            string               `json:"data_ora"` // RFC 3339
	Luogo              string               `json:"luogo"`
	Targa              string               `json:"targa"`
	Violazioni         []Violazione         `json:"violazioni"`
	Trasgressore       *Persona             `json:"trasgressore,omitempty"`
	Obbligato          *Persona             `json:"obbligato,omitempty"`
	DataContestazione  string               `json:"data_contestazione,omitempty"`
	DataNotifica       string               `json:"data_notifica,omitempty"`
	SpeseCent          money.Cents          `json:"spese_cent"`
	Immagini           []string             `json:"immagini,omitempty"`
	SanzioniAccessorie []SanzioneAccessoria `json:"sanzioni_accessorie,omitempty"`
	Pagamento          *Pagamento           `json:"pagamento,omitempty"`
	// ResiduoCent is what is left to pay in an instalment plan, as the
	// gestionale computed it (stato rateizzato).
	ResiduoCent *money.Cents `json:"residuo_cent,omitempty"`
	Coattivo    *Coattivo    `json:"coattivo,omitempty"`
	// Neopatentato: the offender had their licence for less than 3 years
	// (points doubled, art. 126-bis).
	Neopatentato bool `json:"neopatentato,omitempty"`
	// paidPreavviso: a pre-notice the portal saw paid before the gestionale
	// sent its update; its terms still run from the day of the violation.
	paidPreavviso bool
}

// People returns the fiscal codes the record concerns: the offender and the
// owner jointly liable, without repeats.
func (r *Record) People() []string {
	var out []string
	for _, p := range []*Persona{r.Trasgressore, r.Obbligato} {
		if p != nil && p.CodiceFiscale != "" && (len(out) == 0 || out[0] != p.CodiceFiscale) {
			out = append(out, p.CodiceFiscale)
		}
	}
	return out
}
