package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	backofficeui "github.com/comune-torino/portale/internal/backoffice"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// officeDesk is the back office over a portal's database: the staff's
// server and a logged-in client per username.
type officeDesk struct {
	url     string
	plans   *rateizzazioni.Service
	clients map[string]*http.Client
}

var deskStaff = map[string]staff.Role{"vigile.rossi": staff.Operatore, "capo.verdi": staff.Responsabile,
	"soris.neri": staff.Riscossione}

func testNAV(seq int64) (string, error) {
	n, err := pagopa.NoticeNumberFromSequence("01", seq)
	return n.String(), err
}

// desk serves /backoffice and the staff API over db with settings, with an
// operatore, a responsabile and a riscossione account logged in.
func desk(t *testing.T, db *store.DB, settings rateizzazioni.Settings) officeDesk {
	t.Helper()
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	plans := &rateizzazioni.Service{Store: db, Rules: cds.DefaultConfig(), NAV: testNAV, Settings: settings}
	bo, err := backofficeui.New(backofficeui.Config{Staff: svc, Plans: plans, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(specChecked(t, New(Config{DB: db, Staff: svc, NAV: testNAV, Backoffice: bo, Rateizzazioni: settings})))
	t.Cleanup(ts.Close)
	d := officeDesk{url: ts.URL, plans: plans, clients: map[string]*http.Client{}}
	for name, role := range deskStaff {
		if _, err := staff.AddAccount(context.Background(), db, staff.NewAccount{Username: name, Role: role,
			Password: "una-password-lunga"}, time.Now()); err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(ts.URL+"/auth/staff/login", url.Values{"username": {name}, "password": {"una-password-lunga"},
			"next": {"/backoffice/"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "<h1 class=\"h2 mb-4\">Scrivania</h1>") {
			t.Fatalf("%s after login: %d %.300s", name, resp.StatusCode, page)
		}
		d.clients[name] = c
	}
	return d
}

// page GETs a back-office page as user and returns its status and HTML.
func (d officeDesk) page(t *testing.T, user, path string) (int, string) {
	t.Helper()
	resp, err := d.clients[user].Get(d.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b))
}

// submit POSTs a back-office form as user, following the redirect.
func (d officeDesk) submit(t *testing.T, user, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := d.clients[user].PostForm(d.url+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b))
}

func propose(t *testing.T, ts *httptest.Server, c *http.Client, rate int) planReply {
	t.Helper()
	status, body := call(t, c, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": `+itoa(int64(rate))+`, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	if status != http.StatusCreated {
		t.Fatalf("propose: %d %s", status, body)
	}
	return decodePlan(t, body)
}

// upload sends a file as the citizen's attachment to plan id.
func uploadAllegato(t *testing.T, ts *httptest.Server, c *http.Client, id int64, name string, data []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/me/rateizzazioni/"+itoa(id)+"/allegati", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

var minimalPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

type fullPlan struct {
	planReply
	InAttesaDi     []string                   `json:"in_attesa_di"`
	Approvazioni   []struct{ Ufficio string } `json:"approvazioni"`
	Controproposta *struct {
		Rate          int    `json:"rate"`
		PrimaScadenza string `json:"prima_scadenza"`
		Nota          string `json:"nota"`
		Piano         []struct {
			Scadenza string `json:"scadenza"`
		} `json:"piano"`
	} `json:"controproposta"`
	SaldoDecadenzaCent *int64 `json:"saldo_decadenza_cent"`
	Allegati           []struct {
		ID   int64  `json:"id"`
		Nome string `json:"nome"`
		URL  string `json:"url"`
	} `json:"allegati"`
}

func myPlans(t *testing.T, c *http.Client, ts *httptest.Server) []fullPlan {
	t.Helper()
	_, body := call(t, c, "GET", ts.URL+"/api/v1/me/rateizzazioni", "")
	var list struct {
		Rateizzazioni []fullPlan `json:"rateizzazioni"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return list.Rateizzazioni
}

// The acceptance test of the issue: a citizen proposes with a document, an
// officer approves in /backoffice, the schedule and its notices appear, an
// instalment is paid through the SOAP endpoint, and missed ones lead, after
// a warning, to decadence.
func TestPlanApprovedInTheBackOfficePaidAndLapsed(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	ctx := context.Background()
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	proposed := propose(t, ts, mario, 3)
	if status, body := uploadAllegato(t, ts, mario, proposed.ID, "dichiarazione redditi.pdf", minimalPDF); status != http.StatusCreated {
		t.Fatalf("attach: %d %s", status, body)
	}
	d := desk(t, db, rateizzazioni.Settings{ToleranceDays: 5, WarningDays: 7})

	_, html := d.page(t, "vigile.rossi", "/backoffice/")
	if !strings.Contains(html, "Proposte di rateizzazione da decidere") || !strings.Contains(html, `aria-label="1 in coda"`) {
		t.Errorf("the desk does not show the pending proposal: %s", html)
	}
	_, html = d.page(t, "vigile.rossi", "/backoffice/rateizzazioni?stato=proposta")
	if !strings.Contains(html, "<caption>Proposta da decidere: 1 rateizzazioni") || !strings.Contains(html, demo.Mario.CodiceFiscale) {
		t.Errorf("list of proposals: %s", html)
	}
	detail := "/backoffice/rateizzazioni/" + itoa(proposed.ID)
	status, html := d.page(t, "vigile.rossi", detail)
	for _, want := range []string{"Mario Rossi", demo.Mario.CodiceFiscale, demoPlanVerbale, "dichiarazione redditi.pdf",
		"Piano che risulterebbe approvando oggi", "Proposta del cittadino"} {
		if status != http.StatusOK || !strings.Contains(html, want) {
			t.Errorf("detail page lacks %q: %d", want, status)
		}
	}
	attachment := between(html, `href="/backoffice/rateizzazioni/`+itoa(proposed.ID)+`/allegati/`, `"`)
	status, pdf := d.page(t, "vigile.rossi", detail+"/allegati/"+attachment)
	if status != http.StatusOK || pdf != string(minimalPDF) {
		t.Errorf("officer downloading the attachment: %d %.40q", status, pdf)
	}

	status, html = d.submit(t, "vigile.rossi", detail+"/approva", nil)
	if status != http.StatusOK || !strings.Contains(html, "Hai approvato la rateizzazione") {
		t.Fatalf("approve form: %d %.500s", status, html)
	}
	plans := myPlans(t, mario, ts)
	if len(plans) != 1 || plans[0].Stato != "approvata" || len(plans[0].Piano) != 3 {
		t.Fatalf("Mario's plan after approval: %+v", plans)
	}
	for _, r := range plans[0].Piano {
		if len(r.NAV) != 18 || !strings.Contains(html, r.NAV) {
			t.Errorf("instalment %d: notice %q not on the detail page", r.Numero, r.NAV)
		}
	}
	if e, err := db.EmailDeliveryByKey(ctx, "rateizzazione:"+itoa(proposed.ID)+":1"); err != nil || e.Kind != "rateizzazione_approvata" {
		t.Errorf("approval email: %+v %v", e, err)
	}
	if v := decodeFase(mustGetOK(t, mario, ts.URL+"/api/v1/me/verbali/"+url.PathEscape(demoPlanVerbale))); v != "rateizzato" {
		t.Errorf("the verbale is %q, not rateizzato", v)
	}

	node := &pagopa.NodeClient{URL: ts.URL + "/pagopa/paForNode", IDPA: "00514490010", IDBrokerPA: "00514490010", IDStation: "00514490010_01"}
	first := plans[0].Piano[0]
	pay, err := node.GetPaymentV2(ctx, "00514490010", pagopa.MustParseNoticeNumber(first.NAV), 0)
	if err != nil {
		t.Fatal(err)
	}
	receipt := pay.Receipt("RT-RATA-1", pagopa.PSP{ID: "PSPDEMO", CompanyName: "PSP di prova", ChannelID: "PSPDEMO_01",
		ChannelDescription: "app", PaymentMethod: "CP"}, time.Now())
	if err := node.SendRTV2(ctx, receipt); err != nil {
		t.Fatal(err)
	}
	_, html = d.page(t, "vigile.rossi", detail)
	if !strings.Contains(html, "<td>"+first.NAV+"</td><td>Sì</td>") {
		t.Errorf("the detail page does not show the first instalment paid")
	}

	// Instalments 2 and 3 are not paid: a warning before the third's last
	// day, once, then decadence the day after it.
	third, _ := civil.Parse(plans[0].Piano[2].Scadenza)
	at := func(d civil.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 9, 0, 0, 0, civil.Rome) }
	done, err := d.plans.Check(ctx, at(third.AddDays(5-3)))
	if err != nil || done.Warned != 1 || done.Lapsed != 0 {
		t.Fatalf("check before decadence: %+v %v", done, err)
	}
	if done, _ := d.plans.Check(ctx, at(third.AddDays(5-2))); done.Warned != 0 {
		t.Errorf("the warning was queued again: %+v", done)
	}
	if e, err := db.EmailDeliveryByKey(ctx, "rateizzazione-preavviso:"+plans[0].Piano[2].NAV); err != nil || e.Kind != "rateizzazione_preavviso" {
		t.Errorf("warning email: %+v %v", e, err)
	}
	if done, err := d.plans.Check(ctx, at(third.AddDays(5))); err != nil || done.Lapsed != 0 {
		t.Errorf("on the last day of tolerance: %+v %v", done, err)
	}
	done, err = d.plans.Check(ctx, at(third.AddDays(6)))
	if err != nil || done.Lapsed != 1 {
		t.Fatalf("decadence: %+v %v", done, err)
	}
	plans = myPlans(t, mario, ts)
	if plans[0].Stato != "decaduta" || plans[0].SaldoDecadenzaCent == nil {
		t.Fatalf("after decadence: %+v", plans[0])
	}
	row, _ := db.VerbaleByNumero(ctx, demoPlanVerbale)
	st, err := verbali.Statement(demo.Mario.CodiceFiscale, []store.VerbaleRow{row}, third.AddDays(6), verbali.StatementOptions{Rules: cds.DefaultConfig()})
	if err != nil || st.Verbali[0].Importi == nil {
		t.Fatalf("statement: %v", err)
	}
	if want := int64(st.Verbali[0].Importi.MetaMassimoCent) - first.ImportoCent; *plans[0].SaldoDecadenzaCent != want || want <= 0 {
		t.Errorf("balance %d, want half the maximum minus the paid instalment: %d", *plans[0].SaldoDecadenzaCent, want)
	}
	if _, err := node.VerifyPaymentNotice(ctx, "00514490010", pagopa.MustParseNoticeNumber(plans[0].Piano[1].NAV)); err == nil {
		t.Error("an unpaid instalment of a lapsed plan is still payable")
	}
	if e, err := db.EmailDeliveryByKey(ctx, "rateizzazione-decaduta:"+itoa(proposed.ID)); err != nil || e.Kind != "rateizzazione_decaduta" {
		t.Errorf("decadence email: %+v %v", e, err)
	}
	events, _ := db.EventsAfter(ctx, 0, 100)
	var tipi []string
	for _, e := range events {
		tipi = append(tipi, e.Tipo)
	}
	if got := strings.Join(tipi, ","); !strings.Contains(got, "rateizzazione_proposta,rateizzazione_approvata,") ||
		!strings.HasSuffix(got, "rateizzazione_decaduta") {
		t.Errorf("events for the gestionale: %s", got)
	}
	audit, _ := db.AuditLog(ctx, store.AuditFilter{Target: "rateizzazione:" + itoa(proposed.ID)})
	if len(audit) != 1 || audit[0].Username != "vigile.rossi" || audit[0].Role != "operatore" ||
		audit[0].Action != "rateizzazione.approva" || audit[0].Before["stato"] != "proposta" || audit[0].After["stato"] != "approvata" {
		t.Errorf("audit: %+v", audit)
	}
	_, html = d.page(t, "vigile.rossi", detail)
	if !strings.Contains(html, "Decadenza per rate non pagate") || !strings.Contains(html, "Rate non pagate: 2, 3.") {
		t.Errorf("the history does not show the decadence")
	}
}

func mustGetOK(t *testing.T, c *http.Client, u string) []byte {
	t.Helper()
	status, body := call(t, c, "GET", u, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, status, body)
	}
	return body
}

func TestCounterProposalRefusedThenAccepted(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	d := desk(t, db, rateizzazioni.Settings{})

	first := propose(t, ts, mario, 3)
	path := "/backoffice/rateizzazioni/" + itoa(first.ID)
	status, html := d.submit(t, "vigile.rossi", path+"/controproponi", url.Values{"rate": {"2"}, "nota": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(html, "Non è stato salvato nulla.") ||
		!strings.Contains(html, `id="controproponi-nota-errore"`) || !strings.Contains(html, `aria-invalid="true"`) ||
		!strings.Contains(html, `name="rate" value="2"`) {
		t.Fatalf("counter-proposal without a note: %d %s", status, html)
	}
	if status, html := d.submit(t, "vigile.rossi", path+"/controproponi", url.Values{"rate": {"99"}, "nota": {"Troppe"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(html, "le rate possono essere da 1 a") {
		t.Errorf("too many instalments: %d", status)
	}
	if status, html := d.submit(t, "vigile.rossi", path+"/controproponi", url.Values{"prima_scadenza": {"31/02/2026"}, "nota": {"x"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(html, "La data della prima rata deve essere") {
		t.Errorf("impossible date: %d", status)
	}
	if p := myPlans(t, mario, ts)[0]; p.Stato != "proposta" {
		t.Fatalf("a refused form changed the plan: %s", p.Stato)
	}
	status, html = d.submit(t, "vigile.rossi", path+"/controproponi", url.Values{"rate": {"2"}, "nota": {"Due rate bastano per questo importo."}})
	if status != http.StatusOK || !strings.Contains(html, "Hai inviato la controproposta") {
		t.Fatalf("counter-proposal: %d %.300s", status, html)
	}
	p := myPlans(t, mario, ts)[0]
	if p.Stato != "controproposta" || p.Controproposta == nil || p.Controproposta.Rate != 2 || len(p.Controproposta.Piano) != 2 ||
		p.Controproposta.Nota != "Due rate bastano per questo importo." {
		t.Fatalf("Mario's counter-proposal: %+v", p)
	}
	if status, body := call(t, laura, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+itoa(first.ID)+"/accetta", ""); status != http.StatusNotFound {
		t.Errorf("Laura accepting Mario's counter-proposal: %d %s", status, body)
	}
	status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+itoa(first.ID)+"/rifiuta", "")
	if status != http.StatusOK || decodePlan(t, body).Stato != "respinta" {
		t.Fatalf("refuse: %d %s", status, body)
	}
	if status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+itoa(first.ID)+"/accetta", ""); status != http.StatusConflict ||
		decodeErr(body) != "NESSUNA_CONTROPROPOSTA" {
		t.Errorf("accepting a refused counter-proposal: %d %s", status, body)
	}

	second := propose(t, ts, mario, 3)
	due := civil.FromTime(time.Now()).AddDays(20)
	if status, _ := d.submit(t, "capo.verdi", "/backoffice/rateizzazioni/"+itoa(second.ID)+"/controproponi",
		url.Values{"rate": {""}, "prima_scadenza": {due.String()}, "nota": {"Prima rata anticipata."}}); status != http.StatusOK {
		t.Fatalf("counter-proposal with a date: %d", status)
	}
	status, body = call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni/"+itoa(second.ID)+"/accetta", "")
	accepted := decodePlan(t, body)
	if status != http.StatusOK || accepted.Stato != "approvata" || len(accepted.Piano) != 3 || accepted.Piano[0].Scadenza < due.String() ||
		len(accepted.Piano[0].NAV) != 18 {
		t.Fatalf("accept: %d %s", status, body)
	}
	_, html = d.page(t, "capo.verdi", "/backoffice/rateizzazioni/"+itoa(second.ID))
	for _, want := range []string{"Controproposta accettata dal cittadino", "Prima rata anticipata.", "capo.verdi (Responsabile)"} {
		if !strings.Contains(html, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	audit, _ := db.AuditLog(context.Background(), store.AuditFilter{Action: "rateizzazione."})
	if len(audit) != 2 || audit[0].Action != "rateizzazione.controproponi" || audit[0].Username != "capo.verdi" {
		t.Errorf("audit of the counter-proposals: %+v", audit)
	}
}

func TestBothOfficesMustApprove(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	d := desk(t, db, rateizzazioni.Settings{Approvazione: rateizzazioni.ApprovedByBoth})
	p := propose(t, ts, mario, 2)
	path := "/backoffice/rateizzazioni/" + itoa(p.ID)

	status, html := d.submit(t, "soris.neri", path+"/approva", nil)
	if status != http.StatusOK || !strings.Contains(html, "attende quella dell'altro ufficio") ||
		!strings.Contains(html, "in attesa dell'approvazione di Polizia Municipale") {
		t.Fatalf("collector's approval: %d %.400s", status, html)
	}
	status, body := call(t, d.clients["vigile.rossi"], "GET", d.url+"/api/v1/backoffice/rateizzazioni?stato=proposta", "")
	var list struct {
		Rateizzazioni []fullPlan `json:"rateizzazioni"`
	}
	json.Unmarshal(body, &list)
	if status != http.StatusOK || len(list.Rateizzazioni) != 1 || strings.Join(list.Rateizzazioni[0].InAttesaDi, ",") != "polizia" ||
		len(list.Rateizzazioni[0].Approvazioni) != 1 || list.Rateizzazioni[0].Approvazioni[0].Ufficio != "riscossione" {
		t.Fatalf("partial state: %d %s", status, body)
	}
	if status, html := d.submit(t, "soris.neri", path+"/approva", nil); status != http.StatusConflict ||
		!strings.Contains(html, "Hai già dato l'approvazione per il tuo ufficio") {
		t.Errorf("the collector approving twice: %d", status)
	}
	status, html = d.submit(t, "vigile.rossi", path+"/approva", nil)
	if status != http.StatusOK || !strings.Contains(html, "Hai approvato la rateizzazione") {
		t.Fatalf("police approval: %d", status)
	}
	if got := myPlans(t, mario, ts)[0]; got.Stato != "approvata" || len(got.Piano) != 2 || len(got.InAttesaDi) != 0 {
		t.Errorf("after both approvals: %+v", got)
	}
	audit, _ := db.AuditLog(context.Background(), store.AuditFilter{})
	if len(audit) != 2 || audit[1].Action != "rateizzazione.approva_parziale" || audit[1].Role != "riscossione" ||
		audit[0].Action != "rateizzazione.approva" {
		t.Errorf("audit: %+v", audit)
	}
}

func TestOnlyThePoliceApprovesByDefault(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	d := desk(t, db, rateizzazioni.Settings{})
	p := propose(t, ts, mario, 2)
	status, html := d.submit(t, "soris.neri", "/backoffice/rateizzazioni/"+itoa(p.ID)+"/approva", nil)
	if status != http.StatusForbidden || !strings.Contains(html, "non permette di decidere le rateizzazioni") {
		t.Errorf("the collector approving under approvazione = polizia: %d", status)
	}
	if _, html := d.page(t, "soris.neri", "/backoffice/rateizzazioni/"+itoa(p.ID)); strings.Contains(html, "/approva\"") {
		t.Error("the collector is offered the approval form")
	}
}

func TestPlanAttachmentsAreCheckedAndPrivate(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	p := propose(t, ts, mario, 2)

	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	scenarios := map[string]struct {
		name   string
		data   []byte
		status int
		codice string
		text   string
	}{
		"text renamed as PDF": {"reddito.pdf", []byte("non sono un PDF"), 400, "TIPO_NON_AMMESSO", "non è un PDF, un PNG o un JPEG"},
		"empty":               {"vuoto.pdf", nil, 400, "FILE_VUOTO", "Il file è vuoto"},
		"over 5 MB":           {"grande.pdf", append(append([]byte{}, minimalPDF...), make([]byte, 5<<20)...), 413, "FILE_TROPPO_GRANDE", "supera i 5 MB"},
		"far over 5 MB":       {"enorme.pdf", append(append([]byte{}, minimalPDF...), make([]byte, 6<<20)...), 413, "FILE_TROPPO_GRANDE", "supera i 5 MB"},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			status, body := uploadAllegato(t, ts, mario, p.ID, sc.name, sc.data)
			if status != sc.status || decodeErr(body) != sc.codice || !strings.Contains(string(body), sc.text) {
				t.Errorf("%d %s", status, body)
			}
		})
	}
	for i := range 5 {
		if status, body := uploadAllegato(t, ts, mario, p.ID, "scansione.png", png); status != http.StatusCreated {
			t.Fatalf("attachment %d: %d %s", i+1, status, body)
		}
	}
	if status, body := uploadAllegato(t, ts, mario, p.ID, "sesto.pdf", minimalPDF); status != http.StatusConflict || decodeErr(body) != "TROPPI_ALLEGATI" {
		t.Errorf("a sixth attachment: %d %s", status, body)
	}
	plans := myPlans(t, mario, ts)
	if len(plans[0].Allegati) != 5 || plans[0].Allegati[0].Nome != "scansione.png" {
		t.Fatalf("attachments listed: %+v", plans[0].Allegati)
	}
	own := ts.URL + plans[0].Allegati[0].URL
	req, _ := http.NewRequest("GET", own, nil)
	resp, err := mario.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, png) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("Mario downloading his attachment: %d %v", resp.StatusCode, resp.Header)
	}
	if status, body := call(t, laura, "GET", own, ""); status != http.StatusNotFound || bytes.Equal(body, png) {
		t.Errorf("Laura downloading Mario's attachment: %d", status)
	}
	if status, _ := uploadAllegato(t, ts, laura, p.ID, "mio.pdf", minimalPDF); status != http.StatusNotFound {
		t.Errorf("Laura attaching to Mario's plan: %d", status)
	}
	if plans := myPlans(t, laura, ts); len(plans) != 0 {
		t.Errorf("Laura sees %d plans", len(plans))
	}
}
