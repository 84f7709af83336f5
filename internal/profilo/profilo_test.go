package profilo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

var today = civil.New(2026, 11, 26)

const (
	mario = "RSSMRA80A01L219M"
	laura = "BNCLRA85M41L219R"
)

// dbWithVerbali is a fresh database holding the demo verbali of today, the
// ones the demo's points movements name.
func dbWithVerbali(t *testing.T) *store.DB {
	t.Helper()
	db := storetest.New(t)
	var buf bytes.Buffer
	for _, r := range demo.Verbali(today) {
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
	if err != nil || sum.Scartati > 0 {
		t.Fatalf("demo verbali: %v %+v", err, sum.Errori)
	}
	return db
}

func importLines(t *testing.T, db *store.DB, lines ...string) profilo.Summary {
	t.Helper()
	sum, err := profilo.Import(context.Background(), strings.NewReader(strings.Join(lines, "\n")), db, profilo.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// Every bad line is reported with its number, kind and a stable code, and
// skipped; the good ones around it are imported.
func TestImportReportsBadLinesAndKeepsTheRest(t *testing.T) {
	good := `{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"TO2158743K","categoria":"B","rilasciata_il":"1999-03-15","scadenza":"2027-01-10"}`
	scenarios := map[string]struct{ line, code string }{
		"unknown kind":                   {`{"tipo":"multa","codice_fiscale":"` + mario + `"}`, profilo.TipoNonValido},
		"truncated JSON":                 {`{"tipo":"patente",`, profilo.RecordNonLeggibile},
		"unknown field":                  {`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"X","categoria":"B","rilasciata_il":"1999-03-15","scadenza":"2027-01-10","colore":"rosa"}`, profilo.RecordNonLeggibile},
		"bad fiscal code":                {`{"tipo":"patente","codice_fiscale":"RSSMRA80A01L219X","numero":"X","categoria":"B","rilasciata_il":"1999-03-15","scadenza":"2027-01-10"}`, profilo.CodiceFiscaleNonValido},
		"missing number":                 {`{"tipo":"patente","codice_fiscale":"` + mario + `","categoria":"B","rilasciata_il":"1999-03-15","scadenza":"2027-01-10"}`, profilo.CampoMancante},
		"impossible date":                {`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"X","categoria":"B","rilasciata_il":"1999-02-30","scadenza":"2027-01-10"}`, profilo.DataNonValida},
		"expiry before issue":            {`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"X","categoria":"B","rilasciata_il":"2028-01-01","scadenza":"2027-01-10"}`, profilo.DateIncoerenti},
		"unknown movement":               {`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"P1","data":"2026-01-10","movimento":"regalo","punti":2}`, profilo.MovimentoNonValido},
		"course without points":          {`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"P1","data":"2026-01-10","movimento":"corso"}`, profilo.PuntiNonValidi},
		"deduction without verbale":      {`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"P1","data":"2026-01-10","movimento":"decurtazione","punti":3}`, profilo.CampoMancante},
		"unknown verbale without points": {`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"P1","data":"2026-01-10","movimento":"decurtazione","verbale":"1999/PM/1"}`, profilo.VerbaleSconosciuto},
		"verbale of someone else":        {`{"tipo":"punti","codice_fiscale":"` + laura + `","id":"P1","data":"2026-01-10","movimento":"decurtazione","verbale":"2026/PM/000104"}`, profilo.VerbaleDiAltri},
		"verbale naming no offender":     {`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"P1","data":"2026-01-10","movimento":"decurtazione","verbale":"2026/PM/000102","punti":0}`, profilo.VerbaleDiAltri},
		"bad plate":                      {`{"tipo":"veicolo","codice_fiscale":"` + mario + `","targa":"GH-48"}`, profilo.TargaNonValida},
		"permit ends before it starts":   {`{"tipo":"permesso","codice_fiscale":"` + mario + `","id":"Z1","categoria":"ZTL","descrizione":"ZTL","valido_dal":"2026-05-01","scadenza":"2026-04-01"}`, profilo.DateIncoerenti},
		"unknown document":               {`{"tipo":"documento","codice_fiscale":"` + mario + `","documento":"tessera_sanitaria","scadenza":"2027-01-01"}`, profilo.DocumentoNonValido},
		"zero amount":                    {`{"tipo":"richiesta_pagamento","codice_fiscale":"` + mario + `","id":"T1","ufficio":"Tributi","oggetto":"TARI","importo_cent":0,"scadenza":"2026-12-01","stato":"da_pagare"}`, profilo.ImportoNonValido},
		"unknown state":                  {`{"tipo":"richiesta_pagamento","codice_fiscale":"` + mario + `","id":"T1","ufficio":"Tributi","oggetto":"TARI","importo_cent":100,"scadenza":"2026-12-01","stato":"forse"}`, profilo.StatoNonValido},
		"bad notice number":              {`{"tipo":"richiesta_pagamento","codice_fiscale":"` + mario + `","id":"T1","ufficio":"Tributi","oggetto":"TARI","importo_cent":100,"scadenza":"2026-12-01","stato":"da_pagare","nav":"301000000000012374"}`, profilo.NAVNonValido},
		"amount as text":                 {`{"tipo":"richiesta_pagamento","codice_fiscale":"` + mario + `","id":"T1","ufficio":"Tributi","oggetto":"TARI","importo_cent":"cento","scadenza":"2026-12-01","stato":"da_pagare"}`, profilo.RecordNonLeggibile},
	}
	for name, c := range scenarios {
		t.Run(name, func(t *testing.T) {
			db := dbWithVerbali(t)
			sum := importLines(t, db, good, "", c.line, good)
			if sum.Letti != 3 || sum.Nuovi != 1 || sum.Invariati != 1 || sum.Scartati != 1 {
				t.Fatalf("summary = %+v", sum)
			}
			e := sum.Errori[0]
			if e.Riga != 3 || e.Codice != c.code || e.Messaggio == "" {
				t.Errorf("error = %+v, want line 3 with %s", e, c.code)
			}
		})
	}
}

// Importing the same file twice changes nothing; a changed record updates
// the stored one, found by its natural key.
func TestImportIsIdempotentByNaturalKey(t *testing.T) {
	db := dbWithVerbali(t)
	ctx := context.Background()
	if _, err := profilo.ImportRecords(ctx, demo.Profilo(today), db, profilo.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	sum, err := profilo.ImportRecords(ctx, demo.Profilo(today), db, profilo.ImportOptions{BatchSize: 2})
	if err != nil || sum.Nuovi != 0 || sum.Aggiornati != 0 || sum.Scartati != 0 || sum.Invariati != sum.Letti {
		t.Fatalf("second import = %+v, %v; want everything unchanged", sum, err)
	}
	sum = importLines(t, db,
		`{"tipo":"documento","codice_fiscale":"`+mario+`","documento":"carta_identita","numero":"CA00000ZZ","scadenza":"2036-12-01"}`,
		`{"tipo":"veicolo","codice_fiscale":"`+mario+`","targa":"gh 482 kl","descrizione":"Fiat Panda 1.2 Hybrid"}`)
	if sum.Aggiornati != 2 || sum.Nuovi != 0 {
		t.Fatalf("update = %+v", sum)
	}
	docs, _ := db.ProfiloOf(ctx, mario, profilo.TipoDocumento)
	if len(docs) != 1 || !strings.Contains(string(docs[0].Record), "CA00000ZZ") {
		t.Errorf("the new identity card did not replace the old one: %d records", len(docs))
	}
}

// A deduction sent without points takes those of its verbale's violations
// from the tariff table.
func TestDeductionPointsComeFromTheVerbale(t *testing.T) {
	db := dbWithVerbali(t)
	sum := importLines(t, db,
		`{"tipo":"patente","codice_fiscale":"`+mario+`","numero":"TO1","categoria":"B","rilasciata_il":"2025-01-10","scadenza":"2035-01-10"}`,
		`{"tipo":"punti","codice_fiscale":"`+mario+`","id":"P105","data":"2026-04-01","movimento":"decurtazione","verbale":"2026/PM/000105"}`,
		`{"tipo":"punti","codice_fiscale":"`+mario+`","id":"P104","data":"2026-06-01","movimento":"decurtazione","verbale":"2026/PM/000104","punti":5}`,
		`{"tipo":"punti","codice_fiscale":"`+mario+`","id":"P900","data":"2026-07-01","movimento":"decurtazione","verbale":"2024/PM/000900","punti":2}`)
	if sum.Nuovi != 4 {
		t.Fatalf("import = %+v", sum)
	}
	rows, _ := db.ProfiloOf(context.Background(), mario, profilo.TipoPunti)
	want := map[string]int{"P105": 6, "P104": 5, "P900": 2}
	for _, r := range rows {
		var m profilo.MovimentoPunti
		json.Unmarshal(r.Record, &m)
		if m.Punti != want[m.ID] {
			t.Errorf("%s: %d points, want %d", m.ID, m.Punti, want[m.ID])
		}
	}
}

func statementOf(t *testing.T, db *store.DB, cf string) verbali.Estratto {
	t.Helper()
	rows, err := db.VerbaliOf(context.Background(), cf)
	if err != nil {
		t.Fatal(err)
	}
	e, err := verbali.Statement(cf, rows, today, verbali.StatementOptions{Rules: cds.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestLicenceBalanceAndMovements(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		lines        []string
		saldo        int
		neopatentato bool
		movimenti    []int // the points of each movement, newest first
		saldi        []int // the balance after each, newest first
	}{
		"new licence, no movements": {
			lines: []string{`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"TO1","categoria":"B","rilasciata_il":"2025-10-01","scadenza":"2035-10-01"}`},
			saldo: 20, neopatentato: true, movimenti: []int{}, saldi: []int{},
		},
		"deduction then course": {
			lines: []string{
				`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"TO1","categoria":"B","rilasciata_il":"2025-10-01","scadenza":"2035-10-01"}`,
				`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"C1","data":"2026-09-01","movimento":"corso","punti":6}`,
				`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"D1","data":"2026-03-01","movimento":"decurtazione","verbale":"2026/PM/000105"}`,
			},
			// A new driver loses double: the verbale says so when it carries
			// neopatentato; here it does not, so 6.
			saldo: 20, neopatentato: true, movimenti: []int{6, -6}, saldi: []int{20, 14},
		},
		"old licence with bonuses": {
			lines: []string{
				`{"tipo":"patente","codice_fiscale":"` + mario + `","numero":"TO1","categoria":"B","rilasciata_il":"2010-01-01","scadenza":"2030-01-01"}`,
				`{"tipo":"punti","codice_fiscale":"` + mario + `","id":"D1","data":"2026-03-01","movimento":"decurtazione","punti":15,"verbale":"2025/PM/000001"}`,
			},
			saldo: 15, movimenti: []int{-15}, saldi: []int{15},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			db := dbWithVerbali(t)
			if sum := importLines(t, db, c.lines...); sum.Scartati > 0 {
				t.Fatalf("import: %+v", sum.Errori)
			}
			lic, _ := db.ProfiloOf(ctx, mario, profilo.TipoPatente)
			mov, _ := db.ProfiloOf(ctx, mario, profilo.TipoPunti)
			s, err := profilo.Licence(lic, mov, statementOf(t, db, mario).Verbali, cds.DefaultConfig(), today)
			if err != nil {
				t.Fatal(err)
			}
			if s.Punti.Saldo != c.saldo || s.Patente.Neopatentato != c.neopatentato {
				t.Errorf("saldo %d neopatentato %v, want %d %v", s.Punti.Saldo, s.Patente.Neopatentato, c.saldo, c.neopatentato)
			}
			var got, saldi []int
			for _, m := range s.Punti.Movimenti {
				got, saldi = append(got, m.Punti), append(saldi, m.SaldoDopo)
			}
			if !equal(got, c.movimenti) || !equal(saldi, c.saldi) {
				t.Errorf("movements %v balances %v, want %v %v", got, saldi, c.movimenti, c.saldi)
			}
		})
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A deduction shows its verbale in full only when the verbale is the
// citizen's own.
func TestMovementShowsItsVerbale(t *testing.T) {
	db := dbWithVerbali(t)
	if err := demo.SeedProfilo(context.Background(), db, today); err != nil {
		t.Fatal(err)
	}
	lic, _ := db.ProfiloOf(context.Background(), mario, profilo.TipoPatente)
	mov, _ := db.ProfiloOf(context.Background(), mario, profilo.TipoPunti)
	s, err := profilo.Licence(lic, mov, statementOf(t, db, mario).Verbali, cds.DefaultConfig(), today)
	if err != nil {
		t.Fatal(err)
	}
	deductions := 0
	for _, m := range s.Punti.Movimenti {
		if m.Movimento != profilo.Decurtazione {
			continue
		}
		deductions++
		if m.Verbale == nil || m.Verbale.Luogo == "" || len(m.Verbale.Violazioni) == 0 || m.Punti >= 0 {
			t.Errorf("deduction %s without its verbale: %+v", m.ID, m.Verbale)
		}
	}
	if deductions != 2 {
		t.Errorf("%d deductions, want 2", deductions)
	}
	// Read with someone else's statement, the verbale is only a number.
	s, _ = profilo.Licence(lic, mov, statementOf(t, db, laura).Verbali, cds.DefaultConfig(), today)
	for _, m := range s.Punti.Movimenti {
		if m.Verbale != nil && m.Verbale.Luogo != "" {
			t.Errorf("verbale %s shown in full outside its owner's statement", m.Verbale.Numero)
		}
	}
}

func TestPermitStatesAndRenewal(t *testing.T) {
	cases := map[string]struct {
		scadenza    civil.Date
		stato       string
		rinnovabile bool
	}{
		"far off":        {today.AddDays(200), profilo.Valido, false},
		"renewable":      {today.AddDays(45), profilo.Valido, true},
		"within 30 days": {today.AddDays(30), profilo.InScadenza, true},
		"today":          {today, profilo.InScadenza, true},
		"expired":        {today.AddDays(-1), profilo.Scaduto, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec, _ := json.Marshal(profilo.Permesso{ID: "Z1", Categoria: "ZTL", Descrizione: "ZTL Centrale",
				ValidoDal: "2025-01-01", Scadenza: c.scadenza.String()})
			list, err := profilo.Permits([]store.ProfiloRow{{Record: rec}}, nil, today)
			if err != nil {
				t.Fatal(err)
			}
			if p := list[0]; p.Stato != c.stato || p.Rinnovabile != c.rinnovabile || p.GiorniMancanti != c.scadenza.DaysSince(today) {
				t.Errorf("permit = %+v, want %s rinnovabile=%v", p, c.stato, c.rinnovabile)
			}
			_, err = profilo.Renewal(list, "Z1", today)
			var p *profilo.Problem
			if c.rinnovabile != (err == nil) || (err != nil && (!errors.As(err, &p) || p.Codice != profilo.RinnovoNonAncora)) {
				t.Errorf("renewal: %v", err)
			}
			if _, err := profilo.Renewal(list, "Z2", today); !errors.As(err, &p) || p.Codice != profilo.PermessoNonTrovato {
				t.Errorf("renewal of an unknown permit: %v", err)
			}
		})
	}
}

func TestExpiriesHaveRemindersSixtyThirtySevenDaysBefore(t *testing.T) {
	doc := func(d civil.Date) []store.ProfiloRow {
		rec, _ := json.Marshal(profilo.Documento{Documento: profilo.CartaIdentita, Numero: "CA1", Scadenza: d.String()})
		return []store.ProfiloRow{{Record: rec}}
	}
	cases := map[string]struct {
		scadenza civil.Date
		dovuti   []bool // 60, 30, 7 days before
	}{
		"in 90 days": {today.AddDays(90), []bool{false, false, false}},
		"in 60 days": {today.AddDays(60), []bool{true, false, false}},
		"in 20 days": {today.AddDays(20), []bool{true, true, false}},
		"in 7 days":  {today.AddDays(7), []bool{true, true, true}},
		"expired":    {today.AddDays(-3), []bool{true, true, true}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := profilo.Expiries(nil, doc(c.scadenza), nil, today)
			if err != nil {
				t.Fatal(err)
			}
			got := s.Scadenze[0]
			for i, p := range got.Promemoria {
				if p.Dovuto != c.dovuti[i] || p.Data != c.scadenza.AddDays(-p.GiorniPrima) {
					t.Errorf("reminder %d days before = %+v, want due=%v", p.GiorniPrima, p, c.dovuti[i])
				}
			}
			if got.Scaduto != c.scadenza.Before(today) {
				t.Errorf("scaduto = %v", got.Scaduto)
			}
		})
	}
}

func TestPaymentRequests(t *testing.T) {
	nav, _ := pagopa.NoticeNumberFromSequence("02", 7)
	row := func(r profilo.RichiestaPagamento) store.ProfiloRow {
		b, _ := json.Marshal(r)
		return store.ProfiloRow{Record: b}
	}
	list, err := profilo.PaymentRequests([]store.ProfiloRow{
		row(profilo.RichiestaPagamento{ID: "1", Ufficio: "Tributi – TARI", Oggetto: "prima rata", ImportoCent: 100, Scadenza: "2026-10-01", Stato: profilo.Pagata}),
		row(profilo.RichiestaPagamento{ID: "2", Ufficio: "Tributi – TARI", Oggetto: "seconda rata", ImportoCent: 250, Scadenza: "2026-12-01", Stato: profilo.DaPagare, NAV: nav.String()}),
		row(profilo.RichiestaPagamento{ID: "3", Ufficio: "Mense scolastiche", Oggetto: "ottobre", ImportoCent: 400, Scadenza: "2026-11-01", Stato: profilo.DaPagare}),
	}, "00514490010", today)
	if err != nil {
		t.Fatal(err)
	}
	if list.TotaleDaPagareCent != 650 {
		t.Errorf("totale = %d, want 650", list.TotaleDaPagareCent)
	}
	got := list.Richieste
	if got[0].ID != "1" || got[1].ID != "3" || got[2].ID != "2" {
		t.Errorf("not by due date: %+v", got)
	}
	if !got[1].Scaduta || got[0].Scaduta || got[2].QRPagoPA != "PAGOPA|002|"+nav.String()+"|00514490010|250" || got[0].QRPagoPA != "" {
		t.Errorf("requests = %+v", got)
	}
}

func TestCoercivePositionsComeFromTheStatement(t *testing.T) {
	db := dbWithVerbali(t)
	e := statementOf(t, db, mario)
	p := profilo.CoercivePositions(e)
	if len(p.Posizioni) != 1 {
		t.Fatalf("%d positions, want Mario's one", len(p.Posizioni))
	}
	got := p.Posizioni[0]
	if got.Ente != "Soris" || got.Link == "" || got.Riferimento == "" || got.ImportoCent <= 0 || p.TotaleCent != got.ImportoCent {
		t.Errorf("position = %+v", got)
	}
	if p := profilo.CoercivePositions(statementOf(t, db, laura)); len(p.Posizioni) != 0 {
		t.Errorf("Laura has coercive positions: %+v", p.Posizioni)
	}
}

func TestCheckPreference(t *testing.T) {
	scenarios := map[string]struct {
		canale, pec string
		code        string
	}{
		"post":                  {"posta", "", ""},
		"post drops the pec":    {"posta", "mario@pec.it", ""},
		"pec":                   {"pec", " Mario.Rossi@PEC.it ", ""},
		"no channel":            {"", "", profilo.CanaleNonValido},
		"email is not a choice": {"email", "mario@pec.it", profilo.CanaleNonValido},
		"pec without address":   {"pec", "  ", profilo.PECMancante},
		"no at":                 {"pec", "mario.pec.it", profilo.PECNonValida},
		"no domain dot":         {"pec", "mario@pec", profilo.PECNonValida},
		"display name":          {"pec", "Mario <mario@pec.it>", profilo.PECNonValida},
		"two addresses":         {"pec", "a@pec.it, b@pec.it", profilo.PECNonValida},
		"trailing dot":          {"pec", "mario@pec.it.", profilo.PECNonValida},
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			p, err := profilo.CheckPreference(s.canale, s.pec)
			var pr *profilo.Problem
			switch {
			case s.code == "" && err != nil:
				t.Errorf("refused: %v", err)
			case s.code != "" && (!errors.As(err, &pr) || pr.Codice != s.code):
				t.Errorf("err = %v, want %s", err, s.code)
			case s.code != "" && !strings.Contains(pr.Messaggio, "PEC") && s.code != profilo.CanaleNonValido:
				t.Errorf("message does not say it must be a PEC: %s", pr.Messaggio)
			case s.code == "" && s.canale == "posta" && p.PEC != "":
				t.Errorf("post keeps a PEC address: %+v", p)
			case s.code == "" && s.canale == "pec" && p.PEC != "mario.rossi@pec.it":
				t.Errorf("pec = %q", p.PEC)
			}
		})
	}
}

func TestNormalizePlate(t *testing.T) {
	scenarios := map[string]string{
		"GH482KL": "GH482KL", " gh 482 kl ": "GH482KL", "gh-482-kl": "GH482KL", "CX41876": "CX41876", "TO123456": "TO123456",
		"": "", "ABC": "", "ABCDEFG": "", "GH482KL!": "", "GH482KLGH482KL": "",
	}
	for in, want := range scenarios {
		got, err := profilo.NormalizePlate(in)
		var p *profilo.Problem
		if want == "" && (!errors.As(err, &p) || p.Codice != profilo.TargaNonValida) {
			t.Errorf("%q: accepted as %q (%v)", in, got, err)
		}
		if want != "" && (err != nil || got != want) {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCheckOwnerNeverSaysWhoseItIs(t *testing.T) {
	v := profilo.RegisteredVehicle{Targa: "GA100ZZ", Intestatari: []string{laura, "VRDGPP75C15L219X"}}
	if err := profilo.CheckOwner(v, laura); err != nil {
		t.Errorf("co-owner refused: %v", err)
	}
	err := profilo.CheckOwner(v, mario)
	var p *profilo.Problem
	if !errors.As(err, &p) || p.Codice != profilo.VeicoloNonIntestato || strings.Contains(p.Messaggio, laura) {
		t.Errorf("err = %v", err)
	}
}

// ImportRecords refuses a record whose tipo does not match what it is.
func TestImportRecordsChecksTheKind(t *testing.T) {
	db := storetest.New(t)
	sum, err := profilo.ImportRecords(context.Background(), []profilo.Record{
		&profilo.Veicolo{Testata: profilo.Testata{Tipo: profilo.TipoPatente, CodiceFiscale: mario}, Targa: "GH482KL"},
		&profilo.Veicolo{Testata: profilo.Testata{Tipo: profilo.TipoVeicolo, CodiceFiscale: mario}, Targa: "GH482KL"},
	}, db, profilo.ImportOptions{})
	if err != nil || sum.Scartati != 1 || sum.Nuovi != 1 || sum.Errori[0].Codice != profilo.TipoNonValido {
		t.Fatalf("import = %+v, %v", sum, err)
	}
	if v, _ := db.VeicoliOf(context.Background(), mario); len(v) != 1 || v[0].AggiuntoIl.After(time.Now()) {
		t.Errorf("vehicles = %+v", v)
	}
}
