package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/democheckout"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// specChecked validates every API answer of a real HTTP server against
// openapi.yaml, as checkAgainstSpec does for recorded ones.
func specChecked(t *testing.T, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
		check := r.Clone(context.Background())
		check.Body = io.NopCloser(bytes.NewReader(reqBody))
		checkAgainstSpec(t, check, rec)
	})
}

// portalOptions vary the test portal.
type portalOptions struct {
	registry bool // a vehicle registry (the demo one)
	checkout bool // the demo checkout, paying through the portal's own SOAP endpoint
}

// portal is a full portal on a real loopback HTTP server: the demo identity
// provider, the citizens' login, pagoPA, and the demo data seeded for today.
func portal(t *testing.T) *httptest.Server {
	ts, _ := portalWith(t, portalOptions{registry: true})
	return ts
}

func portalWith(t *testing.T, opts portalOptions) (*httptest.Server, *store.DB) {
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
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	today := civil.FromTime(time.Now())
	var jsonl bytes.Buffer
	for _, r := range demo.Verbali(today) {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	ctx := context.Background()
	if _, err := verbali.Import(ctx, &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedProfilo(ctx, db, today); err != nil {
		t.Fatal(err)
	}
	creditor := pagopa.NewCreditorHandler(pagopa.CreditorConfig{IDPA: "00514490010", IDBrokerPA: "00514490010",
		IDStation: "00514490010_01", IBAN: "IT60X0542811101000000123456", CreditorName: "Città di Torino",
		TransferCategory: "9/0101100IM/"}, &pagamenti.Positions{Store: db, Rules: cds.DefaultConfig()}, slog.New(slog.DiscardHandler))
	cfg := Config{DB: db, Auth: a, DemoIdP: idp, NAV: nav, CreditorFiscalCode: "00514490010", PagoPA: creditor}
	if opts.registry {
		cfg.Registry = demo.Registry{}
	}
	if opts.checkout {
		const cf = "00514490010"
		checkout := democheckout.New(democheckout.Config{
			Attempts:           &pagamenti.Attempts{Store: db},
			Node:               &pagopa.NodeClient{URL: ts.URL + "/pagopa/paForNode", IDPA: cf, IDBrokerPA: cf, IDStation: cf + "_01"},
			CreditorFiscalCode: cf,
		})
		cfg.Checkout, cfg.DemoCheckout = checkout, checkout
	}
	handler = specChecked(t, New(cfg))
	return ts, db
}

// loginAs goes through the demo provider as a browser would: the portal's
// /auth/login, the provider's login form with codice_fiscale, the callback.
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
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="codice_fiscale"`) || !strings.Contains(string(page), "Ambiente di prova") {
		t.Fatalf("login did not reach the demo provider's form: %d %.300s", resp.StatusCode, page)
	}
	richiesta := between(string(page), `name="richiesta" value="`, `"`)
	resp, err = c.PostForm(resp.Request.URL.ResolveReference(&url.URL{Path: "login"}).String(),
		url.Values{"richiesta": {richiesta}, "codice_fiscale": {cf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after the provider, status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return c
}

func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return v
}

func call(t *testing.T, c *http.Client, method, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestPersonalAreaNeedsLoginAndConsent(t *testing.T) {
	ts := portal(t)
	anon := &http.Client{}
	for _, p := range []string{"/api/v1/me", "/api/v1/me/estratto-conto", "/api/v1/me/verbali/x", "/api/v1/me/consenso"} {
		if code, body := call(t, anon, "GET", ts.URL+p, ""); code != 401 || !strings.Contains(string(body), "ACCESSO_RICHIESTO") {
			t.Errorf("anonymous %s = %d %s", p, code, body)
		}
	}
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	if code, body := call(t, mario, "GET", ts.URL+"/api/v1/me/estratto-conto", ""); code != 403 || !strings.Contains(string(body), "CONSENSO_RICHIESTO") {
		t.Errorf("without consent = %d %s", code, body)
	}
	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`); code != 200 || !strings.Contains(string(body), `"dato":true`) {
		t.Fatalf("consent = %d %s", code, body)
	}
	if code, _ := call(t, mario, "GET", ts.URL+"/api/v1/me/consenso", ""); code != 200 {
		t.Errorf("read consent = %d", code)
	}
	if code, _ := call(t, mario, "GET", ts.URL+"/api/v1/me/estratto-conto", ""); code != 200 {
		t.Errorf("with consent = %d", code)
	}
	if code, _ := call(t, mario, "DELETE", ts.URL+"/api/v1/me/consenso", ""); code != 200 {
		t.Errorf("withdraw = %d", code)
	}
	if code, _ := call(t, mario, "GET", ts.URL+"/api/v1/me/estratto-conto", ""); code != 403 {
		t.Errorf("after withdrawing consent = %d, want 403", code)
	}
}

