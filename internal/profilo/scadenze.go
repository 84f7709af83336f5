package profilo

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
)

// ReminderDays are how many days before an expiry the citizen is reminded
// of it (A17).
var ReminderDays = [...]int{60, 30, 7}

// Scadenza is a document or permit expiry with its reminders.
type Scadenza struct {
	Tipo           string       `json:"tipo"` // patente, carta_identita, passaporto, permesso
	Descrizione    string       `json:"descrizione"`
	Riferimento    string       `json:"riferimento"` // the document's number or the permit's id
	Scadenza       civil.Date   `json:"scadenza"`
	GiorniMancanti int          `json:"giorni_mancanti"` // negative once expired
	Scaduto        bool         `json:"scaduto"`
	Promemoria     []Promemoria `json:"promemoria"`
}

// Promemoria is one reminder of an expiry. Dovuto says its day has come: the
// notifier sends the reminders that are due and it has not sent yet.
type Promemoria struct {
	GiorniPrima int        `json:"giorni_prima"`
	Data        civil.Date `json:"data"`
	Dovuto      bool       `json:"dovuto"`
}

// Scadenze is the citizen's expiries on a day, the soonest first.
type Scadenze struct {
	Data     civil.Date `json:"data"`
	Scadenze []Scadenza `json:"scadenze"`
}

// Expiries lists, on today, the expiry of the citizen's licence, identity
// documents and permits. Fines' deadlines are in the statement instead.
func Expiries(licence, documents []store.ProfiloRow, permits []VocePermesso, today civil.Date) (Scadenze, error) {
	s := Scadenze{Data: today, Scadenze: []Scadenza{}}
	for _, row := range licence {
		var p Patente
		if err := json.Unmarshal(row.Record, &p); err != nil {
			return s, fmt.Errorf("profilo: stored licence: %w", err)
		}
		s.Scadenze = append(s.Scadenze, expiry(TipoPatente, "Patente di guida "+p.Categoria, p.Numero, day(p.Scadenza), today))
	}
	for _, row := range documents {
		var d Documento
		if err := json.Unmarshal(row.Record, &d); err != nil {
			return s, fmt.Errorf("profilo: stored document: %w", err)
		}
		name := "Carta d'identità"
		if d.Documento == Passaporto {
			name = "Passaporto"
		}
		s.Scadenze = append(s.Scadenze, expiry(d.Documento, name, d.Numero, day(d.Scadenza), today))
	}
	for _, p := range permits {
		s.Scadenze = append(s.Scadenze, expiry(TipoPermesso, "Permesso "+p.Descrizione, p.ID, p.Scadenza, today))
	}
	slices.SortStableFunc(s.Scadenze, func(a, b Scadenza) int { return a.Scadenza.Compare(b.Scadenza) })
	return s, nil
}

func expiry(tipo, descrizione, rif string, exp, today civil.Date) Scadenza {
	s := Scadenza{
		Tipo: tipo, Descrizione: descrizione, Riferimento: rif, Scadenza: exp,
		GiorniMancanti: exp.DaysSince(today), Scaduto: exp.Before(today),
		Promemoria: make([]Promemoria, 0, len(ReminderDays)),
	}
	for _, n := range ReminderDays {
		d := exp.AddDays(-n)
		s.Promemoria = append(s.Promemoria, Promemoria{GiorniPrima: n, Data: d, Dovuto: !today.Before(d)})
	}
	return s
}
