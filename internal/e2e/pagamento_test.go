package e2e

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitShown waits for a selector to be visible, for up to 30 seconds.
func waitShown(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(sel)); err != nil {
		t.Fatalf("waiting for %s at %s: %v\n%s", sel, eval[string](t, ctx, `location.href`), err,
			eval[string](t, ctx, `document.body ? document.body.innerText.slice(0, 600) : ''`))
	}
}

// waitAtPath waits until the browser is at path.
func waitAtPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	waitAt(t, ctx, path, func(p string) bool { return p == path })
}

// waitAtPathPrefix waits until the browser is on a page under prefix.
func waitAtPathPrefix(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	waitAt(t, ctx, prefix+"…", func(p string) bool { return strings.HasPrefix(p, prefix) })
}

func waitAt(t *testing.T, ctx context.Context, want string, ok func(path string) bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok(eval[string](t, ctx, `location.pathname`)) && eval[string](t, ctx, `document.readyState`) == "complete" {
			return
		}
	}
	t.Fatalf("the browser is at %s, want %s", eval[string](t, ctx, `location.href`), want)
}

// press types with the keyboard into whatever has the focus.
func press(t *testing.T, ctx context.Context, k ...string) {
	t.Helper()
	for _, s := range k {
		do(t, ctx, chromedp.KeyEvent(s))
	}
}

// Mario logs in through the demo provider, presses "Paga con pagoPA" on a
// fine, pays on the simulated checkout with the keyboard and sees it paid:
// the result page reads the outcome from the receipt, and so does his
// statement.
func TestPagamentoInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	ctx := browser(t)
	axe := axeSource(t)

	open(t, ctx, s.url+"/auth/login?next=/area-personale/")
	do(t, ctx, chromedp.Focus(`button[name="codice_fiscale"][value="RSSMRA80A01L219M"]`))
	press(t, ctx, "\r")
	waitAtPath(t, ctx, "/area-personale/")

	// On the statement, the first fine within its 60 days: its "Paga con
	// pagoPA" button starts the payment and goes to the checkout.
	type fine struct {
		Numero  string `json:"numero"`
		Importo int64  `json:"importo"`
	}
	p := eval[fine](t, ctx, `fetch('/api/v1/me/estratto-conto', {credentials: 'same-origin'}).then(r => r.json()).then(st => {
		const v = st.verbali.find(x => x.fase === 'misura_ridotta' && x.pagabile);
		return {numero: v.numero, importo: v.importo_cent};
	})`)
	open(t, ctx, s.url+"/area-personale/multe/")
	do(t, ctx, chromedp.WaitVisible(`.portale-ap-pay button`))
	// The button of this fine: the one inside the card or row naming its number.
	clicked := eval[bool](t, ctx, `(() => {
		for (const b of document.querySelectorAll('.portale-ap-pay button')) {
			let box = b.parentElement;
			while (box && !box.innerText.includes(`+"`"+p.Numero+"`"+`)) { box = box.parentElement; }
			if (box && box.querySelectorAll('.portale-ap-pay button').length === 1) { b.focus(); return true; }
		}
		return false;
	})()`)
	if !clicked {
		t.Fatalf("no pay button for %s on the statement page", p.Numero)
	}
	press(t, ctx, "\r")
	waitAtPathPrefix(t, ctx, "/demo-checkout/")
	page := eval[string](t, ctx, `document.body.innerText`)
	for _, want := range []string{"Ambiente di prova", "Città di Torino", "Carta di pagamento", "Annulla"} {
		if !strings.Contains(page, want) {
			t.Errorf("checkout page lacks %q:\n%s", want, page)
		}
	}
	checkAccessibility(t, ctx, axe, "/demo-checkout/")

	// Keyboard only: Tab to the first method, Space to choose it, Tab to
	// "Paga", Enter.
	press(t, ctx, "\t", " ", "\t", "\r")
	waitAtPath(t, ctx, "/area-personale/pagamento/")
	waitShown(t, ctx, `[data-island="pagamento"] .alert-success`)
	result := eval[string](t, ctx, `document.querySelector('[data-island="pagamento"]').innerText`)
	if !strings.Contains(result, "pagato") || !strings.Contains(result, p.Numero) {
		t.Errorf("result page says %q, want the fine paid", result)
	}
	checkAccessibility(t, ctx, axe, "/area-personale/pagamento/ paid")

	fase := eval[string](t, ctx, `fetch('/api/v1/me/verbali/`+url.PathEscape(p.Numero)+`', {credentials: 'same-origin'}).then(r => r.json()).then(v => v.fase)`)
	if fase != "pagato" {
		t.Errorf("after paying, the fine is %q", fase)
	}
}

