package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The personal-area pages, each with the element its island renders once the data are there.
var areaPersonalePages = []struct{ path, loaded string }{
	{"/area-personale/", ".portale-ap-hello"},
	{"/area-personale/multe/", ".portale-ap-cards"},
	{"/area-personale/multe/dettaglio/?numero=" + url.QueryEscape("2026/PM/000101"), ".portale-ap-table"},
	{"/area-personale/patente/", ".portale-ap-table"},
	{"/area-personale/veicoli/", "#ap-targa"},
	{"/area-personale/permessi/", ".portale-ap-cards"},
	{"/area-personale/scadenze/", ".portale-ap-cards"},
	{"/area-personale/pagamenti/", ".portale-ap-table"},
	{"/area-personale/riscossione/", ".portale-ap-cards"},
	{"/area-personale/preferenze/", "#ap-canale-pec"},
	{"/area-personale/privacy/", ".portale-ap-consent"},
	{"/en/area-personale/multe/", ".portale-ap-cards"},
}

// browserLogin signs in through the real flow: /auth/login, the demo identity provider's
// page, the button of the citizen; the portal brings the browser back to the personal area.
func browserLogin(t *testing.T, ctx context.Context, base, cf string) {
	t.Helper()
	button := fmt.Sprintf(`button[name="codice_fiscale"][value=%q]`, cf)
	do(t, ctx, chromedp.Navigate(base+"/auth/login"), chromedp.WaitVisible(button), chromedp.Click(button), chromedp.WaitVisible(".portale-ap-hello"))
}

// waitFor polls a JavaScript condition in the page for up to 20 seconds.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if eval[bool](t, ctx, "!!("+cond+")") {
			return
		}
	}
	t.Fatalf("still false after 20 s: %s\npage: %.1500s", cond, eval[string](t, ctx, `document.querySelector('main').innerText`))
}

// pageText is what the reader sees of the page's main content.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return strings.ReplaceAll(eval[string](t, ctx, `document.querySelector('main').innerText`), "\u00a0", " ")
}

