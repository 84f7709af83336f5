package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/profilo"
)

// citizen logs cf in and gives the privacy consent.
func citizen(t *testing.T, ts *httptest.Server, cf string) *http.Client {
	t.Helper()
	c := loginAs(t, ts, cf)
	if code, body := call(t, c, "POST", ts.URL+"/api/v1/me/consenso", `{"versione":"1"}`); code != 200 {
		t.Fatalf("consent = %d %s", code, body)
	}
	return c
}

// getJSON reads a personal-area answer into v, failing unless it is 200.
func getJSON(t *testing.T, c *http.Client, url string, v any) string {
	t.Helper()
	code, body := call(t, c, "GET", url, "")
	if code != 200 {
		t.Fatalf("GET %s = %d %s", url, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func errorCode(body []byte) string {
	var e struct {
		Errore Error `json:"errore"`
	}
	json.Unmarshal(body, &e)
	return e.Errore.Codice
}

var profiloPaths = []string{"/api/v1/me/patente", "/api/v1/me/veicoli", "/api/v1/me/permessi", "/api/v1/me/scadenze",
	"/api/v1/me/richieste-pagamento", "/api/v1/me/posizioni-coattive", "/api/v1/me/preferenze"}

func TestProfileNeedsLoginAndConsent(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{registry: true})
	anon := &http.Client{}
	mario := loginAs(t, ts, demo.Mario.CodiceFiscale)
	for _, p := range profiloPaths {
		if code, body := call(t, anon, "GET", ts.URL+p, ""); code != 401 || errorCode(body) != "ACCESSO_RICHIESTO" {
			t.Errorf("anonymous %s = %d %s", p, code, body)
		}
		if code, body := call(t, mario, "GET", ts.URL+p, ""); code != 403 || errorCode(body) != "CONSENSO_RICHIESTO" {
			t.Errorf("without consent %s = %d %s", p, code, body)
		}
	}
	for _, w := range []struct{ method, path, body string }{
		{"POST", "/api/v1/me/veicoli", `{"targa":"CX41876"}`},
		{"DELETE", "/api/v1/me/veicoli/GH482KL", ""},
		{"POST", "/api/v1/me/permessi/x/rinnovo", ""},
		{"PUT", "/api/v1/me/preferenze", `{"canale":"posta"}`},
	} {
		if code, _ := call(t, anon, w.method, ts.URL+w.path, w.body); code != 401 {
			t.Errorf("anonymous %s %s = %d", w.method, w.path, code)
		}
	}
}

type scheda struct {
	Patente *struct {
		Numero       string `json:"numero"`
		Neopatentato bool   `json:"neopatentato"`
	} `json:"patente"`
	Punti *struct {
		Saldo     int `json:"saldo"`
		Movimenti []struct {
			Movimento string `json:"movimento"`
			Punti     int    `json:"punti"`
			Verbale   *struct {
				Numero string `json:"numero"`
				Luogo  string `json:"luogo"`
			} `json:"verbale"`
		} `json:"movimenti"`
	} `json:"punti"`
}

func TestLicenceAndPointsAreTheCitizensOwn(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{registry: true})
	var m, l scheda
	marioBody := getJSON(t, citizen(t, ts, demo.Mario.CodiceFiscale), ts.URL+"/api/v1/me/patente", &m)
	lauraBody := getJSON(t, citizen(t, ts, demo.Laura.CodiceFiscale), ts.URL+"/api/v1/me/patente", &l)
	if m.Patente == nil || m.Punti == nil || len(m.Punti.Movimenti) != 3 {
		t.Fatalf("Mario's licence = %s", marioBody)
	}
	for _, mv := range m.Punti.Movimenti {
		if mv.Movimento == "decurtazione" && (mv.Punti >= 0 || mv.Verbale == nil || mv.Verbale.Luogo == "") {
			t.Errorf("deduction without its verbale: %+v", mv)
		}
	}
	if l.Patente == nil || !l.Patente.Neopatentato || l.Punti.Saldo != 20 || len(l.Punti.Movimenti) != 0 {
		t.Errorf("Laura's licence = %s", lauraBody)
	}
	if strings.Contains(lauraBody, m.Patente.Numero) || strings.Contains(marioBody, l.Patente.Numero) {
		t.Error("a licence shows in the other citizen's answer")
	}
}

type veicoli struct {
	Veicoli []struct {
		Targa   string `json:"targa"`
		Origine string `json:"origine"`
	} `json:"veicoli"`
}

func (v veicoli) plates() string {
	var p []string
	for _, x := range v.Veicoli {
		p = append(p, x.Targa)
	}
	return strings.Join(p, " ")
}

func TestVehiclesAreCheckedAgainstTheRegistry(t *testing.T) {
	ts, db := portalWith(t, portalOptions{registry: true})
	mario := citizen(t, ts, demo.Mario.CodiceFiscale)
	laura := citizen(t, ts, demo.Laura.CodiceFiscale)
	list := func(c *http.Client) veicoli {
		var v veicoli
		getJSON(t, c, ts.URL+"/api/v1/me/veicoli", &v)
		return v
	}
	if got := list(mario).plates(); got != "EZ715TR GH482KL" {
		t.Errorf("Mario's vehicles = %s", got)
	}
	if got := list(laura).plates(); got != "FL903AX" {
		t.Errorf("Laura's vehicles = %s", got)
	}

	refused := map[string]struct {
		body   string
		status int
		code   string
	}{
		"someone else's car": {`{"targa":"FL903AX"}`, 422, profilo.VeicoloNonIntestato},
		"unknown plate":      {`{"targa":"ZZ999ZZ"}`, 422, profilo.TargaSconosciuta},
		"not a plate":        {`{"targa":"GH!"}`, 400, profilo.TargaNonValida},
		"no plate":           {`{}`, 400, profilo.TargaNonValida},
		"not JSON":           {`targa=GH482KL`, 400, "JSON_NON_VALIDO"},
		"unknown field":      {`{"targa":"CX41876","proprietario":"io"}`, 400, "JSON_NON_VALIDO"},
	}
	for name, c := range refused {
		code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/veicoli", c.body)
		if code != c.status || errorCode(body) != c.code {
			t.Errorf("%s: %d %s, want %d %s", name, code, body, c.status, c.code)
		}
		if strings.Contains(string(body), demo.Laura.CodiceFiscale) || strings.Contains(string(body), "Bianchi") {
			t.Errorf("%s: the refusal says whose the car is: %s", name, body)
		}
	}

	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/veicoli", `{"targa":"cx 41876"}`); code != 201 || !strings.Contains(string(body), `"targa":"CX41876"`) {
		t.Errorf("adding his scooter = %d %s", code, body)
	}
	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/veicoli", `{"targa":"GH482KL"}`); code != 200 || !strings.Contains(string(body), `"origine":"gestionale"`) {
		t.Errorf("adding a listed car again = %d %s", code, body)
	}
	if code, body := call(t, laura, "DELETE", ts.URL+"/api/v1/me/veicoli/CX41876", ""); code != 404 || errorCode(body) != "VEICOLO_NON_TROVATO" {
		t.Errorf("Laura removing Mario's scooter = %d %s", code, body)
	}
	if code, _ := call(t, laura, "DELETE", ts.URL+"/api/v1/me/veicoli/"+url.PathEscape("GH!"), ""); code != 400 {
		t.Errorf("removing a non-plate = %d", code)
	}
	if code, body := call(t, mario, "DELETE", ts.URL+"/api/v1/me/veicoli/EZ715TR", ""); code != 204 {
		t.Errorf("removing his car = %d %s", code, body)
	}
	if got := list(mario).plates(); got != "CX41876 GH482KL" {
		t.Errorf("Mario's vehicles after the changes = %s", got)
	}
	if got := list(laura).plates(); got != "FL903AX" {
		t.Errorf("Laura's vehicles after Mario's changes = %s", got)
	}
	events, _ := db.EventsAfter(context.Background(), 0, 100)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Tipo)
	}
	if strings.Join(kinds, " ") != "veicolo_aggiunto veicolo_rimosso" {
		t.Errorf("events for the gestionale = %v", kinds)
	}
}