// Someone holding Mario's pre-notice pays it from the public page, with the
// keyboard only and without an account; the page then offers to create one.
func TestPagamentoPreavvisoInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	mario := demoLogin(t, s.url, "RSSMRA80A01L219M")
	_, body := clientGet(t, mario, s.url+"/api/v1/me/estratto-conto")
	var st struct {
		Verbali []struct {
			Numero string `json:"numero"`
			Stato  string `json:"stato"`
			Targa  string `json:"targa"`
		} `json:"verbali"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	var numero, targa string
	for _, v := range st.Verbali {
		if v.Stato == "preavviso" {
			numero, targa = v.Numero, v.Targa
		}
	}
	if numero == "" {
		t.Fatalf("Mario has no pre-notice: %.300s", body)
	}

	ctx := browser(t)
	axe := axeSource(t)
	open(t, ctx, s.url+"/paga-preavviso/")
	waitShown(t, ctx, "#preavviso-numero")
	checkAccessibility(t, ctx, axe, "/paga-preavviso/")

	// Submitting nothing lists what is missing and moves the focus there.
	do(t, ctx, chromedp.Focus("#preavviso-numero"))
	press(t, ctx, "\r")
	waitShown(t, ctx, `[data-island="preavviso"] .alert-danger`)
	if !eval[bool](t, ctx, `document.activeElement.classList.contains('alert-danger')`) {
		t.Errorf("the errors do not have the focus")
	}
	checkAccessibility(t, ctx, axe, "/paga-preavviso/ with errors")

	do(t, ctx, chromedp.Focus("#preavviso-numero"))
	press(t, ctx, numero, "\t", strings.ToLower(targa), "\r")
	waitShown(t, ctx, `[data-island="preavviso"] section h2`)
	found := eval[string](t, ctx, `document.querySelector('[data-island="preavviso"]').innerText`)
	if !strings.Contains(found, numero) || !strings.Contains(found, "senza spese di notifica") {
		t.Errorf("the pre-notice found shows %q", found)
	}
	if eval[string](t, ctx, `document.activeElement.tagName`) != "H2" {
		t.Errorf("the result does not have the focus")
	}
	checkAccessibility(t, ctx, axe, "/paga-preavviso/ found")

	// From the heading, Tab reaches "Paga … con pagoPA".
	press(t, ctx, "\t")
	if label := eval[string](t, ctx, `document.activeElement.textContent`); !strings.HasPrefix(label, "Paga ") {
		t.Fatalf("Tab from the result reached %q, want the pay button", label)
	}
	press(t, ctx, "\r")
	waitShown(t, ctx, "#metodo-carta")
	press(t, ctx, "\t", " ", "\t", "\r")
	waitAtPath(t, ctx, "/paga-preavviso/")
	waitShown(t, ctx, `[data-island="preavviso"] .alert-success`)
	outcome := eval[string](t, ctx, `document.querySelector('[data-island="preavviso"]').innerText`)
	if !strings.Contains(outcome, "Hai pagato") || !strings.Contains(outcome, numero) {
		t.Errorf("the outcome says %q, want paid", outcome)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('[data-island="preavviso"] a[href^="/auth/login"]')`) {
		t.Errorf("the outcome does not offer to create an account")
	}
	checkAccessibility(t, ctx, axe, "/paga-preavviso/ paid")

	_, body = clientGet(t, mario, s.url+"/api/v1/me/verbali/"+url.PathEscape(numero))
	if !strings.Contains(body, `"fase":"pagato"`) {
		t.Errorf("Mario's pre-notice after the payment: %.300s", body)
	}
}
