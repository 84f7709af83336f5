// Package demo holds the data of the demo installation: two citizens, Mario
// Rossi and Laura Bianchi, with fines in every phase relative to the day the
// demo is seeded, so that a newcomer sees each case the portal handles.
package demo

import (
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/verbali"
)

// Citizen is a demo citizen who can log in through the demo identity provider.
type Citizen struct {
	CodiceFiscale string
	Nome, Cognome string
	Email         string // where receipts go (the demo mailbox catches them)
	Targhe        []string
}

// The demo citizens (their codes pass the codice fiscale check).
var (
	Mario  = Citizen{CodiceFiscale: "RSSMRA80A01L219M", Nome: "Mario", Cognome: "Rossi", Email: "mario.rossi@example.org", Targhe: []string{"GH482KL", "EZ715TR"}}
	Laura  = Citizen{CodiceFiscale: "BNCLRA85M41L219R", Nome: "Laura", Cognome: "Bianchi", Email: "laura.bianchi@example.org", Targhe: []string{"FL903AX"}}
	People = []Citizen{Mario, Laura}
)

func (c Citizen) persona() *verbali.Persona {
	return &verbali.Persona{CodiceFiscale: c.CodiceFiscale, Nome: c.Nome, Cognome: c.Cognome, Email: c.Email}
}

// at is a moment in Rome on the day days before today.
func at(today civil.Date, days, hour, minute int) string {
	d := today.AddDays(-days)
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, civil.Rome).Format(time.RFC3339)
}

func day(today civil.Date, days int) string { return today.AddDays(-days).String() }

func cents(c money.Cents) *money.Cents { return &c }

// Verbali returns the demo verbali as the gestionale would send them on today.
func Verbali(today civil.Date) []verbali.Record {
	year := today.Year
	num := func(n int) string { return fmt.Sprintf("%d/PM/%06d", year, n) }
	base := func(n int, stato verbali.Stato, daysAgo, hour, minute int, luogo, targa string, art ...verbali.Violazione) verbali.Record {
		return verbali.Record{
			Numero: num(n), Versione: 1, Stato: stato, DataOra: at(today, daysAgo, hour, minute),
			Luogo: luogo, Targa: targa, Violazioni: art,
			Immagini: []string{},
		}
	}
	v := func(articolo, comma string) verbali.Violazione {
		return verbali.Violazione{Articolo: articolo, Comma: comma}
	}

	var out []verbali.Record

	// Mario, within the 5 days: red light at night, contested on the spot.
	r := base(101, verbali.StatoContestato, 2, 23, 40, "Corso Vittorio Emanuele II angolo Via Sacchi, Torino", Mario.Targhe[0], v("146", "3"))
	r.Trasgressore, r.Obbligato = Mario.persona(), Mario.persona()
	r.DataContestazione = day(today, 2)
	r.Immagini = []string{"/demo/rilevazioni/101-a.jpg", "/demo/rilevazioni/101-b.jpg"}
	out = append(out, r)

	// Mario, within the 60 days: ZTL access, notified by post.
	r = base(102, verbali.StatoNotificato, 40, 9, 12, "Via Garibaldi (ZTL Centrale), Torino", Mario.Targhe[0], v("7", "14/2"))
	r.Obbligato = Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 20), 1385
	out = append(out, r)

	// Mario, past 60 days: double parking, vehicle towed.
	r = base(103, verbali.StatoNotificato, 120, 18, 5, "Via Nizza 150, Torino", Mario.Targhe[1], v("158", "6"))
	r.Obbligato = Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 95), 1385
	r.SanzioniAccessorie = []verbali.SanzioneAccessoria{{
		Tipo: "rimozione", Descrizione: "Veicolo rimosso e portato al deposito: ritiralo con un documento e la carta di circolazione.",
		Deposito: "Deposito veicoli rimossi, Via Ivrea 40, Torino", Orari: "Tutti i giorni 7:00–22:00", Dal: day(today, 120),
	}}
	out = append(out, r)

	// Mario, paid.
	r = base(104, verbali.StatoPagato, 200, 11, 30, "Corso Regina Margherita 120, Torino", Mario.Targhe[0], v("142", "8"))
	r.Trasgressore, r.Obbligato = Mario.persona(), Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 180), 1385
	r.Pagamento = &verbali.Pagamento{Data: day(today, 176), ImportoCent: 13495}
	out = append(out, r)

	// Mario, in instalments.
	r = base(105, verbali.StatoRateizzato, 300, 15, 0, "Corso Unità d'Italia, Torino", Mario.Targhe[0], v("142", "9"))
	r.Trasgressore, r.Obbligato = Mario.persona(), Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 280), 1385
	r.ResiduoCent = cents(36800)
	out = append(out, r)

	// Mario, coercive phase at the collector.
	r = base(106, verbali.StatoCoattivo, 900, 8, 45, "Via Madama Cristina 60, Torino", Mario.Targhe[1], v("157", "8"))
	r.Obbligato = Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 880), 1385
	r.Coattivo = &verbali.Coattivo{Ente: "Soris", Riferimento: fmt.Sprintf("ING-%d-004512", year-1), Link: "https://www.soris.torino.it/"}
	out = append(out, r)

	// Mario, above € 200 and notified less than 30 days ago: instalments possible.
	r = base(107, verbali.StatoNotificato, 25, 16, 20, "Corso Giulio Cesare 300, Torino", Mario.Targhe[0], v("142", "9"))
	r.Trasgressore, r.Obbligato = Mario.persona(), Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 10), 1385
	out = append(out, r)

	// Mario, a pre-notice left on the windscreen yesterday: payable at once,
	// with the reduction and no notification costs.
	r = base(108, verbali.StatoPreavviso, 1, 10, 5, "Piazza Vittorio Veneto 5, Torino", Mario.Targhe[0], v("7", "15"))
	r.Obbligato = Mario.persona()
	out = append(out, r)

	// Laura, disabled parking bay, notified two weeks ago.
	r = base(201, verbali.StatoNotificato, 30, 13, 10, "Via Roma 220, Torino", Laura.Targhe[0], v("158", "2-g"))
	r.Trasgressore, r.Obbligato = Laura.persona(), Laura.persona()
	r.DataNotifica, r.SpeseCent = day(today, 15), 1385
	out = append(out, r)

	// Laura as owner: speeding by an unidentified driver, driver data due.
	r = base(202, verbali.StatoNotificato, 50, 7, 55, "Corso Moncalieri 400, Torino", Laura.Targhe[0], v("142", "7"))
	r.Obbligato = Laura.persona()
	r.DataNotifica, r.SpeseCent = day(today, 40), 1385
	out = append(out, r)

	// Mario as owner: speeding caught by a camera, the driver not identified
	// and notified twelve days ago: he names the driver (art. 126-bis).
	r = base(109, verbali.StatoNotificato, 20, 8, 35, "Corso Francia 210, Torino", Mario.Targhe[1], v("142", "8"))
	r.Obbligato = Mario.persona()
	r.DataNotifica, r.SpeseCent = day(today, 12), 1385
	out = append(out, r)

	return append(out, fleet(today, base, v)...)
}
