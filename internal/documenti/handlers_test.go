package documenti

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// now is the fixed clock of the handler tests; the demo verbali are seeded
// relative to its day.
var now = time.Date(2026, 11, 26, 10, 0, 0, 0, civil.Rome)

// portal serves the two documents behind the real login (the demo identity
// provider and auth.RequireCitizen), over the demo data of today, with one
// pagoPA payment recorded for Mario's first verbale.
func portal(t *testing.T) (*httptest.Server, *store.DB) {
	t.Helper()
	db := storetest.New(t)
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	idp, err := demoidp.New(demoidp.Config{
		Issuer:   ts.URL + "/demo-idp",
		Clients:  []demoidp.Client{{ID: "portale", Secret: "segreto-demo", RedirectURIs: []string{ts.URL + "/auth/callback"}}},
		Citizens: demoidp.Citizens(),
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Config{IssuerURL: ts.URL + "/demo-idp", ClientID: "portale", ClientSecret: "segreto-demo",
		RedirectURL: ts.URL + "/auth/callback"}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	for _, r := range demo.Verbali(civil.FromTime(now)) {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	if _, err := verbali.Import(context.Background(), &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
	paid, err := db.VerbaleByNumero(context.Background(), "2026/PM/000101")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordPayment(context.Background(), store.Payment{ReceiptID: "RT-DEMO-0001", NAV: paid.NAV,
		Numero: paid.Numero, AmountCents: 15587, PaidAt: time.Date(2026, 11, 26, 8, 15, 30, 0, time.UTC),
		PSP: "Banca Demo S.p.A."}, map[string]string{"nav": paid.NAV}); err != nil {
		t.Fatal(err)
	}

	cfg := HandlerConfig{Ente: sampleEnte(), Now: func() time.Time { return now }}
	r := chi.NewRouter()
	a.Routes(r)
	r.Handle("/demo-idp/*", idp)
	r.With(a.RequireCitizen).Get("/api/v1/me/verbali/{numero}/avviso.pdf", AvvisoHandler(db, cfg))
	r.With(a.RequireCitizen).Get("/api/v1/me/verbali/{numero}/quietanza.pdf", QuietanzaHandler(db, cfg))
	handler = r
	return ts, db
}

// loginAs goes through the demo provider as a browser would: the portal's
// /auth/login, the provider's form with codice_fiscale, the callback.
func loginAs(t *testing.T, ts *httptest.Server, cf string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(ts.URL + "/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, after, _ := strings.Cut(string(page), `name="richiesta" value="`)
	richiesta, _, _ := strings.Cut(after, `"`)
	if richiesta == "" {
		t.Fatalf("login did not reach the demo provider's form: %d %.300s", resp.StatusCode, page)
	}
	resp, err = c.PostForm(resp.Request.URL.ResolveReference(&url.URL{Path: "login"}).String(),
		url.Values{"richiesta": {richiesta}, "codice_fiscale": {cf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return c
}

type answer struct {
	status      int
	contentType string
	disposition string
	body        []byte
	codice      string
}

func get(t *testing.T, c *http.Client, url string) answer {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"),
		disposition: resp.Header.Get("Content-Disposition")}
	a.body, _ = io.ReadAll(resp.Body)
	var e struct {
		Errore struct {
			Codice    string `json:"codice"`
			Messaggio string `json:"messaggio"`
		} `json:"errore"`
	}
	if json.Unmarshal(a.body, &e) == nil {
		a.codice = e.Errore.Codice
		if e.Errore.Messaggio == "" {
			t.Errorf("%s: error %s without a message", url, a.codice)
		}
	}
	return a
}

func TestDocumentsAreOnlyTheCitizensOwn(t *testing.T) {
	ts, _ := portal(t)
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	laura := loginAs(t, ts, demo.Laura.CodiceFiscale)
	doc := func(numero, kind string) string {
		return ts.URL + "/api/v1/me/verbali/" + url.PathEscape(numero) + "/" + kind + ".pdf"
	}

	scenarios := []struct {
		name     string
		client   *http.Client
		url      string
		status   int
		codice   string // for errors
		filename string // for PDFs
		text     []string
	}{
		{"Mario's notice, in the 60 days", mario, doc("2026/PM/000102", "avviso"), 200, "",
			"avviso-2026-PM-000102.pdf", []string{"Mario Rossi", "RSSMRA80A01L219M", "AVVISO DI PAGAMENTO", "2026/PM/000102"}},
		{"Laura's notice, as owner", laura, doc("2026/PM/000202", "avviso"), 200, "",
			"avviso-2026-PM-000202.pdf", []string{"Laura Bianchi", "2026/PM/000202"}},
		{"Mario asks for Laura's notice", mario, doc("2026/PM/000201", "avviso"), 404, "VERBALE_NON_TROVATO", "", nil},
		{"Laura asks for Mario's notice", laura, doc("2026/PM/000102", "avviso"), 404, "VERBALE_NON_TROVATO", "", nil},
		{"a number that does not exist", mario, doc("2026/PM/999999", "avviso"), 404, "VERBALE_NON_TROVATO", "", nil},
		{"notice of a paid verbale", mario, doc("2026/PM/000104", "avviso"), 409, "AVVISO_NON_DISPONIBILE", "", nil},
		{"notice of a verbale in instalments", mario, doc("2026/PM/000105", "avviso"), 409, "AVVISO_NON_DISPONIBILE", "", nil},
		{"Mario's receipt of a pagoPA payment", mario, doc("2026/PM/000101", "quietanza"), 200, "",
			"quietanza-2026-PM-000101.pdf", []string{"QUIETANZA DI PAGAMENTO", "155,87 €", "26/11/2026 alle 09:15:30",
				"Banca Demo S.p.A.", "RT-DEMO-0001", "3010 0000 0000 0001 44"}},
		{"Mario's receipt of a payment the gestionale reports", mario, doc("2026/PM/000104", "quietanza"), 200, "",
			"quietanza-2026-PM-000104.pdf", []string{"134,95 €", "Attestazione del pagamento registrato dall'ente",
				"Data del pagamento", "Pagamento registrato da"}},
		{"Laura asks for Mario's receipt", laura, doc("2026/PM/000101", "quietanza"), 404, "VERBALE_NON_TROVATO", "", nil},
		{"receipt of an unpaid verbale", mario, doc("2026/PM/000102", "quietanza"), 404, "QUIETANZA_NON_DISPONIBILE", "", nil},
		{"anonymous", &http.Client{}, doc("2026/PM/000102", "avviso"), 401, "ACCESSO_RICHIESTO", "", nil},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a := get(t, sc.client, sc.url)
			if a.status != sc.status {
				t.Fatalf("status %d, want %d: %.300s", a.status, sc.status, a.body)
			}
			if sc.status != 200 {
				if a.codice != sc.codice || !strings.HasPrefix(a.contentType, "application/json") {
					t.Errorf("error %q (%s), want %q", a.codice, a.contentType, sc.codice)
				}
				return
			}
			if a.contentType != "application/pdf" || a.disposition != `attachment; filename="`+sc.filename+`"` {
				t.Errorf("Content-Type %q, Content-Disposition %q", a.contentType, a.disposition)
			}
			mustContain(t, pdfText(t, strings.TrimSuffix(sc.filename, ".pdf"), a.body), sc.text...)
		})
	}
}

func TestHandlersWithoutACitizenAskForLogin(t *testing.T) {
	db := storetest.New(t)
	for name, h := range map[string]http.HandlerFunc{
		"avviso":    AvvisoHandler(db, HandlerConfig{Ente: sampleEnte()}),
		"quietanza": QuietanzaHandler(db, HandlerConfig{Ente: sampleEnte()}),
	} {
		rec := httptest.NewRecorder()
		h(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"codice":"ACCESSO_RICHIESTO"`) {
			t.Errorf("%s without a citizen = %d %s", name, rec.Code, rec.Body)
		}
	}
}

// The notice a citizen downloads asks for what the personal area shows as
// due today, with the same notice code.
func TestAvvisoAgreesWithTheStatement(t *testing.T) {
	ts, db := portal(t)
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	rows, err := db.VerbaliOf(context.Background(), demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	st, err := verbali.Statement(demo.Mario.CodiceFiscale, rows, civil.FromTime(now),
		verbali.StatementOptions{Rules: cds.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, v := range st.Verbali {
		if !v.Pagabile {
			continue
		}
		a := get(t, mario, ts.URL+"/api/v1/me/verbali/"+url.PathEscape(v.Numero)+"/avviso.pdf")
		if a.status != 200 {
			t.Errorf("%s: status %d %s", v.Numero, a.status, a.body)
			continue
		}
		mustContain(t, pdfText(t, "avviso-"+fileSafe(v.Numero), a.body),
			v.ImportoCent.String(), pagopa.MustParseNoticeNumber(v.NAV).Grouped())
		checked++
	}
	if checked < 3 {
		t.Errorf("only %d payable verbali checked, the demo has more", checked)
	}
}