func TestWithoutARegistryVehiclesCannotBeAdded(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{})
	mario := citizen(t, ts, demo.Mario.CodiceFiscale)
	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/veicoli", `{"targa":"CX41876"}`); code != 503 || errorCode(body) != "REGISTRO_NON_DISPONIBILE" {
		t.Errorf("adding without a registry = %d %s", code, body)
	}
	var v veicoli
	getJSON(t, mario, ts.URL+"/api/v1/me/veicoli", &v)
	if len(v.Veicoli) != 2 {
		t.Errorf("the list is not readable without a registry: %+v", v)
	}
}

type permesso struct {
	ID                 string `json:"id"`
	Stato              string `json:"stato"`
	Rinnovabile        bool   `json:"rinnovabile"`
	RinnovoRichiestoIl string `json:"rinnovo_richiesto_il"`
}

func TestPermitRenewalGoesToTheGestionaleOnce(t *testing.T) {
	ts, db := portalWith(t, portalOptions{registry: true})
	mario := citizen(t, ts, demo.Mario.CodiceFiscale)
	laura := citizen(t, ts, demo.Laura.CodiceFiscale)
	var m, l struct {
		Permessi []permesso `json:"permessi"`
	}
	getJSON(t, mario, ts.URL+"/api/v1/me/permessi", &m)
	getJSON(t, laura, ts.URL+"/api/v1/me/permessi", &l)
	if len(m.Permessi) != 1 || m.Permessi[0].Stato != "in_scadenza" || !m.Permessi[0].Rinnovabile || len(l.Permessi) != 0 {
		t.Fatalf("permits: Mario %+v, Laura %+v", m.Permessi, l.Permessi)
	}
	renew := "/api/v1/me/permessi/" + url.PathEscape(m.Permessi[0].ID) + "/rinnovo"
	if code, body := call(t, laura, "POST", ts.URL+renew, ""); code != 404 || errorCode(body) != profilo.PermessoNonTrovato {
		t.Errorf("Laura renewing Mario's permit = %d %s", code, body)
	}
	var first, second permesso
	for _, p := range []*permesso{&first, &second} {
		code, body := call(t, mario, "POST", ts.URL+renew, "")
		if code != 200 {
			t.Fatalf("renewal = %d %s", code, body)
		}
		json.Unmarshal(body, p)
	}
	if first.RinnovoRichiestoIl == "" || second.RinnovoRichiestoIl != first.RinnovoRichiestoIl {
		t.Errorf("renewal asked at %q, then %q", first.RinnovoRichiestoIl, second.RinnovoRichiestoIl)
	}
	events, _ := db.EventsAfter(context.Background(), 0, 100)
	if len(events) != 1 || events[0].Tipo != "richiesta_rinnovo_permesso" || !strings.Contains(string(events[0].Payload), m.Permessi[0].ID) {
		t.Errorf("events = %+v", events)
	}

	farOff := civil.FromTime(time.Now()).AddDays(200).String()
	sum, err := profilo.Import(context.Background(), strings.NewReader(`{"tipo":"permesso","codice_fiscale":"`+demo.Mario.CodiceFiscale+
		`","id":"RES-1","categoria":"sosta residenti","descrizione":"Sosta residenti zona 1","valido_dal":"2026-01-01","scadenza":"`+farOff+`"}`),
		db, profilo.ImportOptions{})
	if err != nil || sum.Nuovi != 1 {
		t.Fatalf("import = %+v %v", sum, err)
	}
	if code, body := call(t, mario, "POST", ts.URL+"/api/v1/me/permessi/RES-1/rinnovo", ""); code != 409 || errorCode(body) != profilo.RinnovoNonAncora {
		t.Errorf("renewal 200 days ahead = %d %s", code, body)
	}
}

