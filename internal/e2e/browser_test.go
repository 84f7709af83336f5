package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium of its own (fresh profile, no network
// beyond loopback) and returns a context to drive it.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("headless Chromium is required (apt-get install chromium, or set CHROMIUM): %v", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first run starts the browser, which lives as long as ctx: no
	// timeout on it, only on the steps that follow.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// eval evaluates a JavaScript expression (awaiting a promise) in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.60q: %v", expr, err)
	}
	return v
}

// open navigates to url and waits for the main landmark.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady("main")); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
}

// axeSource is axe-core from node_modules (npm ci installs it).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is required (npm ci): %v", err)
	}
	return string(b)
}

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core's WCAG 2.1 A/AA rules on the page loaded in ctx.
func checkAccessibility(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, axe)
	violations := eval[[]axeViolation](t, ctx, `axe.run(document, {runOnly: {type: 'tag',
		values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)`)
	t.Logf("%s: axe found %d WCAG 2.1 AA violations", page, len(violations))
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b))
		}
		t.Errorf("%s: accessibility violation %s (%s) at %s", page, v.ID, v.Help, strings.Join(where, ", "))
	}
}

// shared is one demo portal for the browser tests, which only read: built
// once, stopped by TestMain.
var shared struct {
	once sync.Once
	url  string
	err  error
	stop func()
}

func sharedDemo(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "portale-e2e-shared-")
		if err != nil {
			shared.err = err
			return
		}
		addr := freeAddr(t)
		cmd := exec.Command(binPath, "demo", "--data", filepath.Join(dir, "data"), "--addr", addr)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if shared.err = cmd.Start(); shared.err != nil {
			return
		}
		shared.stop = func() {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
			}
			os.RemoveAll(dir)
		}
		shared.url = "http://" + addr
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if resp, err := http.Get(shared.url + "/api/v1/health"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return
				}
			}
		}
		shared.err = fmt.Errorf("shared demo never became healthy:\n%s", out.String())
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.url
}

func TestHomePageInABrowser(t *testing.T) {
	base := sharedDemo(t)
	ctx := browser(t)
	axe := axeSource(t)

	for _, page := range []string{"/", "/en/"} {
		open(t, ctx, base+page)
		lang := eval[string](t, ctx, `document.documentElement.lang`)
		title := eval[string](t, ctx, `document.title`)
		biVersion := eval[string](t, ctx, `getComputedStyle(document.documentElement).getPropertyValue('--bootstrap-italia-version').trim()`)
		want := "it"
		if page == "/en/" {
			want = "en"
		}
		t.Logf("%s: lang=%s title=%q bootstrap-italia=%s", page, lang, title, biVersion)
		if lang != want || title == "" {
			t.Errorf("%s: lang=%q title=%q", page, lang, title)
		}
		if biVersion == "" {
			t.Errorf("%s: Bootstrap Italia's CSS did not load (no --bootstrap-italia-version)", page)
		}
		checkAccessibility(t, ctx, axe, page)
	}

	// Tab from the last entry of the main menu reaches the page's content:
	// the focus trap of the mobile menu panel holds only while it is open.
	open(t, ctx, base+"/")
	next := eval[string](t, ctx, `(() => {
		const links = document.querySelectorAll('#main-nav .menu-wrapper a');
		links[links.length - 1].focus();
		return links[links.length - 1].textContent.trim();
	})()`)
	press(t, ctx, "\t")
	if inNav := eval[bool](t, ctx, `!!document.activeElement.closest('#main-nav')`); inNav {
		t.Errorf("Tab from the last menu entry (%q) stayed in the menu: a keyboard trap", next)
	}
}

// The calculator, used as a person would with the keyboard: pick the
// violation, type the dates, submit; the amount of RULES.md's worked example
// appears, and mistakes are listed and announced.
func TestCalculatorInABrowser(t *testing.T) {
	base := sharedDemo(t)
	ctx := browser(t)
	axe := axeSource(t)
	open(t, ctx, base+"/calcola/")
	// The island replaces the fallback table once it has the list of violations.
	do(t, ctx, chromedp.WaitVisible("#calc-violazione"), chromedp.WaitNotPresent(`#calc-violazione option[value="0"]`))

	// Submitting an empty form lists what is missing and moves focus there.
	do(t, ctx, chromedp.Clear("#calc-pagamento"), chromedp.Click(`[data-island="calcolatore"] button[type=submit]`))
	do(t, ctx, chromedp.WaitVisible("[data-calc-errors]"))
	errs := eval[string](t, ctx, `document.querySelector('[data-calc-errors]').innerText`)
	focused := eval[bool](t, ctx, `document.activeElement === document.querySelector('[data-calc-errors]')`)
	if !strings.Contains(errs, "Violazione") && !strings.Contains(strings.ToLower(errs), "violazione") || !focused {
		t.Errorf("empty form: errors %q, focused on them %v", errs, focused)
	}
	checkAccessibility(t, ctx, axe, "/calcola/ with errors")

	// RULES.md, art. 195 c.2-bis: art. 146 c.2 at night, 42 → 56 → 39,20 € with
	// 30 % off within 5 days, plus 13,00 € of costs: 52,20 €.
	do(t, ctx,
		chromedp.SetValue("#calc-violazione", "146|2"),
		chromedp.SetValue("#calc-data", "2026-03-09"),
		chromedp.SetValue("#calc-ora", "23:10"),
		chromedp.SetValue("#calc-ricevuta", "2026-03-12"),
		chromedp.Clear("#calc-spese"),
		chromedp.SendKeys("#calc-spese", "13,00"),
		chromedp.SetValue("#calc-pagamento", "2026-03-15"),
		chromedp.Focus("#calc-pagamento"),
		chromedp.SendKeys("#calc-pagamento", "\r"),
	)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible("[data-calc-result] .portale-calc-total")); err != nil {
		t.Fatalf("no result: %v; errors shown: %q; form: %s", err,
			eval[string](t, ctx, `document.querySelector('[data-calc-errors]').innerText`),
			eval[string](t, ctx, `JSON.stringify(Object.fromEntries(new FormData(document.querySelector('[data-calc-form]'))))`))
	}
	result := eval[string](t, ctx, `document.querySelector('[data-calc-result]').innerText`)
	for _, want := range []string{"52,20", "39,20", "17/03/2026"} {
		if !strings.Contains(result, want) {
			t.Errorf("result does not show %q:\n%s", want, result)
		}
	}
	checkAccessibility(t, ctx, axe, "/calcola/ with a result")
}

