package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

func TestHomePageInABrowser(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	if res := portale(t, "build", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	s := start(t, "serve", "--data", data)
	ctx := browser(t)
	axe := axeSource(t)

	for _, page := range []string{"/", "/en/"} {
		open(t, ctx, s.url+page)
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
}
