package gitcms_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
)

const storicoNews = "content/notizie/2026-11-26-storico.md"

// restore posts the Storico's restore form.
func (e *editor) restore(path, commit string) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.client.PostForm(e.cms.srv.URL+"/cms/storico/ripristina", url.Values{"path": {path}, "commit": {commit}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// twoVersions publishes a news item written by the redattore (first
// version), then changes it as the validatore (second version), and returns
// the commit of each.
func twoVersions(t *testing.T, c *cms) (first, second string) {
	t.Helper()
	c.login(t, "redattore").ok("persistEntry", news("2026-11-26-storico", "Prima versione", "pending_review"))
	val := c.login(t, "validatore")
	val.ok("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-storico"})
	first = c.git(t, "log", "-1", "--format=%H", "--no-merges", "main", "--", storicoNews)
	direct := news("2026-11-26-storico", "Seconda versione", "")
	direct["options"].(map[string]any)["useWorkflow"] = false
	val.ok("persistEntry", direct)
	second = c.git(t, "log", "-1", "--format=%H", "main", "--", storicoNews)
	if first == second || !strings.Contains(c.read(t, storicoNews), "Seconda versione") {
		t.Fatalf("setup: %s %s", first, second)
	}
	return first, second
}

// timeOf is how the Storico shows git's time s: in Europe/Rome.
func timeOf(s string) (string, error) {
	t, err := time.Parse(time.RFC3339, s)
	return t.In(civil.Rome).Format("02/01/2006 15:04"), err
}

func lastAudit(t *testing.T, c *cms) store.CMSAuditEntry {
	t.Helper()
	entries, err := c.db.CMSActions(context.Background(), 1)
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v %v", entries, err)
	}
	return entries[0]
}

// The list names every content page with its last author; a page's history
// names the editor who wrote each version, with the diff, escaped.
func TestHistoryShowsAuthors(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	c.login(t, "redattore").ok("persistEntry", news("2026-11-26-storico", "Prima <b>versione</b>", "pending_review"))
	c.login(t, "validatore").ok("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-storico"})
	ed := c.login(t, "redattore")

	resp, body := ed.get("/cms/storico/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP: %q", csp)
	}
	for _, want := range []string{"<caption>", "bootstrap-italia.min.css", `href="/cms/storico/pagina?path=content%2Fnotizie%2F2026-11-26-storico.md"`,
		"content/privacy.md", "Redattore di prova"} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("list has a script")
	}
	start := strings.Index(body, "2026-11-26-storico.md\">")
	if start < 0 {
		t.Fatal("the list lacks the news")
	}
	row, _, _ := strings.Cut(body[start:], "</tr>")
	if !strings.Contains(row, "Redattore di prova") || !strings.Contains(row, "Crea notizia") {
		t.Errorf("last change of the news: %s", row)
	}

	resp, body = ed.get("/cms/storico/pagina?path=" + url.QueryEscape(storicoNews))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Redattore di prova", "redattore@demo.portale.invalid", "<pre", "&#43;title: Prima &lt;b&gt;versione&lt;/b&gt;", "<caption>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>versione</b>") {
		t.Error("the diff is not escaped")
	}
	if strings.Contains(body, "/cms/storico/ripristina") {
		t.Error("a redattore is offered the restore")
	}
	// Times are Italian: the commit's instant in Europe/Rome.
	when, err := timeOf(c.git(t, "log", "-1", "--format=%aI", "main", "--", storicoNews))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, when) {
		t.Errorf("page lacks the time %s", when)
	}
}

