package gitcms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/go-chi/chi/v5"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/internal/gitcms"
	"github.com/comune-torino/portale/internal/siterepo"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

// publisher stands in for buildAndPublish: it records each call with the
// commit main was at, and fails when told to.
type publisher struct {
	mu    sync.Mutex
	dir   string
	heads []string
	fail  error
}

func (p *publisher) Publish(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	head, err := exec.CommandContext(ctx, "git", "-C", p.dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return err
	}
	p.heads = append(p.heads, strings.TrimSpace(string(head)))
	return p.fail
}

func (p *publisher) calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.heads)
}

type cms struct {
	srv  *httptest.Server
	db   *store.DB
	site string
	pub  *publisher
}

// newCMS starts the CMS over a fresh site repository made from the starter
// site, with the demo staff.
func newCMS(t *testing.T) *cms {
	t.Helper()
	ctx := context.Background()
	site := filepath.Join(t.TempDir(), "site")
	if _, err := siterepo.Init(ctx, site, portale.Starter); err != nil {
		t.Fatal(err)
	}
	db := storetest.New(t)
	if err := staff.SeedDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.AddAccount(ctx, db, staff.NewAccount{Username: "ordinanze", Role: staff.Redattore,
		Sections: []string{"ordinanze"}, Password: "demo-ordinanze"}, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.AddAccount(ctx, db, staff.NewAccount{Username: "servizi", Role: staff.Redattore,
		Sections: []string{"servizi"}, Password: "demo-servizi"}, testNow); err != nil {
		t.Fatal(err)
	}
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	pub := &publisher{dir: site}
	ui := fstest.MapFS{
		"index.html":        {Data: []byte(`<!doctype html><title>CMS</title><script src="/cms/decap-cms.js"></script>`)},
		"dist/decap-cms.js": {Data: []byte(`console.log("decap")`)},
	}
	h, err := gitcms.NewHandler(gitcms.Config{SiteDir: site, Staff: svc, Audit: db, Publisher: pub, UI: ui, MaxMediaBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	svc.Routes(r)
	r.Handle("/cms", h)
	r.Handle("/cms/*", h)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &cms{srv: srv, db: db, site: site, pub: pub}
}

// editor is a browser logged in as one staff member.
type editor struct {
	t      *testing.T
	cms    *cms
	client *http.Client
}

func (c *cms) login(t *testing.T, username string) *editor {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(c.srv.URL+"/auth/staff/login", url.Values{"username": {username}, "password": {"demo-" + username}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d", username, resp.StatusCode)
	}
	return &editor{t: t, cms: c, client: client}
}

func (c *cms) anonymous(t *testing.T) *editor {
	return &editor{t: t, cms: c, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// call sends one action and returns the status and the decoded answer.
func (e *editor) call(action string, params any) (int, any) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"action": action, "params": params})
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.cms.srv.URL+"/cms/api/v1", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		e.t.Fatalf("%s: answer is not JSON (%d): %s", action, resp.StatusCode, raw)
	}
	return resp.StatusCode, v
}

// ok sends an action that must succeed.
func (e *editor) ok(action string, params any) any {
	e.t.Helper()
	status, v := e.call(action, params)
	if status != http.StatusOK {
		e.t.Fatalf("%s: %d %v", action, status, v)
	}
	return v
}

func (e *editor) get(path string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.cms.srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (c *cms) git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", c.site}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (c *cms) read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.site, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// news is the persistEntry Decap sends for a new news item in Italian and
// English.
func news(slug, title string, status string, assets ...map[string]string) map[string]any {
	files := []map[string]string{
		{"slug": slug, "path": "content/notizie/" + slug + ".it.md", "raw": "---\ntitle: " + title + "\ndescription: Prova.\ndate: 2026-11-26\n---\n\nTesto.\n"},
		{"slug": slug, "path": "content/notizie/" + slug + ".en.md", "raw": "---\ntitle: " + title + " (EN)\ndescription: Test.\ndate: 2026-11-26\n---\n\nText.\n"},
	}
	if assets == nil {
		assets = []map[string]string{}
	}
	return map[string]any{
		"branch": "main", "dataFiles": files, "assets": assets,
		"options": map[string]any{"collectionName": "notizie", "commitMessage": "Create Notizie “" + slug + "”",
			"useWorkflow": true, "status": status},
	}
}

// pngBytes is the smallest PNG file.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
