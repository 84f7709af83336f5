package profilo

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// SchedaPatente is the citizen's licence and points on a day (A6). Both are
// null when the gestionale has sent no licence.
type SchedaPatente struct {
	Data    civil.Date   `json:"data"`
	Patente *DatiPatente `json:"patente"`
	Punti   *SaldoPunti  `json:"punti"`
}

// DatiPatente is the licence as the citizen reads it.
type DatiPatente struct {
	Numero       string     `json:"numero"`
	Categoria    string     `json:"categoria"`
	RilasciataIl civil.Date `json:"rilasciata_il"`
	Scadenza     civil.Date `json:"scadenza"`
	Scaduta      bool       `json:"scaduta"`
	// Neopatentato: in the first three years deductions are doubled.
	Neopatentato       bool       `json:"neopatentato"`
	NeopatentatoFinoAl civil.Date `json:"neopatentato_fino_al"`
}

// SaldoPunti is the points balance with the movements behind it.
type SaldoPunti struct {
	Saldo int `json:"saldo"`
	// Revisione: the balance reached zero, the licence must be re-examined.
	Revisione bool `json:"revisione"`
	// ProssimoBonus is when two years without deductions complete (+2 points).
	ProssimoBonus civil.Date  `json:"prossimo_bonus"`
	Movimenti     []Movimento `json:"movimenti"` // newest first
}

// Movimento is a points movement as the citizen reads it.
type Movimento struct {
	ID          string     `json:"id"`
	Data        civil.Date `json:"data"`
	Movimento   string     `json:"movimento"`
	Punti       int        `json:"punti"`      // negative for a decurtazione
	SaldoDopo   int        `json:"saldo_dopo"` // the balance that day, after the movement
	Descrizione string     `json:"descrizione"`
	Verbale     *Verbale   `json:"verbale"`
}

// Verbale is the verbale behind a movement. Only the number is known when the
// verbale is not among the citizen's own in the portal (an older one).
type Verbale struct {
	Numero     string                       `json:"numero"`
	DataOra    string                       `json:"data_ora,omitempty"`
	Luogo      string                       `json:"luogo,omitempty"`
	Targa      string                       `json:"targa,omitempty"`
	Violazioni []verbali.ViolazioneEstratto `json:"violazioni,omitempty"`
}

// Licence builds the citizen's SchedaPatente on today from their stored
// licence and points movements and their statement (for the verbale behind
// each deduction).
func Licence(licence, movements []store.ProfiloRow, own []verbali.VoceEstratto, rules cds.Config, today civil.Date) (SchedaPatente, error) {
	s := SchedaPatente{Data: today}
	if len(licence) == 0 {
		return s, nil
	}
	var p Patente
	if err := json.Unmarshal(licence[0].Record, &p); err != nil {
		return s, fmt.Errorf("profilo: stored licence: %w", err)
	}
	issued := day(p.RilasciataIl)
	s.Patente = &DatiPatente{
		Numero: p.Numero, Categoria: p.Categoria, RilasciataIl: issued, Scadenza: day(p.Scadenza),
		Scaduta: day(p.Scadenza).Before(today), Neopatentato: cds.IsNewDriver(issued, today),
		NeopatentatoFinoAl: issued.AddMonths(12 * cds.NewDriverYears).AddDays(-1),
	}

	byNumero := map[string]*verbali.VoceEstratto{}
	for i := range own {
		byNumero[own[i].Numero] = &own[i]
	}
	type entry struct {
		mv Movimento
		ev cds.PointsEvent
	}
	var entries []entry
	for _, row := range movements {
		var m MovimentoPunti
		if err := json.Unmarshal(row.Record, &m); err != nil {
			return s, fmt.Errorf("profilo: stored points movement: %w", err)
		}
		e := entry{
			mv: Movimento{ID: m.ID, Data: day(m.Data), Movimento: m.Movimento, Punti: m.Punti, Descrizione: m.Descrizione},
			ev: cds.PointsEvent{Day: day(m.Data), Kind: cds.Course, Points: m.Punti},
		}
		if m.Movimento == Decurtazione {
			e.mv.Punti, e.ev.Kind = -m.Punti, cds.Deduction
		}
		if m.Verbale != "" {
			e.mv.Verbale = &Verbale{Numero: m.Verbale}
			if v, ok := byNumero[m.Verbale]; ok {
				e.mv.Verbale = &Verbale{Numero: v.Numero, DataOra: v.DataOra, Luogo: v.Luogo, Targa: v.Targa, Violazioni: v.Violazioni}
			}
		}
		if e.mv.Descrizione == "" {
			e.mv.Descrizione = describe(e.mv)
		}
		entries = append(entries, e)
	}
	// Oldest first, so that each movement's balance is the balance over the
	// events up to it; the citizen reads them newest first.
	slices.SortStableFunc(entries, func(a, b entry) int { return a.mv.Data.Compare(b.mv.Data) })
	events := make([]cds.PointsEvent, 0, len(entries))
	list := make([]Movimento, 0, len(entries))
	for _, e := range entries {
		events = append(events, e.ev)
		e.mv.SaldoDopo = rules.Points(issued, events, e.mv.Data).Points
		list = append(list, e.mv)
	}
	slices.Reverse(list)
	b := rules.Points(issued, events, today)
	s.Punti = &SaldoPunti{Saldo: b.Points, Revisione: b.Revision, ProssimoBonus: b.NextClean, Movimenti: list}
	return s, nil
}

func describe(m Movimento) string {
	switch {
	case m.Movimento == Corso:
		return "Corso di recupero punti"
	case m.Verbale != nil:
		return "Decurtazione per il verbale " + m.Verbale.Numero
	default:
		return "Decurtazione"
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
