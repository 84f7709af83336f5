package e2e

import (
	"bytes"
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

	val := staffClient(t, s.url, "validatore")
	if status, body := cmsCall(t, val, s.url, "publishUnpublishedEntry", map[string]any{
		"branch": "main", "collection": "notizie", "slug": slug}); status != http.StatusOK {
		t.Fatalf("validatore publishing: %d %s", status, body)
	}
	waitBody(t, s.url+"/notizie/"+slug+"/", title)

	log := siteLog(t, data, "-3")
	if !strings.Contains(log, "Validatore di prova <validatore@demo.portale.invalid>|Pubblica notizia «"+slug+"»") ||
		!strings.Contains(log, "Redattore di prova <redattore@demo.portale.invalid>|Crea notizia «"+slug+"» (bozza)") {
		t.Errorf("site history:\n%s", log)
	}
	if who := siteLog(t, data, "-1", "--", "content/notizie/"+slug+".md"); !strings.HasPrefix(who, "Redattore di prova <redattore@") {
		t.Errorf("author of the content: %s", who)
	}
}
