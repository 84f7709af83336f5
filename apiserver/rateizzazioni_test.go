package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

const demoPlanVerbale = "2026/PM/000107" // Mario's, above € 200, notified 10 days ago

type planReply struct {
	ID       int64  `json:"id"`
	Stato    string `json:"stato"`
	Motivo   string `json:"motivo"`
	DecisaDa string `json:"decisa_da"`
	Piano    []struct {
		Numero      int    `json:"numero"`
		Scadenza    string `json:"scadenza"`
		ImportoCent int64  `json:"importo_cent"`
		NAV         string `json:"nav"`
		Pagata      bool   `json:"pagata"`
		Pagabile    bool   `json:"pagabile"`
	} `json:"piano"`
}

// backoffice is a second portal over db with staff login, where an officer
// of role operatore is logged in; it answers the back-office API.
func backoffice(t *testing.T, db *store.DB) (*httptest.Server, *http.Client) {
	t.Helper()
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := staff.AddAccount(context.Background(), db, staff.NewAccount{Username: "vigile.rossi",
		Role: staff.Operatore, Password: "una-password-lunga"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	bo := httptest.NewServer(specChecked(t, New(Config{DB: db, Staff: svc, NAV: nav})))
	t.Cleanup(bo.Close)
	jar, _ := cookiejar.New(nil)
	login := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := login.PostForm(bo.URL+"/auth/staff/login", url.Values{"username": {"vigile.rossi"}, "password": {"una-password-lunga"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff login: %d", resp.StatusCode)
	}
	return bo, &http.Client{Jar: jar}
}

func decodePlan(t *testing.T, body []byte) planReply {
	t.Helper()
	var p planReply
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return p
}

func citizenPlans(t *testing.T, c *http.Client, ts *httptest.Server) []planReply {
	t.Helper()
	status, body := call(t, c, "GET", ts.URL+"/api/v1/me/rateizzazioni", "")
	if status != http.StatusOK {
		t.Fatalf("GET rateizzazioni: %d %s", status, body)
	}
	var list struct {
		Rateizzazioni []planReply `json:"rateizzazioni"`
	}
	json.Unmarshal(body, &list)
	return list.Rateizzazioni
}

func TestInstalmentPlanProposedApprovedAndPaid(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)

	status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	if status != http.StatusCreated {
		t.Fatalf("propose: %d %s", status, body)
	}
	proposed := decodePlan(t, body)
	if proposed.ID == 0 || proposed.Stato != "proposta" || len(proposed.Piano) != 0 {
		t.Fatalf("proposal: %+v", proposed)
	}
	status, body = call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 2, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	if status != http.StatusConflict || !json.Valid(body) || decodeErr(body) != "GIA_IN_RATEIZZAZIONE" {
		t.Errorf("second proposal for the same verbale: %d %s", status, body)
	}

	laura := loginAs(t, ts, demo.Laura.CodiceFiscale)
	call(t, laura, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	if plans := citizenPlans(t, laura, ts); len(plans) != 0 {
		t.Errorf("Laura sees %d plans", len(plans))
	}
	status, body = call(t, laura, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	if status != http.StatusNotFound || decodeErr(body) != "VERBALE_NON_TROVATO" {
		t.Errorf("Laura proposing Mario's verbale: %d %s", status, body)
	}

	bo, officer := backoffice(t, db)
	status, body = call(t, officer, "GET", bo.URL+"/api/v1/backoffice/rateizzazioni?stato=proposta", "")
	if status != http.StatusOK || !json.Valid(body) {
		t.Fatalf("pending list: %d %s", status, body)
	}
	var pending struct {
		Rateizzazioni []planReply `json:"rateizzazioni"`
	}
	json.Unmarshal(body, &pending)
	if len(pending.Rateizzazioni) != 1 || pending.Rateizzazioni[0].ID != proposed.ID {
		t.Fatalf("pending: %s", body)
	}
	if status, body := call(t, http.DefaultClient, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/1/approva", ""); status != http.StatusUnauthorized {
		t.Errorf("approve without a session: %d %s", status, body)
	}
	status, body = call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+itoa(proposed.ID)+"/approva", "")
	if status != http.StatusOK {
		t.Fatalf("approve: %d %s", status, body)
	}
	approved := decodePlan(t, body)
	if approved.Stato != "approvata" || approved.DecisaDa != "vigile.rossi" || len(approved.Piano) != 3 {
		t.Fatalf("approved: %+v", approved)
	}
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+itoa(proposed.ID)+"/approva", ""); status != http.StatusConflict {
		t.Errorf("approving twice: %d %s", status, body)
	}

	plans := citizenPlans(t, mario, ts)
	if len(plans) != 1 || plans[0].Stato != "approvata" || plans[0].DecisaDa != "" || len(plans[0].Piano) != 3 {
		t.Fatalf("Mario's plans: %+v", plans)
	}
	seen := map[string]bool{}
	for _, r := range plans[0].Piano {
		if len(r.NAV) != 18 || seen[r.NAV] || r.ImportoCent < 10000 || r.Scadenza == "" || r.Pagata {
			t.Errorf("instalment %+v", r)
		}
		seen[r.NAV] = true
	}
	_, body = call(t, mario, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(demoPlanVerbale), "")
	var v struct {
		Fase     string `json:"fase"`
		NAV      string `json:"nav"`
		Pagabile bool   `json:"pagabile"`
	}
	json.Unmarshal(body, &v)
	if v.Fase != "rateizzato" || v.Pagabile || seen[v.NAV] {
		t.Errorf("verbale in the plan: %s", body)
	}

	node := &pagopa.NodeClient{URL: ts.URL + "/pagopa/paForNode", IDPA: "00514490010", IDBrokerPA: "00514490010", IDStation: "00514490010_01"}
	ctx := context.Background()
	first := plans[0].Piano[0]
	notice := pagopa.MustParseNoticeNumber(first.NAV)
	pay, err := node.GetPaymentV2(ctx, "00514490010", notice, 0)
	if err != nil {
		t.Fatalf("get payment of the first instalment: %v", err)
	}
	if int64(pay.Amount) != first.ImportoCent {
		t.Fatalf("node told %d cents, the plan says %d", pay.Amount, first.ImportoCent)
	}
	receipt := pay.Receipt("RT-RATA-0001", pagopa.PSP{ID: "PSPDEMO", CompanyName: "PSP di prova", ChannelID: "PSPDEMO_01",
		ChannelDescription: "app", PaymentMethod: "CP"}, time.Now())
	if err := node.SendRTV2(ctx, receipt); err != nil {
		t.Fatalf("send receipt: %v", err)
	}
	plans = citizenPlans(t, mario, ts)
	if !plans[0].Piano[0].Pagata || plans[0].Piano[1].Pagata {
		t.Errorf("after paying the first instalment: %+v", plans[0].Piano)
	}
	if _, err := node.VerifyPaymentNotice(ctx, "00514490010", pagopa.MustParseNoticeNumber(v.NAV)); err == nil {
		t.Error("the verbale's own notice is still payable while it is in a plan")
	}
}

func TestInstalmentPlanRejectedWithReason(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	_, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 2, "reddito_cent": 900000, "familiari_conviventi": 1}`)
	id := itoa(decodePlan(t, body).ID)

	bo, officer := backoffice(t, db)
	status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+id+"/respingi", `{"motivo": "  "}`)
	if status != http.StatusBadRequest || decodeErr(body) != "MOTIVO_MANCANTE" {
		t.Errorf("reject without a reason: %d %s", status, body)
	}
	status, body = call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+id+"/respingi",
		`{"motivo": "Manca la dichiarazione dei redditi."}`)
	if status != http.StatusOK {
		t.Fatalf("reject: %d %s", status, body)
	}
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/999/respingi", `{"motivo": "x"}`); status != http.StatusNotFound {
		t.Errorf("rejecting a missing plan: %d %s", status, body)
	}
	if status, body := call(t, officer, "GET", bo.URL+"/api/v1/backoffice/rateizzazioni?stato=sospesa", ""); status != http.StatusBadRequest {
		t.Errorf("unknown state: %d %s", status, body)
	}
	plans := citizenPlans(t, mario, ts)
	if len(plans) != 1 || plans[0].Stato != "respinta" || plans[0].Motivo != "Manca la dichiarazione dei redditi." || len(plans[0].Piano) != 0 {
		t.Errorf("Mario's rejected plan: %+v", plans)
	}
	_, body = call(t, mario, "GET", ts.URL+"/api/v1/me/verbali/"+url.PathEscape(demoPlanVerbale), "")
	if v := decodeFase(body); v == "rateizzato" {
		t.Errorf("a rejected plan put the verbale in instalments: %s", body)
	}
	if status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 2, "reddito_cent": 900000, "familiari_conviventi": 0}`); status != http.StatusCreated {
		t.Errorf("a new proposal after a rejection: %d %s", status, body)
	}
}

func TestInstalmentProposalRefused(t *testing.T) {
	ts := portal(t)
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	scenarios := map[string]struct {
		body   string
		status int
		codice string
	}{
		"too many instalments": {`{"verbali": ["` + demoPlanVerbale + `"], "rate": 99, "reddito_cent": 900000, "familiari_conviventi": 0}`, 400, "RATE_NON_VALIDE"},
		"no instalments":       {`{"verbali": ["` + demoPlanVerbale + `"], "rate": 0, "reddito_cent": 900000, "familiari_conviventi": 0}`, 400, "RATE_NON_VALIDE"},
		"income too high":      {`{"verbali": ["` + demoPlanVerbale + `"], "rate": 2, "reddito_cent": 9000000, "familiari_conviventi": 0}`, 400, "REDDITO_TROPPO_ALTO"},
		"no verbali":           {`{"verbali": [], "rate": 2, "reddito_cent": 900000, "familiari_conviventi": 0}`, 400, "VERBALI_MANCANTI"},
		"negative income":      {`{"verbali": ["` + demoPlanVerbale + `"], "rate": 2, "reddito_cent": -1, "familiari_conviventi": 0}`, 400, "DICHIARAZIONE_NON_VALIDA"},
		"unknown verbale":      {`{"verbali": ["2026/PM/999999"], "rate": 2, "reddito_cent": 900000, "familiari_conviventi": 0}`, 404, "VERBALE_NON_TROVATO"},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni", sc.body)
			if status != sc.status || decodeErr(body) != sc.codice {
				t.Errorf("%d %s, want %d %s", status, body, sc.status, sc.codice)
			}
		})
	}
	if plans := citizenPlans(t, mario, ts); len(plans) != 0 {
		t.Errorf("refused proposals were stored: %+v", plans)
	}
}

