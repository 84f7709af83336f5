package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// The demo must show Mario every phase a fine goes through, on any day.
func TestMarioSeesEveryPhase(t *testing.T) {
	for _, today := range []civil.Date{civil.New(2026, 11, 26), civil.New(2027, 1, 2), civil.New(2028, 2, 29), civil.New(2026, 8, 16)} {
		db := storetest.New(t)
		var buf bytes.Buffer
		for _, r := range Verbali(today) {
			b, _ := json.Marshal(r)
			buf.Write(append(b, '\n'))
		}
		sum, err := verbali.Import(context.Background(), &buf, db, verbali.ImportOptions{
			Rules: cds.DefaultConfig(),
			NAV: func(seq int64) (string, error) {
				n, err := pagopa.NoticeNumberFromSequence("01", seq)
				return n.String(), err
			},
		})
		if err != nil || sum.Scartati != 0 {
			t.Fatalf("%s: demo data does not import cleanly: %+v %v", today, sum.Errori, err)
		}
		rows, _ := db.VerbaliOf(context.Background(), Mario.CodiceFiscale)
		e, err := verbali.Statement(Mario.CodiceFiscale, rows, today, verbali.StatementOptions{Rules: cds.DefaultConfig()})
		if err != nil {
			t.Fatal(err)
		}
		phases := map[string]int{}
		for _, v := range e.Verbali {
			phases[v.Fase]++
		}
		for _, want := range []string{"riduzione_30", "misura_ridotta", "meta_massimo", "pagato", "rateizzato", "coattivo"} {
			if phases[want] == 0 {
				t.Errorf("%s: Mario has no fine in phase %s (phases: %v)", today, want, phases)
			}
		}
		rowsL, _ := db.VerbaliOf(context.Background(), Laura.CodiceFiscale)
		if len(rowsL) != 2 {
			t.Errorf("Laura has %d verbali, want 2", len(rowsL))
		}
	}
}

func TestGenerateMakesValidDistinctVerbali(t *testing.T) {
	today := civil.New(2026, 11, 26)
	var buf bytes.Buffer
	seen := map[string]bool{}
	people := map[string]bool{}
	err := Generate(3000, today, 1, func(r verbali.Record) error {
		if seen[r.Numero] {
			t.Fatalf("numero %s repeated", r.Numero)
		}
		seen[r.Numero] = true
		people[r.Obbligato.CodiceFiscale] = true
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(people) < 900 || len(people) > 1000 {
		t.Errorf("%d distinct citizens for 3000 fines, want about 1000", len(people))
	}
	db := storetest.New(t)
	sum, err := verbali.Import(context.Background(), &buf, db, verbali.ImportOptions{Rules: cds.DefaultConfig(),
		NAV: func(seq int64) (string, error) {
			n, err := pagopa.NoticeNumberFromSequence("01", seq)
			return n.String(), err
		}})
	if err != nil || sum.Nuovi != 3000 {
		t.Fatalf("generated data does not import cleanly: %+v %v", sum.Errori[:min(3, len(sum.Errori))], err)
	}
}
