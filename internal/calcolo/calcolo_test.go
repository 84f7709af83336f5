package calcolo

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// today is the day the golden files were computed for requests without a
// payment or first-instalment date.
var today = civil.New(2026, 3, 12)

// run decodes a request the way the CLI and the API do and returns the
// JSON they would print: the response, or the error envelope.
func run(t testing.TB, kind string, body []byte) []byte {
	t.Helper()
	var res any
	var err error
	switch kind {
	case "importo":
		var req ImportoRequest
		if err = Decode(bytes.NewReader(body), &req); err == nil {
			res, err = Importo(req, today)
		}
	case "rateizzazione":
		var req RateizzazioneRequest
		if err = Decode(bytes.NewReader(body), &req); err == nil {
			res, err = Rateizzazione(req, today)
		}
	}
	var e *Error
	if errors.As(err, &e) {
		res = e
	} else if err != nil {
		t.Fatalf("not a contract error: %v", err)
	}
	out, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// TestGolden pins whole responses: testdata/<kind>/<case>.json is the
// request, <case>.golden the JSON printed. Run with -update to rewrite
// them, then read the diff as a citizen would.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatal("no golden requests", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := run(t, filepath.Base(filepath.Dir(f)), body)
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("response differs from %s:\n%s", golden, got)
			}
		})
	}
}

