package apiserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
)

// payingPortal is the test portal with the demo checkout playing the node.
func payingPortal(t *testing.T) *httptest.Server {
	ts, _ := portalWith(t, portalOptions{registry: true, checkout: true})
	return ts
}

type fineLine struct {
	Numero      string `json:"numero"`
	Fase        string `json:"fase"`
	ImportoCent int64  `json:"importo_cent"`
	NAV         string `json:"nav"`
	Pagabile    bool   `json:"pagabile"`
}

// citizenStatement reads the total and the fines of c's statement.
func citizenStatement(t *testing.T, ts *httptest.Server, c *http.Client) (int64, map[string]fineLine) {
	t.Helper()
	code, body := call(t, c, "GET", ts.URL+"/api/v1/me/estratto-conto", "")
	if code != 200 {
		t.Fatalf("statement = %d %s", code, body)
	}
	var st struct {
		TotaleCent int64      `json:"totale_cent"`
		Verbali    []fineLine `json:"verbali"`
	}
	json.Unmarshal(body, &st)
	byNumero := map[string]fineLine{}
	for _, v := range st.Verbali {
		byNumero[v.Numero] = v
	}
	return st.TotaleCent, byNumero
}

func citizenWithConsent(t *testing.T, ts *httptest.Server, cf string) *http.Client {
	t.Helper()
	c := loginAs(t, ts, cf)
	if code, body := call(t, c, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`); code != 200 {
		t.Fatalf("consent = %d %s", code, body)
	}
	return c
}

// payableFine is Mario's fine within 60 days (misura ridotta).
func payableFine(t *testing.T, fines map[string]fineLine) fineLine {
	t.Helper()
	for _, v := range fines {
		if v.Fase == "misura_ridotta" && v.Pagabile {
			return v
		}
	}
	t.Fatalf("no payable fine in %+v", fines)
	return fineLine{}
}

type started struct {
	ID          string `json:"id"`
	RedirectURL string `json:"redirect_url"`
	ImportoCent int64  `json:"importo_cent"`
	NAV         string `json:"nav"`
}

func startPayment(t *testing.T, ts *httptest.Server, c *http.Client, path, body string) started {
	t.Helper()
	code, b := call(t, c, "POST", ts.URL+path, body)
	if code != http.StatusCreated {
		t.Fatalf("POST %s = %d %s", path, code, b)
	}
	var s started
	json.Unmarshal(b, &s)
	if s.ID == "" || s.RedirectURL != "/demo-checkout/"+s.ID {
		t.Fatalf("started payment %+v: want the demo checkout", s)
	}
	return s
}

type paymentStatus struct {
	Stato        string `json:"stato"`
	Numero       string `json:"numero"`
	ImportoCent  int64  `json:"importo_cent"`
	PagatoCent   int64  `json:"pagato_cent"`
	QuietanzaURL string `json:"quietanza_url"`
}

func readPayment(t *testing.T, c *http.Client, url string) (int, paymentStatus) {
	t.Helper()
	code, b := call(t, c, "GET", url, "")
	var p paymentStatus
	json.Unmarshal(b, &p)
	return code, p
}

// checkoutPage opens the checkout page as the payer's browser would.
func checkoutPage(t *testing.T, ts *httptest.Server, c *http.Client, s started) string {
	t.Helper()
	resp, err := c.Get(ts.URL + s.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("checkout page = %d %.300s", resp.StatusCode, page)
	}
	return string(page)
}

// submitCheckout presses a button of the checkout page and returns where the
// payer lands.
func submitCheckout(t *testing.T, ts *httptest.Server, c *http.Client, s started, form url.Values) *url.URL {
	t.Helper()
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(ts.URL+s.RedirectURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("checkout %v = %d, want a redirect back to the portal", form, resp.StatusCode)
	}
	to, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func TestMarioPaysAFineThroughTheDemoCheckout(t *testing.T) {
	ts := payingPortal(t)
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	before, fines := citizenStatement(t, ts, mario)
	fine := payableFine(t, fines)

	s := startPayment(t, ts, mario, "/api/v1/me/verbali/"+url.PathEscape(fine.Numero)+"/pagamento", "")
	if s.ImportoCent != fine.ImportoCent || s.NAV != fine.NAV {
		t.Errorf("payment started for %d cents on %s, statement says %d on %s", s.ImportoCent, s.NAV, fine.ImportoCent, fine.NAV)
	}
	status := ts.URL + "/api/v1/me/pagamenti/" + s.ID
	if code, p := readPayment(t, mario, status); code != 200 || p.Stato != "in_corso" {
		t.Errorf("before paying: %d %+v, want in_corso", code, p)
	}

	page := checkoutPage(t, ts, mario, s)
	grouped := pagopa.MustParseNoticeNumber(fine.NAV).Grouped()
	for _, want := range []string{"Ambiente di prova", "€ " + money.Cents(fine.ImportoCent).Plain(), "Città di Torino",
		grouped, `value="carta"`, `value="conto"`, `value="app"`, `value="paga"`, `value="annulla"`} {
		if !strings.Contains(page, want) {
			t.Errorf("checkout page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("checkout page has a script")
	}

	// "Paga" without a method: the page asks again, nothing is paid.
	resp, err := mario.PostForm(ts.URL+s.RedirectURL, url.Values{"azione": {"paga"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("paying without a method = %d, want 422", resp.StatusCode)
	}

	to := submitCheckout(t, ts, mario, s, url.Values{"azione": {"paga"}, "metodo": {"carta"}})
	if to.Path != "/area-personale/pagamento/" || to.Query().Get("id") != s.ID {
		t.Errorf("back to %s, want the personal area's result page", to)
	}
	code, p := readPayment(t, mario, status)
	if code != 200 || p.Stato != "pagato" || p.PagatoCent != fine.ImportoCent || p.QuietanzaURL == "" {
		t.Errorf("after paying: %d %+v", code, p)
	}
	if code, _ := call(t, mario, "GET", ts.URL+p.QuietanzaURL, ""); code != 200 {
		t.Errorf("receipt PDF = %d", code)
	}
	after, fines := citizenStatement(t, ts, mario)
	if got := fines[fine.Numero]; got.Fase != "pagato" || got.Pagabile {
		t.Errorf("paid fine shows %+v", got)
	}
	if before-after != fine.ImportoCent {
		t.Errorf("total went from %d to %d, want a drop of exactly %d", before, after, fine.ImportoCent)
	}

	// Pressing "Paga" again, or paying the fine again, changes nothing.
	if to := submitCheckout(t, ts, mario, s, url.Values{"azione": {"paga"}, "metodo": {"carta"}}); to.Path != "/area-personale/pagamento/" {
		t.Errorf("second press went to %s", to)
	}
	if again, _ := citizenStatement(t, ts, mario); again != after {
		t.Errorf("total changed from %d to %d on a second press", after, again)
	}
	code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(fine.Numero)+"/pagamento", "")
	if code != http.StatusConflict || !strings.Contains(string(body), "NON_PAGABILE") {
		t.Errorf("paying a paid fine = %d %s", code, body)
	}
}

func TestCancellingAtTheCheckoutLeavesTheFineUnpaid(t *testing.T) {
	ts := payingPortal(t)
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	before, fines := citizenStatement(t, ts, mario)
	fine := payableFine(t, fines)
	s := startPayment(t, ts, mario, "/api/v1/me/verbali/"+url.PathEscape(fine.Numero)+"/pagamento", "")
	checkoutPage(t, ts, mario, s)

	to := submitCheckout(t, ts, mario, s, url.Values{"azione": {"annulla"}})
	if to.Path != "/area-personale/pagamento/" || to.Query().Get("id") != s.ID {
		t.Errorf("back to %s", to)
	}
	if code, p := readPayment(t, mario, ts.URL+"/api/v1/me/pagamenti/"+s.ID); code != 200 || p.Stato != "annullato" {
		t.Errorf("after cancelling: %d %+v, want annullato", code, p)
	}
	after, fines := citizenStatement(t, ts, mario)
	if after != before || fines[fine.Numero].Fase != fine.Fase || !fines[fine.Numero].Pagabile {
		t.Errorf("cancelling changed the statement: %d → %d, %+v", before, after, fines[fine.Numero])
	}
	// A cancelled attempt cannot be paid any more: the checkout sends the
	// payer back, and a new "Paga con pagoPA" starts afresh.
	if to := submitCheckout(t, ts, mario, s, url.Values{"azione": {"paga"}, "metodo": {"conto"}}); to.Path != "/area-personale/pagamento/" {
		t.Errorf("paying a cancelled attempt went to %s", to)
	}
	if again, _ := citizenStatement(t, ts, mario); again != before {
		t.Errorf("a cancelled attempt paid: total %d → %d", before, again)
	}
}

func TestAPreNoticeIsPaidWithoutAnAccount(t *testing.T) {
	ts := payingPortal(t)
	anon := &http.Client{}
	var numero, nav string
	var importo int64
	// Mario's pre-notice, found as its holder would: number and plate, typed loosely.
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	marioFines := func() map[string]fineLine {
		_, fines := citizenStatement(t, ts, mario)
		return fines
	}
	for _, v := range marioFines() {
		if strings.HasSuffix(v.Numero, "/PM/000108") {
			numero, nav = v.Numero, v.NAV
		}
	}
	if numero == "" {
		t.Fatal("Mario has no pre-notice")
	}
	plate := strings.ToLower(demo.Mario.Targhe[0][:2]) + " " + demo.Mario.Targhe[0][2:]
	code, body := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/cerca", `{"numero":"`+numero+`","targa":"`+plate+`"}`)
	var found struct {
		NAV         string `json:"nav"`
		Fase        string `json:"fase"`
		ImportoCent int64  `json:"importo_cent"`
		SpeseCent   int64  `json:"spese_cent"`
		Pagabile    bool   `json:"pagabile"`
		Importi     struct {
			Riduzione30 *int64 `json:"riduzione_30_cent"`
		} `json:"importi"`
	}
	json.Unmarshal(body, &found)
	if code != 200 || found.NAV != nav || found.Fase != "riduzione_30" || found.SpeseCent != 0 || !found.Pagabile ||
		found.Importi.Riduzione30 == nil || *found.Importi.Riduzione30 != found.ImportoCent {
		t.Fatalf("pre-notice by number and plate = %d %s", code, body)
	}
	importo = found.ImportoCent
	for _, s := range []string{demo.Mario.CodiceFiscale, demo.Mario.Cognome, demo.Mario.Email} {
		if strings.Contains(string(body), s) {
			t.Errorf("the public answer shows personal data %q", s)
		}
	}
	if code, b := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/cerca", `{"nav":"`+pagopa.MustParseNoticeNumber(nav).Grouped()+`"}`); code != 200 || !strings.Contains(string(b), nav) {
		t.Errorf("pre-notice by notice code = %d %s", code, b)
	}

	// Whatever is wrong, the answer is the same: nothing reveals a number.
	notified := ""
	for _, v := range marioFines() {
		if v.Fase == "misura_ridotta" {
			notified = v.Numero
		}
	}
	var notFound string
	for name, req := range map[string]string{
		"wrong plate":       `{"numero":"` + numero + `","targa":"AA000AA"}`,
		"notified fine":     `{"numero":"` + notified + `","targa":"` + demo.Mario.Targhe[0] + `"}`,
		"unknown number":    `{"numero":"1999/PM/999999","targa":"` + demo.Mario.Targhe[0] + `"}`,
		"notified fine NAV": `{"nav":"` + marioFines()[notified].NAV + `"}`,
	} {
		code, b := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/cerca", req)
		if code != 404 || !strings.Contains(string(b), "PREAVVISO_NON_TROVATO") {
			t.Errorf("%s = %d %s", name, code, b)
		}
		if notFound != "" && string(b) != notFound {
			t.Errorf("%s answers differently: %s vs %s", name, b, notFound)
		}
		notFound = string(b)
	}
	for name, req := range map[string]string{
		"nothing":         `{}`,
		"number only":     `{"numero":"` + numero + `"}`,
		"bad notice code": `{"nav":"301000000000012374"}`,
		"unknown field":   `{"codice_fiscale":"x"}`,
	} {
		if code, b := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/cerca", req); code != 400 {
			t.Errorf("%s = %d %s, want 400", name, code, b)
		}
	}

	s := startPayment(t, ts, anon, "/api/v1/preavvisi/pagamento", `{"nav":"`+nav+`"}`)
	if s.ImportoCent != importo {
		t.Errorf("started for %d cents, the search said %d", s.ImportoCent, importo)
	}
	status := ts.URL + "/api/v1/preavvisi/pagamenti/" + s.ID
	if code, p := readPayment(t, anon, status); code != 200 || p.Stato != "in_corso" {
		t.Errorf("before paying: %d %+v", code, p)
	}
	checkoutPage(t, ts, anon, s)
	to := submitCheckout(t, ts, anon, s, url.Values{"azione": {"paga"}, "metodo": {"app"}})
	if to.Path != "/paga-preavviso/" || to.Query().Get("id") != s.ID {
		t.Errorf("back to %s, want the pre-notice page", to)
	}
	if code, p := readPayment(t, anon, status); code != 200 || p.Stato != "pagato" || p.PagatoCent != importo || p.QuietanzaURL != "" {
		t.Errorf("after paying: %d %+v", code, p)
	}
	if got := marioFines()[numero]; got.Fase != "pagato" {
		t.Errorf("Mario's statement shows the pre-notice %+v", got)
	}
	if code, b := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/cerca", `{"nav":"`+nav+`"}`); code != 200 || !strings.Contains(string(b), `"pagabile":false`) {
		t.Errorf("paid pre-notice = %d %s", code, b)
	}
	if code, b := call(t, anon, "POST", ts.URL+"/api/v1/preavvisi/pagamento", `{"nav":"`+nav+`"}`); code != http.StatusConflict {
		t.Errorf("paying it again = %d %s", code, b)
	}
	// A payment without login is not in anyone's personal area.
	if code, _ := readPayment(t, mario, ts.URL+"/api/v1/me/pagamenti/"+s.ID); code != 404 {
		t.Errorf("Mario reading the anonymous payment = %d, want 404", code)
	}
}

func TestAnotherCitizenCannotSeeMariosPayment(t *testing.T) {
	ts := payingPortal(t)
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	_, fines := citizenStatement(t, ts, mario)
	fine := payableFine(t, fines)
	s := startPayment(t, ts, mario, "/api/v1/me/verbali/"+url.PathEscape(fine.Numero)+"/pagamento", "")
	if code, _ := readPayment(t, laura, ts.URL+"/api/v1/me/pagamenti/"+s.ID); code != 404 {
		t.Errorf("Laura reading Mario's payment = %d, want 404", code)
	}
	if code, _ := readPayment(t, &http.Client{}, ts.URL+"/api/v1/preavvisi/pagamenti/"+s.ID); code != 404 {
		t.Errorf("anyone reading Mario's payment by id = %d, want 404", code)
	}
	if code, _ := readPayment(t, mario, ts.URL+"/api/v1/me/pagamenti/nessuno"); code != 404 {
		t.Errorf("an unknown payment = %d, want 404", code)
	}
	if code, b := call(t, laura, "POST", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(fine.Numero)+"/pagamento", ""); code != 404 {
		t.Errorf("Laura paying Mario's fine = %d %s, want 404", code, b)
	}
	resp, err := (&http.Client{}).Get(ts.URL + "/demo-checkout/nessuno")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown checkout page = %d", resp.StatusCode)
	}
}

func TestWithoutACheckoutPaymentIsUnavailable(t *testing.T) {
	ts := portal(t)
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	_, fines := citizenStatement(t, ts, mario)
	fine := payableFine(t, fines)
	for c, path := range map[*http.Client]string{
		mario:          "/api/v1/me/verbali/" + url.PathEscape(fine.Numero) + "/pagamento",
		&http.Client{}: "/api/v1/preavvisi/pagamento",
	} {
		code, b := call(t, c, "POST", ts.URL+path, `{"nav":"`+fine.NAV+`"}`)
		if code != http.StatusServiceUnavailable || !strings.Contains(string(b), "PAGAMENTO_NON_DISPONIBILE") {
			t.Errorf("POST %s = %d %s", path, code, b)
		}
	}
}

// Mario pays the first instalment of an approved plan with "Paga con
// pagoPA": the demo checkout plays the node through the portal's SOAP
// endpoint, the instalment shows paid, the second stays payable, and a
// paid one, another citizen's plan or an unknown instalment cannot be paid.
func TestMarioPaysAnInstalmentThroughTheDemoCheckout(t *testing.T) {
	ts, db := portalWith(t, portalOptions{registry: true, checkout: true})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	if code != http.StatusCreated {
		t.Fatalf("propose: %d %s", code, body)
	}
	id := itoa(decodePlan(t, body).ID)
	path := "/api/v1/me/rateizzazioni/" + id + "/rate/1/pagamento"
	if code, body := call(t, mario, "POST", ts.URL+path, ""); code != http.StatusConflict {
		t.Errorf("paying an instalment of a plan not yet approved: %d %s", code, body)
	}
	bo, officer := backoffice(t, db)
	if code, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+id+"/approva", ""); code != http.StatusOK {
		t.Fatalf("approve: %d %s", code, body)
	}
	plan := citizenPlans(t, mario, ts)[0]
	if !plan.Piano[0].Pagabile || !plan.Piano[1].Pagabile {
		t.Fatalf("instalments of an approved plan are not payable: %+v", plan.Piano)
	}

	s := startPayment(t, ts, mario, path, "")
	if s.NAV != plan.Piano[0].NAV || s.ImportoCent != plan.Piano[0].ImportoCent {
		t.Errorf("payment started for %d cents on %s; the instalment is %d on %s", s.ImportoCent, s.NAV, plan.Piano[0].ImportoCent, plan.Piano[0].NAV)
	}
	submitCheckout(t, ts, mario, s, url.Values{"azione": {"paga"}, "metodo": {"app"}})
	if _, p := readPayment(t, mario, ts.URL+"/api/v1/me/pagamenti/"+s.ID); p.Stato != "pagato" || p.PagatoCent != plan.Piano[0].ImportoCent || p.QuietanzaURL != "" {
		t.Errorf("after paying: %+v (no quietanza of the verbale for an instalment)", p)
	}
	plan = citizenPlans(t, mario, ts)[0]
	if !plan.Piano[0].Pagata || plan.Piano[0].Pagabile || plan.Piano[1].Pagata || !plan.Piano[1].Pagabile {
		t.Errorf("after paying the first instalment: %+v", plan.Piano)
	}
	if code, body := call(t, mario, "POST", ts.URL+path, ""); code != http.StatusConflict {
		t.Errorf("paying a paid instalment again: %d %s", code, body)
	}
	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+id+"/rate/9/pagamento", ""); code != http.StatusNotFound {
		t.Errorf("an instalment the plan lacks: %d %s", code, body)
	}
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	if code, body := call(t, laura, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+id+"/rate/2/pagamento", ""); code != http.StatusNotFound {
		t.Errorf("Laura paying Mario's instalment: %d %s", code, body)
	}
}