// A validatore restores the first version: a new commit on main by the
// validatore, then a build and deploy, and an audit record.
func TestRestoreCreatesCommit(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	first, second := twoVersions(t, c)
	adm := c.login(t, "admin")
	_, body := adm.get("/cms/storico/pagina?path=" + url.QueryEscape(storicoNews))
	if !strings.Contains(body, `name="commit" value="`+first+`"`) || strings.Contains(body, `name="commit" value="`+second+`"`) ||
		!strings.Contains(body, "Versione attuale") || !strings.Contains(body, "Validatore di prova") {
		t.Fatalf("the page offers no restore of %s: %s", first, body)
	}
	calls := c.pub.calls()

	resp, body := adm.restore(storicoNews, first)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d %s", resp.StatusCode, body)
	}
	head := c.git(t, "rev-parse", "main")
	if head == second || c.git(t, "rev-parse", "main^") != second {
		t.Errorf("restore is not a new commit on top of %s", second)
	}
	if got, want := c.git(t, "log", "-1", "--format=%an <%ae>|%s", "main"),
		"Amministratore di prova <admin@demo.portale.invalid>|Ripristina "+storicoNews+" alla versione "+first[:8]; got != want {
		t.Errorf("commit: %q, want %q", got, want)
	}
	if got, want := c.read(t, storicoNews), c.git(t, "show", first+":"+storicoNews); strings.TrimSpace(got) != want {
		t.Errorf("working tree: %q, want %q", got, want)
	}
	if c.pub.calls() != calls+1 || c.pub.heads[len(c.pub.heads)-1] != head {
		t.Errorf("publisher: %d calls (before %d), heads %v", c.pub.calls(), calls, c.pub.heads)
	}
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "ripristinato="+head) {
		t.Errorf("redirect: %s", loc)
	}
	_, body = adm.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Versione ripristinata") || !strings.Contains(body, "Ripristina "+storicoNews) {
		t.Errorf("after restore: %s", body)
	}
	if e := lastAudit(t, c); e.Action != "ripristina" || e.Outcome != "eseguita" || e.Username != "admin" || !strings.Contains(e.Target, storicoNews) {
		t.Errorf("audit: %+v", e)
	}

	// Restoring the version already published changes nothing.
	resp, body = adm.restore(storicoNews, first)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "nulla da ripristinare") || c.git(t, "rev-parse", "main") != head {
		t.Errorf("second restore: %d %s", resp.StatusCode, body)
	}
}

// A redattore reads the history but gets a 403 page on restore; nothing
// changes and the attempt is audited.
func TestRestoreForbiddenToRedattore(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	first, second := twoVersions(t, c)
	calls := c.pub.calls()
	for _, who := range []string{"redattore", "redattore-esperto"} {
		ed := c.login(t, who)
		if resp, body := ed.get("/cms/storico/pagina?path=" + url.QueryEscape(storicoNews)); resp.StatusCode != http.StatusOK {
			t.Errorf("%s reads: %d %s", who, resp.StatusCode, body)
		}
		resp, body := ed.restore(storicoNews, first)
		if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "non permette di ripristinare") || !strings.Contains(body, `<html lang="it">`) {
			t.Errorf("%s restores: %d %s", who, resp.StatusCode, body)
		}
		if e := lastAudit(t, c); e.Username != who || e.Action != "ripristina" || e.Outcome != "negata" {
			t.Errorf("audit: %+v", e)
		}
	}
	if c.git(t, "rev-parse", "main") != second || c.pub.calls() != calls {
		t.Error("a refused restore changed main or published")
	}
	// Back-office staff and strangers do not reach the Storico.
	if resp, _ := c.login(t, "operatore").get("/cms/storico/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operatore: %d", resp.StatusCode)
	}
	if resp, _ := c.anonymous(t).get("/cms/storico/"); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/auth/staff/login") {
		t.Errorf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.anonymous(t).restore(storicoNews, first); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous restore: %d", resp.StatusCode)
	}
}

