package gitcms_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func asList(t *testing.T, v any) []any {
	t.Helper()
	l, ok := v.([]any)
	if !ok {
		t.Fatalf("expected a list, got %T %v", v, v)
	}
	return l
}

func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("expected an object, got %T %v", v, v)
	}
	return m
}

// Reading: Decap sees the Italian files as x.it.md, the English ones as
// x.en.md, and never the section index files in a folder collection.
func TestReadingActions(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	ed := c.login(t, "redattore")

	info := asMap(t, ed.ok("info", map[string]any{}))
	if !slices.Contains(asList(t, info["publish_modes"]), any("editorial_workflow")) {
		t.Errorf("info: %v", info)
	}

	entries := asList(t, ed.ok("entriesByFolder", map[string]any{"branch": "main", "folder": "content/notizie", "extension": "md", "depth": 1}))
	var paths []string
	for _, e := range entries {
		paths = append(paths, asMap(t, asMap(t, e)["file"])["path"].(string))
	}
	for _, want := range []string{"content/notizie/2026-11-20-nuovo-portale.it.md", "content/notizie/2026-11-20-nuovo-portale.en.md"} {
		if !slices.Contains(paths, want) {
			t.Errorf("entriesByFolder lacks %s: %v", want, paths)
		}
	}
	for _, p := range paths {
		if strings.Contains(p, "_index") || !strings.HasSuffix(p, ".it.md") && !strings.HasSuffix(p, ".en.md") {
			t.Errorf("entriesByFolder lists %s", p)
		}
	}
	first := asMap(t, entries[0])
	if data, _ := first["data"].(string); !strings.HasPrefix(data, "---") || asMap(t, first["file"])["id"] == nil {
		t.Errorf("entry: %v", first)
	}

	files := asList(t, ed.ok("entriesByFiles", map[string]any{"branch": "main", "files": []map[string]string{
		{"path": "content/faq/_index.md", "label": "FAQ"}, {"path": "content/faq/_index.en.md"}, {"path": "content/faq/_index.de.md"}}}))
	if len(files) != 3 || !strings.Contains(asMap(t, files[0])["data"].(string), "groups:") || asMap(t, files[2])["data"] != nil {
		t.Errorf("entriesByFiles: %v", files)
	}

	e := asMap(t, ed.ok("getEntry", map[string]any{"branch": "main", "path": "content/privacy.it.md"}))
	if !strings.Contains(e["data"].(string), "Informativa") {
		t.Errorf("getEntry: %v", e)
	}
	if l := asList(t, ed.ok("unpublishedEntries", map[string]any{"branch": "main"})); len(l) != 0 {
		t.Errorf("unpublishedEntries on a fresh site: %v", l)
	}
	if status, _ := ed.call("unpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "nessuna"}); status != http.StatusNotFound {
		t.Errorf("unpublishedEntry of nothing: %d", status)
	}
	if status, v := ed.call("getDeployPreview", map[string]any{"branch": "main", "collection": "notizie", "slug": "x"}); status != http.StatusOK || v != nil {
		t.Errorf("getDeployPreview: %d %v", status, v)
	}
	if status, _ := ed.call("entriesByFolder", map[string]any{"branch": "develop", "folder": "content/notizie", "extension": "md"}); status != http.StatusUnprocessableEntity {
		t.Errorf("another branch: %d", status)
	}
	if status, _ := ed.call("nonEsiste", map[string]any{}); status != http.StatusUnprocessableEntity {
		t.Errorf("unknown action: %d", status)
	}
}

