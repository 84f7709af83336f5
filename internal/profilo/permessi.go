package profilo

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
)

const (
	// ExpiringDays is how close to its expiry a permit counts as expiring.
	ExpiringDays = 30
	// RenewalWindowDays is how long before its expiry a permit can be
	// renewed; an expired one can be renewed at any time.
	RenewalWindowDays = 60
)

// The states of a permit on a day.
const (
	Valido     = "valido"
	InScadenza = "in_scadenza"
	Scaduto    = "scaduto"
)

// VocePermesso is a permit as the citizen reads it (A16).
type VocePermesso struct {
	ID             string     `json:"id"`
	Categoria      string     `json:"categoria"`
	Descrizione    string     `json:"descrizione"`
	Targhe         []string   `json:"targhe"`
	ValidoDal      civil.Date `json:"valido_dal"`
	Scadenza       civil.Date `json:"scadenza"`
	Stato          string     `json:"stato"`           // valido, in_scadenza, scaduto
	GiorniMancanti int        `json:"giorni_mancanti"` // to the expiry; negative once expired
	RinnovabileDal civil.Date `json:"rinnovabile_dal"`
	Rinnovabile    bool       `json:"rinnovabile"`
	// RinnovoRichiestoIl is when the citizen asked to renew this expiry.
	RinnovoRichiestoIl *time.Time `json:"rinnovo_richiesto_il"`
}

// Permits lists the citizen's permits on today, the soonest to expire first,
// with the renewals already asked for.
func Permits(rows []store.ProfiloRow, renewals []store.RinnovoPermesso, today civil.Date) ([]VocePermesso, error) {
	asked := map[[2]string]time.Time{}
	for _, r := range renewals {
		asked[[2]string{r.PermessoID, r.Scadenza}] = r.RichiestoIl
	}
	out := make([]VocePermesso, 0, len(rows))
	for _, row := range rows {
		var p Permesso
		if err := json.Unmarshal(row.Record, &p); err != nil {
			return nil, fmt.Errorf("profilo: stored permit: %w", err)
		}
		v := permit(p, today)
		if at, ok := asked[[2]string{p.ID, p.Scadenza}]; ok {
			v.RinnovoRichiestoIl = &at
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b VocePermesso) int { return a.Scadenza.Compare(b.Scadenza) })
	return out, nil
}

func permit(p Permesso, today civil.Date) VocePermesso {
	exp := day(p.Scadenza)
	v := VocePermesso{
		ID: p.ID, Categoria: p.Categoria, Descrizione: p.Descrizione, Targhe: nonNil(p.Targhe),
		ValidoDal: day(p.ValidoDal), Scadenza: exp, GiorniMancanti: exp.DaysSince(today),
		RinnovabileDal: exp.AddDays(-RenewalWindowDays),
	}
	switch {
	case exp.Before(today):
		v.Stato = Scaduto
	case v.GiorniMancanti <= ExpiringDays:
		v.Stato = InScadenza
	default:
		v.Stato = Valido
	}
	v.Rinnovabile = !today.Before(v.RinnovabileDal)
	return v
}

// Codes of the answers to a renewal request.
const (
	PermessoNonTrovato = "PERMESSO_NON_TROVATO"
	RinnovoNonAncora   = "RINNOVO_NON_ANCORA_POSSIBILE"
)

// Renewal checks that the permit id is among the citizen's and can be renewed
// on today, and returns it.
func Renewal(permits []VocePermesso, id string, today civil.Date) (VocePermesso, error) {
	for _, p := range permits {
		if p.ID != id {
			continue
		}
		if !p.Rinnovabile {
			return p, problem(RinnovoNonAncora, "Il permesso scade il %s: puoi chiederne il rinnovo dal %s.", p.Scadenza.Italian(), p.RinnovabileDal.Italian())
		}
		return p, nil
	}
	return VocePermesso{}, problem(PermessoNonTrovato, "Non troviamo questo permesso tra i tuoi. Controlla il numero.")
}