func TestStatementShowsOnlyTheCitizensOwnFines(t *testing.T) {
	ts := portal(t)
	type statement struct {
		TotaleCent int64 `json:"totale_cent"`
		Verbali    []struct {
			Numero      string `json:"numero"`
			Fase        string `json:"fase"`
			ImportoCent int64  `json:"importo_cent"`
			NAV         string `json:"nav"`
			QR          string `json:"qr_pagopa"`
		} `json:"verbali"`
	}
	read := func(cf string) (*http.Client, statement) {
		c := loginAs(t, ts, cf)
		call(t, c, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
		code, body := call(t, c, "GET", ts.URL+"/api/v1/me/estratto-conto", "")
		if code != 200 {
			t.Fatalf("%s statement = %d %s", cf, code, body)
		}
		var s statement
		json.Unmarshal(body, &s)
		if _, me := call(t, c, "GET", ts.URL+"/api/v1/me", ""); !strings.Contains(string(me), cf) {
			t.Errorf("/me for %s = %s", cf, me)
		}
		return c, s
	}
	marioClient, mario := read(demo.Mario.CodiceFiscale)
	lauraClient, laura := read(demo.Laura.CodiceFiscale)

	phases := map[string]bool{}
	var sum int64
	for _, v := range mario.Verbali {
		phases[v.Fase] = true
		sum += v.ImportoCent
		if _, err := pagopa.ParseNoticeNumber(v.NAV); err != nil {
			t.Errorf("%s: nav %q invalid: %v", v.Numero, v.NAV, err)
		}
	}
	for _, f := range []string{"riduzione_30", "misura_ridotta", "meta_massimo", "pagato", "rateizzato", "coattivo"} {
		if !phases[f] {
			t.Errorf("Mario's statement has no %s fine: %v", f, phases)
		}
	}
	if sum != mario.TotaleCent || sum == 0 {
		t.Errorf("totale_cent %d, sum of importo_cent %d", mario.TotaleCent, sum)
	}
	if len(laura.Verbali) != 2 {
		t.Errorf("Laura sees %d verbali, want 2", len(laura.Verbali))
	}
	for _, lv := range laura.Verbali {
		for _, mv := range mario.Verbali {
			if lv.Numero == mv.Numero {
				t.Errorf("verbale %s is in both statements", lv.Numero)
			}
		}
		// Mario asking for Laura's verbale learns nothing, not even that it exists.
		if code, body := call(t, marioClient, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(lv.Numero), ""); code != 404 || strings.Contains(string(body), lv.NAV) {
			t.Errorf("Mario reading Laura's %s = %d %s", lv.Numero, code, body)
		}
	}
	own := mario.Verbali[0]
	code, body := call(t, marioClient, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(own.Numero), "")
	if code != 200 || !strings.Contains(string(body), own.NAV) {
		t.Errorf("Mario reading his own %s = %d %.200s", own.Numero, code, body)
	}
	if code, _ := call(t, lauraClient, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(own.Numero), ""); code != 404 {
		t.Errorf("Laura reading Mario's verbale = %d, want 404", code)
	}
}

// The pagoPA node verifies a notice, fetches the payment, and delivers the
// receipt twice: the fine is paid once and the total drops by its amount.
func TestNodeRunPaysAFineExactlyOnce(t *testing.T) {
	ts := portal(t)
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	type voce struct {
		Numero      string `json:"numero"`
		Fase        string `json:"fase"`
		ImportoCent int64  `json:"importo_cent"`
		NAV         string `json:"nav"`
		Pagabile    bool   `json:"pagabile"`
	}
	read := func() (int64, []voce) {
		_, body := call(t, mario, "GET", ts.URL+"/api/v1/me/estratto-conto", "")
		var st struct {
			TotaleCent int64  `json:"totale_cent"`
			Verbali    []voce `json:"verbali"`
		}
		json.Unmarshal(body, &st)
		return st.TotaleCent, st.Verbali
	}
	before, list := read()
	var target voce
	for _, v := range list {
		if v.Fase == "misura_ridotta" {
			target = v
			break
		}
	}
	if target.NAV == "" || !target.Pagabile {
		t.Fatalf("no payable fine in %+v", list)
	}
	node := &pagopa.NodeClient{URL: ts.URL + "/pagopa/paForNode", IDPA: "00514490010", IDBrokerPA: "00514490010", IDStation: "00514490010_01"}
	ctx := context.Background()
	notice := pagopa.MustParseNoticeNumber(target.NAV)
	info, err := node.VerifyPaymentNotice(ctx, "00514490010", notice)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	pay, err := node.GetPaymentV2(ctx, "00514490010", notice, 0)
	if err != nil {
		t.Fatalf("get payment: %v", err)
	}
	if int64(pay.Amount) != target.ImportoCent {
		t.Fatalf("node told %d cents, statement says %d (verify: %+v)", pay.Amount, target.ImportoCent, info)
	}
	receipt := pay.Receipt("RT-TEST-0001", pagopa.PSP{ID: "PSPDEMO", CompanyName: "PSP di prova", ChannelID: "PSPDEMO_01", ChannelDescription: "app", PaymentMethod: "CP"}, time.Now())
	for range 2 {
		if err := node.SendRTV2(ctx, receipt); err != nil {
			t.Fatalf("send receipt: %v", err)
		}
	}
	after, list := read()
	if before-after != target.ImportoCent {
		t.Errorf("total went from %d to %d, want a drop of exactly %d", before, after, target.ImportoCent)
	}
	for _, v := range list {
		if v.Numero == target.Numero && (v.Fase != "pagato" || v.ImportoCent != 0) {
			t.Errorf("paid fine shows %s %d", v.Fase, v.ImportoCent)
		}
	}
	var fault *pagopa.Fault
	if _, err := node.VerifyPaymentNotice(ctx, "00514490010", notice); !errors.As(err, &fault) || fault.Code != "PAA_PAGAMENTO_DUPLICATO" {
		t.Errorf("verify after payment: %v, want PAA_PAGAMENTO_DUPLICATO", err)
	}
}

func TestPaymentDocumentsAreTheCitizensOwn(t *testing.T) {
	ts := portal(t)
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	laura := loginAs(t, ts, demo.Laura.CodiceFiscale)
	call(t, laura, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	_, body := call(t, mario, "GET", ts.URL+"/api/v1/me/estratto-conto", "")
	var st struct {
		Verbali []struct {
			Numero, Fase string
		} `json:"verbali"`
	}
	json.Unmarshal(body, &st)
	var payable, paid string
	for _, v := range st.Verbali {
		switch v.Fase {
		case "misura_ridotta":
			payable = v.Numero
		case "pagato":
			paid = v.Numero
		}
	}
	pdf := func(c *http.Client, numero, doc string) (int, []byte) {
		return call(t, c, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(numero)+"/"+doc, "")
	}
	for _, c := range []struct {
		numero, doc string
		code        int
	}{{payable, "avviso.pdf", 200}, {paid, "quietanza.pdf", 200}, {payable, "quietanza.pdf", 404}, {paid, "avviso.pdf", 409}} {
		code, b := pdf(mario, c.numero, c.doc)
		if code != c.code {
			t.Errorf("Mario %s of %s = %d, want %d: %.200s", c.doc, c.numero, code, c.code, b)
		}
		if code == 200 && !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s of %s is not a PDF", c.doc, c.numero)
		}
		if code, _ := pdf(laura, c.numero, c.doc); code != 404 {
			t.Errorf("Laura reading Mario's %s = %d, want 404", c.doc, code)
		}
	}
}
