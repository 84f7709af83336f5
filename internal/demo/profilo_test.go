package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// seeded is a database with the demo verbali and profile of today.
func seeded(t *testing.T, today civil.Date) *store.DB {
	t.Helper()
	db := storetest.New(t)
	var buf bytes.Buffer
	for _, r := range Verbali(today) {
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	_, err := verbali.Import(context.Background(), &buf, db, verbali.ImportOptions{
		Rules: cds.DefaultConfig(),
		NAV: func(seq int64) (string, error) {
			n, err := pagopa.NoticeNumberFromSequence("01", seq)
			return n.String(), err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := SeedProfilo(context.Background(), db, today); err != nil {
		t.Fatalf("%s: %v", today, err)
	}
	return db
}

// On any day, Mario's profile shows what the demo promises and Laura's is a
// plain new licence and one vehicle.
func TestProfiloShowsEachCaseOnAnyDay(t *testing.T) {
	ctx := context.Background()
	rules := cds.DefaultConfig()
	for _, today := range []civil.Date{civil.New(2026, 11, 26), civil.New(2027, 1, 2), civil.New(2028, 2, 29), civil.New(2026, 8, 16)} {
		db := seeded(t, today)
		statement := func(cf string) verbali.Estratto {
			rows, _ := db.VerbaliOf(ctx, cf)
			e, err := verbali.Statement(cf, rows, today, verbali.StatementOptions{Rules: rules})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		licence := func(cf string) profilo.SchedaPatente {
			lic, _ := db.ProfiloOf(ctx, cf, profilo.TipoPatente)
			mov, _ := db.ProfiloOf(ctx, cf, profilo.TipoPunti)
			s, err := profilo.Licence(lic, mov, statement(cf).Verbali, rules, today)
			if err != nil || s.Patente == nil {
				t.Fatalf("%s: %s has no licence: %v", today, cf, err)
			}
			return s
		}

		m := licence(Mario.CodiceFiscale)
		kinds := map[string]int{}
		for _, mv := range m.Punti.Movimenti {
			kinds[mv.Movimento]++
			if mv.Movimento == profilo.Decurtazione && (mv.Verbale == nil || mv.Verbale.Luogo == "") {
				t.Errorf("%s: deduction %s without its verbale", today, mv.ID)
			}
		}
		if kinds[profilo.Decurtazione] < 2 || kinds[profilo.Corso] != 1 || m.Punti.Saldo >= cds.PointsMax {
			t.Errorf("%s: Mario's points = %d with %v", today, m.Punti.Saldo, kinds)
		}

		rows, _ := db.ProfiloOf(ctx, Mario.CodiceFiscale, profilo.TipoPermesso)
		permits, _ := profilo.Permits(rows, nil, today)
		if len(permits) != 1 || permits[0].Categoria != "ZTL" || permits[0].Stato != profilo.InScadenza || !permits[0].Rinnovabile {
			t.Errorf("%s: Mario's permits = %+v", today, permits)
		}
		docs, _ := db.ProfiloOf(ctx, Mario.CodiceFiscale, profilo.TipoDocumento)
		lic, _ := db.ProfiloOf(ctx, Mario.CodiceFiscale, profilo.TipoPatente)
		exp, _ := profilo.Expiries(lic, docs, permits, today)
		soon := map[string]bool{}
		for _, s := range exp.Scadenze {
			if !s.Scaduto && s.GiorniMancanti <= 60 && s.Promemoria[0].Dovuto {
				soon[s.Tipo] = true
			}
		}
		for _, want := range []string{profilo.TipoPatente, profilo.CartaIdentita, profilo.TipoPermesso} {
			if !soon[want] {
				t.Errorf("%s: Mario's %s is not expiring soon: %+v", today, want, exp.Scadenze)
			}
		}
		reqRows, _ := db.ProfiloOf(ctx, Mario.CodiceFiscale, profilo.TipoRichiestaPagamento)
		reqs, _ := profilo.PaymentRequests(reqRows, "00514490010", today)
		if reqs.TotaleDaPagareCent == 0 || reqs.Richieste[0].Ufficio != "Tributi – TARI" {
			t.Errorf("%s: Mario's payment requests = %+v", today, reqs)
		}
		if v, _ := db.VeicoliOf(ctx, Mario.CodiceFiscale); len(v) != 2 {
			t.Errorf("%s: Mario has %d vehicles, want 2", today, len(v))
		}

		l := licence(Laura.CodiceFiscale)
		if l.Punti.Saldo != 20 || len(l.Punti.Movimenti) != 0 {
			t.Errorf("%s: Laura's points = %+v", today, l.Punti)
		}
		if v, _ := db.VeicoliOf(ctx, Laura.CodiceFiscale); len(v) != 1 || v[0].Targa != Laura.Targhe[0] {
			t.Errorf("%s: Laura's vehicles = %+v", today, v)
		}
		for _, tipo := range []string{profilo.TipoPunti, profilo.TipoPermesso, profilo.TipoDocumento, profilo.TipoRichiestaPagamento} {
			if r, _ := db.ProfiloOf(ctx, Laura.CodiceFiscale, tipo); len(r) != 0 {
				t.Errorf("%s: Laura has %d %s records, want none", today, len(r), tipo)
			}
		}
	}
}

func TestRegistryKnowsTheDemoPlatesAndTheirOwners(t *testing.T) {
	ctx := context.Background()
	for _, c := range People {
		for _, targa := range c.Targhe {
			v, err := Registry{}.Vehicle(ctx, targa)
			if err != nil || profilo.CheckOwner(v, c.CodiceFiscale) != nil {
				t.Errorf("%s's %s: %+v, %v", c.Nome, targa, v, err)
			}
		}
	}
	if v, _ := (Registry{}).Vehicle(ctx, Laura.Targhe[0]); profilo.CheckOwner(v, Mario.CodiceFiscale) == nil {
		t.Error("Mario may add Laura's car")
	}
	if _, err := (Registry{}).Vehicle(ctx, "ZZ999ZZ"); !errors.Is(err, profilo.ErrPlateUnknown) {
		t.Errorf("unknown plate: %v", err)
	}
}
