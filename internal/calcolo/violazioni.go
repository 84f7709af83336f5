package calcolo

import (
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// VoceTariffa is one violation of the table, for the calculator's
// searchable list.
type VoceTariffa struct {
	Articolo              string      `json:"articolo"`
	Comma                 string      `json:"comma"`       // the key to send back in "violazioni"
	CommaTesto            string      `json:"comma_testo"` // as the source writes it
	Descrizione           string      `json:"descrizione"`
	MinimoCent            money.Cents `json:"minimo_cent"`
	MassimoCent           money.Cents `json:"massimo_cent"`
	Punti                 int         `json:"punti"`
	SospensionePatente    bool        `json:"sospensione_patente"`
	MaggiorazioneNotturna bool        `json:"maggiorazione_notturna"`
	DaVerificare          bool        `json:"da_verificare"`
	Fonte                 string      `json:"fonte"`
}

// Violazioni lists the violations the calculator can look up, with the
// amounts in force on day, in table order; crimes are left out because the
// calculator does not compute them.
func Violazioni(day civil.Date) []VoceTariffa { return standard.Violazioni(day) }

// Violazioni lists the violations in force on day with c's configuration.
func (c Calcolatore) Violazioni(day civil.Date) []VoceTariffa {
	var out []VoceTariffa
	for _, r := range c.Config.Tariffs.All() {
		t, err := c.Config.Lookup(r.Article, r.Comma, day)
		if err != nil || t.Criminal || t.ValidFrom != r.ValidFrom { // one entry per violation: the version in force
			continue
		}
		out = append(out, VoceTariffa{
			Articolo: t.Article, Comma: t.Comma, CommaTesto: t.CommaText, Descrizione: t.Description,
			MinimoCent: t.Min, MassimoCent: t.Max, Punti: t.Points,
			SospensionePatente: t.Suspension, MaggiorazioneNotturna: t.NightSurcharge,
			DaVerificare: t.Unverified, Fonte: t.Source,
		})
	}
	return out
}
