package profilo

import (
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/verbali"
)

// The city's collector (Soris, for Turin) and its "Estratto conto on line",
// shown when the gestionale sends no name or link of its own.
const (
	Collector             = "Soris"
	CollectorStatementURL = "https://www.soris.torino.it/"
)

// PosizioneCoattiva is a verbale in the coercive phase (A10, A19): the
// collector holds it and is paid with its notice.
type PosizioneCoattiva struct {
	Numero      string      `json:"numero"`
	DataOra     string      `json:"data_ora"`
	Luogo       string      `json:"luogo"`
	Targa       string      `json:"targa"`
	Ente        string      `json:"ente"`
	Riferimento string      `json:"riferimento"`
	ImportoCent money.Cents `json:"importo_cent"`
	Link        string      `json:"link"` // the collector's "Estratto conto on line"
}

// PosizioniCoattive is the citizen's coercive-phase positions on a day.
type PosizioniCoattive struct {
	Data       civil.Date          `json:"data"`
	TotaleCent money.Cents         `json:"totale_cent"`
	Posizioni  []PosizioneCoattiva `json:"posizioni"`
}

// CoercivePositions picks the verbali in the coercive phase from the
// citizen's statement, with the same amounts the statement shows.
func CoercivePositions(e verbali.Estratto) PosizioniCoattive {
	out := PosizioniCoattive{Data: e.Data, Posizioni: []PosizioneCoattiva{}}
	for _, v := range e.Verbali {
		if v.Fase != verbali.FaseCoattivo {
			continue
		}
		p := PosizioneCoattiva{
			Numero: v.Numero, DataOra: v.DataOra, Luogo: v.Luogo, Targa: v.Targa,
			Ente: Collector, ImportoCent: v.ImportoCent, Link: CollectorStatementURL,
		}
		if c := v.Coattivo; c != nil {
			p.Riferimento = c.Riferimento
			if c.Ente != "" {
				p.Ente = c.Ente
			}
			if c.Link != "" {
				p.Link = c.Link
			}
		}
		out.TotaleCent += p.ImportoCent
		out.Posizioni = append(out.Posizioni, p)
	}
	return out
}