// apiJSON fetches an API address from inside the page, with the browser's session.
func apiJSON[T any](t *testing.T, ctx context.Context, path string) T {
	t.Helper()
	raw := eval[string](t, ctx, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(r => r.text())`, path))
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatalf("%s: %v: %.300s", path, err, raw)
	}
	return v
}

// euroIT writes cents the Italian way, as the pages do: 143107 → "1.431,07 €".
func euroIT(cents int64) string {
	units := fmt.Sprint(cents / 100)
	for i := len(units) - 3; i > 0; i -= 3 {
		units = units[:i] + "." + units[i:]
	}
	return fmt.Sprintf("%s,%02d €", units, cents%100)
}

// dateIT writes a civil date the Italian way: 2026-11-30 → 30/11/2026.
func dateIT(iso string) string {
	p := strings.Split(iso, "-")
	return p[2] + "/" + p[1] + "/" + p[0]
}

type statement struct {
	TotaleCent int64 `json:"totale_cent"`
	Verbali    []struct {
		Numero       string `json:"numero"`
		Fase         string `json:"fase"`
		ImportoCent  int64  `json:"importo_cent"`
		ScadenzaFase string `json:"scadenza_fase"`
		Nav          string `json:"nav"`
		Pagabile     bool   `json:"pagabile"`
		QR           string `json:"qr_pagopa"`
		Prossima     *struct {
			DataInizio  string `json:"data_inizio"`
			ImportoCent int64  `json:"importo_cent"`
		} `json:"prossima_fase"`
		Importi struct {
			Riduzione30 *int64 `json:"riduzione_30_cent"`
			Ridotta     int64  `json:"misura_ridotta_cent"`
			MetaMassimo int64  `json:"meta_massimo_cent"`
		} `json:"importi"`
		Accessorie []struct {
			Deposito string `json:"deposito"`
		} `json:"sanzioni_accessorie"`
	} `json:"verbali"`
}

// Signed out, every personal-area page says what it is and offers the sign-in button, which
// comes back to the same page; signed in as Mario, each page shows his data; axe finds no
// WCAG 2.1 AA violation in either state.
func TestAreaPersonaleInABrowser(t *testing.T) {
	base := sharedDemo(t)
	ctx := browser(t)
	axe := axeSource(t)

	for _, p := range areaPersonalePages {
		open(t, ctx, base+p.path)
		waitFor(t, ctx, `document.querySelector('.portale-ap-status') && document.querySelector('.portale-ap-status').textContent === '' && !document.querySelector('[data-island][aria-busy]')`)
		href := eval[string](t, ctx, `document.querySelector('[data-portale-login] a').getAttribute('href')`)
		visible := eval[bool](t, ctx, `!document.querySelector('[data-ap-fallback]').hidden`)
		if want := "/auth/login?next=" + url.QueryEscape(p.path); href != want || !visible {
			t.Errorf("%s signed out: login link %q (want %q), fallback visible %v", p.path, href, want, visible)
		}
		checkAccessibility(t, ctx, axe, p.path+" signed out")
	}

	browserLogin(t, ctx, base, "RSSMRA80A01L219M")
	st := apiJSON[statement](t, ctx, "/api/v1/me/estratto-conto")
	for _, p := range areaPersonalePages {
		open(t, ctx, base+p.path)
		waitFor(t, ctx, fmt.Sprintf(`document.querySelector(%q)`, p.loaded))
		checkAccessibility(t, ctx, axe, p.path+" signed in")
	}

	// The overview: the greeting, today's total, the next deadlines.
	open(t, ctx, base+"/area-personale/")
	waitFor(t, ctx, `document.querySelector('.portale-ap-deadlines')`)
	overview := pageText(t, ctx)
	for _, want := range []string{"Mario Rossi", euroIT(st.TotaleCent), "Prossime scadenze", "Carta d'identità"} {
		if !strings.Contains(overview, want) {
			t.Errorf("overview does not show %q:\n%s", want, overview)
		}
	}

	// The statement: today's total, each verbale with its phase in plain words, the notice
	// and its code for a payable one, the receipt for a paid one, the collector's link,
	// where to collect the towed vehicle.
	open(t, ctx, base+"/area-personale/multe/")
	waitFor(t, ctx, `document.querySelector('.portale-ap-cards')`)
	text := pageText(t, ctx)
	if !strings.Contains(text, euroIT(st.TotaleCent)) {
		t.Errorf("statement does not show the total %s", euroIT(st.TotaleCent))
	}
	links := eval[[]string](t, ctx, `[...document.querySelectorAll('.portale-ap-cards a')].map(a => a.getAttribute('href'))`)
	hasLink := func(want string) bool {
		for _, l := range links {
			if l == want {
				return true
			}
		}
		return false
	}
	phases := map[string]bool{}
	for _, v := range st.Verbali {
		phases[v.Fase] = true
		enc := "/api/v1/me/verbali/" + url.PathEscape(v.Numero) // "/" written %2F, as encodeURIComponent does
		var want []string
		switch v.Fase {
		case "riduzione_30":
			want = append(want, fmt.Sprintf("Entro il %s paghi %s (−30 %%)", dateIT(v.ScadenzaFase), euroIT(v.ImportoCent)))
		case "misura_ridotta", "meta_massimo":
			want = append(want, fmt.Sprintf("Entro il %s paghi %s", dateIT(v.ScadenzaFase), euroIT(v.ImportoCent)))
		case "pagato":
			want = append(want, "Pagata il ")
			if !hasLink(enc + "/quietanza.pdf") {
				t.Errorf("paid verbale %s: no link to its receipt %s/quietanza.pdf in %v", v.Numero, enc, links)
			}
		case "coattivo":
			want = append(want, "riscossione coattiva")
			if !hasLink("https://www.soris.torino.it/") {
				t.Errorf("coercive verbale %s: no link to the collector's statement", v.Numero)
			}
		case "rateizzato":
			want = append(want, "a rate")
		}
		if v.Prossima != nil {
			want = append(want, fmt.Sprintf("Dal %s: %s", dateIT(v.Prossima.DataInizio), euroIT(v.Prossima.ImportoCent)))
		}
		if v.Pagabile {
			want = append(want, strings.TrimSpace(v.Nav[:4]+" "+v.Nav[4:8]+" "+v.Nav[8:12]+" "+v.Nav[12:16]+" "+v.Nav[16:]))
			if !hasLink(enc + "/avviso.pdf") {
				t.Errorf("payable verbale %s: no link to %s/avviso.pdf in %v", v.Numero, enc, links)
			}
		}
		for _, a := range v.Accessorie {
			want = append(want, a.Deposito)
		}
		for _, w := range append(want, v.Numero) {
			if !strings.Contains(text, w) {
				t.Errorf("statement, verbale %s (%s): %q not shown", v.Numero, v.Fase, w)
			}
		}
	}
	for _, f := range []string{"riduzione_30", "misura_ridotta", "meta_massimo", "pagato", "rateizzato", "coattivo"} {
		if !phases[f] {
			t.Errorf("Mario's statement lacks phase %s", f)
		}
	}
	notice := eval[string](t, ctx, `fetch(document.querySelector('a[href$="/avviso.pdf"]').href, {credentials: 'same-origin'}).then(r => r.status + ' ' + r.headers.get('Content-Type'))`)
	if notice != "200 application/pdf" {
		t.Errorf("the payment notice link answers %q", notice)
	}

	// The detail page, reached from the statement: the three amounts, the appeal
	// deadlines, the images, the notice code and the QR data.
	do(t, ctx, chromedp.Click(`a.portale-ap-detail-link[href$="`+url.QueryEscape("2026/PM/000101")+`"]`))
	waitFor(t, ctx, `document.querySelector('.portale-ap-table')`)
	detail := pageText(t, ctx)
	for _, v := range st.Verbali {
		if v.Numero != "2026/PM/000101" {
			continue
		}
		want := []string{"Verbale n. 2026/PM/000101", euroIT(v.Importi.Ridotta), euroIT(v.Importi.MetaMassimo), v.QR, "Ricorso al Prefetto", "Foto 1"}
		if v.Importi.Riduzione30 != nil {
			want = append(want, euroIT(*v.Importi.Riduzione30))
		}
		for _, w := range want {
			if !strings.Contains(strings.ToLower(detail), strings.ToLower(w)) { // the facts' terms are shown in capitals
				t.Errorf("detail page does not show %q:\n%s", w, detail)
			}
		}
	}
	open(t, ctx, base+"/area-personale/multe/dettaglio/?numero=NON-ESISTE")
	waitFor(t, ctx, `document.querySelector('.portale-ap-alert .alert')`)
	checkAccessibility(t, ctx, axe, "detail page of an unknown verbale")

	// Licence and points.
	type licence struct {
		Punti struct {
			Saldo int `json:"saldo"`
		} `json:"punti"`
		Patente struct {
			Numero string `json:"numero"`
		} `json:"patente"`
	}
	lic := apiJSON[licence](t, ctx, "/api/v1/me/patente")
	open(t, ctx, base+"/area-personale/patente/")
	waitFor(t, ctx, `document.querySelector('.portale-ap-table')`)
	patente := pageText(t, ctx)
	for _, w := range []string{fmt.Sprintf("%d punti", lic.Punti.Saldo), lic.Patente.Numero, "Verbale n. 2026/PM/000104", "Corso di recupero"} {
		if !strings.Contains(patente, w) {
			t.Errorf("licence page does not show %q:\n%s", w, patente)
		}
	}

	// The personal area at phone width.
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	for _, p := range []string{"/area-personale/", "/area-personale/multe/"} {
		open(t, ctx, base+p)
		waitFor(t, ctx, `document.querySelector('.portale-ap-content').childElementCount > 0`)
		checkAccessibility(t, ctx, axe, p+" at 390 px")
	}
}

// What changes state, on a demo of its own: a vehicle refused with the registry's reason
// next to the field, one added and removed after the confirmation, the notification
// preference, a permit renewal, the consent withdrawn.
func TestAreaPersonaleChangesInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	ctx := browser(t)
	axe := axeSource(t)
	browserLogin(t, ctx, s.url, "RSSMRA80A01L219M")

	// Laura's car is not Mario's: the registry's reason shows next to the field.
	open(t, ctx, s.url+"/area-personale/veicoli/")
	waitFor(t, ctx, `document.querySelector('#ap-targa')`)
	do(t, ctx, chromedp.SendKeys("#ap-targa", "FL903AX\r"))
	waitFor(t, ctx, `document.querySelector('#ap-targa-err').textContent !== ''`)
	shown := eval[string](t, ctx, `document.querySelector('#ap-targa-err').textContent`)
	api := eval[string](t, ctx, `fetch('/api/v1/me/veicoli', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({targa: 'FL903AX'})}).then(r => r.json()).then(d => d.errore.codice + '|' + d.errore.messaggio)`)
	code, msg, _ := strings.Cut(api, "|")
	if code != "VEICOLO_NON_INTESTATO" || shown != msg {
		t.Errorf("refused plate: field says %q, the API %s %q", shown, code, msg)
	}
	if !eval[bool](t, ctx, `document.querySelector('#ap-targa').getAttribute('aria-invalid') === 'true' && document.activeElement.id === 'ap-targa'`) {
		t.Errorf("the refused plate field is not marked invalid and focused")
	}
	checkAccessibility(t, ctx, axe, "vehicles with a refused plate")

	// His scooter is his: added, then removed after the confirmation step.
	eval[string](t, ctx, `document.querySelector('#ap-targa').value = ''`)
	do(t, ctx, chromedp.SendKeys("#ap-targa", "cx 41876\r"))
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-table th[scope=row]')].some(th => th.textContent === 'CX41876')`)
	if st := eval[string](t, ctx, `document.querySelector('.portale-ap-status').textContent`); !strings.Contains(st, "CX41876") {
		t.Errorf("adding a vehicle announced %q", st)
	}
	eval[bool](t, ctx, `(() => { const b = document.querySelector('button[aria-label="Togli il veicolo CX41876"]'); b.click(); return true })()`)
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-table button')].some(b => b.textContent === 'Sì, togli')`)
	checkAccessibility(t, ctx, axe, "vehicles, confirming a removal")
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-table button')].find(b => b.textContent === 'Sì, togli').click(); return true })()`)
	waitFor(t, ctx, `![...document.querySelectorAll('.portale-ap-table th[scope=row]')].some(th => th.textContent === 'CX41876')`)

	// Notification preference: a bad PEC address is refused next to the field, a good one is stored.
	open(t, ctx, s.url+"/area-personale/preferenze/")
	waitFor(t, ctx, `document.querySelector('#ap-canale-pec')`)
	eval[bool](t, ctx, `(() => { document.querySelector('#ap-canale-pec').click(); return true })()`)
	do(t, ctx, chromedp.WaitVisible("#ap-pec"), chromedp.SendKeys("#ap-pec", "non-una-pec\r"))
	waitFor(t, ctx, `document.querySelector('#ap-pec-err').textContent !== ''`)
	checkAccessibility(t, ctx, axe, "preferences with a refused address")
	eval[string](t, ctx, `document.querySelector('#ap-pec').value = ''`)
	do(t, ctx, chromedp.SendKeys("#ap-pec", "mario.rossi@pec.it\r"))
	waitFor(t, ctx, `document.querySelector('.portale-ap-current').textContent.includes('mario.rossi@pec.it')`)
	if pref := apiJSON[struct{ Canale, Pec string }](t, ctx, "/api/v1/me/preferenze"); pref.Canale != "pec" || pref.Pec != "mario.rossi@pec.it" {
		t.Errorf("preference stored as %+v", pref)
	}

	// Permit renewal.
	open(t, ctx, s.url+"/area-personale/permessi/")
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-cards button')].some(b => b.textContent === 'Chiedi il rinnovo')`)
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-cards button')].find(b => b.textContent === 'Chiedi il rinnovo').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-cards').textContent.includes('Hai chiesto il rinnovo')`)
	checkAccessibility(t, ctx, axe, "permits after a renewal request")

	// Withdrawing consent: then the statement asks for it again.
	open(t, ctx, s.url+"/area-personale/privacy/")
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-consent button')].some(b => b.textContent === 'Revoca il consenso')`)
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-consent button')].find(b => b.textContent === 'Revoca il consenso').click(); return true })()`)
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-consent button')].some(b => b.textContent === 'Sì, revoca')`)
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-consent button')].find(b => b.textContent === 'Sì, revoca').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-consent').textContent.includes('Hai revocato il consenso')`)
	open(t, ctx, s.url+"/area-personale/multe/")
	waitFor(t, ctx, `document.querySelector('.portale-ap-consent a')`)
	if href := eval[string](t, ctx, `document.querySelector('.portale-ap-consent a').getAttribute('href')`); href != "/auth/consenso?next=%2Farea-personale%2Fmulte%2F" {
		t.Errorf("consent needed: link %q", href)
	}
	checkAccessibility(t, ctx, axe, "statement without consent")
}