func TestImporto(t *testing.T) {
	tests := map[string]struct {
		body        string
		importo     money.Cents
		fase        string
		scadenza    string
		prossima    string
		prossimaImp money.Cents
		punti       int
		spiegazione string // one expected line
	}{
		// RULES.md art. 195 c.2-bis (lentepubblica.it): 42 → 56 → 39,20.
		"night surcharge then 30 % (art. 195 c.2-bis, RULES.md)": {
			body:    `{"violazioni":[{"minimo_cent":4200,"massimo_cent":17300,"punti":2,"maggiorazione_notturna":true}],"data_ora_violazione":"2026-03-09T23:10:00+01:00","data_contestazione":"2026-03-09","spese_cent":0,"data_pagamento":"2026-03-10"}`,
			importo: 3920, fase: "riduzione_30", scadenza: "2026-03-14", prossima: "2026-03-15", prossimaImp: 5600, punti: 2,
			spiegazione: "Maggiorazione notturna di un terzo: 42,00 € → 56,00 €",
		},
		// RULES.md art. 203 c.3 (lanazione.it): art. 146 c.3, 167 → 332,50.
		"half the maximum (art. 203 c.3, RULES.md)": {
			body:    `{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2026-01-09T10:00:00+01:00","data_notifica":"2026-01-10","spese_cent":1300,"data_pagamento":"2026-03-12"}`,
			importo: 34550, fase: "meta_massimo", scadenza: "2026-09-11", prossima: "2026-09-12", prossimaImp: 36575 + 1300, punti: 6,
			spiegazione: "Dopo 60 giorni dalla notifica si paga la metà del massimo (art. 203 c.3): 665,00 € → 332,50 €",
		},
		"today is used without data_pagamento": {
			body:    `{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":1300}`,
			importo: 12990, fase: "riduzione_30", scadenza: "2026-03-16", prossima: "2026-03-17", prossimaImp: 18000, punti: 6,
			spiegazione: "Totale da pagare il 12/03/2026: 129,90 €",
		},
		"new driver: points doubled (art. 126-bis)": {
			body:    `{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":0,"neopatentato":true}`,
			importo: 11690, fase: "riduzione_30", scadenza: "2026-03-16", prossima: "2026-03-17", prossimaImp: 16700, punti: 12,
			spiegazione: "Riduzione del 30% per pagamento entro il 16/03/2026 (art. 202 c.1): 167,00 € → 116,90 €",
		},
		"comma written as on the verbale": {
			body:    `{"violazioni":[{"articolo":"158","comma":"2 lett. g"}],"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":0,"data_pagamento":"2026-04-01"}`,
			importo: 33000, fase: "misura_ridotta", scadenza: "2026-05-09", prossima: "2026-05-10", prossimaImp: 49500, punti: 4,
			spiegazione: "Art. 158 comma 2 lett. g: sanzione da 330,00 € a 990,00 €.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var req ImportoRequest
			if err := Decode(strings.NewReader(tc.body), &req); err != nil {
				t.Fatal(err)
			}
			res, err := Importo(req, today)
			if err != nil {
				t.Fatal(err)
			}
			if res.ImportoCent != tc.importo || res.Fase != tc.fase || res.Punti != tc.punti {
				t.Errorf("got %v %s %d punti, want %v %s %d", res.ImportoCent, res.Fase, res.Punti, tc.importo, tc.fase, tc.punti)
			}
			if res.ScadenzaFase == nil || res.ScadenzaFase.String() != tc.scadenza {
				t.Errorf("scadenza_fase %v, want %s", res.ScadenzaFase, tc.scadenza)
			}
			if p := res.ProssimaFase; p == nil || p.DataInizio.String() != tc.prossima || p.ImportoCent != tc.prossimaImp {
				t.Errorf("prossima_fase %+v, want from %s at %v", p, tc.prossima, tc.prossimaImp)
			}
			if res.ImportoCent != res.SanzioneCent+res.SpeseCent+res.TariffaNonPagataCent {
				t.Error("importo is not the sum of its parts")
			}
			if !contains(res.Spiegazione, tc.spiegazione) {
				t.Errorf("spiegazione lacks %q:\n%s", tc.spiegazione, strings.Join(res.Spiegazione, "\n"))
			}
		})
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func TestImportoErrors(t *testing.T) {
	const ok = `"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":1300`
	const v = `"violazioni":[{"articolo":"146","comma":"3"}]`
	tests := map[string]struct{ body, code string }{
		"not JSON":                        {`{"violazioni":`, JSONNonValido},
		"empty body":                      {``, JSONNonValido},
		"unknown field":                   {`{` + v + `,` + ok + `,"sconto":true}`, JSONNonValido},
		"wrong type":                      {`{` + v + `,` + ok + `,"neopatentato":"no"}`, JSONNonValido},
		"two objects":                     {`{` + v + `,` + ok + `} {}`, JSONNonValido},
		"an array, not an object":         {`[]`, JSONNonValido},
		"no violations":                   {`{"violazioni":[],` + ok + `}`, ViolazioniMancanti},
		"too many violations":             {`{"violazioni":[` + strings.Repeat(`{"articolo":"146","comma":"3"},`, 20) + `{"articolo":"146","comma":"3"}],` + ok + `}`, TroppeViolazioni},
		"article and amounts":             {`{"violazioni":[{"articolo":"146","comma":"3","minimo_cent":100,"massimo_cent":200}],` + ok + `}`, ViolazioneNonValida},
		"neither":                         {`{"violazioni":[{}],` + ok + `}`, ViolazioneNonValida},
		"only the minimum":                {`{"violazioni":[{"minimo_cent":100}],` + ok + `}`, ViolazioneNonValida},
		"unknown article":                 {`{"violazioni":[{"articolo":"999","comma":"1"}],` + ok + `}`, ArticoloSconosciuto},
		"amounts not yet in force":        {`{"violazioni":[{"articolo":"173","comma":"3-bis"}],"data_ora_violazione":"2024-12-01T10:00:00+01:00","data_notifica":"2024-12-10","spese_cent":0}`, TariffaNonInVigore},
		"crime (art. 186 c.2 lett. b)":    {`{"violazioni":[{"articolo":"186","comma":"2 lett. b"}],` + ok + `}`, ViolazionePenale},
		"min above max":                   {`{"violazioni":[{"minimo_cent":300,"massimo_cent":200}],` + ok + `}`, ImportoNonValido},
		"zero minimum":                    {`{"violazioni":[{"minimo_cent":0,"massimo_cent":200}],` + ok + `}`, ImportoNonValido},
		"huge maximum":                    {`{"violazioni":[{"minimo_cent":1,"massimo_cent":9223372036854775807}],` + ok + `}`, ImportoNonValido},
		"negative costs":                  {`{` + v + `,"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":-1}`, ImportoNonValido},
		"negative unpaid tariff":          {`{"violazioni":[{"articolo":"7","comma":"14/1","tariffa_non_pagata_cent":-5}],` + ok + `}`, ImportoNonValido},
		"points out of range":             {`{"violazioni":[{"minimo_cent":100,"massimo_cent":200,"punti":99}],` + ok + `}`, PuntiNonValidi},
		"no violation time":               {`{` + v + `,"data_notifica":"2026-03-10","spese_cent":0}`, DataMancante},
		"no notification":                 {`{` + v + `,"data_ora_violazione":"2026-03-09T10:00:00+01:00","spese_cent":0}`, DataMancante},
		"time without offset":             {`{` + v + `,"data_ora_violazione":"2026-03-09T10:00:00","data_notifica":"2026-03-10","spese_cent":0}`, DataNonValida},
		"30 February":                     {`{` + v + `,"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-02-30","spese_cent":0}`, DataNonValida},
		"Italian date format":             {`{` + v + `,` + ok + `,"data_pagamento":"12/03/2026"}`, DataNonValida},
		"both notifica and contestazione": {`{` + v + `,` + ok + `,"data_contestazione":"2026-03-09"}`, DateIncoerenti},
		"notified before the offence":     {`{` + v + `,"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-08","spese_cent":0}`, DateIncoerenti},
		"paid before the offence":         {`{` + v + `,` + ok + `,"data_pagamento":"2026-03-01"}`, DateIncoerenti},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var req ImportoRequest
			err := Decode(strings.NewReader(tc.body), &req)
			if err == nil {
				_, err = Importo(req, today)
			}
			var e *Error
			if !errors.As(err, &e) || e.Codice != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			if e.Messaggio == "" || strings.Contains(e.Messaggio, "json:") {
				t.Errorf("message not for people: %q", e.Messaggio)
			}
		})
	}
}

