package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const mario = "RSSMRA80A01L219M"

// demoVerbale is the number of a demo verbale of this year.
func demoVerbale(n int) string { return fmt.Sprintf("%d/PM/%06d", time.Now().Year(), n) }

// postJSON sends body to the API with c's session and decodes the answer's id.
func postJSON(t *testing.T, c *http.Client, u, body string) int64 {
	t.Helper()
	resp, err := c.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", u, resp.StatusCode, b)
	}
	var v struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal(b, &v)
	return v.ID
}

// marioSends has Mario propose an instalment plan and contest a fine
// through the API, as the personal area does; it returns their ids.
func marioSends(t *testing.T, base string) (plan, contestazione int64) {
	t.Helper()
	c := demoLogin(t, base, mario)
	postJSON(t, c, base+"/api/v1/me/consenso", `{"versione":"1"}`)
	plan = postJSON(t, c, base+"/api/v1/me/rateizzazioni",
		`{"verbali": ["`+demoVerbale(107)+`"], "rate": 3, "reddito_cent": 900000, "familiari_conviventi": 0}`)
	contestazione = postJSON(t, c, base+"/api/v1/me/contestazioni",
		`{"tipo": "altro", "numero": "`+demoVerbale(102)+`", "dettagli": {"descrizione": "Il varco ZTL era segnalato come non attivo quel giorno."}}`)
	return plan, contestazione
}

// staffBrowser logs in at the staff login page with the keyboard and
// waits for the page the role lands on.
func staffBrowser(t *testing.T, base, username, lands string) context.Context {
	t.Helper()
	ctx := browser(t)
	open(t, ctx, base+"/auth/staff/login")
	do(t, ctx, chromedp.Focus("#username"), chromedp.KeyEvent(username), chromedp.Focus("#password"),
		chromedp.KeyEvent("demo-"+username+"\r"))
	waitAtPath(t, ctx, lands)
	return ctx
}

// An operatore goes through the desk, the plans, a plan, the
// communications and one of them: every page has no WCAG 2.1 AA violation
// axe can find, on a desktop and on a phone.
func TestBackOfficeIsAccessibleInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "data"))
	plan, com := marioSends(t, s.url)
	ctx := staffBrowser(t, s.url, "operatore", "/backoffice/")
	axe := axeSource(t)
	pages := []struct{ path, shows string }{
		{"/backoffice/", "Comunicazioni ricevute da prendere in carico"},
		{"/backoffice/rateizzazioni", fmt.Sprintf("Rateizzazione n. %d", plan)},
		{fmt.Sprintf("/backoffice/rateizzazioni/%d", plan), demoVerbale(107)},
		{"/backoffice/comunicazioni?stato=ricevuta", "Contestazione (altro motivo)"},
		{fmt.Sprintf("/backoffice/comunicazioni/%d", com), "Il varco ZTL era segnalato come non attivo quel giorno."},
	}
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		do(t, ctx, chromedp.EmulateViewport(size[0], size[1]))
		for _, p := range pages {
			open(t, ctx, s.url+p.path)
			if text := pageText(t, ctx); !strings.Contains(text, p.shows) {
				t.Errorf("%s at %d px does not show %q:\n%.800s", p.path, size[0], p.shows, text)
			}
			checkAccessibility(t, ctx, axe, fmt.Sprintf("%s at %d px", p.path, size[0]))
		}
	}
}

// An operatore rejects a communication with the keyboard alone: Tab to the
// reason, type it, Tab to the button, Enter. Without a reason the page says
// so and nothing happens; with it the communication is rejected.
func TestOperatoreRejectsWithTheKeyboard(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "data"))
	_, com := marioSends(t, s.url)
	ctx := staffBrowser(t, s.url, "operatore", "/backoffice/")
	detail := fmt.Sprintf("/backoffice/comunicazioni/%d", com)
	open(t, ctx, s.url+detail)

	tabTo := func(what, cond string) {
		t.Helper()
		for range 80 {
			press(t, ctx, "\t")
			if eval[bool](t, ctx, cond) {
				return
			}
		}
		t.Fatalf("Tab never reached %s", what)
	}
	rejectButton := `document.activeElement.tagName === 'BUTTON' && document.activeElement.innerText.trim() === 'Respingi la comunicazione'`
	tabTo("the reject button", rejectButton)
	press(t, ctx, "\r")
	waitFor(t, ctx, `document.querySelector('#respingi-motivo-errore')`)
	if text := pageText(t, ctx); !strings.Contains(text, "Scrivi il motivo per cui la comunicazione è respinta") ||
		!strings.Contains(text, "Stato: Ricevuta") {
		t.Errorf("without a reason:\n%.600s", text)
	}

	tabTo("the reason", `document.activeElement.id === 'respingi-motivo'`)
	press(t, ctx, "Il varco era attivo: vedi l'ordinanza n. 12.")
	tabTo("the reject button", rejectButton)
	press(t, ctx, "\r")
	waitFor(t, ctx, `location.search.includes('esito=respinta')`)
	text := pageText(t, ctx)
	for _, want := range []string{"Hai respinto la comunicazione.", "Stato: Respinta", "Il varco era attivo: vedi l'ordinanza n. 12.",
		"Comunicazione: respinta"} {
		if !strings.Contains(text, want) {
			t.Errorf("after the rejection the page lacks %q:\n%.1500s", want, text)
		}
	}
}