// do runs browser steps with a time limit.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Searching the site finds pages by words of their title and text, without
// accents or case mattering.
func TestSearchInABrowser(t *testing.T) {
	base := sharedDemo(t)
	ctx := browser(t)
	cases := map[string]string{"/cerca/?q=rate": "Pagare una multa a rate", "/cerca/?q=PREFETTO": "Prefetto", "/en/cerca/?q=appeal": "ppeal"}
	for page, want := range cases {
		open(t, ctx, base+page)
		do(t, ctx, chromedp.WaitVisible("[data-search-results] li a"))
		got := eval[string](t, ctx, `document.querySelector('[data-search-results]').innerText`)
		status := eval[string](t, ctx, `document.querySelector('[data-search-status]').innerText`)
		if !strings.Contains(got, want) || status == "" {
			t.Errorf("%s: results %q (status %q) do not mention %q", page, got, status, want)
		}
		// make test installs pagefind (npm ci) and the demo indexes its site with it.
		if engine := eval[string](t, ctx, `document.querySelector('[data-island="ricerca"]').getAttribute('data-search-engine')`); engine != "pagefind" {
			t.Errorf("%s: searched with %q, want pagefind", page, engine)
		}
	}
	checkAccessibility(t, ctx, axeSource(t), "/en/cerca/ with results")

	// Personal-area pages and kiosk copies are not in the index.
	open(t, ctx, base+"/cerca/?q=veicoli")
	do(t, ctx, chromedp.WaitVisible("[data-search-status]"))
	waitFor(t, ctx, `document.querySelector('[data-search-status]').innerText !== ''`)
	if got := eval[string](t, ctx, `Array.from(document.querySelectorAll('[data-search-results] a')).map(a => a.getAttribute('href')).join(' ')`); strings.Contains(got, "/area-personale/") || strings.Contains(got, "/totem/") {
		t.Errorf("search results lead to the personal area or the kiosk: %s", got)
	}
}

// Every kind of public page, in both languages and in the kiosk layout, has
// no WCAG 2.1 AA violation that axe-core can find. Pages come from the
// site's own sitemap: the first pages of every section, so a new template is
// covered without editing this test.
func TestEveryPageTemplateIsAccessible(t *testing.T) {
	base := sharedDemo(t)
	var pages []string
	for _, sitemap := range []string{"/it/sitemap.xml", "/en/sitemap.xml"} {
		_, body := get(t, base+sitemap)
		perSection := map[string]int{}
		for _, loc := range strings.Split(body, "<loc>")[1:] {
			u, _, _ := strings.Cut(loc, "</loc>")
			path := u[strings.Index(u, "//")+2:]
			path = path[strings.Index(path, "/"):]
			section := strings.Split(strings.Trim(strings.TrimPrefix(path, "/en"), "/"), "/")[0]
			if perSection[section] < 2 {
				perSection[section]++
				pages = append(pages, path)
			}
		}
	}
	if len(pages) < 20 {
		t.Fatalf("only %d pages found in the sitemaps", len(pages))
	}
	pages = append(pages, "/totem/", "/totem/servizi/", "/en/totem/", "/pagina-che-non-esiste/", "/offline/")
	ctx := browser(t)
	axe := axeSource(t)
	for _, p := range pages {
		open(t, ctx, base+p)
		checkAccessibility(t, ctx, axe, p)
	}
	t.Logf("%d pages checked", len(pages))
}

// Feeds and sitemaps are well-formed XML (xmllint, as CI installs it), and
// every page links its feed for autodiscovery.
func TestFeedsAndSitemapsAreValidXML(t *testing.T) {
	base := sharedDemo(t)
	paths := []string{"/sitemap.xml", "/it/sitemap.xml", "/en/sitemap.xml",
		"/notizie/index.xml", "/ordinanze/index.xml", "/limitazioni/index.xml",
		"/en/notizie/index.xml", "/en/ordinanze/index.xml", "/en/limitazioni/index.xml"}
	for _, p := range paths {
		resp, body := get(t, base+p)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
			continue
		}
		cmd := exec.Command("xmllint", "--noout", "-")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s is not well-formed XML: %v\n%s", p, err, out)
		}
		if strings.HasSuffix(p, "index.xml") && !strings.Contains(body, "<rss") {
			t.Errorf("%s is not an RSS feed", p)
		}
	}
	_, news := get(t, base+"/notizie/")
	if !strings.Contains(news, `type="application/rss+xml"`) {
		t.Errorf("/notizie/ does not announce its feed")
	}
}
