package verbali_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

const (
	mario = "RSSMRA80A01L219M"
	laura = "BNCLRA85M41L219R"
)

func navMaker(seq int64) (string, error) {
	n, err := pagopa.NoticeNumberFromSequence("01", seq)
	return n.String(), err
}

func importString(t *testing.T, db *store.DB, data string) verbali.Summary {
	t.Helper()
	sum, err := verbali.Import(context.Background(), strings.NewReader(data), db,
		verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: navMaker, BatchSize: 2})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum
}

const goodLine = `{"numero":"V1","versione":1,"stato":"notificato","data_ora":"2026-03-09T23:10:00+01:00","luogo":"Via Roma 1","targa":"ab 123 cd","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"rssmra80a01l219m","nome":"Mario","cognome":"Rossi"},"data_notifica":"2026-03-12","spese_cent":1300}`

func TestImportReportsBadLinesAndKeepsTheRest(t *testing.T) {
	db := storetest.New(t)
	data := strings.Join([]string{
		goodLine,
		`{"numero":"V2","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"RSSMRA80A01L219X"},"data_notifica":"2026-03-12"}`,
		`{"numero":"V3","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"999","comma":"9"}],"trasgressore":{"codice_fiscale":"` + laura + `"},"data_notifica":"2026-03-12"}`,
		`{"numero":"V4","versione":1,"stato":"notificato","data_ora":"ieri","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"` + laura + `"},"data_notifica":"2026-03-12"}`,
		`{"numero": "V5", oops}`,
		``,
		`{"numero":"V6","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"999","comma":"9","minimo_cent":5000,"massimo_cent":20000}],"obbligato":{"codice_fiscale":"` + laura + `"},"data_notifica":"2026-03-12"}`,
	}, "\n")
	sum := importString(t, db, data)
	if sum.Nuovi != 2 || sum.Scartati != 4 || sum.Letti != 6 {
		t.Fatalf("summary = %+v, want 2 new and 4 rejected of 6", sum)
	}
	want := map[int]string{2: "CODICE_FISCALE_NON_VALIDO", 3: "ARTICOLO_SCONOSCIUTO", 4: "DATA_NON_VALIDA", 5: "RECORD_NON_LEGGIBILE"}
	for _, e := range sum.Errori {
		if want[e.Riga] != e.Codice || e.Messaggio == "" {
			t.Errorf("line %d: %s %q, want %s", e.Riga, e.Codice, e.Messaggio, want[e.Riga])
		}
	}
	rows, err := db.VerbaliOf(context.Background(), mario)
	if err != nil || len(rows) != 1 || rows[0].Targa != "AB123CD" {
		t.Fatalf("Mario's verbali = %+v, %v", rows, err)
	}
	if _, err := pagopa.ParseNoticeNumber(rows[0].NAV); err != nil {
		t.Errorf("stored NAV %q is not valid: %v", rows[0].NAV, err)
	}
}

func TestImportIsIdempotentAndNewerVersionsWin(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	importString(t, db, goodLine)
	if sum := importString(t, db, goodLine); sum.Invariati != 1 || sum.Nuovi != 0 {
		t.Fatalf("re-import = %+v, want unchanged", sum)
	}
	first, _ := db.VerbaleByNumero(ctx, "V1")
	v2 := strings.Replace(strings.Replace(goodLine, `"versione":1`, `"versione":2`, 1), `"notificato"`, `"pagato"`, 1)
	if sum := importString(t, db, v2); sum.Aggiornati != 1 {
		t.Fatalf("newer versione = %+v, want updated", sum)
	}
	older := strings.Replace(goodLine, `"notificato"`, `"ricorso"`, 1)
	if sum := importString(t, db, older); sum.Invariati != 1 {
		t.Fatalf("older versione = %+v, want ignored", sum)
	}
	got, _ := db.VerbaleByNumero(ctx, "V1")
	if got.Stato != "pagato" || got.Versione != 2 {
		t.Errorf("stored = %s v%d, want pagato v2", got.Stato, got.Versione)
	}
	if got.NAV != first.NAV {
		t.Errorf("an update changed the notice number: %s → %s", first.NAV, got.NAV)
	}
}