func TestImportoNeedsToday(t *testing.T) {
	req := ImportoRequest{
		Violazioni:        []Violazione{{Articolo: "146", Comma: "3"}},
		DataOraViolazione: "2026-03-09T10:00:00+01:00", DataNotifica: "2026-03-10",
	}
	_, err := Importo(req, civil.Date{})
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("a missing today is the caller's bug, not the client's: %v", err)
	}
}

func TestErrorJSON(t *testing.T) {
	b, err := json.Marshal(&Error{Codice: ArticoloSconosciuto, Messaggio: "Non troviamo l'articolo."})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"errore":{"codice":"ARTICOLO_SCONOSCIUTO","messaggio":"Non troviamo l'articolo."}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestDecodeUnknownFieldWording pins the encoding/json message Decode
// relies on to name the unknown field.
func TestDecodeUnknownFieldWording(t *testing.T) {
	var req RateizzazioneRequest
	err := Decode(strings.NewReader(`{"importo":1}`), &req)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Messaggio, `"importo"`) {
		t.Fatalf("got %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("http: request body too large") }

func TestDecodePassesReadErrors(t *testing.T) {
	var req ImportoRequest
	err := Decode(failingReader{}, &req)
	var e *Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("a read error is not the client's JSON: %v", err)
	}
}

func TestRateizzazione(t *testing.T) {
	rate := func(n int) *int { return &n }
	tests := map[string]struct {
		req         RateizzazioneRequest
		ammissibile bool
		max         int
		motivo      string
		rate        int
	}{
		// Issue 3 contract example; art. 202-bis bands (RULES.md).
		"issue example, 24 instalments": {RateizzazioneRequest{ImportoCent: 250000, RedditoCent: 900000, Rate: rate(24)}, true, 24, "", 24},
		"only eligibility":              {RateizzazioneRequest{ImportoCent: 250000, RedditoCent: 900000}, true, 24, "", 0},
		"€ 200 is not above € 200":      {RateizzazioneRequest{ImportoCent: 20000, RedditoCent: 0}, false, 0, "Puoi chiedere la rateizzazione solo se il totale supera 200,00 € (art. 202-bis).", 0},
		"income too high, rate ignored": {RateizzazioneRequest{ImportoCent: 250000, RedditoCent: 1100000, Rate: rate(12)}, false, 0, "Il reddito indicato, 11.000,00 €, supera il limite di 10.628,16 € per un nucleo con 0 familiari conviventi (art. 202-bis).", 0},
		"one member raises the limit":   {RateizzazioneRequest{ImportoCent: 250000, RedditoCent: 1100000, FamiliariConviventi: 1}, true, 24, "", 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := Rateizzazione(tc.req, today)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ammissibile != tc.ammissibile || res.MaxRate != tc.max || res.Motivo != tc.motivo || res.Rate != tc.rate || len(res.Piano) != tc.rate {
				t.Errorf("got %+v", res)
			}
			if tc.rate > 0 {
				var capitale money.Cents
				for _, r := range res.Piano {
					capitale += r.CapitaleCent
				}
				if capitale != tc.req.ImportoCent || res.TotaleCent != capitale+res.TotaleInteressiCent {
					t.Errorf("plan does not add up: capitale %v, totale %v, interessi %v", capitale, res.TotaleCent, res.TotaleInteressiCent)
				}
				if res.Piano[0].Scadenza != today {
					t.Errorf("first instalment due %v, want today %v", res.Piano[0].Scadenza, today)
				}
			}
		})
	}
}

func TestRateizzazioneErrors(t *testing.T) {
	tests := map[string]struct{ body, code string }{
		"zero amount":       {`{"importo_cent":0,"reddito_cent":0,"familiari_conviventi":0}`, ImportoNonValido},
		"negative income":   {`{"importo_cent":25000,"reddito_cent":-1,"familiari_conviventi":0}`, RedditoNonValido},
		"negative members":  {`{"importo_cent":25000,"reddito_cent":0,"familiari_conviventi":-1}`, FamiliariNonValidi},
		"one instalment":    {`{"importo_cent":250000,"reddito_cent":0,"familiari_conviventi":0,"rate":1}`, RateNonValide},
		"above the maximum": {`{"importo_cent":250000,"reddito_cent":0,"familiari_conviventi":0,"rate":25}`, RateNonValide},
		"bad first date":    {`{"importo_cent":250000,"reddito_cent":0,"familiari_conviventi":0,"rate":2,"data_prima_rata":"2026-13-01"}`, DataNonValida},
		"rate as a string":  {`{"importo_cent":250000,"reddito_cent":0,"familiari_conviventi":0,"rate":"2"}`, JSONNonValido},
		"fractional cents":  {`{"importo_cent":2500.5,"reddito_cent":0,"familiari_conviventi":0}`, JSONNonValido},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var req RateizzazioneRequest
			err := Decode(strings.NewReader(tc.body), &req)
			if err == nil {
				_, err = Rateizzazione(req, today)
			}
			var e *Error
			if !errors.As(err, &e) || e.Codice != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestViolazioni(t *testing.T) {
	list := Violazioni(today)
	// 39 rows in the table, minus the two crimes (art. 186 c.2 lett. b, 187 c.1).
	if len(list) != 37 {
		t.Errorf("%d violations listed, want 37", len(list))
	}
	before := Violazioni(civil.New(2024, 12, 13))
	// L. 177/2024 rows (158 c.2 lett. d and g; 173 c.3-bis) start on 14/12/2024.
	if len(before) != 34 {
		t.Errorf("%d violations listed before L. 177/2024, want 34", len(before))
	}
}

// FuzzImporto: whatever the body, the calculator answers with a response
// or a contract error, never a panic or an internal error, and the total
// is always the sum of its parts.
func FuzzImporto(f *testing.F) {
	files, _ := filepath.Glob("testdata/importo/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"violazioni":[{"minimo_cent":1,"massimo_cent":10000000000,"maggiorazione_notturna":true}],"data_ora_violazione":"1990-01-01T23:00:00Z","data_contestazione":"2200-12-31","spese_cent":10000000000,"data_pagamento":"2200-12-31"}`))
	f.Add([]byte(`{"violazioni":[{"minimo_cent":1,"massimo_cent":2}],"data_ora_violazione":"0001-01-01T23:00:00Z","data_contestazione":"9999-12-31","spese_cent":0}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var req ImportoRequest
		if err := Decode(bytes.NewReader(body), &req); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode: %v", err)
			}
			return
		}
		res, err := Importo(req, today)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Importo: %v", err)
			}
			return
		}
		if res.ImportoCent != res.SanzioneCent+res.SpeseCent+res.TariffaNonPagataCent || res.ImportoCent < 0 {
			t.Fatalf("importo %v is not the sum of its parts", res.ImportoCent)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("the response does not encode: %v", err)
		}
	})
}

// FuzzRateizzazione: any figures give a response or a contract error, and
// a plan always repays exactly the amount.
func FuzzRateizzazione(f *testing.F) {
	f.Add(int64(250000), int64(900000), 0, 24)
	f.Add(int64(20001), int64(0), 3, 2)
	f.Add(int64(10_000_000_000), int64(0), 50, 60)
	f.Fuzz(func(t *testing.T, importo, reddito int64, familiari, n int) {
		req := RateizzazioneRequest{ImportoCent: money.Cents(importo), RedditoCent: money.Cents(reddito), FamiliariConviventi: familiari, Rate: &n}
		res, err := Rateizzazione(req, today)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Rateizzazione: %v", err)
			}
			return
		}
		var capitale money.Cents
		for _, r := range res.Piano {
			capitale += r.CapitaleCent
			if r.CapitaleCent < 10000 {
				t.Fatalf("instalment below € 100: %+v", r)
			}
		}
		if len(res.Piano) > 0 && capitale != req.ImportoCent {
			t.Fatalf("plan repays %v of %v", capitale, req.ImportoCent)
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("the response does not encode: %v", err)
		}
	})
}

func TestAvvisi(t *testing.T) {
	tests := map[string]struct{ body, want string }{
		// violations.tsv marks art. 141 c.8 UNVERIFIED: the person is told.
		"unverified amounts": {
			`{"violazioni":[{"articolo":"141","comma":"8"}],"data_ora_violazione":"2026-03-09T10:00:00+01:00","data_notifica":"2026-03-10","spese_cent":0}`,
			"Art. 141 comma 8: gli importi sono ancora da verificare sul testo ufficiale. Controlla quelli scritti sul verbale.",
		},
		// Art. 201 c.5: notification within 90 days of identification.
		"late notification": {
			`{"violazioni":[{"articolo":"146","comma":"2"}],"data_ora_violazione":"2026-01-09T10:00:00+01:00","data_notifica":"2026-04-20","spese_cent":0}`,
			"La notifica è arrivata più di 90 giorni dopo la violazione: se il trasgressore era identificabile subito, potrebbe essere tardiva (art. 201 c.5). Verifica con l'ufficio verbali.",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var req ImportoRequest
			if err := Decode(strings.NewReader(tc.body), &req); err != nil {
				t.Fatal(err)
			}
			res, err := Importo(req, today)
			if err != nil {
				t.Fatal(err)
			}
			if !contains(res.Avvisi, tc.want) {
				t.Errorf("avvisi = %q", res.Avvisi)
			}
		})
	}
}
