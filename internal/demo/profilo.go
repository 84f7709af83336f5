package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/profilo"
)

// registro is what the demo vehicle registry knows: the demo citizens'
// plates, a scooter Mario owns but has not listed yet, and a car of someone
// else, so that both an accepted and a refused plate can be tried.
var registro = []profilo.RegisteredVehicle{
	{Targa: "GH482KL", Descrizione: "Fiat Panda 1.2", Intestatari: []string{Mario.CodiceFiscale}},
	{Targa: "EZ715TR", Descrizione: "Volkswagen Golf 1.6 TDI", Intestatari: []string{Mario.CodiceFiscale}},
	{Targa: "FL903AX", Descrizione: "Renault Clio 1.0", Intestatari: []string{Laura.CodiceFiscale}},
	{Targa: "CX41876", Descrizione: "Piaggio Beverly 300", Intestatari: []string{Mario.CodiceFiscale}},
	{Targa: "GA100ZZ", Descrizione: "Toyota Yaris 1.5", Intestatari: []string{"VRDGPP75C15L219X"}},
}

// Registry is the demo's stand-in for the PRA and MCTC registries.
type Registry struct{}

// Vehicle answers from the demo registry.
func (Registry) Vehicle(_ context.Context, targa string) (profilo.RegisteredVehicle, error) {
	i := slices.IndexFunc(registro, func(v profilo.RegisteredVehicle) bool { return v.Targa == targa })
	if i < 0 {
		return profilo.RegisteredVehicle{}, profilo.ErrPlateUnknown
	}
	return registro[i], nil
}

func vehicle(c Citizen, targa string) *profilo.Veicolo {
	v, _ := Registry{}.Vehicle(context.Background(), targa)
	return &profilo.Veicolo{Testata: c.testata(profilo.TipoVeicolo), Targa: targa, Descrizione: v.Descrizione}
}

func (c Citizen) testata(tipo string) profilo.Testata {
	return profilo.Testata{Tipo: tipo, CodiceFiscale: c.CodiceFiscale}
}

// after is the day days after today.
func after(today civil.Date, days int) string { return today.AddDays(days).String() }

// Profilo returns the demo citizens' profile as the gestionale would send it
// on today: Mario has two vehicles, a licence expiring soon with a points
// history (deductions from two of his fines, a recovery course), a ZTL permit
// expiring within 30 days, an identity card expiring soon and payments asked
// by the tax office; Laura has a vehicle and a new licence with 20 points.
// The deductions name verbali of Verbali(today), which must be imported first.
func Profilo(today civil.Date) []profilo.Record {
	year := today.Year
	num := func(n int) string { return fmt.Sprintf("%d/PM/%06d", year, n) }
	tari, _ := pagopa.NoticeNumberFromSequence("02", int64(year)*1000+12)
	return []profilo.Record{
		vehicle(Mario, Mario.Targhe[0]),
		vehicle(Mario, Mario.Targhe[1]),
		&profilo.Patente{Testata: Mario.testata(profilo.TipoPatente), Numero: "TO2158743K", Categoria: "B",
			RilasciataIl: "1999-03-15", Scadenza: after(today, 45)},
		// Verbale 105 (speeding, 6 points) became final 60 days after its
		// notification; 104 (3 points) when it was paid.
		&profilo.MovimentoPunti{Testata: Mario.testata(profilo.TipoPunti), ID: fmt.Sprintf("PT-%d-000105", year),
			Data: day(today, 220), Movimento: profilo.Decurtazione, Verbale: num(105)},
		&profilo.MovimentoPunti{Testata: Mario.testata(profilo.TipoPunti), ID: fmt.Sprintf("PT-%d-000104", year),
			Data: day(today, 176), Movimento: profilo.Decurtazione, Verbale: num(104)},
		&profilo.MovimentoPunti{Testata: Mario.testata(profilo.TipoPunti), ID: fmt.Sprintf("PT-%d-000201", year),
			Data: day(today, 90), Movimento: profilo.Corso, Punti: 6,
			Descrizione: "Corso di recupero punti, autoscuola Sabauda, Torino"},
		&profilo.Permesso{Testata: Mario.testata(profilo.TipoPermesso), ID: fmt.Sprintf("ZTL-%d-004211", year-1),
			Categoria: "ZTL", Descrizione: "ZTL Centrale – residenti", Targhe: []string{Mario.Targhe[0]},
			ValidoDal: day(today, 340), Scadenza: after(today, 25)},
		&profilo.Documento{Testata: Mario.testata(profilo.TipoDocumento), Documento: profilo.CartaIdentita,
			Numero: "CA48213KB", Scadenza: after(today, 20)},
		&profilo.RichiestaPagamento{Testata: Mario.testata(profilo.TipoRichiestaPagamento), ID: fmt.Sprintf("TARI-%d-0012-1", year),
			Ufficio: "Tributi – TARI", Oggetto: fmt.Sprintf("TARI %d, prima rata", year), ImportoCent: 18750,
			Scadenza: day(today, 45), Stato: profilo.Pagata},
		&profilo.RichiestaPagamento{Testata: Mario.testata(profilo.TipoRichiestaPagamento), ID: fmt.Sprintf("TARI-%d-0012-2", year),
			Ufficio: "Tributi – TARI", Oggetto: fmt.Sprintf("TARI %d, seconda rata", year), ImportoCent: 18750,
			Scadenza: after(today, 15), NAV: tari.String(), Stato: profilo.DaPagare},

		vehicle(Laura, Laura.Targhe[0]),
		&profilo.Patente{Testata: Laura.testata(profilo.TipoPatente), Numero: "TO7740219M", Categoria: "B",
			RilasciataIl: day(today, 420), Scadenza: today.AddDays(-420).AddMonths(120).String()},
	}
}

// SeedProfilo imports Profilo(today) into st, after Verbali(today), and
// fails if any record is refused.
func SeedProfilo(ctx context.Context, st profilo.ImportStore, today civil.Date) error {
	sum, err := profilo.ImportRecords(ctx, Profilo(today), st, profilo.ImportOptions{})
	if err != nil {
		return err
	}
	if sum.Scartati > 0 {
		return fmt.Errorf("dati di prova del profilo non validi: %+v", sum.Errori)
	}
	return nil
}
