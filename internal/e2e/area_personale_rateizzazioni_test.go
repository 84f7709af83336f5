package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apDemoNumero is the number of demo verbale n, numbered in the current year in Turin.
func apDemoNumero(n int) string {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%d/PM/%06d", time.Now().In(rome).Year(), n)
}

// apCheckWidths runs axe on the page as it is, at desktop and at phone width.
func apCheckWidths(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	for _, w := range []struct{ width, height int64 }{{1280, 900}, {390, 844}} {
		do(t, ctx, chromedp.EmulateViewport(w.width, w.height))
		checkAccessibility(t, ctx, axe, fmt.Sprintf("%s at %d px", page, w.width))
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
}

// apSkipToContent follows the page's first link, "Vai al contenuto", with Tab and Enter.
func apSkipToContent(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent("\t"))
	if link := eval[string](t, ctx, `document.activeElement.textContent.trim()`); link != "Vai al contenuto" {
		t.Fatalf("the first Tab reaches %q, not the skip link", link)
	}
	do(t, ctx, chromedp.KeyEvent("\r"))
}

// apTabTo presses Tab until the element with this id has the focus, as a keyboard user would.
func apTabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 80 {
		if eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ''`) == id {
			return
		}
		do(t, ctx, chromedp.KeyEvent("\t"))
	}
	t.Fatalf("Tab never reached #%s", id)
}

// apStaffClient logs in at /auth/staff/login as one of the demo's staff (password "demo-" + username).
func apStaffClient(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/auth/staff/login", url.Values{"username": {username}, "password": {"demo-" + username}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff login as %s: %d", username, resp.StatusCode)
	}
	return c
}

// apUploadFiles writes a small PDF, PNG and text file to upload.
func apUploadFiles(t *testing.T) (pdf, png, txt string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"dichiarazione.pdf": "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
		"patente.png":       "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde",
		"appunti.txt":       "non è un documento ammesso\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "dichiarazione.pdf"), filepath.Join(dir, "patente.png"), filepath.Join(dir, "appunti.txt")
}

type apPlans struct {
	Rateizzazioni []struct {
		ID       int64    `json:"id"`
		Stato    string   `json:"stato"`
		Verbali  []string `json:"verbali"`
		Rate     int      `json:"rate"`
		Allegati []struct {
			ID   int64  `json:"id"`
			Nome string `json:"nome"`
			URL  string `json:"url"`
		} `json:"allegati"`
	} `json:"rateizzazioni"`
}

// Mario asks, with the keyboard alone, to pay his fine 000107 in instalments: he sees at once
// whether he may and the schedule with its interest, sends the proposal and finds it
// "proposta" in his list; he attaches a document (a text file is refused with the portal's
// reason). Laura sees none of it. Every state passes axe at 1280 and 390 px.
func TestAreaPersonaleRateizzazioniInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	ctx := browser(t)
	axe := axeSource(t)
	pdf, _, txt := apUploadFiles(t)
	page := "/area-personale/rateizzazioni/"

	// Signed out: what the page is for, the sign-in button back to it.
	open(t, ctx, s.url+page)
	waitFor(t, ctx, `!document.querySelector('[data-ap-fallback]').hidden && document.querySelector('.portale-ap-status').textContent === ''`)
	if href := eval[string](t, ctx, `document.querySelector('[data-portale-login] a').getAttribute('href')`); href != "/auth/login?next="+url.QueryEscape(page) {
		t.Errorf("signed out: login link %q", href)
	}
	if text := pageText(t, ctx); !strings.Contains(text, "entro 30 giorni dalla notifica") {
		t.Errorf("signed out, the page does not say what it is for:\n%s", text)
	}
	apCheckWidths(t, ctx, axe, page+" signed out")

	browserLogin(t, ctx, s.url, "RSSMRA80A01L219M")
	// The section is in the personal area's menu and on its overview.
	if !eval[bool](t, ctx, `[...document.querySelectorAll('.portale-ap-menu a')].some(a => a.getAttribute('href') === '/area-personale/rateizzazioni/')`) {
		t.Errorf("the personal area's menu has no link to the instalment plans")
	}
	open(t, ctx, s.url+page)
	waitFor(t, ctx, `document.querySelector('#apr-reddito')`)
	text := pageText(t, ctx)
	for _, want := range []string{"Non hai chiesto rateizzazioni.", "Verbale n. " + apDemoNumero(107)} {
		if !strings.Contains(text, want) {
			t.Errorf("empty plans page does not show %q:\n%s", want, text)
		}
	}
	// Paid, coercive and already-planned fines are not offered.
	for _, n := range []int{104, 105, 106} {
		if strings.Contains(text, "Verbale n. "+apDemoNumero(n)) {
			t.Errorf("fine %d is offered for a plan", n)
		}
	}
	apCheckWidths(t, ctx, axe, page+" empty")

	// Sending the empty form: the summary lists what to fix, is focused, its links lead to the fields.
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-proposal button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-errors.alert')`)
	summary := eval[string](t, ctx, `document.querySelector('.portale-ap-errors').innerText`)
	if !eval[bool](t, ctx, `document.activeElement === document.querySelector('.portale-ap-errors')`) ||
		!strings.Contains(summary, "Scegli almeno una multa.") || !strings.Contains(summary, "Reddito del nucleo familiare, in euro: Compila questo campo.") {
		t.Errorf("error summary %q, focused %v", summary, eval[bool](t, ctx, `document.activeElement === document.querySelector('.portale-ap-errors')`))
	}
	if eval[string](t, ctx, `document.querySelector('.portale-ap-errors').getAttribute('aria-live')`) == "" {
		t.Errorf("the error summary is not a live region")
	}
	apCheckWidths(t, ctx, axe, page+" with errors")

	// The keyboard alone: Tab to the fine, Space to choose it, type the income, the household,
	// the instalments; the schedule appears as he types; Enter sends.
	open(t, ctx, s.url+page)
	waitFor(t, ctx, `document.querySelector('#apr-reddito')`)
	fine := apDemoNumero(107)
	boxID := "apr-v-" + strings.ReplaceAll(fine, "/", "-")
	apSkipToContent(t, ctx)
	apTabTo(t, ctx, boxID)
	do(t, ctx, chromedp.KeyEvent(" "))
	if !eval[bool](t, ctx, fmt.Sprintf(`document.getElementById(%q).checked`, boxID)) {
		t.Fatalf("Space did not choose the fine")
	}
	apTabTo(t, ctx, "apr-reddito")
	do(t, ctx, chromedp.KeyEvent("9.000,00"))
	waitFor(t, ctx, `document.querySelector('#apr-live').textContent.includes('fino a')`)
	maxRate := eval[string](t, ctx, `document.querySelector('#apr-rate-hint').textContent`)
	if !strings.HasPrefix(maxRate, "Da 2 a ") {
		t.Errorf("the instalments' hint does not give the legal maximum: %q", maxRate)
	}
	do(t, ctx, chromedp.KeyEvent("\t"), chromedp.KeyEvent("0"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("3"))
	waitFor(t, ctx, `document.querySelector('#apr-live').textContent.startsWith('3 rate')`)
	live := pageText(t, ctx)
	for _, want := range []string{"3 rate, la prima di", "Totale interessi", "Totale da pagare", "Interesse annuo"} {
		if !strings.Contains(strings.ToLower(live), strings.ToLower(want)) { // the facts' terms are shown in capitals
			t.Errorf("live schedule does not show %q:\n%s", want, live)
		}
	}
	if rows := eval[int](t, ctx, `document.querySelectorAll('.portale-ap-live tbody tr').length`); rows != 3 {
		t.Errorf("live schedule has %d rows, want 3", rows)
	}
	apCheckWidths(t, ctx, axe, page+" with the live schedule")

	// Too many instalments: the field says the range, the eligibility stays.
	do(t, ctx, chromedp.KeyEvent("0"))
	waitFor(t, ctx, `document.querySelector('#apr-rate-err').textContent !== ''`)
	if err := eval[string](t, ctx, `document.querySelector('#apr-rate-err').textContent`); !strings.Contains(err, "rate") {
		t.Errorf("30 instalments: field error %q", err)
	}
	do(t, ctx, chromedp.KeyEvent("\b"))
	waitFor(t, ctx, `document.querySelector('#apr-live').textContent.startsWith('3 rate') && document.querySelector('#apr-rate-err').textContent === ''`)
	do(t, ctx, chromedp.KeyEvent("\r"))
	waitFor(t, ctx, `document.querySelector('.portale-ap-done')`)
	done := eval[string](t, ctx, `document.querySelector('.portale-ap-done').innerText`)
	if !strings.Contains(done, "stato «Proposta»") || !eval[bool](t, ctx, `document.activeElement === document.querySelector('.portale-ap-done')`) {
		t.Errorf("after sending: %q (focused %v)", done, eval[bool](t, ctx, `document.activeElement === document.querySelector('.portale-ap-done')`))
	}
	got := apiJSON[apPlans](t, ctx, "/api/v1/me/rateizzazioni")
	if len(got.Rateizzazioni) != 1 || got.Rateizzazioni[0].Stato != "proposta" || got.Rateizzazioni[0].Rate != 3 ||
		len(got.Rateizzazioni[0].Verbali) != 1 || got.Rateizzazioni[0].Verbali[0] != fine {
		t.Fatalf("plans after the proposal: %+v", got)
	}
	id := got.Rateizzazioni[0].ID
	card := eval[string](t, ctx, fmt.Sprintf(`document.getElementById('apr-plan-%d').closest('article').innerText`, id))
	for _, want := range []string{fmt.Sprintf("Rateizzazione n. %d", id), "Proposta", fine, "Polizia Municipale"} {
		if !strings.Contains(card, want) {
			t.Errorf("the new plan's card does not show %q:\n%s", want, card)
		}
	}
	if eval[bool](t, ctx, fmt.Sprintf(`!!document.getElementById(%q)`, boxID)) {
		t.Errorf("the fine just proposed is still offered for another plan")
	}
	apCheckWidths(t, ctx, axe, page+" with a proposal")

	// Attachments: a text file is refused with the portal's reason; a PDF is listed.
	fileInput := fmt.Sprintf("#apr-file-%d", id)
	uploadButton := fmt.Sprintf(`document.querySelector('%s').closest('form').querySelector('button')`, fileInput)
	do(t, ctx, chromedp.SetUploadFiles(fileInput, []string{txt}))
	eval[bool](t, ctx, `(() => { `+uploadButton+`.click(); return true })()`)
	waitFor(t, ctx, fmt.Sprintf(`document.querySelector('%s-err').textContent !== ''`, fileInput))
	refusal := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s-err').textContent`, fileInput))
	if !strings.Contains(refusal, "PDF") || eval[string](t, ctx, fmt.Sprintf(`document.querySelector('%s').getAttribute('aria-invalid')`, fileInput)) != "true" {
		t.Errorf("a text file: field says %q", refusal)
	}
	apCheckWidths(t, ctx, axe, page+" with a refused attachment")
	do(t, ctx, chromedp.SetUploadFiles(fileInput, []string{pdf}))
	eval[bool](t, ctx, `(() => { `+uploadButton+`.click(); return true })()`)
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-files a')].some(a => a.textContent === 'dichiarazione.pdf')`)
	got = apiJSON[apPlans](t, ctx, "/api/v1/me/rateizzazioni")
	if n := len(got.Rateizzazioni[0].Allegati); n != 1 {
		t.Fatalf("%d attachments after the upload", n)
	}
	attachment := got.Rateizzazioni[0].Allegati[0].URL
	status := eval[string](t, ctx, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(r => r.status + ' ' + r.headers.get('Content-Type'))`, attachment))
	if status != "200 application/pdf" {
		t.Errorf("the attachment's link answers %q", status)
	}

	// The officer approves it: Mario sees each instalment with its due date, amount and notice
	// code, and how to pay it.
	officer := apStaffClient(t, s.url, "operatore")
	resp, err := officer.Post(fmt.Sprintf("%s/api/v1/backoffice/rateizzazioni/%d/approva", s.url, id), "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("approving plan %d: %d", id, resp.StatusCode)
	}
	type instalment struct {
		Scadenza    string `json:"scadenza"`
		ImportoCent int64  `json:"importo_cent"`
		NAV         string `json:"nav"`
	}
	approved := apiJSON[struct {
		Rateizzazioni []struct {
			Stato string       `json:"stato"`
			Piano []instalment `json:"piano"`
		} `json:"rateizzazioni"`
	}](t, ctx, "/api/v1/me/rateizzazioni").Rateizzazioni[0]
	if approved.Stato != "approvata" || len(approved.Piano) != 3 {
		t.Fatalf("after approval: %+v", approved)
	}
	open(t, ctx, s.url+page)
	waitFor(t, ctx, fmt.Sprintf(`document.getElementById('apr-plan-%d')`, id))
	text = pageText(t, ctx)
	for _, r := range approved.Piano {
		nav := r.NAV[:4] + " " + r.NAV[4:8] + " " + r.NAV[8:12] + " " + r.NAV[12:16] + " " + r.NAV[16:]
		for _, want := range []string{dateIT(r.Scadenza), euroIT(r.ImportoCent), nav} {
			if !strings.Contains(text, want) {
				t.Errorf("approved plan does not show %q:\n%s", want, text)
			}
		}
	}
	for _, want := range []string{"Approvata", "Da pagare", "Paga ogni rata con il suo codice avviso pagoPA"} {
		if !strings.Contains(text, want) {
			t.Errorf("approved plan does not show %q", want)
		}
	}
	apCheckWidths(t, ctx, axe, page+" with an approved plan")

	// "Paga con pagoPA" on the first instalment leads to the (simulated) pagoPA checkout for it.
	label := eval[string](t, ctx, `document.querySelector('.portale-ap-table button.btn-primary').getAttribute('aria-label')`)
	if want := fmt.Sprintf("Paga con pagoPA la rata 1 del piano n. %d", id); label != want {
		t.Errorf("first pay button is labelled %q, want %q", label, want)
	}
	do(t, ctx, chromedp.Click(`.portale-ap-table button.btn-primary`))
	waitFor(t, ctx, `location.pathname.startsWith('/demo-checkout/')`)
	if text, want := pageText(t, ctx), fmt.Sprintf("Rata 1 della rateizzazione n. %d", id); !strings.Contains(text, want) {
		t.Errorf("the checkout does not show %q:\n%s", want, text)
	}
	open(t, ctx, s.url+page)
	waitFor(t, ctx, fmt.Sprintf(`document.getElementById('apr-plan-%d')`, id))

	// A counter-proposal: Mario proposes 101 and 102 together in 2 instalments, the officer
	// offers a single one with a note; Mario reads it with its schedule, starts refusing, thinks again, accepts.
	second := eval[string](t, ctx, fmt.Sprintf(`fetch('/api/v1/me/rateizzazioni', {method: 'POST', credentials: 'same-origin',
		headers: {'Content-Type': 'application/json'}, body: JSON.stringify({verbali: [%q, %q], rate: 2, reddito_cent: 900000, familiari_conviventi: 1})})
		.then(r => r.json()).then(d => String(d.id || JSON.stringify(d)))`, apDemoNumero(101), apDemoNumero(102)))
	resp, err = officer.PostForm(s.url+"/backoffice/rateizzazioni/"+second+"/controproponi", url.Values{"rate": {"1"}, "nota": {"Una rata sola basta per questo importo."}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("counter-proposing plan %s: %d", second, resp.StatusCode)
	}
	open(t, ctx, s.url+page)
	waitFor(t, ctx, `document.querySelector('.portale-ap-counter')`)
	counter := eval[string](t, ctx, `document.querySelector('.portale-ap-counter').innerText`)
	for _, want := range []string{"Una rata sola basta per questo importo.", "Rispondi entro il"} {
		if !strings.Contains(counter, want) {
			t.Errorf("the counter-proposal does not show %q:\n%s", want, counter)
		}
	}
	if rows := eval[int](t, ctx, `document.querySelectorAll('.portale-ap-counter tbody tr').length`); rows != 1 {
		t.Errorf("the counter-proposal's schedule has %d rows, want 1", rows)
	}
	apCheckWidths(t, ctx, axe, page+" with a counter-proposal")
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-counter button')].find(b => b.textContent === 'Rifiuta').click(); return true })()`)
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-counter button')].some(b => b.textContent === 'Sì, rifiuta')`)
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-counter button')].find(b => b.textContent === 'Annulla').click(); return true })()`)
	waitFor(t, ctx, `[...document.querySelectorAll('.portale-ap-counter button')].some(b => b.textContent === 'Accetta')`)
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('.portale-ap-counter button')].find(b => b.textContent === 'Accetta').click(); return true })()`)
	waitFor(t, ctx, `!document.querySelector('.portale-ap-counter') && document.querySelector('.portale-ap-status').textContent.includes('approvata')`)
	for _, p := range apiJSON[apPlans](t, ctx, "/api/v1/me/rateizzazioni").Rateizzazioni {
		if fmt.Sprint(p.ID) == second && p.Stato != "approvata" {
			t.Errorf("after accepting the counter-proposal: %+v", p)
		}
	}

	// In English.
	open(t, ctx, s.url+"/en"+page)
	waitFor(t, ctx, fmt.Sprintf(`document.getElementById('apr-plan-%d')`, id))
	if text := pageText(t, ctx); !strings.Contains(text, fmt.Sprintf("Instalment plan no. %d", id)) || !strings.Contains(text, "pagoPA notice code") {
		t.Errorf("the English page:\n%s", text)
	}
	checkAccessibility(t, ctx, axe, "/en"+page+" with an approved plan")

	// Laura, in a browser of her own, sees none of Mario's plans nor his document.
	laura := browser(t)
	browserLogin(t, laura, s.url, "BNCLRA85M41L219R")
	open(t, laura, s.url+page)
	waitFor(t, laura, `document.querySelector('#apr-plans')`)
	if text := pageText(t, laura); strings.Contains(text, fmt.Sprintf("Rateizzazione n. %d", id)) || strings.Contains(text, fine) || !strings.Contains(text, "Non hai chiesto rateizzazioni.") {
		t.Errorf("Laura's plans page:\n%s", text)
	}
	if status := eval[int](t, laura, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(r => r.status)`, attachment)); status != 404 {
		t.Errorf("Laura fetching Mario's attachment: %d", status)
	}
	apCheckWidths(t, laura, axe, page+" as Laura")
}
