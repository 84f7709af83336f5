package apiserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/staff"
)

const demoCompanyKey = "chiave-di-prova-di-noleggi-demo-srl-0123456789"

type fleetReply struct {
	PartitaIVA string `json:"partita_iva"`
	Verbali    []struct {
		Numero     string                     `json:"numero"`
		Ruolo      string                     `json:"ruolo"`
		Obbligo    *struct{ Scadenza string } `json:"comunicazione_conducente"`
		Conducente *struct {
			Stato         string `json:"stato"`
			CodiceFiscale string `json:"codice_fiscale"`
		} `json:"conducente"`
	} `json:"verbali"`
}

func callAs(t *testing.T, c *http.Client, method, target, token, contentType, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestCompanyUploadReportsTheBadLineAndAppliesTheOthers(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	if err := demo.SeedAzienda(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	bo := newStaffPortal(t, db, map[string][]string{demo.Azienda.PartitaIVA: {demoCompanyKey}})
	company := bo.login(t, demo.Azienda.Username, "demo-"+demo.Azienda.Username, "")

	status, body := call(t, company, "GET", bo.URL+"/api/v1/azienda/verbali", "")
	var fleet fleetReply
	json.Unmarshal(body, &fleet)
	if status != 200 || fleet.PartitaIVA != demo.Azienda.PartitaIVA || len(fleet.Verbali) != 3 {
		t.Fatalf("fleet: %d %s", status, body)
	}
	for _, v := range fleet.Verbali {
		needsDriver := v.Numero != demoNumero(303) // a ZTL fine takes no points
		if (v.Obbligo != nil) != needsDriver || v.Conducente != nil || v.Ruolo != "obbligato" {
			t.Errorf("fleet fine %s: %+v", v.Numero, v)
		}
	}

	today := civil.FromTime(time.Now())
	issued, expires := today.AddDays(-420).String(), today.AddDays(-420).AddMonths(120).String()
	csv := "numero_verbale,codice_fiscale,numero_patente,categoria,rilasciata_il,scade_il\n" +
		demoNumero(301) + "," + demo.Laura.CodiceFiscale + ",TO7740219M,B," + issued + "," + expires + "\n" +
		demoNumero(302) + ",RSSMRA80A01L219X,TO2158743K,B,1999-03-15,2030-01-01\n" +
		demoNumero(303) + "," + demo.Mario.CodiceFiscale + ",TO2158743K,B,1999-03-15,2030-01-01\n" +
		demoNumero(101) + "," + demo.Mario.CodiceFiscale + ",TO2158743K,B,1999-03-15,2030-01-01\n"
	status, body = callAs(t, company, "POST", bo.URL+"/api/v1/azienda/conducenti", "", "text/csv; charset=utf-8", csv)
	if status != 200 {
		t.Fatalf("upload: %d %s", status, body)
	}
	var res struct {
		Applicate []struct {
			Riga          int    `json:"riga"`
			NumeroVerbale string `json:"numero_verbale"`
			Stato         string `json:"stato"`
		} `json:"applicate"`
		Scartate []struct {
			Riga      int    `json:"riga"`
			Codice    string `json:"codice"`
			Messaggio string `json:"messaggio"`
		} `json:"scartate"`
	}
	json.Unmarshal(body, &res)
	if len(res.Applicate) != 1 || res.Applicate[0].Riga != 2 || res.Applicate[0].NumeroVerbale != demoNumero(301) || res.Applicate[0].Stato != "in_attesa_conferma" {
		t.Errorf("applied lines: %s", body)
	}
	want := map[int]string{3: "CODICE_FISCALE_NON_VALIDO", 4: "CONDUCENTE_NON_RICHIESTO", 5: "VERBALE_NON_TROVATO"}
	if len(res.Scartate) != len(want) {
		t.Fatalf("refused lines: %s", body)
	}
	for _, s := range res.Scartate {
		if want[s.Riga] != s.Codice || s.Messaggio == "" {
			t.Errorf("line %d: %s %q, want %s", s.Riga, s.Codice, s.Messaggio, want[s.Riga])
		}
	}

	// The bad line, corrected and sent alone; then the licence image.
	status, body = call(t, company, "POST", bo.URL+"/api/v1/azienda/verbali/"+url.PathEscape(demoNumero(302))+"/conducente",
		`{"codice_fiscale": "`+demo.Mario.CodiceFiscale+`", "numero_patente": "TO2158743K", "categoria": "B", "rilasciata_il": "1999-03-15", "scade_il": "2030-01-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("naming one driver: %d %s", status, body)
	}
	status, body = postMultipart(t, company, bo.URL+"/api/v1/azienda/verbali/"+url.PathEscape(demoNumero(302))+"/conducente/patente", nil,
		formFile{"patente", "patente.pdf", pdfFile})
	if status != 200 {
		t.Errorf("licence image: %d %s", status, body)
	}
	if status, body := callAs(t, company, "POST", bo.URL+"/api/v1/azienda/conducenti", "", "application/json", "{}"); status != 415 {
		t.Errorf("not a CSV: %d %s", status, body)
	}
	if status, body := callAs(t, company, "POST", bo.URL+"/api/v1/azienda/conducenti", "", "text/csv", "verbale;cf\n1;2\n"); status != 400 || decodeErr(body) != "CSV_NON_VALIDO" {
		t.Errorf("a file without the header: %d %s", status, body)
	}

	// The company's systems, with a token signed with the company's key.
	tok, _ := apitoken.Sign(demoCompanyKey, demo.Azienda.PartitaIVA, []string{scopeAziendaConducenti}, time.Hour)
	status, body = callAs(t, http.DefaultClient, "GET", bo.URL+"/api/v1/azienda/verbali", tok, "", "")
	fleet = fleetReply{}
	json.Unmarshal(body, &fleet)
	named := map[string]string{}
	for _, v := range fleet.Verbali {
		if v.Conducente != nil {
			named[v.Numero] = v.Conducente.CodiceFiscale + " " + v.Conducente.Stato
		}
	}
	if status != 200 || named[demoNumero(301)] != demo.Laura.CodiceFiscale+" in_attesa_conferma" || named[demoNumero(302)] != demo.Mario.CodiceFiscale+" in_attesa_conferma" {
		t.Errorf("fleet by token: %d %v %s", status, named, body)
	}
	forged, _ := apitoken.Sign(strings.Repeat("x", 40), demo.Azienda.PartitaIVA, []string{scopeAziendaConducenti}, time.Hour)
	if status, _ := callAs(t, http.DefaultClient, "GET", bo.URL+"/api/v1/azienda/verbali", forged, "", ""); status != 401 {
		t.Errorf("a token signed with another key: %d", status)
	}
	narrow, _ := apitoken.Sign(demoCompanyKey, demo.Azienda.PartitaIVA, []string{"events:read"}, time.Hour)
	if status, _ := callAs(t, http.DefaultClient, "GET", bo.URL+"/api/v1/azienda/verbali", narrow, "", ""); status != 403 {
		t.Errorf("a token without the scope: %d", status)
	}
	if status, _ := call(t, http.DefaultClient, "GET", bo.URL+"/api/v1/azienda/verbali", ""); status != 401 {
		t.Errorf("no login: %d", status)
	}
	officer := bo.login(t, "vigile.bianchi", "una-password-lunga", staff.Operatore)
	if status, body := call(t, officer, "GET", bo.URL+"/api/v1/azienda/verbali", ""); status != 403 || decodeErr(body) != "PERMESSO_NEGATO" {
		t.Errorf("an officer in the company area: %d %s", status, body)
	}

	// Laura, named by the company, confirms with her own login; Mario does
	// not see Laura's identification, nor the company's fleet.
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	list := comList(t, laura, ts.URL+"/api/v1/me/comunicazioni")
	if len(list) != 1 || list[0].Numero != demoNumero(301) || list[0].Ruolo != "conducente" {
		t.Fatalf("Laura's communications: %+v", list)
	}
	if status, body := call(t, laura, "POST", ts.URL+"/api/v1/me/comunicazioni/"+itoa(list[0].ID)+"/conferma", ""); status != 200 {
		t.Errorf("Laura confirms: %d %s", status, body)
	}
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	for _, c := range comList(t, mario, ts.URL+"/api/v1/me/comunicazioni") {
		if c.Numero == demoNumero(301) {
			t.Errorf("Mario sees Laura's identification: %+v", c)
		}
	}
	if status, _ := call(t, mario, "GET", ts.URL+"/api/v1/me/comunicazioni/"+itoa(list[0].ID), ""); status != 404 {
		t.Errorf("Mario reading Laura's identification: %d", status)
	}
	if status, _ := call(t, mario, "GET", meVerbaleURL(ts, 301, ""), ""); status != 404 {
		t.Errorf("Mario reading the company's verbale: %d", status)
	}
}
