// Package profilo is the rest of the citizen's personal area beside the
// fines: driving licence and points (A6), vehicles (A8), notification
// preference (A9), coercive-phase positions (A10, A19), permits (A16),
// document expiries with their reminders (A17) and payment requests from
// other departments (A18).
//
// The gestionale is the source of truth for the licence, the points
// movements, the permits, the documents and the payment requests: the portal
// imports them (Import, from JSON Lines with a "tipo" per line) and computes
// what depends on the day — the points balance, what is about to expire,
// which reminders are due — when asked, never storing it.
package profilo

import (
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// The kinds of record a profile file holds, the "tipo" of each line.
const (
	TipoPatente            = "patente"
	TipoPunti              = "punti"
	TipoVeicolo            = "veicolo"
	TipoPermesso           = "permesso"
	TipoDocumento          = "documento"
	TipoRichiestaPagamento = "richiesta_pagamento"
)

// Record is one line of a profile file: a *Patente, *MovimentoPunti,
// *Veicolo, *Permesso, *Documento or *RichiestaPagamento.
type Record interface {
	head() *Testata
	// key is the record's natural key within its kind: importing a record
	// with the same key again updates it.
	key() string
	// check normalises the record in place and reports the first reason it
	// cannot be imported, as a *Problem.
	check() error
}

// Testata is what every line carries: what it is and whose it is.
type Testata struct {
	Tipo          string `json:"tipo"`
	CodiceFiscale string `json:"codice_fiscale"`
}

func (t *Testata) head() *Testata { return t }

// Patente is the citizen's driving licence; one per person.
type Patente struct {
	Testata
	Numero       string `json:"numero"`
	Categoria    string `json:"categoria"`     // e.g. "B", "A2, B"
	RilasciataIl string `json:"rilasciata_il"` // YYYY-MM-DD
	Scadenza     string `json:"scadenza"`      // YYYY-MM-DD
}

func (p *Patente) key() string { return p.CodiceFiscale }

// The kinds of points movement.
const (
	Decurtazione = "decurtazione" // points taken off for a verbale
	Corso        = "corso"        // recovery course (+6 for A/B, +9 professional)
)

// MovimentoPunti is a change to the licence's points. A decurtazione names
// the verbale behind it; its points, when the gestionale does not send them,
// are those of the verbale's violations in the tariff table
// (cds.PointsDeduction).
type MovimentoPunti struct {
	Testata
	ID          string `json:"id"`
	Data        string `json:"data"` // YYYY-MM-DD, when the points changed
	Movimento   string `json:"movimento"`
	Punti       int    `json:"punti,omitempty"` // positive; the sign comes from Movimento
	Verbale     string `json:"verbale,omitempty"`
	Descrizione string `json:"descrizione,omitempty"`
}

func (m *MovimentoPunti) key() string { return m.ID }

// Veicolo is a vehicle the gestionale knows to be the citizen's.
type Veicolo struct {
	Testata
	Targa       string `json:"targa"`
	Descrizione string `json:"descrizione,omitempty"` // make and model
}

func (v *Veicolo) key() string { return v.CodiceFiscale + "/" + v.Targa }

// Permesso is a transit or parking permit (ZTL, residents' parking, …).
type Permesso struct {
	Testata
	ID          string   `json:"id"`
	Categoria   string   `json:"categoria"` // e.g. ZTL, sosta residenti, disabili
	Descrizione string   `json:"descrizione"`
	Targhe      []string `json:"targhe,omitempty"`
	ValidoDal   string   `json:"valido_dal"` // YYYY-MM-DD
	Scadenza    string   `json:"scadenza"`   // YYYY-MM-DD
}

func (p *Permesso) key() string { return p.ID }

// The identity documents whose expiry the portal reminds of.
const (
	CartaIdentita = "carta_identita"
	Passaporto    = "passaporto"
)

// Documento is an identity document; one of each kind per person, the
// newest replacing the previous.
type Documento struct {
	Testata
	Documento string `json:"documento"` // carta_identita or passaporto
	Numero    string `json:"numero,omitempty"`
	Scadenza  string `json:"scadenza"` // YYYY-MM-DD
}

func (d *Documento) key() string { return d.CodiceFiscale + "/" + d.Documento }

// The states of a payment request.
const (
	DaPagare  = "da_pagare"
	Pagata    = "pagata"
	Annullata = "annullata"
)

// RichiestaPagamento is a payment asked by another city department (A18),
// e.g. the tax office for the TARI.
type RichiestaPagamento struct {
	Testata
	ID          string      `json:"id"`
	Ufficio     string      `json:"ufficio"` // e.g. "Tributi – TARI"
	Oggetto     string      `json:"oggetto"`
	ImportoCent money.Cents `json:"importo_cent"`
	Scadenza    string      `json:"scadenza"`      // YYYY-MM-DD
	NAV         string      `json:"nav,omitempty"` // pagoPA notice number, when there is one
	Stato       string      `json:"stato"`
}

func (r *RichiestaPagamento) key() string { return r.ID }

// day reads a date that check has already validated.
func day(s string) civil.Date {
	d, _ := civil.Parse(s)
	return d
}