func TestImportCSV(t *testing.T) {
	db := storetest.New(t)
	csv := "\ufeffnumero,versione,stato,data_ora,luogo,targa,violazioni,trasgressore_cf,trasgressore_nome,trasgressore_cognome,data_notifica,spese_cent\n" +
		"C1,1,notificato,2026-03-09T10:00:00+01:00,Via Po 1,AB123CD,146/2; 7/14/1," + mario + ",Mario,Rossi,2026-03-12,1300\n" +
		"C2,1,notificato,2026-03-09T10:00:00+01:00,Via Po 1,AB123CD,146-2," + mario + ",Mario,Rossi,2026-03-12,1300\n" +
		"C3,uno,notificato,2026-03-09T10:00:00+01:00,Via Po 1,AB123CD,146/2," + mario + ",Mario,Rossi,2026-03-12,1300\n"
	sum := importString(t, db, csv)
	if sum.Nuovi != 1 || sum.Scartati != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	if sum.Errori[0].Riga != 3 || sum.Errori[1].Riga != 4 || sum.Errori[1].Codice != "VERSIONE_NON_VALIDA" {
		t.Errorf("errors = %+v", sum.Errori)
	}
}

func TestStatementPhases(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	// Notified 12 March 2026 (Thursday); art. 146 c.2 (42–173 €), at night: 56 € base.
	importString(t, db, goodLine)
	rows, _ := db.VerbaliOf(ctx, mario)
	opts := verbali.StatementOptions{Rules: cds.DefaultConfig(), CreditorFiscalCode: "00514490010"}
	cases := []struct {
		day   civil.Date
		fase  string
		cents int64
	}{
		// RULES.md: 42 → 56 → 39,20 with 30 % off; costs 13,00 in full.
		{civil.New(2026, 3, 17), "riduzione_30", 5220},
		{civil.New(2026, 3, 18), "misura_ridotta", 6900},
		// Half the maximum: 173 → 230,67 at night → 115,34 (half-up), + 13,00.
		{civil.New(2026, 5, 12), "meta_massimo", 12834},
	}
	for _, c := range cases {
		e, err := verbali.Statement(mario, rows, c.day, opts)
		if err != nil {
			t.Fatal(err)
		}
		v := e.Verbali[0]
		if v.Fase != c.fase || int64(v.ImportoCent) != c.cents || int64(e.TotaleCent) != c.cents {
			t.Errorf("%s: fase %s %d (totale %d), want %s %d", c.day, v.Fase, v.ImportoCent, e.TotaleCent, c.fase, c.cents)
		}
		if want := "PAGOPA|002|" + v.NAV + "|00514490010|"; !strings.HasPrefix(v.QRPagoPA, want) {
			t.Errorf("qr = %q", v.QRPagoPA)
		}
		if v.Importi == nil || v.Importi.Riduzione30Cent == nil || *v.Importi.Riduzione30Cent != 5220 || v.Importi.MisuraRidottaCent != 6900 {
			t.Errorf("importi = %+v", v.Importi)
		}
	}
}

// failingStore writes the first batch and fails on the second, like a full
// disk would.
type failingStore struct {
	db    *store.DB
	calls int
}

var errDiskFull = errors.New("disco pieno")

func (f *failingStore) UpsertVerbali(ctx context.Context, rows []store.VerbaleRow, nav store.NAVMaker) ([]store.UpsertOutcome, error) {
	f.calls++
	if f.calls == 2 {
		return nil, errDiskFull
	}
	return f.db.UpsertVerbali(ctx, rows, nav)
}

// A failing write stops the import with its cause: what was committed
// stays, nothing of the failed batch is written, and the reader does not
// hang on a writer that stopped.
func TestImportStopsAtAFailedWrite(t *testing.T) {
	db := storetest.New(t)
	var lines []string
	for i := 1; i <= 50; i++ {
		lines = append(lines, strings.Replace(goodLine, `"numero":"V1"`, fmt.Sprintf(`"numero":"V%d"`, i), 1))
	}
	fs := &failingStore{db: db}
	sum, err := verbali.Import(context.Background(), strings.NewReader(strings.Join(lines, "\n")), fs,
		verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: navMaker, BatchSize: 10})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Import error = %v, want the store's", err)
	}
	n, _ := db.CountVerbali(context.Background())
	if n != 10 || sum.Nuovi != 10 {
		t.Fatalf("%d verbali stored, summary %+v; want the first batch of 10 only", n, sum)
	}
}
