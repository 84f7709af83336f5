package calcolo

import (
	"fmt"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// spiegazione tells, step by step and in plain Italian, how the amount was
// built: the same legal steps, in the same order, as cds.AmountDue.
func (c Calcolatore) spiegazione(in importoInput, a cds.Amount) []string {
	var s []string
	add := func(format string, args ...any) { s = append(s, fmt.Sprintf(format, args...)) }
	at := in.verbale.At.In(civil.Rome).Format("15:04")
	for i, l := range a.Lines {
		label := in.labels[i]
		add("%s: sanzione da %v a %v.", label, l.Min, l.Max)
		if l.Night {
			add("Violazione commessa alle %s, tra le 22 e le 7: si applica la maggiorazione notturna (art. 195 c.2-bis).", at)
			if a.Phase == cds.PhaseHalfMax || a.Phase == cds.PhaseIncreased {
				add("Maggiorazione notturna di un terzo sul massimo: %v → %v", l.Max, l.NightMax)
			} else {
				add("Maggiorazione notturna di un terzo: %v → %v", l.Min, l.NightMin)
			}
		}
		switch a.Phase {
		case cds.PhaseReduced30:
			if l.DiscountExcluded {
				add("Nessuna riduzione del 30%%: la violazione comporta la sospensione della patente o la confisca (art. 202 c.1). Si paga il minimo: %v", l.Due)
			} else {
				add("Riduzione del 30%% per pagamento entro il %s (art. 202 c.1): %v → %v", a.PhaseEnd.Italian(), l.NightMin, l.Due)
			}
		case cds.PhaseMinimum:
			add("Pagamento in misura ridotta, il minimo, entro il %s (art. 202 c.1): %v", a.PhaseEnd.Italian(), l.Due)
		default:
			add("Dopo 60 giorni dalla %s si paga la metà del massimo (art. 203 c.3): %v → %v", in.served, l.NightMax, l.Due)
		}
		if l.UnpaidTariff > 0 {
			add("Tariffa di sosta o ZTL non pagata, aggiunta per intero, senza sconti né maggiorazioni (L. 177/2024): %v", l.UnpaidTariff)
		}
	}
	if len(a.Lines) > 1 {
		var sum money.Cents
		for _, l := range a.Lines {
			sum += l.Due
		}
		add("Somma delle sanzioni: %v", sum)
	}
	if a.LateIncreasePercent > 0 {
		var base money.Cents
		for _, l := range a.Lines {
			base += l.Due
		}
		semestri := "semestre intero"
		if a.Semesters != 1 {
			semestri = "semestri interi"
		}
		add("Maggiorazione del 10%% per ogni semestre di ritardo, fino al %d%% (art. 27 c.6 L. 689/1981): %d %s, +%d%%: %v → %v",
			c.Config.LateIncreaseCapPercent, a.Semesters, semestri, a.LateIncreasePercent, base, a.Sanction)
	}
	if a.Costs > 0 {
		add("Spese di notifica e di procedimento, sempre dovute per intero: %v", a.Costs)
	}
	add("Totale da pagare il %s: %v", in.pay.Italian(), a.Total)
	return s
}

// avvisi are the things the person should check on their verbale.
func (c Calcolatore) avvisi(in importoInput) []string {
	s := []string{}
	committed := civil.FromTime(in.verbale.At)
	for i, v := range in.verbale.Violations {
		t := v.Tariff
		if t.Unverified {
			s = append(s, fmt.Sprintf("%s: gli importi sono ancora da verificare sul testo ufficiale. Controlla quelli scritti sul verbale.", in.labels[i]))
		}
		if t.ShortSuspension {
			s = append(s, fmt.Sprintf("%s: se hai meno di 20 punti sulla patente, è prevista anche la sospensione breve (art. 218-ter).", in.labels[i]))
		}
	}
	if in.served == "notifica" && c.Config.NotificationLapsed(committed, in.verbale.Served, false) {
		s = append(s, "La notifica è arrivata più di 90 giorni dopo la violazione: se il trasgressore era identificabile subito, potrebbe essere tardiva (art. 201 c.5). Verifica con l'ufficio verbali.")
	}
	return s
}