// Paths outside content/ are refused, unknown pages and versions are not
// found, and nothing is committed.
func TestHistoryRefusesEscapes(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	first, second := twoVersions(t, c)
	val := c.login(t, "validatore")
	forbiddenPaths := []string{"", "../go.mod", "content/../go.mod", "/etc/passwd", "content/./privacy.md",
		"static/media/x.png", "content/.git/config", "content\\privacy.md", ":(top)content/privacy.md"}
	for _, p := range forbiddenPaths {
		if resp, body := val.get("/cms/storico/pagina?path=" + url.QueryEscape(p)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %q: %d %s", p, resp.StatusCode, body)
		}
		if resp, body := val.restore(p, first); resp.StatusCode != http.StatusForbidden {
			t.Errorf("restore %q: %d %s", p, resp.StatusCode, body)
		}
	}
	notFound := []struct{ path, commit string }{
		{"content/notizie/nessuna.md", first},
		{storicoNews, strings.Repeat("0", 40)},
		{storicoNews, c.git(t, "rev-list", "--max-parents=0", "main")}, // a commit that never touched the page
		{storicoNews, "main"},
		{storicoNews, first[:8]},
	}
	for _, n := range notFound {
		if resp, body := val.restore(n.path, n.commit); resp.StatusCode != http.StatusNotFound {
			t.Errorf("restore %q@%q: %d %s", n.path, n.commit, resp.StatusCode, body)
		}
	}
	// A wildcard is a file name like any other, here one that never was.
	for _, p := range []string{"content/notizie/nessuna.md", "content/notizie/*.md"} {
		if resp, _ := val.get("/cms/storico/pagina?path=" + url.QueryEscape(p)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %q: %d", p, resp.StatusCode)
		}
	}
	if c.git(t, "rev-parse", "main") != second {
		t.Error("a refused restore changed main")
	}
	if e := lastAudit(t, c); e.Outcome != "non_trovata" {
		t.Errorf("audit: %+v", e)
	}
}

// A deleted page keeps its history: its last version comes back, the
// deletion itself is no version to restore.
func TestRestoreDeletedPage(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	_, second := twoVersions(t, c)
	val := c.login(t, "validatore")
	val.ok("deleteFile", map[string]any{"branch": "main", "path": "content/notizie/2026-11-26-storico.it.md"})
	deletion := c.git(t, "rev-parse", "main")

	_, body := val.get("/cms/storico/")
	if strings.Contains(body, storicoNews) {
		t.Error("the list shows a deleted page")
	}
	resp, body := val.get("/cms/storico/pagina?path=" + url.QueryEscape(storicoNews))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Pagina eliminata in questa versione") || !strings.Contains(body, "Elimina "+storicoNews) {
		t.Fatalf("history of a deleted page: %d %s", resp.StatusCode, body)
	}
	if resp, body := val.restore(storicoNews, deletion); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "non esiste") {
		t.Errorf("restore the deletion: %d %s", resp.StatusCode, body)
	}
	if resp, body := val.restore(storicoNews, second); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(c.read(t, storicoNews), "Seconda versione") || c.git(t, "log", "-1", "--format=%an", "main") != "Validatore di prova" {
		t.Error("the page did not come back")
	}
}

// Pages the CMS does not manage (no collection holds them: here one deeper
// than the page tree) keep a history but are restored by nobody,
// administrators included.
func TestRestoreOnlyCMSPages(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	const p = "content/servizi/archivio/2019/vecchia.md"
	if err := os.MkdirAll(filepath.Join(c.site, "content/servizi/archivio/2019"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.site, filepath.FromSlash(p)), []byte("---\ntitle: Vecchia\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.git(t, "add", "--all")
	c.git(t, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "archivio")
	initial := c.git(t, "rev-parse", "main")
	adm := c.login(t, "admin")
	resp, body := adm.get("/cms/storico/pagina?path=" + url.QueryEscape(p))
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "/cms/storico/ripristina") {
		t.Errorf("history of %s: %d, restore offered: %v", p, resp.StatusCode, strings.Contains(body, "/cms/storico/ripristina"))
	}
	if resp, body := adm.restore(p, initial); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "non è tra quelle che gestisci") {
		t.Errorf("restore %s: %d %s", p, resp.StatusCode, body)
	}
	if c.git(t, "rev-parse", "main") != initial {
		t.Error("main changed")
	}
}
