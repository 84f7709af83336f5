package documenti

import (
	"strings"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/verbali"
)

// EnteInfo is the creditor institution as printed on the documents, and the
// rules its amounts are computed with.
type EnteInfo struct {
	Nome          string // "Città di Torino"
	CodiceFiscale string // 11 digits, printed and put in the QR code
	Settore       string // the office: "Corpo di Polizia Municipale"
	Info          string // where to ask, e.g. the portal's address; optional
	IBAN          string // the account payments are credited to, on the quietanza; optional
	// ContoPostale is the postal current account (up to 12 digits). When
	// set, the notice carries the Poste Italiane bulletin with its
	// DataMatrix; IntestatarioConto is the account holder printed on it
	// (default: Nome).
	ContoPostale      string
	IntestatarioConto string
	// Rules compute the amounts and deadlines; the zero value means
	// cds.DefaultConfig(). Pass the same rules the statement uses, so the
	// notice and the personal area never disagree.
	Rules cds.Config
}

// EnteFromConfig fills EnteInfo from the installation's configuration; the
// postal account is not part of it yet, so the notice goes without the
// bulletin unless the caller sets ContoPostale.
func EnteFromConfig(c config.Config, rules cds.Config) EnteInfo {
	info := strings.TrimPrefix(strings.TrimPrefix(c.Server.PublicURL, "https://"), "http://")
	return EnteInfo{
		Nome: c.Ente.Nome, CodiceFiscale: c.Ente.CodiceFiscale, Settore: "Polizia Municipale",
		Info: strings.TrimSuffix(info, "/"), IBAN: c.PagoPA.IBAN, Rules: rules,
	}
}

func (e EnteInfo) rules() cds.Config {
	if e.Rules.Tariffs == nil {
		return cds.DefaultConfig()
	}
	return e.Rules
}

func (e EnteInfo) intestatario() string {
	if e.IntestatarioConto != "" {
		return e.IntestatarioConto
	}
	return e.Nome
}

// Persona is the debtor as printed: name and fiscal code.
type Persona struct {
	Nome          string // first and last name
	CodiceFiscale string
}

// debitore is whom the notice is addressed to: the offender when known,
// else the owner jointly liable. It is the debtor package pagamenti tells
// the pagoPA node, so the notice and the payment agree.
func debitore(rec *verbali.Record) Persona {
	p := rec.Obbligato
	if rec.Trasgressore != nil {
		p = rec.Trasgressore
	}
	if p == nil {
		return Persona{}
	}
	return Persona{Nome: strings.TrimSpace(p.Nome + " " + p.Cognome), CodiceFiscale: p.CodiceFiscale}
}
