package gitcms_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every action a role may not do answers 403 with {"error"}, changes
// nothing and is audited as denied.
func TestRolesForbidActions(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	// A draft in review, for the actions on drafts.
	c.login(t, "redattore").ok("persistEntry", news("2026-11-26-in-revisione", "In revisione", "pending_review"))
	ordinanza := map[string]any{"branch": "main", "assets": []any{},
		"dataFiles": []map[string]string{{"slug": "2026-9999-prova", "path": "content/ordinanze/2026-9999-prova.it.md", "raw": "---\ntitle: x\n---\n"}},
		"options":   map[string]any{"collectionName": "ordinanze", "useWorkflow": true, "status": "draft"}}
	sezione := map[string]any{"branch": "main", "assets": []any{},
		"dataFiles": []map[string]string{{"slug": "sezione-notizie", "path": "content/notizie/_index.it.md", "raw": "---\ntitle: x\n---\n"}},
		"options":   map[string]any{"collectionName": "sezioni", "useWorkflow": true, "status": "draft"}}
	direct := news("2026-11-26-diretta", "Diretta", "")
	direct["options"].(map[string]any)["useWorkflow"] = false
	draft := map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-in-revisione"}
	withStatus := func(s string) map[string]any {
		return map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-in-revisione", "newStatus": s}
	}
	png := map[string]any{"branch": "main", "asset": map[string]string{"path": "static/media/x.png",
		"content": base64.StdEncoding.EncodeToString(pngBytes), "encoding": "base64"}}
	del := map[string]any{"branch": "main", "path": "content/notizie/2026-11-20-nuovo-portale.it.md"}
	dels := map[string]any{"branch": "main", "paths": []string{"content/notizie/2026-11-20-nuovo-portale.it.md"}}

	type denied struct {
		action string
		params map[string]any
	}
	cases := map[string][]denied{
		"redattore": {
			{"publishUnpublishedEntry", draft},
			{"updateUnpublishedEntryStatus", withStatus("pending_publish")},
			{"persistEntry", direct},
			{"persistEntry", ordinanza},
			{"persistEntry", sezione},
			{"persistMedia", png},
			{"deleteFile", del},
			{"deleteFiles", dels},
		},
		"ordinanze": { // a redattore limited to ordinances, before the news desk
			{"persistEntry", news("2026-11-26-fuori-sezione", "Fuori sezione", "draft")},
			{"unpublishedEntry", draft},
			{"unpublishedEntryDataFile", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-in-revisione", "path": "content/notizie/2026-11-26-in-revisione.it.md"}},
			{"updateUnpublishedEntryStatus", withStatus("draft")},
			{"deleteUnpublishedEntry", draft},
		},
		"redattore-esperto": {
			{"publishUnpublishedEntry", draft},
			{"updateUnpublishedEntryStatus", withStatus("pending_publish")},
			{"persistEntry", direct},
			{"deleteFile", del},
			{"deleteFiles", dels},
		},
		"operatore": { // back office only
			{"info", map[string]any{}},
			{"entriesByFolder", map[string]any{"branch": "main", "folder": "content/notizie", "extension": "md"}},
			{"persistEntry", news("2026-11-26-operatore", "Operatore", "draft")},
		},
	}
	main := c.git(t, "rev-parse", "main")
	for username, ds := range cases {
		ed := c.login(t, username)
		for _, d := range ds {
			status, v := ed.call(d.action, d.params)
			if status != http.StatusForbidden {
				t.Errorf("%s %s: %d %v, want 403", username, d.action, status, v)
				continue
			}
			if msg, _ := asMap(t, v)["error"].(string); msg == "" {
				t.Errorf("%s %s: no error message", username, d.action)
			}
		}
	}
	if c.git(t, "rev-parse", "main") != main || c.pub.calls() != 0 {
		t.Error("a denied action changed main")
	}
	if b := c.git(t, "branch", "--list", "cms/*"); strings.TrimSpace(b) != "cms/notizie/2026-11-26-in-revisione" {
		t.Errorf("branches after denied actions: %q", b)
	}
	if st, _ := c.git(t, "config", "branch.cms/notizie/2026-11-26-in-revisione.cmsstatus"), 0; st != "pending_review" {
		t.Errorf("status changed to %q", st)
	}
	audit, err := c.db.CMSActions(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var deniedCount int
	for _, e := range audit {
		if e.Outcome == "negata" {
			deniedCount++
		}
	}
	if want := len(cases["redattore"]) + len(cases["ordinanze"]) + len(cases["redattore-esperto"]); deniedCount != want {
		t.Errorf("audit holds %d denied actions, want %d", deniedCount, want)
	}
}

// A redattore may do the editorial part: drafts in their sections, review,
// throwing a draft away.
func TestRedattoreMayWorkOnDrafts(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	red := c.login(t, "redattore")
	red.ok("persistEntry", news("2026-11-26-mia", "Mia", "draft"))
	red.ok("updateUnpublishedEntryStatus", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-mia", "newStatus": "pending_review"})
	red.ok("updateUnpublishedEntryStatus", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-mia", "newStatus": "draft"})
	red.ok("deleteUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-mia"})
	// The ordinances redattore does not even see news drafts.
	c.login(t, "redattore").ok("persistEntry", news("2026-11-26-altra", "Altra", "draft"))
	if keys := asList(t, c.login(t, "ordinanze").ok("unpublishedEntries", map[string]any{"branch": "main"})); len(keys) != 0 {
		t.Errorf("ordinanze sees %v", keys)
	}
}

// No staff session: 401 on the API, the login page for the CMS page.
func TestWithoutLogin(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	anon := c.anonymous(t)
	if status, v := anon.call("info", map[string]any{}); status != http.StatusUnauthorized || asMap(t, v)["error"] == "" {
		t.Errorf("API without login: %d %v", status, v)
	}
	for _, p := range []string{"/cms/", "/cms/config.yml"} {
		resp, _ := anon.get(p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/auth/staff/login?next=") {
			t.Errorf("%s without login: %d %q", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ := anon.get("/cms/")
	if resp.Header.Get("Location") != "/auth/staff/login?next=%2Fcms%2F" {
		t.Errorf("next: %q", resp.Header.Get("Location"))
	}
	if resp, _ := c.login(t, "operatore").get("/cms/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operatore on /cms/: %d", resp.StatusCode)
	}
	resp, page := c.login(t, "redattore").get("/cms/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "/cms/decap-cms.js") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("/cms/ for an editor: %d %s", resp.StatusCode, page)
	}
	if resp, _ := c.login(t, "redattore").get("/cms/decap-cms.js"); resp.StatusCode != http.StatusOK {
		t.Errorf("bundle: %d", resp.StatusCode)
	}
}

// Paths outside content/ and static/media/, climbing out, or through a
// symbolic link are refused before git is asked anything.
func TestPathEscapes(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	// Links planted in the repository by someone with shell access.
	if err := os.Symlink("/etc/passwd", filepath.Join(c.site, "content/notizie/link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../layouts", filepath.Join(c.site, "content/cartella")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../layouts", filepath.Join(c.site, "static")); err != nil {
		t.Fatal(err)
	}
	c.git(t, "add", "--all")
	c.git(t, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m", "links")

	adm := c.login(t, "admin")
	escapes := map[string]map[string]any{
		"getEntry":                  {"branch": "main", "path": "content/../hugo.toml"},
		"getEntry ":                 {"branch": "main", "path": "../../../../etc/passwd"},
		"getEntry  ":                {"branch": "main", "path": "/etc/passwd"},
		"getEntry   ":               {"branch": "main", "path": "hugo.toml"},
		"getEntry    ":              {"branch": "main", "path": "content/notizie/link.md"},
		"getEntry     ":             {"branch": "main", "path": "content/cartella/_default/baseof.md"},
		"getEntry      ":            {"branch": "main", "path": "content\\..\\hugo.md"},
		"getEntry       ":           {"branch": "main", "path": "content/.git/config.md"},
		"entriesByFolder":           {"branch": "main", "folder": "layouts", "extension": "html"},
		"entriesByFolder ":          {"branch": "main", "folder": "content/../layouts", "extension": "html"},
		"entriesByFolder  ":         {"branch": "main", "folder": "content/cartella", "extension": "html", "depth": 3},
		"entriesByFiles":            {"branch": "main", "files": []map[string]string{{"path": "content/../../hugo.toml"}}},
		"getMediaFile":              {"branch": "main", "path": "hugo.toml"},
		"getMediaFile ":             {"branch": "main", "path": "static/media/../../hugo.toml"},
		"getMedia":                  {"branch": "main", "mediaFolder": "layouts"},
		"unpublishedEntryDataFile":  {"branch": "main", "collection": "notizie", "slug": "x", "path": "hugo.toml"},
		"unpublishedEntryMediaFile": {"branch": "main", "collection": "notizie", "slug": "x", "path": "../hugo.toml"},
		"deleteFile":                {"branch": "main", "path": "hugo.toml"},
		"deleteFile ":               {"branch": "main", "path": "content/notizie/link.md"},
		"deleteFiles":               {"branch": "main", "paths": []string{"content/notizie/../../layouts/index.md"}},
		"persistEntry": {"branch": "main", "assets": []any{},
			"dataFiles": []map[string]string{{"slug": "x", "path": "content/notizie/../../layouts/_default/x.md", "raw": "{{ os.Getenv \"HOME\" }}"}},
			"options":   map[string]any{"collectionName": "notizie", "useWorkflow": true}},
		"persistEntry ": {"branch": "main", "assets": []any{},
			"dataFiles": []map[string]string{{"slug": "x", "path": "layouts/x.md", "raw": "x"}},
			"options":   map[string]any{"collectionName": "notizie", "useWorkflow": true}},
		"persistEntry  ": {"branch": "main", "assets": []any{},
			"dataFiles": []map[string]string{{"slug": "x", "path": "content/notizie/x.it.md", "newPath": "content/ordinanze/../../hugo.toml", "raw": "x"}},
			"options":   map[string]any{"collectionName": "notizie", "useWorkflow": true}},
		"persistEntry   ": {"branch": "main", "dataFiles": []map[string]string{{"slug": "x", "path": "content/notizie/x.it.md", "raw": "x"}},
			"assets":  []map[string]string{{"path": "layouts/partials/head.png", "content": base64.StdEncoding.EncodeToString(pngBytes), "encoding": "base64"}},
			"options": map[string]any{"collectionName": "notizie", "useWorkflow": true}},
		"persistEntry    ": {"branch": "main", "assets": []any{},
			"dataFiles": []map[string]string{{"slug": "../../main", "path": "content/notizie/x.it.md", "raw": "x"}},
			"options":   map[string]any{"collectionName": "notizie", "useWorkflow": true}},
		"persistMedia": {"branch": "main", "asset": map[string]string{"path": "static/media/x.png",
			"content": base64.StdEncoding.EncodeToString(pngBytes), "encoding": "base64"}},
	}
	main := c.git(t, "rev-parse", "main")
	for name, params := range escapes {
		status, v := adm.call(strings.TrimSpace(name), params)
		if status != http.StatusForbidden && status != http.StatusUnprocessableEntity {
			t.Errorf("%s %v: %d %v", name, params, status, v)
		}
	}
	if c.git(t, "rev-parse", "main") != main || c.git(t, "branch", "--list", "cms/*") != "" {
		t.Error("an escape attempt changed the repository")
	}
}

// Each editor's Decap configuration lists only what they may change, with
// Decap's proxy backend and the editorial workflow.
func TestConfigFollowsRoleAndSections(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	type config struct {
		Backend struct {
			Name     string `json:"name"`
			ProxyURL string `json:"proxy_url"`
		} `json:"backend"`
		PublishMode string `json:"publish_mode"`
		MediaFolder string `json:"media_folder"`
		I18n        struct {
			Structure     string   `json:"structure"`
			Locales       []string `json:"locales"`
			DefaultLocale string   `json:"default_locale"`
		} `json:"i18n"`
		Collections []struct {
			Name   string           `json:"name"`
			Folder string           `json:"folder"`
			Delete bool             `json:"delete"`
			Files  []map[string]any `json:"files"`
			Fields []map[string]any `json:"fields"`
		} `json:"collections"`
	}
	read := func(username string) (config, []string) {
		resp, body := c.login(t, username).get("/cms/config.yml")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", username, resp.StatusCode)
		}
		var cfg config
		if err := json.Unmarshal([]byte(body), &cfg); err != nil {
			t.Fatalf("%s: config.yml is not JSON (hence not YAML): %v", username, err)
		}
		var names []string
		for _, col := range cfg.Collections {
			names = append(names, col.Name)
		}
		return cfg, names
	}
	cfg, names := read("redattore")
	if cfg.Backend.Name != "proxy" || cfg.Backend.ProxyURL != "/cms/api/v1" || cfg.PublishMode != "editorial_workflow" ||
		cfg.MediaFolder != "static/media" || cfg.I18n.Structure != "multiple_files" || cfg.I18n.DefaultLocale != "it" {
		t.Errorf("config: %+v", cfg)
	}
	if strings.Join(names, ",") != "notizie,limitazioni,faq" {
		t.Errorf("redattore sees %v", names)
	}
	if cfg.Collections[0].Folder != "content/notizie" || cfg.Collections[0].Delete {
		t.Errorf("notizie for redattore: %+v", cfg.Collections[0])
	}
	for _, f := range cfg.Collections[0].Fields {
		if f["label"] == "" || f["label"] == f["name"] {
			t.Errorf("field %v has no Italian label", f["name"])
		}
	}
	if _, names := read("ordinanze"); strings.Join(names, ",") != "ordinanze" {
		t.Errorf("ordinanze sees %v", names)
	}
	if _, names := read("redattore-esperto"); strings.Join(names, ",") != "notizie,ordinanze,limitazioni,faq,pagine,newsletter,sezioni,portali" {
		t.Errorf("redattore-esperto sees %v", names)
	}
	cfg, _ = read("validatore")
	if !cfg.Collections[0].Delete {
		t.Error("validatore cannot delete news")
	}
}