func TestExpiriesAndReminders(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{registry: true})
	type scadenze struct {
		Scadenze []struct {
			Tipo       string `json:"tipo"`
			Promemoria []struct {
				Dovuto bool `json:"dovuto"`
			} `json:"promemoria"`
		} `json:"scadenze"`
	}
	var m, l scadenze
	getJSON(t, citizen(t, ts, demo.Mario.CodiceFiscale), ts.URL+"/api/v1/me/scadenze", &m)
	getJSON(t, citizen(t, ts, demo.Laura.CodiceFiscale), ts.URL+"/api/v1/me/scadenze", &l)
	due := map[string]bool{}
	for _, s := range m.Scadenze {
		due[s.Tipo] = len(s.Promemoria) == 3 && s.Promemoria[0].Dovuto
	}
	if len(m.Scadenze) != 3 || !due["patente"] || !due["carta_identita"] || !due["permesso"] {
		t.Errorf("Mario's expiries = %+v", m.Scadenze)
	}
	if len(l.Scadenze) != 1 || l.Scadenze[0].Tipo != "patente" || l.Scadenze[0].Promemoria[0].Dovuto {
		t.Errorf("Laura's expiries = %+v", l.Scadenze)
	}
}

func TestPaymentRequestsAndCoercivePositionsAreTheCitizensOwn(t *testing.T) {
	ts, _ := portalWith(t, portalOptions{registry: true})
	mario := citizen(t, ts, demo.Mario.CodiceFiscale)
	laura := citizen(t, ts, demo.Laura.CodiceFiscale)
	var mr, lr struct {
		Totale    int64 `json:"totale_da_pagare_cent"`
		Richieste []struct {
			Ufficio string `json:"ufficio"`
			NAV     string `json:"nav"`
			QR      string `json:"qr_pagopa"`
		} `json:"richieste"`
	}
	getJSON(t, mario, ts.URL+"/api/v1/me/richieste-pagamento", &mr)
	getJSON(t, laura, ts.URL+"/api/v1/me/richieste-pagamento", &lr)
	if len(mr.Richieste) != 2 || mr.Totale != 18750 || mr.Richieste[1].Ufficio != "Tributi – TARI" || !strings.Contains(mr.Richieste[1].QR, mr.Richieste[1].NAV) {
		t.Errorf("Mario's payment requests = %+v", mr)
	}
	if len(lr.Richieste) != 0 || lr.Totale != 0 {
		t.Errorf("Laura's payment requests = %+v", lr)
	}

	var mc, lc struct {
		Posizioni []struct {
			Numero string `json:"numero"`
			Ente   string `json:"ente"`
			Link   string `json:"link"`
		} `json:"posizioni"`
	}
	getJSON(t, mario, ts.URL+"/api/v1/me/posizioni-coattive", &mc)
	getJSON(t, laura, ts.URL+"/api/v1/me/posizioni-coattive", &lc)
	if len(mc.Posizioni) != 1 || mc.Posizioni[0].Ente != "Soris" || !strings.HasPrefix(mc.Posizioni[0].Link, "https://") {
		t.Errorf("Mario's coercive positions = %+v", mc)
	}
	if len(lc.Posizioni) != 0 {
		t.Errorf("Laura's coercive positions = %+v", lc)
	}
}