func TestBackofficeNeedsStaffOrToken(t *testing.T) {
	srv := New(Config{DB: nil})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/backoffice/rateizzazioni", nil)
	srv.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	if rec.Code != http.StatusServiceUnavailable || decodeErr(rec.Body.Bytes()) != "BACKOFFICE_NON_DISPONIBILE" {
		t.Errorf("without staff login: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest("POST", "/api/v1/backoffice/rateizzazioni/1/approva", nil)
	req.Header.Set("Authorization", "Bearer x.y.z")
	srv.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	if rec.Code != http.StatusServiceUnavailable || decodeErr(rec.Body.Bytes()) != "API_NON_CONFIGURATA" {
		t.Errorf("a token without keys: %d %s", rec.Code, rec.Body)
	}
}

func decodeErr(body []byte) string {
	var e struct {
		Errore struct {
			Codice string `json:"codice"`
		} `json:"errore"`
	}
	json.Unmarshal(body, &e)
	return e.Errore.Codice
}

func decodeFase(body []byte) string {
	var v struct {
		Fase string `json:"fase"`
	}
	json.Unmarshal(body, &v)
	return v.Fase
}

// The citizen asks for the first instalment on a date of their choice: the
// approved schedule starts then; a date out of range is refused.
func TestInstalmentPlanWithTheCitizensFirstDueDate(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	call(t, mario, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`)
	today := civil.FromTime(time.Now())
	for _, bad := range []string{today.String(), today.AddDays(91).String(), "domani"} {
		status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
			`{"verbali": ["`+demoPlanVerbale+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0, "data_prima_rata": "`+bad+`"}`)
		if status != http.StatusBadRequest || decodeErr(body) != "DATA_PRIMA_RATA_NON_VALIDA" {
			t.Errorf("first due date %q: %d %s", bad, status, body)
		}
	}
	first := today.AddDays(20)
	status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoPlanVerbale+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0, "data_prima_rata": "`+first.String()+`"}`)
	if status != http.StatusCreated || !strings.Contains(string(body), `"data_prima_rata":"`+first.String()+`"`) {
		t.Fatalf("propose with a first due date: %d %s", status, body)
	}
	bo, officer := backoffice(t, db)
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/rateizzazioni/"+itoa(decodePlan(t, body).ID)+"/approva", ""); status != http.StatusOK {
		t.Fatalf("approve: %d %s", status, body)
	}
	plan := citizenPlans(t, mario, ts)[0]
	if len(plan.Piano) != 3 || plan.Piano[0].Scadenza != first.String() || plan.Piano[1].Scadenza != first.AddMonths(1).String() {
		t.Errorf("schedule %+v; want it to start on %s, monthly", plan.Piano, first)
	}
}
