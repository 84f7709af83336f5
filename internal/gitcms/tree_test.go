package gitcms_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// page is the persistEntry Decap sends for an entry of the page tree,
// moved to newPath when that is not empty.
func page(slug, path, newPath string) map[string]any {
	f := map[string]string{"slug": slug, "path": path, "raw": "---\ntitle: Prova\n---\n\nTesto.\n"}
	if newPath != "" {
		f["newPath"] = newPath
	}
	return map[string]any{"branch": "main", "assets": []any{}, "dataFiles": []map[string]string{f},
		"options": map[string]any{"collectionName": "pagine", "useWorkflow": true, "status": "draft"}}
}

func treePaths(t *testing.T, ed *editor) []string {
	t.Helper()
	var paths []string
	for _, e := range asList(t, ed.ok("entriesByFolder", map[string]any{"branch": "main", "folder": "content", "extension": "md", "depth": 3})) {
		paths = append(paths, asMap(t, asMap(t, e)["file"])["path"].(string))
	}
	return paths
}

// The pages are a nested tree of sections and sub-pages: each editor sees
// the sections they may change, a redattore esperto also the sections of
// the other collections; entries of news, ordinances and FAQ stay in their
// own collections.
func TestPageTreeListsPermittedSections(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	exp := treePaths(t, c.login(t, "redattore-esperto"))
	for _, want := range []string{"content/privacy.it.md", "content/servizi/_index.it.md", "content/servizi/permessi-ztl.it.md",
		"content/servizi/permessi-ztl.en.md", "content/notizie/_index.it.md"} {
		if !slices.Contains(exp, want) {
			t.Errorf("the esperto's tree lacks %s", want)
		}
	}
	for _, p := range exp {
		if strings.HasPrefix(p, "content/notizie/2026") || strings.HasPrefix(p, "content/faq/") {
			t.Errorf("the tree holds %s, which belongs to another collection", p)
		}
	}
	srv := treePaths(t, c.login(t, "servizi"))
	if !slices.Contains(srv, "content/servizi/permessi-ztl.it.md") || !slices.Contains(srv, "content/servizi/_index.it.md") {
		t.Errorf("the servizi redattore's tree: %v", srv)
	}
	for _, p := range srv {
		if !strings.HasPrefix(p, "content/servizi/") {
			t.Errorf("the servizi redattore sees %s", p)
		}
	}
	// The news redattore has no page section: no tree at all.
	if status, _ := c.login(t, "redattore").call("entriesByFolder", map[string]any{"branch": "main", "folder": "content", "extension": "md", "depth": 3}); status != http.StatusForbidden {
		t.Errorf("redattore lists the page tree: %d", status)
	}

	type config struct {
		Collections []struct {
			Name   string         `json:"name"`
			Nested map[string]any `json:"nested"`
			Meta   struct {
				Path map[string]any `json:"path"`
			} `json:"meta"`
		} `json:"collections"`
	}
	for user, indexFile := range map[string]any{"servizi": nil, "redattore-esperto": "_index"} {
		_, body := c.login(t, user).get("/cms/config.yml")
		var cfg config
		if err := json.Unmarshal([]byte(body), &cfg); err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cfg.Collections, func(c struct {
			Name   string         `json:"name"`
			Nested map[string]any `json:"nested"`
			Meta   struct {
				Path map[string]any `json:"path"`
			} `json:"meta"`
		}) bool {
			return c.Name == "pagine"
		})
		if i < 0 {
			t.Fatalf("%s has no page tree", user)
		}
		col := cfg.Collections[i]
		if col.Nested["depth"] != float64(3) || col.Meta.Path["widget"] != "string" || col.Meta.Path["index_file"] != indexFile {
			t.Errorf("%s's page tree: nested %v, meta path %v", user, col.Nested, col.Meta.Path)
		}
	}
}

// A redattore writes pages in the existing folders of their sections; the
// structure (creating, moving or changing a section, a new folder, another
// section, deeper than the tree) is refused with 403 and changes nothing.
// A redattore esperto creates and moves sections.
func TestPageTreeStructureIsForExperts(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	red := c.login(t, "servizi")
	red.ok("persistEntry", page("servizi/orari-sportelli", "content/servizi/orari-sportelli.it.md", ""))
	if got := c.git(t, "show", "cms/pagine/servizi/orari-sportelli:content/servizi/orari-sportelli.md"); !strings.Contains(got, "title: Prova") {
		t.Errorf("the draft holds %q", got)
	}
	main := c.git(t, "rev-parse", "main")

	exp := c.login(t, "redattore-esperto")
	exp.ok("persistEntry", page("servizi/sportelli", "content/servizi/sportelli/_index.it.md", ""))

	denied := map[string]map[string]any{
		"create a section":           page("servizi/uffici", "content/servizi/uffici/_index.it.md", ""),
		"a page in a new folder":     page("servizi/uffici/orari", "content/servizi/uffici/orari.it.md", ""),
		"change the section page":    page("servizi/_index", "content/servizi/_index.it.md", ""),
		"move the section":           page("servizi/_index", "content/servizi/_index.it.md", "content/servizi-nuovi/_index.it.md"),
		"move a page out of servizi": page("servizi/permessi-ztl", "content/servizi/permessi-ztl.it.md", "content/contatti/permessi-ztl.it.md"),
		"a page of another section":  page("privacy", "content/privacy.it.md", ""),
		"a page below the tree":      page("servizi/c", "content/servizi/a/b/c.it.md", ""),
		"news through the tree":      page("notizie/x", "content/notizie/2026-11-20-nuovo-portale.it.md", ""),
		"the esperto's section draft": {"branch": "main", "collection": "pagine", "slug": "servizi/sportelli",
			"newStatus": "pending_review", "action": "updateUnpublishedEntryStatus"},
	}
	for what, params := range denied {
		action := "persistEntry"
		if a, ok := params["action"].(string); ok {
			action = a
			delete(params, "action")
		}
		status, v := red.call(action, params)
		if status != http.StatusForbidden || asMap(t, v)["error"] == "" {
			t.Errorf("%s: %d %v, want 403", what, status, v)
		}
	}
	if c.git(t, "rev-parse", "main") != main {
		t.Error("a denied action changed main")
	}
	if b := c.git(t, "branch", "--list", "cms/pagine/*"); strings.Count(b, "cms/pagine/") != 2 {
		t.Errorf("branches: %q", b)
	}

	// The esperto moves a section: the draft removes the old page and
	// writes the new one.
	exp.ok("persistEntry", page("contatti/_index", "content/contatti/_index.it.md", "content/recapiti/_index.it.md"))
	if got := c.git(t, "diff", "--name-status", "main", "cms/pagine/contatti/_index"); !strings.Contains(got, "D\tcontent/contatti/_index.md") ||
		!strings.Contains(got, "A\tcontent/recapiti/_index.md") {
		t.Errorf("moving a section: %s", got)
	}
}
