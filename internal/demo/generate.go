package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/verbali"
)

// generated violations: common ones of the tariff table, with the weight
// of how often a city issues them (parking dominates).
var generatedViolations = []struct {
	articolo, comma string
	weight          int
}{
	{"7", "15", 20}, {"158", "6", 18}, {"7", "14/2", 14}, {"157", "8", 10}, {"142", "7", 10},
	{"142", "8", 8}, {"146", "3", 5}, {"146", "2", 5}, {"172", "10", 3}, {"141", "8", 3},
	{"158", "5", 2}, {"149", "4", 2},
}

var (
	surnames = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano"}
	names    = []string{"Giulia", "Marco", "Francesca", "Luca", "Chiara", "Andrea", "Sara", "Matteo", "Elena", "Davide", "Paola", "Stefano"}
	streets  = []string{"Corso Francia", "Via Nizza", "Corso Vittorio Emanuele II", "Via Po", "Corso Giulio Cesare", "Via Garibaldi", "Corso Regina Margherita", "Via Roma", "Corso Unione Sovietica", "Via Cibrario"}
	months   = "ABCDEHLMPRST"
)

// Generate yields n realistic verbali over about n/3 citizens, for load
// tests: `portale demo seed --fines N`. The same seed gives the same data.
func Generate(n int, today civil.Date, seed uint64, yield func(verbali.Record) error) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	people := max(1, n/3)
	total := 0
	for _, v := range generatedViolations {
		total += v.weight
	}
	for i := range n {
		p := rng.IntN(people)
		cf, nome, cognome, err := person(p)
		if err != nil {
			return err
		}
		pick := rng.IntN(total)
		var art, comma string
		for _, v := range generatedViolations {
			if pick < v.weight {
				art, comma = v.articolo, v.comma
				break
			}
			pick -= v.weight
		}
		daysAgo := rng.IntN(900) + 1
		served := max(daysAgo-rng.IntN(30), 0)
		when := today.AddDays(-daysAgo)
		at := time.Date(when.Year, when.Month, when.Day, rng.IntN(24), rng.IntN(60), 0, 0, civil.Rome)
		stato := verbali.StatoNotificato
		switch r := rng.IntN(100); {
		case r < 40 && daysAgo > 10:
			stato = verbali.StatoPagato
		case r < 45 && daysAgo > 400:
			stato = verbali.StatoCoattivo
		case r < 48:
			stato = verbali.StatoArchiviato
		}
		persona := &verbali.Persona{CodiceFiscale: cf, Nome: nome, Cognome: cognome}
		rec := verbali.Record{
			Numero: fmt.Sprintf("GEN/%d/%08d", today.Year, i+1), Versione: 1, Stato: stato,
			DataOra: at.Format(time.RFC3339), Luogo: fmt.Sprintf("%s %d, Torino", streets[rng.IntN(len(streets))], 1+rng.IntN(300)),
			Targa:      plate(p),
			Violazioni: []verbali.Violazione{{Articolo: art, Comma: comma}},
			Obbligato:  persona, DataNotifica: today.AddDays(-served).String(), SpeseCent: money.Cents(1385),
		}
		if rng.IntN(3) == 0 {
			rec.Trasgressore = persona
		}
		if stato == verbali.StatoPagato {
			rec.Pagamento = &verbali.Pagamento{Data: today.AddDays(-served + 3).String(), ImportoCent: 5000}
		}
		if err := yield(rec); err != nil {
			return err
		}
	}
	return nil
}

// GeneratedCitizen is the fiscal code of the i-th citizen Generate makes
// (0 ≤ i < n/3): benchmarks log in as them.
func GeneratedCitizen(i int) (string, error) {
	cf, _, _, err := person(i)
	return cf, err
}

// person makes the i-th generated citizen: a valid codice fiscale (born in
// Turin, L219) with a name that matches it loosely.
func person(i int) (cf, nome, cognome string, err error) {
	cognome, nome = surnames[i%len(surnames)], names[(i/len(surnames))%len(names)]
	letters := func(k int) string {
		b := make([]byte, 3)
		for j := range b {
			b[j] = byte('A' + (k/pow26(j))%26)
		}
		return string(b)
	}
	year := 40 + i%60
	day := 1 + (i/60)%28
	if i%2 == 1 {
		day += 40
	}
	body := fmt.Sprintf("%s%s%02d%c%02dL219", letters(i), letters(i/17576+7), year, months[(i/1680)%12], day)
	cf, err = codicefiscale.Complete(body)
	return cf, nome, cognome, err
}

func pow26(j int) int {
	p := 1
	for range j {
		p *= 26
	}
	return p
}

// plate makes the i-th citizen's plate in the Italian format AA000AA.
func plate(i int) string {
	l := func(k int) byte { return "ABCDEFGHJKLMNPRSTVWXYZ"[k%22] }
	return fmt.Sprintf("%c%c%03d%c%c", l(i/22/22/1000/22), l(i/22/1000/22), i%1000, l(i/1000/22), l(i/1000))
}
