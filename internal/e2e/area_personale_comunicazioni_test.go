package e2e

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

type apCommunications struct {
	Comunicazioni []struct {
		ID         int64  `json:"id"`
		Protocollo string `json:"protocollo"`
		Tipo       string `json:"tipo"`
		Stato      string `json:"stato"`
		Ruolo      string `json:"ruolo"`
		Numero     string `json:"numero"`
		File       []struct {
			Ruolo string `json:"ruolo"`
		} `json:"file"`
	} `json:"comunicazioni"`
}

type apFineDriver struct {
	Comunicazione *struct {
		Scadenza string `json:"scadenza"`
		Min      int64  `json:"sanzione_minima_cent"`
		Max      int64  `json:"sanzione_massima_cent"`
	} `json:"comunicazione_conducente"`
}

// Mario names Laura as the driver of his fine 000109, starting from the fine's page: he sees
// the 60-day deadline and the fine for missing it, gets the tracking number, and Laura confirms
// with her own login. He contests a fine (a text file is refused with the portal's reason) and
// asks for a document. Laura sees only the identification naming her. Every state passes axe
// at 1280 and 390 px.
func TestAreaPersonaleComunicazioniInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	ctx := browser(t)
	axe := axeSource(t)
	pdf, png, txt := apUploadFiles(t)
	page := "/area-personale/comunicazioni/"

	open(t, ctx, s.url+page)
	waitFor(t, ctx, `!document.querySelector('[data-ap-fallback]').hidden && document.querySelector('.portale-ap-status').textContent === ''`)
	if href := eval[string](t, ctx, `document.querySelector('[data-portale-login] a').getAttribute('href')`); href != "/auth/login?next="+url.QueryEscape(page) {
		t.Errorf("signed out: login link %q", href)
	}
	apCheckWidths(t, ctx, axe, page+" signed out")

	browserLogin(t, ctx, s.url, "RSSMRA80A01L219M")
	if !eval[bool](t, ctx, `[...document.querySelectorAll('.portale-ap-menu a')].some(a => a.getAttribute('href') === '/area-personale/comunicazioni/')`) {
		t.Errorf("the personal area's menu has no link to the communications")
	}
	open(t, ctx, s.url+page)
	waitFor(t, ctx, `document.querySelector('#apc-list')`)
	if text := pageText(t, ctx); !strings.Contains(text, "Non hai comunicazioni con la Polizia Municipale.") {
		t.Errorf("Mario's communications before any:\n%s", text)
	}
	apCheckWidths(t, ctx, axe, page+" empty")

	// From the fine's page: the deadline, the fine for missing it, the link to the form.
	fine := apDemoNumero(109)
	due := apiJSON[apFineDriver](t, ctx, "/api/v1/me/verbali/"+url.PathEscape(fine)).Comunicazione
	if due == nil {
		t.Fatalf("verbale %s does not ask for the driver", fine)
	}
	deadline := fmt.Sprintf("entro il %s. Se non lo fai paghi una sanzione da %s a %s", dateIT(due.Scadenza), euroIT(due.Min), euroIT(due.Max))
	open(t, ctx, s.url+"/area-personale/multe/dettaglio/?numero="+url.QueryEscape(fine))
	waitFor(t, ctx, `document.querySelector('.portale-ap-driver-link')`)
	if text := pageText(t, ctx); !strings.Contains(text, deadline) {
		t.Errorf("the fine's page does not say %q:\n%s", deadline, text)
	}
	do(t, ctx, chromedp.Click(".portale-ap-driver-link"))
	waitFor(t, ctx, `document.querySelector('#apc-d-cf')`)
	if got := eval[string](t, ctx, `document.querySelector('#apc-d-numero').value`); got != fine {
		t.Errorf("the driver form opened on %q, not %s", got, fine)
	}
	if text := eval[string](t, ctx, `document.querySelector('.portale-ap-deadline').textContent`); !strings.Contains(strings.ReplaceAll(text, "\u00a0", " "), deadline) {
		t.Errorf("the driver form's deadline: %q", text)
	}
	apCheckWidths(t, ctx, axe, page+" driver form")

	// Sending it empty: the summary, focused, names the missing fields.
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-driver button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-driver .portale-ap-errors.alert')`)
	summary := eval[string](t, ctx, `document.querySelector('.portale-ap-driver .portale-ap-errors').innerText`)
	if !strings.Contains(summary, "Codice fiscale del conducente: Compila questo campo.") || !eval[bool](t, ctx, `document.activeElement.classList.contains('portale-ap-errors')`) {
		t.Errorf("driver form sent empty: summary %q", summary)
	}
	apCheckWidths(t, ctx, axe, page+" driver form with errors")

	// A wrong fiscal code: the portal's reason, next to the field and in the summary.
	do(t, ctx, chromedp.SendKeys("#apc-d-cf", "BNCLRA85M41L219X"), chromedp.SendKeys("#apc-d-patente", "TO7740219M"),
		chromedp.SetValue("#apc-d-categoria", "B"), chromedp.SetValue("#apc-d-rilascio", "2025-09-12"), chromedp.SetValue("#apc-d-scadenza", "2035-09-12"),
		chromedp.SetUploadFiles("#apc-d-file", []string{png}))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-driver button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('#apc-d-cf-err').textContent !== ''`)
	if !strings.Contains(eval[string](t, ctx, `document.querySelector('.portale-ap-driver .portale-ap-errors').innerText`), eval[string](t, ctx, `document.querySelector('#apc-d-cf-err').textContent`)) {
		t.Errorf("the refused fiscal code is not in the summary")
	}
	eval[string](t, ctx, `document.querySelector('#apc-d-cf').value = ''`)
	do(t, ctx, chromedp.SendKeys("#apc-d-cf", "bnclra85m41l219r"))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-driver button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-done')`)
	list := apiJSON[apCommunications](t, ctx, "/api/v1/me/comunicazioni")
	if len(list.Comunicazioni) != 1 || list.Comunicazioni[0].Tipo != "dati_conducente" || list.Comunicazioni[0].Stato != "in_attesa_conferma" ||
		len(list.Comunicazioni[0].File) != 1 || list.Comunicazioni[0].File[0].Ruolo != "patente" {
		t.Fatalf("after naming the driver: %+v", list)
	}
	driver := list.Comunicazioni[0]
	done := eval[string](t, ctx, `document.querySelector('.portale-ap-done').innerText`)
	if !strings.Contains(done, "protocollo "+driver.Protocollo) || !eval[bool](t, ctx, `document.activeElement.classList.contains('portale-ap-done')`) {
		t.Errorf("after naming the driver: %q", done)
	}
	card := eval[string](t, ctx, fmt.Sprintf(`document.getElementById('apc-com-%d').closest('article').innerText`, driver.ID))
	for _, want := range []string{driver.Protocollo, "In attesa di conferma del conducente", fine, "patente.png"} {
		if !strings.Contains(card, want) {
			t.Errorf("the identification's card does not show %q:\n%s", want, card)
		}
	}
	apCheckWidths(t, ctx, axe, page+" after naming the driver")

	// The fine's page now says the driver was named, with the tracking number, and no longer
	// offers the form.
	open(t, ctx, s.url+"/area-personale/multe/dettaglio/?numero="+url.QueryEscape(fine))
	waitFor(t, ctx, `document.querySelector('.portale-ap-driver-named')`)
	if text := pageText(t, ctx); !strings.Contains(text, "Hai già indicato il conducente: protocollo "+driver.Protocollo) ||
		eval[bool](t, ctx, `!!document.querySelector('.portale-ap-driver-link')`) {
		t.Errorf("the fine's page after naming the driver:\n%s", text)
	}

	// Back from the fine's link, the form says the driver was already named.
	open(t, ctx, s.url+page+"?tipo=conducente&numero="+url.QueryEscape(fine))
	waitFor(t, ctx, `document.querySelector('.portale-ap-compose')`)
	if text := pageText(t, ctx); !strings.Contains(text, "hai già comunicato il conducente: protocollo "+driver.Protocollo) {
		t.Errorf("naming the driver again:\n%s", text)
	}

	// A contestation: the vehicle was sold; a text file is refused with the portal's reason,
	// the deed of sale in PDF is accepted.
	eval[bool](t, ctx, `(() => { document.querySelector('#apc-kind-contestazione').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('#apc-c-numero')`)
	contested := apDemoNumero(102)
	// "Altro" with too short an explanation: the portal's reason next to the field and in the summary.
	eval[bool](t, ctx, `(() => { document.querySelector('#apc-c-tipo-altro').click(); return true })()`)
	do(t, ctx, chromedp.SetValue("#apc-c-numero", contested), chromedp.SendKeys("#apc-c-descrizione-altro", "Non ero io"))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-contest button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('#apc-c-descrizione-altro-err').textContent !== ''`)
	if reason := eval[string](t, ctx, `document.querySelector('#apc-c-descrizione-altro-err').textContent`); !strings.Contains(eval[string](t, ctx, `document.querySelector('.portale-ap-contest .portale-ap-errors').innerText`), reason) ||
		!eval[bool](t, ctx, `document.activeElement.classList.contains('portale-ap-errors')`) {
		t.Errorf("a short explanation: field says %q, the summary is not focused or does not say it", reason)
	}
	eval[bool](t, ctx, `(() => { document.querySelector('#apc-c-tipo-cambio_proprieta').click(); return true })()`)
	do(t, ctx, chromedp.SetValue("#apc-c-numero", contested), chromedp.SetValue("#apc-c-vendita", "2026-01-10"),
		chromedp.SendKeys("#apc-c-acquirente", "Giuseppe Verdi"), chromedp.SetUploadFiles("#apc-c-file", []string{txt}))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-contest button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('#apc-c-file-err').textContent !== ''`)
	refusal := eval[string](t, ctx, `document.querySelector('#apc-c-file-err').textContent`)
	if !strings.Contains(refusal, "appunti.txt") && !strings.Contains(refusal, "PDF") {
		t.Errorf("a text file attached to a contestation: %q", refusal)
	}
	apCheckWidths(t, ctx, axe, page+" contestation refused")
	do(t, ctx, chromedp.SetUploadFiles("#apc-c-file", []string{pdf}))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-contest button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('.portale-ap-done') && document.querySelectorAll('.portale-ap-cards > li').length === 2`)

	// A document request: a certificate.
	eval[bool](t, ctx, `(() => { document.querySelector('#apc-kind-documento').click(); return true })()`)
	waitFor(t, ctx, `document.querySelector('#apc-r-tipo-certificato')`)
	eval[bool](t, ctx, `(() => { document.querySelector('#apc-r-tipo-certificato').click(); return true })()`)
	do(t, ctx, chromedp.SendKeys("#apc-r-descrizione", "Attestazione di intervento per l'assicurazione"))
	eval[bool](t, ctx, `(() => { document.querySelector('.portale-ap-request button[type=submit]').click(); return true })()`)
	waitFor(t, ctx, `document.querySelectorAll('.portale-ap-cards > li').length === 3`)
	list = apiJSON[apCommunications](t, ctx, "/api/v1/me/comunicazioni")
	kinds := map[string]string{}
	for _, c := range list.Comunicazioni {
		kinds[c.Tipo] = c.Protocollo
	}
	text := pageText(t, ctx)
	for _, kind := range []string{"dati_conducente", "contestazione", "richiesta_documento"} {
		if kinds[kind] == "" || !strings.Contains(text, kinds[kind]) {
			t.Errorf("%s: protocollo %q not on the page", kind, kinds[kind])
		}
	}
	apCheckWidths(t, ctx, axe, page+" with three communications")

	// Laura, named as the driver, confirms; she sees nothing else of Mario's.
	laura := browser(t)
	browserLogin(t, laura, s.url, "BNCLRA85M41L219R")
	open(t, laura, s.url+page)
	waitFor(t, laura, `document.querySelector('#apc-list')`)
	seen := pageText(t, laura)
	if !strings.Contains(seen, driver.Protocollo) || !strings.Contains(seen, "ti ha indicato come conducente") ||
		strings.Contains(seen, kinds["contestazione"]) || strings.Contains(seen, kinds["richiesta_documento"]) || strings.Contains(seen, "patente.png") {
		t.Errorf("Laura's communications:\n%s", seen)
	}
	apCheckWidths(t, laura, axe, page+" as the named driver")
	eval[bool](t, laura, `(() => { [...document.querySelectorAll('.portale-ap-confirm button')].find(b => b.textContent === 'Confermo che guidavo io').click(); return true })()`)
	waitFor(t, laura, `document.querySelector('.portale-ap-cards').textContent.includes('Confermata dal conducente')`)
	for _, c := range apiJSON[apCommunications](t, laura, "/api/v1/me/comunicazioni").Comunicazioni {
		if c.ID == driver.ID && (c.Stato != "confermata" || c.Ruolo != "conducente") {
			t.Errorf("after Laura's confirmation: %+v", c)
		}
	}
	open(t, laura, s.url+"/en"+page)
	waitFor(t, laura, `document.querySelector('#apc-list')`)
	if text := pageText(t, laura); !strings.Contains(text, "Driver details, tracking number "+driver.Protocollo) || !strings.Contains(text, "Confirmed by the driver") {
		t.Errorf("Laura's communications in English:\n%s", text)
	}
	checkAccessibility(t, laura, axe, "/en"+page+" as the named driver")
	for _, c := range list.Comunicazioni {
		if c.ID == driver.ID {
			continue
		}
		if status := eval[int](t, laura, fmt.Sprintf(`fetch('/api/v1/me/comunicazioni/%d', {credentials: 'same-origin'}).then(r => r.status)`, c.ID)); status != 404 {
			t.Errorf("Laura reading Mario's %s: %d", c.Tipo, status)
		}
	}
}