func TestNotificationPreference(t *testing.T) {
	ts, db := portalWith(t, portalOptions{registry: true})
	mario := citizen(t, ts, demo.Mario.CodiceFiscale)
	laura := citizen(t, ts, demo.Laura.CodiceFiscale)
	type preferenza struct {
		Canale      string `json:"canale"`
		PEC         string `json:"pec"`
		Predefinita bool   `json:"predefinita"`
	}
	var p preferenza
	if getJSON(t, mario, ts.URL+"/api/v1/me/preferenze", &p); p.Canale != "posta" || !p.Predefinita {
		t.Errorf("before choosing = %+v", p)
	}
	refused := map[string]struct{ body, code string }{
		"not a PEC address": {`{"canale":"pec","pec":"mario.rossi"}`, profilo.PECNonValida},
		"PEC without it":    {`{"canale":"pec"}`, profilo.PECMancante},
		"unknown channel":   {`{"canale":"sms"}`, profilo.CanaleNonValido},
		"not JSON":          {`canale=pec`, "JSON_NON_VALIDO"},
	}
	for name, c := range refused {
		if code, body := call(t, mario, "PUT", ts.URL+"/api/v1/me/preferenze", c.body); code != 400 || errorCode(body) != c.code {
			t.Errorf("%s = %d %s, want 400 %s", name, code, body, c.code)
		}
	}
	if code, body := call(t, mario, "PUT", ts.URL+"/api/v1/me/preferenze", `{"canale":"pec","pec":"Mario.Rossi@PEC.example.it"}`); code != 200 {
		t.Fatalf("choosing PEC = %d %s", code, body)
	}
	if getJSON(t, mario, ts.URL+"/api/v1/me/preferenze", &p); p.Canale != "pec" || p.PEC != "mario.rossi@pec.example.it" || p.Predefinita {
		t.Errorf("after choosing = %+v", p)
	}
	var lp preferenza
	if body := getJSON(t, laura, ts.URL+"/api/v1/me/preferenze", &lp); lp.Canale != "posta" || strings.Contains(body, "mario") {
		t.Errorf("Laura's preference = %s", body)
	}
	events, _ := db.EventsAfter(context.Background(), 0, 100)
	if len(events) != 1 || events[0].Tipo != "preferenza_notifica" {
		t.Errorf("events = %+v", events)
	}
}
