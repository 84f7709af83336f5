package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// staffClient logs in at /auth/staff/login as one of the demo's staff.
func staffClient(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/auth/staff/login", url.Values{"username": {username}, "password": {"demo-" + username}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cms/" {
		t.Fatalf("staff login as %s: %d to %q", username, resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

// cmsCall sends one action of Decap's proxy protocol.
func cmsCall(t *testing.T, c *http.Client, base, action string, params map[string]any) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"action": action, "params": params})
	req, _ := http.NewRequest(http.MethodPost, base+"/cms/api/v1", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// siteLog is the site repository's history, one "author|subject" a line.
func siteLog(t *testing.T, data string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", filepath.Join(data, "site"), "log", "--format=%an <%ae>|%s"}, args...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The editorial workflow over HTTP, as Decap CMS drives it: a redattore
// writes a news item and sends it to review, may not publish it; a
// validatore publishes it; the page is on the public site within seconds
// and the site repository names the redattore as author of the content.
func TestCMSPublishesANewsItemOverHTTP(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := start(t, "demo", "--data", data)
	slug := time.Now().Format("2006-01-02") + "-prova-dal-cms"
	title := "Notizia scritta nel CMS"

	red := staffClient(t, s.url, "redattore")
	if resp, err := red.Get(s.url + "/cms/config.yml"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("config.yml: %v %v", resp, err)
	}
	status, body := cmsCall(t, red, s.url, "persistEntry", map[string]any{
		"branch": "main", "assets": []any{},
		"dataFiles": []map[string]string{{"slug": slug, "path": "content/notizie/" + slug + ".it.md",
			"raw": "---\ntitle: " + title + "\ndescription: Una prova del flusso di pubblicazione.\ndate: " + time.Now().Format("2006-01-02") + "\n---\n\nTesto della notizia.\n"}},
		"options": map[string]any{"collectionName": "notizie", "useWorkflow": true, "status": "draft"},
	})
	if status != http.StatusOK {
		t.Fatalf("persistEntry: %d %s", status, body)
	}
	if status, body := cmsCall(t, red, s.url, "updateUnpublishedEntryStatus", map[string]any{
		"branch": "main", "collection": "notizie", "slug": slug, "newStatus": "pending_review"}); status != http.StatusOK {
		t.Fatalf("to review: %d %s", status, body)
	}
	if status, body := cmsCall(t, red, s.url, "publishUnpublishedEntry", map[string]any{
		"branch": "main", "collection": "notizie", "slug": slug}); status != http.StatusForbidden || !strings.Contains(body, `"error"`) {
		t.Fatalf("redattore publishing: %d %s", status, body)
	}

	// The faithful preview (C8): the draft built with the real theme into a
	// preview deploy, never indexed, while the live site does not have it.
	status, body = cmsCall(t, red, s.url, "getDeployPreview", map[string]any{"collection": "notizie", "slug": slug})
	var preview struct{ URL, Status string }
	if err := json.Unmarshal([]byte(body), &preview); status != http.StatusOK || err != nil || preview.Status != "SUCCESS" ||
		!strings.Contains(preview.URL, "/_preview/") {
		t.Fatalf("getDeployPreview: %d %s", status, body)
	}
	resp, page := get(t, preview.URL+"notizie/"+slug+"/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, title) || resp.Header.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("preview page: %d %q, body has title: %v", resp.StatusCode, resp.Header.Get("X-Robots-Tag"), strings.Contains(page, title))
	}
	if !strings.Contains(page, `/_preview/`) {
		t.Errorf("the preview's links do not stay inside the preview")
	}
	if resp, _ := get(t, s.url+"/notizie/"+slug+"/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the draft is already on the live site: %d", resp.StatusCode)
	}

	indexed := searchPages(t, s.url)
	val := staffClient(t, s.url, "validatore")
	if status, body := cmsCall(t, val, s.url, "publishUnpublishedEntry", map[string]any{
		"branch": "main", "collection": "notizie", "slug": slug}); status != http.StatusOK {
		t.Fatalf("validatore publishing: %d %s", status, body)
	}
	waitBody(t, s.url+"/notizie/"+slug+"/", title)
	// The page is served compressed too, and the site search learns of it
	// (both in the background, after the page is live).
	deadline := time.Now().Add(30 * time.Second)
	for encoding := ""; encoding != "gzip"; {
		req, _ := http.NewRequest("GET", s.url+"/notizie/"+slug+"/", nil)
		req.Header.Set("Accept-Encoding", "gzip") // set by hand: the client leaves the body as sent
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if encoding = resp.Header.Get("Content-Encoding"); encoding != "gzip" && time.Now().After(deadline) {
			t.Fatalf("the new page is not served compressed: %d %q", resp.StatusCode, encoding)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for searchPages(t, s.url) != indexed+1 {
		if time.Now().After(deadline) {
			t.Fatalf("the search index has %d Italian pages, want %d", searchPages(t, s.url), indexed+1)
		}
		time.Sleep(200 * time.Millisecond)
	}

	log := siteLog(t, data, "-3")
	if !strings.Contains(log, "Validatore di prova <validatore@demo.portale.invalid>|Pubblica notizia «"+slug+"»") ||
		!strings.Contains(log, "Redattore di prova <redattore@demo.portale.invalid>|Crea notizia «"+slug+"» (bozza)") {
		t.Errorf("site history:\n%s", log)
	}
	if who := siteLog(t, data, "-1", "--", "content/notizie/"+slug+".md"); !strings.HasPrefix(who, "Redattore di prova <redattore@") {
		t.Errorf("author of the content: %s", who)
	}
}

// waitInPage polls a JavaScript condition in the page until it holds.
func waitInPage(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		// While a page loads there may be no body yet: that is "not yet".
		if eval[bool](t, ctx, "(() => { try { return !!("+expr+") } catch (e) { return false } })()") {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: the page shows %q", what, eval[string](t, ctx, `document.body ? document.body.innerText.slice(0, 500) : ""`))
}

// clickText clicks the element of the given kind whose text is exactly text.
func clickText(t *testing.T, ctx context.Context, selector, text string) {
	t.Helper()
	waitInPage(t, ctx, text, `(() => { const e = [...document.querySelectorAll(`+"`"+selector+"`"+`)].find(e => e.innerText.trim() === `+"`"+text+"`"+`); if (e) e.click(); return !!e })()`)
}

// cmsBrowser logs in at the staff login page and lands in Decap CMS.
func cmsBrowser(t *testing.T, base, username string, axe string) context.Context {
	t.Helper()
	ctx := browser(t)
	open(t, ctx, base+"/auth/staff/login?next=/cms/")
	if axe != "" {
		checkAccessibility(t, ctx, axe, "/auth/staff/login")
	}
	do(t, ctx, chromedp.SendKeys("#username", username), chromedp.SendKeys("#password", "demo-"+username),
		chromedp.Click(`button[type=submit]`))
	// Decap's proxy backend shows its own "Accedi" button: the staff
	// session has already said who this is, so a click enters. A click
	// before Decap has finished starting is lost: click until it enters.
	waitInPage(t, ctx, "the CMS", `document.body.innerText.includes("Flusso editoriale") ||
		void [...document.querySelectorAll("button")].find(b => b.innerText.trim() === "Accedi")?.click()`)
	return ctx
}

// The acceptance test of the CMS, in the real Decap CMS: a redattore writes
// a news item and sends it to review; a validatore marks it ready and
// publishes it; the page appears on the public site and the site
// repository names the redattore as the author of the content.
func TestCMSPublishesANewsItemInABrowser(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := start(t, "demo", "--data", data)
	title := "Notizia scritta nel browser"

	red := cmsBrowser(t, s.url, "redattore", axeSource(t))
	do(t, red, chromedp.Navigate(s.url+"/cms/#/collections/notizie/new"), chromedp.WaitVisible("#title-field-1"))
	do(t, red,
		chromedp.SendKeys("#title-field-1", title),
		chromedp.SendKeys("#description-field-2", "Una notizia scritta e pubblicata con Decap CMS."),
		chromedp.Click(`//button[normalize-space()="Adesso"]`),
		chromedp.Click(`[data-slate-editor]`),
		chromedp.SendKeys(`[data-slate-editor]`, "Il testo della notizia, scritto nell'editor."),
	)
	clickText(t, red, "button", "Salva")
	waitInPage(t, red, "the saved draft", `location.hash.includes("/entries/")`)
	clickText(t, red, "span", "Stato: Bozza")
	clickText(t, red, "[role=menuitem]", "In revisione")
	waitInPage(t, red, "the status", `document.body.innerText.includes("Stato: In revisione")`)

	branches, err := exec.Command("git", "-C", filepath.Join(data, "site"), "for-each-ref", "--format=%(refname:short)", "refs/heads/cms/notizie/").Output()
	if err != nil {
		t.Fatal(err)
	}
	slug := strings.TrimPrefix(strings.TrimSpace(string(branches)), "cms/notizie/")
	if slug == "" || strings.Contains(slug, "\n") {
		t.Fatalf("draft branches: %q", branches)
	}

	val := cmsBrowser(t, s.url, "validatore", "")
	do(t, val, chromedp.Navigate(s.url+"/cms/#/collections/notizie/entries/"+slug))
	clickText(t, val, "span", "Stato: In revisione")
	clickText(t, val, "[role=menuitem]", "Pronto")
	waitInPage(t, val, "the status", `document.body.innerText.includes("Stato: Pronto")`)
	// Decap asks "are you sure?" with the browser's confirm dialog.
	eval[bool](t, val, `(window.confirm = () => true, true)`)
	clickText(t, val, "span", "Pubblica")
	clickText(t, val, "[role=menuitem]", "Pubblica ora")

	waitBody(t, s.url+"/notizie/"+slug+"/", title)
	if who := siteLog(t, data, "-1", "--", "content/notizie/"+slug+".md"); !strings.HasPrefix(who, "Redattore di prova <redattore@") {
		t.Errorf("author of the content: %s", who)
	}
	if merge := siteLog(t, data, "-1"); !strings.HasPrefix(merge, "Validatore di prova <validatore@demo.portale.invalid>|Pubblica notizia") {
		t.Errorf("publication: %s", merge)
	}
}

// An administrator creates accounts from the command line (password from
// standard input, or generated and shown once), lists them, and the new
// editor logs in with that password.
func TestUserAddListAndLogin(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatalf("init: %s", res.stderr)
	}
	add := exec.Command(binPath, "user", "add", "--data", data, "--role", "redattore", "--username", "mario.rossi",
		"--name", "Mario Rossi", "--email", "mario.rossi@comune.torino.it", "--sections", "notizie,limitazioni", "--password-stdin")
	add.Stdin = strings.NewReader("una-password-lunga\n")
	if out, err := add.CombinedOutput(); err != nil || !strings.Contains(string(out), "Account mario.rossi creato (Redattore, notizie,limitazioni)") {
		t.Fatalf("user add --password-stdin: %v %s", err, out)
	}
	res := portale(t, "user", "add", "--data", data, "--role", "validatore", "--username", "anna")
	_, after, ok := strings.Cut(res.stdout, "Password: ")
	generated, _, _ := strings.Cut(after, "\n")
	if res.code != 0 || !ok || len(generated) != 16 {
		t.Fatalf("user add with a generated password: %d %q %q", res.code, res.stdout, res.stderr)
	}
	if res := portale(t, "user", "add", "--data", data, "--role", "capo", "--username", "x"); res.code != 2 || !strings.Contains(res.stderr, "ruolo") {
		t.Errorf("unknown role: %d %q", res.code, res.stderr)
	}
	if res := portale(t, "user", "add", "--data", data, "--role", "validatore", "--username", "anna"); res.code != 1 || !strings.Contains(res.stderr, "già in uso") {
		t.Errorf("second anna: %d %q", res.code, res.stderr)
	}
	list := portale(t, "user", "list", "--data", data)
	for _, want := range []string{"mario.rossi", "Mario Rossi", "mario.rossi@comune.torino.it", "redattore", "notizie,limitazioni", "anna", "tutte le sezioni"} {
		if !strings.Contains(list.stdout, want) {
			t.Errorf("user list lacks %q:\n%s", want, list.stdout)
		}
	}
	if strings.Contains(list.stdout, generated) {
		t.Error("user list shows a password")
	}

	s := start(t, "serve", "--data", data)
	for user, password := range map[string]string{"mario.rossi": "una-password-lunga", "anna": generated} {
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).
			PostForm(s.url+"/auth/staff/login", url.Values{"username": {user}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cms/" {
			t.Errorf("login as %s: %d %q", user, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// searchPages returns how many Italian pages the live site's search index
// (pagefind) holds.
func searchPages(t *testing.T, base string) int {
	t.Helper()
	resp, body := get(t, base+"/pagefind/pagefind-entry.json")
	var entry struct {
		Languages map[string]struct {
			PageCount int `json:"page_count"`
		}
	}
	if err := json.Unmarshal([]byte(body), &entry); resp.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("pagefind-entry.json: %d %v", resp.StatusCode, err)
	}
	return entry.Languages["it"].PageCount
}