// The editorial workflow end to end: a redattore writes a draft with an
// image and sends it to review; a validatore reads it, publishes it; main
// gets the page (Italian as x.md, English as x.en.md), the build runs, and
// history says who wrote it and who approved it.
func TestEditorialWorkflow(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	red := c.login(t, "redattore")
	slug := "2026-11-26-nuova-ztl"
	img := map[string]string{"path": "static/media/ztl.png", "content": base64.StdEncoding.EncodeToString(pngBytes), "encoding": "base64"}
	red.ok("persistEntry", news(slug, "Nuova ZTL", "draft", img))
	mainBefore := c.git(t, "rev-parse", "main")

	keys := asList(t, red.ok("unpublishedEntries", map[string]any{"branch": "main"}))
	if len(keys) != 1 || keys[0] != "notizie/"+slug {
		t.Fatalf("unpublishedEntries: %v", keys)
	}
	red.ok("updateUnpublishedEntryStatus", map[string]any{"branch": "main", "collection": "notizie", "slug": slug, "newStatus": "pending_review"})

	// A second save of the same draft adds a commit to its branch.
	red.ok("persistEntry", news(slug, "Nuova ZTL in centro", "pending_review"))

	val := c.login(t, "validatore")
	u := asMap(t, val.ok("unpublishedEntry", map[string]any{"branch": "main", "id": "notizie/" + slug}))
	if u["status"] != "pending_review" || u["collection"] != "notizie" || u["slug"] != slug {
		t.Errorf("unpublishedEntry: %v", u)
	}
	var dataPaths, mediaPaths []string
	for _, d := range asList(t, u["diffs"]) {
		dm := asMap(t, d)
		if dm["binary"] == true {
			mediaPaths = append(mediaPaths, dm["path"].(string))
		} else {
			dataPaths = append(dataPaths, dm["path"].(string))
		}
		if dm["newFile"] != true || dm["status"] != "added" {
			t.Errorf("diff %v", dm)
		}
	}
	slices.Sort(dataPaths)
	if !slices.Equal(dataPaths, []string{"content/notizie/" + slug + ".en.md", "content/notizie/" + slug + ".it.md"}) ||
		!slices.Equal(mediaPaths, []string{"static/media/ztl.png"}) {
		t.Fatalf("diffs: data %v media %v", dataPaths, mediaPaths)
	}
	df := asMap(t, val.ok("unpublishedEntryDataFile", map[string]any{"branch": "main", "collection": "notizie", "slug": slug,
		"path": "content/notizie/" + slug + ".it.md", "id": "x"}))
	if !strings.Contains(df["data"].(string), "Nuova ZTL in centro") {
		t.Errorf("unpublishedEntryDataFile: %v", df)
	}
	mf := asMap(t, val.ok("unpublishedEntryMediaFile", map[string]any{"branch": "main", "collection": "notizie", "slug": slug,
		"path": "static/media/ztl.png", "id": "x"}))
	if mf["content"] != base64.StdEncoding.EncodeToString(pngBytes) || mf["name"] != "ztl.png" || mf["encoding"] != "base64" {
		t.Errorf("unpublishedEntryMediaFile: %v", mf)
	}
	if c.git(t, "rev-parse", "main") != mainBefore || c.pub.calls() != 0 {
		t.Fatal("a draft changed main or started a build")
	}
	if _, err := os.Stat(filepath.Join(c.site, "content/notizie", slug+".md")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a draft reached the working tree")
	}

	val.ok("updateUnpublishedEntryStatus", map[string]any{"branch": "main", "collection": "notizie", "slug": slug, "newStatus": "pending_publish"})
	val.ok("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug})

	if got := c.read(t, "content/notizie/"+slug+".md"); !strings.Contains(got, "Nuova ZTL in centro") {
		t.Errorf("published Italian page: %q", got)
	}
	if got := c.read(t, "content/notizie/"+slug+".en.md"); !strings.Contains(got, "(EN)") {
		t.Errorf("published English page: %q", got)
	}
	if got := c.read(t, "static/media/ztl.png"); got != string(pngBytes) {
		t.Error("the image did not reach the working tree")
	}
	if c.pub.calls() != 1 || c.pub.heads[0] != c.git(t, "rev-parse", "main") {
		t.Errorf("publisher: %v, main %s", c.pub.heads, c.git(t, "rev-parse", "main"))
	}
	if st := c.git(t, "status", "--porcelain"); st != "" {
		t.Errorf("working tree not clean after publishing: %s", st)
	}
	if b := c.git(t, "branch", "--list", "cms/*"); b != "" {
		t.Errorf("draft branch left behind: %s", b)
	}
	// The merge by the validatore, then the draft's own commits.
	authors := c.git(t, "log", "-1", "--format=%an <%ae>|%s", "main") + "\n" + c.git(t, "log", "-2", "--format=%an <%ae>|%s", "main^2")
	lines := strings.Split(authors, "\n")
	if !strings.HasPrefix(lines[0], "Validatore di prova <validatore@demo.portale.invalid>|Pubblica notizia «"+slug+"»") ||
		!strings.HasPrefix(lines[1], "Redattore di prova <redattore@demo.portale.invalid>|Aggiorna notizia") ||
		!strings.HasPrefix(lines[2], "Redattore di prova <redattore@demo.portale.invalid>|Crea notizia «"+slug+"» (bozza)") {
		t.Errorf("history:\n%s", authors)
	}
	if who := c.git(t, "log", "-1", "--format=%an", "--", "content/notizie/"+slug+".md"); who != "Redattore di prova" {
		t.Errorf("the page's last content change is by %q", who)
	}
	// Published: no longer in the workflow.
	if status, _ := val.call("unpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug}); status != http.StatusNotFound {
		t.Errorf("after publishing, unpublishedEntry: %d", status)
	}
}

// Editing an existing page makes a draft whose diff is a modification; the
// Italian file keeps Hugo's name.
func TestEditingAPublishedPage(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	val := c.login(t, "validatore")
	slug := "2026-11-20-nuovo-portale"
	files := []map[string]string{{"slug": slug, "path": "content/notizie/" + slug + ".it.md", "raw": "---\ntitle: Titolo nuovo\n---\n"}}
	val.ok("persistEntry", map[string]any{"branch": "main", "dataFiles": files, "assets": []any{},
		"options": map[string]any{"collectionName": "notizie", "useWorkflow": true, "status": "draft"}})
	u := asMap(t, val.ok("unpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug}))
	d := asMap(t, asList(t, u["diffs"])[0])
	if d["status"] != "modified" || d["newFile"] != false || d["path"] != "content/notizie/"+slug+".it.md" {
		t.Errorf("diff: %v", d)
	}
	if msg := c.git(t, "log", "-1", "--format=%s", "cms/notizie/"+slug); msg != "Modifica notizia «"+slug+"» (bozza)" {
		t.Errorf("message %q", msg)
	}
	val.ok("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug})
	if got := c.read(t, "content/notizie/"+slug+".md"); got != "---\ntitle: Titolo nuovo\n---\n" {
		t.Errorf("page: %q", got)
	}
	if _, err := os.Stat(filepath.Join(c.site, "content/notizie", slug+".it.md")); !errors.Is(err, os.ErrNotExist) {
		t.Error("an .it.md file appeared")
	}
}

// Two drafts of the same page: the second cannot be published over the
// first; nothing is overwritten and the draft stays.
func TestPublishingAConflictIsReported(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	val := c.login(t, "validatore")
	adm := c.login(t, "admin")
	slug := "2026-11-20-nuovo-portale"
	save := func(ed *editor, title string) {
		files := []map[string]string{{"slug": slug, "path": "content/notizie/" + slug + ".it.md", "raw": "---\ntitle: " + title + "\n---\n"}}
		ed.ok("persistEntry", map[string]any{"branch": "main", "dataFiles": files, "assets": []any{},
			"options": map[string]any{"collectionName": "notizie", "useWorkflow": true, "status": "draft"}})
	}
	save(val, "Prima versione")
	val.ok("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug})
	// The second editor started from the old page, before the first published.
	c.git(t, "branch", "cms/notizie/"+slug, "main~1")
	c.git(t, "config", "branch.cms/notizie/"+slug+".cmsstatus", "draft")
	save(adm, "Seconda versione")
	main := c.git(t, "rev-parse", "main")
	status, v := adm.call("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug})
	if status != http.StatusConflict || !strings.Contains(asMap(t, v)["error"].(string), "Nulla è stato sovrascritto") {
		t.Fatalf("conflict: %d %v", status, v)
	}
	if c.git(t, "rev-parse", "main") != main || !strings.Contains(c.read(t, "content/notizie/"+slug+".md"), "Prima versione") {
		t.Error("the conflict changed main")
	}
	if c.git(t, "branch", "--list", "cms/notizie/"+slug) == "" {
		t.Error("the draft was lost")
	}
	if st := c.git(t, "status", "--porcelain"); st != "" {
		t.Errorf("working tree: %s", st)
	}
}

// Media and deletions go straight to main, by the editor, and trigger a build.
func TestMediaAndDeletions(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	adm := c.login(t, "admin")
	m := asMap(t, adm.ok("persistMedia", map[string]any{"branch": "main", "asset": map[string]string{
		"path": "static/media/logo.png", "content": base64.StdEncoding.EncodeToString(pngBytes), "encoding": "base64"},
		"options": map[string]string{"commitMessage": "Upload"}}))
	if m["path"] != "static/media/logo.png" || m["name"] != "logo.png" || m["id"] == "" {
		t.Errorf("persistMedia: %v", m)
	}
	media := asList(t, adm.ok("getMedia", map[string]any{"branch": "main", "mediaFolder": "static/media"}))
	if len(media) != 1 || asMap(t, media[0])["content"] != base64.StdEncoding.EncodeToString(pngBytes) {
		t.Errorf("getMedia: %v", media)
	}
	if f := asMap(t, adm.ok("getMediaFile", map[string]any{"branch": "main", "path": "static/media/logo.png"})); f["name"] != "logo.png" {
		t.Errorf("getMediaFile: %v", f)
	}
	adm.ok("deleteFile", map[string]any{"branch": "main", "path": "static/media/logo.png", "options": map[string]string{"commitMessage": "x"}})
	adm.ok("deleteFiles", map[string]any{"branch": "main", "paths": []string{
		"content/notizie/2026-10-15-sosta-disabili.it.md", "content/notizie/2026-10-15-sosta-disabili.en.md"}, "options": map[string]string{"commitMessage": "x"}})
	for _, p := range []string{"static/media/logo.png", "content/notizie/2026-10-15-sosta-disabili.md", "content/notizie/2026-10-15-sosta-disabili.en.md"} {
		if _, err := os.Stat(filepath.Join(c.site, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there", p)
		}
	}
	log := c.git(t, "log", "--format=%an|%s", "-3")
	want := "Amministratore di prova|Elimina content/notizie/2026-10-15-sosta-disabili.en.md, content/notizie/2026-10-15-sosta-disabili.md\n" +
		"Amministratore di prova|Elimina static/media/logo.png\nAmministratore di prova|Carica il file logo.png"
	if log != want {
		t.Errorf("history:\n%s\nwant:\n%s", log, want)
	}
	if c.pub.calls() != 3 {
		t.Errorf("builds: %d", c.pub.calls())
	}

	// A draft thrown away leaves no branch.
	adm.ok("persistEntry", news("2026-11-26-da-buttare", "Da buttare", "draft"))
	adm.ok("deleteUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-da-buttare"})
	if b := c.git(t, "branch", "--list", "cms/*"); b != "" {
		t.Errorf("branch left: %s", b)
	}
}

func TestMediaLimits(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	adm := c.login(t, "admin")
	upload := func(p string, data []byte) int {
		status, _ := adm.call("persistMedia", map[string]any{"branch": "main", "asset": map[string]string{
			"path": p, "content": base64.StdEncoding.EncodeToString(data), "encoding": "base64"}})
		return status
	}
	big := append(append([]byte{}, pngBytes...), make([]byte, 65<<10)...)
	cases := map[string]struct {
		path string
		data []byte
		want int
	}{
		"too big":             {"static/media/grande.png", big, http.StatusRequestEntityTooLarge},
		"svg can hold script": {"static/media/x.svg", []byte("<svg onload=alert(1)>"), http.StatusUnprocessableEntity},
		"html":                {"static/media/x.html", []byte("<script>"), http.StatusUnprocessableEntity},
		"lying extension":     {"static/media/x.png", []byte("<html><script>alert(1)</script>"), http.StatusUnprocessableEntity},
		"outside media":       {"static/x.png", pngBytes, http.StatusForbidden},
		"subfolder escape":    {"static/media/../../layouts/x.png", pngBytes, http.StatusForbidden},
	}
	for name, tc := range cases {
		if got := upload(tc.path, tc.data); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
	if c.pub.calls() != 0 {
		t.Error("a refused upload started a build")
	}
}

// A failing build is reported to the editor; the change stays recorded.
func TestBuildFailureIsReported(t *testing.T) {
	t.Parallel()
	c := newCMS(t)
	c.pub.fail = errors.New("hugo: template error")
	val := c.login(t, "validatore")
	val.ok("persistEntry", news("2026-11-26-prova", "Prova", "draft"))
	status, v := val.call("publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": "2026-11-26-prova"})
	if status != http.StatusInternalServerError || !strings.Contains(asMap(t, v)["error"].(string), "il sito non è stato aggiornato") {
		t.Errorf("%d %v", status, v)
	}
	entries, err := c.db.CMSActions(context.Background(), 1)
	if err != nil || entries[0].Outcome != "errore_costruzione" {
		t.Errorf("audit: %+v %v", entries, err)
	}
}
