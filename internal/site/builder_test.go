package site

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// repoRoot is the portal's repository, a Hugo site with the real theme.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// testSite copies the portal's site (configuration, content, layouts, theme)
// into a temporary folder and adds n generated news pages.
func testSite(t *testing.T, n int) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "site")
	root := repoRoot(t)
	copyFile(t, filepath.Join(root, "hugo.toml"), filepath.Join(src, "hugo.toml"))
	for _, name := range []string{"content", "layouts", "themes"} {
		if err := os.CopyFS(filepath.Join(src, name), os.DirFS(filepath.Join(root, name))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		writeNews(t, src, fmt.Sprintf("gen-%d", i), fmt.Sprintf("Notizia generata %d", i), fmt.Sprintf("2026-01-%02d", i%28+1),
			fmt.Sprintf("Testo della notizia %d: **parole** in grassetto e un [collegamento](/notizie/).", i))
	}
	return src
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeNews(t *testing.T, src, slug, title, date, body string) {
	t.Helper()
	page := fmt.Sprintf("---\ntitle: %q\ndate: %s\ndescription: \"Una notizia per la prova della costruzione incrementale.\"\n---\n\n%s\n", title, date, body)
	if err := os.WriteFile(filepath.Join(src, "content", "notizie", slug+".md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffDirs lists every difference between the files under a and b: a file
// only in one of them, or with different bytes. Nothing is ignored.
func diffDirs(a, b string) ([]string, error) {
	read := func(root string) (map[string][]byte, error) {
		files := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files[filepath.ToSlash(rel)], err = os.ReadFile(p)
			return err
		})
		return files, err
	}
	fa, err := read(a)
	if err != nil {
		return nil, err
	}
	fb, err := read(b)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for p, data := range fa {
		other, ok := fb[p]
		switch {
		case !ok:
			diffs = append(diffs, "only in the rebuilt site (stale): "+p)
		case !bytes.Equal(data, other):
			diffs = append(diffs, "different: "+p)
		}
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			diffs = append(diffs, "missing from the rebuilt site: "+p)
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

// sameAsFullBuild fails the test unless dst holds exactly what a fresh
// one-shot build of src (as the stock hugo command makes) holds.
func sameAsFullBuild(t *testing.T, src, dst string) {
	t.Helper()
	ref := filepath.Join(t.TempDir(), "ref")
	if _, err := Build(context.Background(), Options{Source: src, Dest: ref}); err != nil {
		t.Fatal(err)
	}
	diffs, err := diffDirs(dst, ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		if len(diffs) > 20 {
			diffs = append(diffs[:20], fmt.Sprintf("… and %d more", len(diffs)-20))
		}
		t.Errorf("the rebuilt site differs from a full build:\n%s", strings.Join(diffs, "\n"))
	}
}

func readOut(t *testing.T, dst, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// A CMS publish changes a news page and adds another: the partial rebuild
// leaves the output byte for byte as a full build of the same tree would,
// lists, home page, feeds, sitemap and search index included; a deletion
// and a layout change are rebuilt in full, with the same outcome.
func TestRebuildMatchesAFullBuild(t *testing.T) {
	ctx := context.Background()
	src := testSite(t, 200)
	dst := filepath.Join(t.TempDir(), "public")
	b, err := NewBuilder(Options{Source: src, Dest: dst})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	res, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Incremental || res.Pages < 200 {
		t.Fatalf("first build: %+v", res)
	}

	// One page edited (title and body), one added, dated so that it leads
	// the news list and the home page.
	writeNews(t, src, "gen-7", "Titolo cambiato dal validatore", "2026-01-08", "Un testo tutto nuovo.")
	writeNews(t, src, "nuova-dal-cms", "Notizia nuova dal CMS", "2026-11-25", "La notizia appena pubblicata.")
	res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-7.md", Op: Modified}, {Path: "content/notizie/nuova-dal-cms.md", Op: Added}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Incremental || !res.Scoped {
		t.Errorf("an edit and an addition: incremental %v, scoped %v, full because %q", res.Incremental, res.Scoped, res.FullReason)
	}
	if page := readOut(t, dst, "notizie/nuova-dal-cms/index.html"); !strings.Contains(page, "Notizia nuova dal CMS") {
		t.Errorf("the new page lacks its title")
	}
	if page := readOut(t, dst, "notizie/gen-7/index.html"); !strings.Contains(page, "Titolo cambiato dal validatore") ||
		!strings.Contains(page, "Un testo tutto nuovo.") || strings.Contains(page, "Notizia generata 7<") {
		t.Errorf("the edited page still shows the old title or body")
	}
	if home := readOut(t, dst, "index.html"); !strings.Contains(home, "Notizia nuova dal CMS") {
		t.Errorf("the home page does not list the new page")
	}
	sameAsFullBuild(t, src, dst)

	// A second edit in a row, of the page added just before.
	writeNews(t, src, "nuova-dal-cms", "Notizia nuova, corretta", "2026-11-25", "Testo corretto.")
	if res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/nuova-dal-cms.md", Op: Modified}}); err != nil || !res.Incremental {
		t.Fatalf("second edit: %+v %v", res, err)
	}
	sameAsFullBuild(t, src, dst)

	// A deletion: Hugo would leave the page's files behind, so it is a
	// full rebuild, and the page is gone.
	if err := os.Remove(filepath.Join(src, "content", "notizie", "gen-9.md")); err != nil {
		t.Fatal(err)
	}
	res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-9.md", Op: Deleted}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incremental || !strings.Contains(res.FullReason, "deleted") {
		t.Errorf("a deletion: incremental %v, reason %q", res.Incremental, res.FullReason)
	}
	if _, err := os.Stat(filepath.Join(dst, "notizie", "gen-9")); err == nil {
		t.Errorf("the deleted page is still in the output")
	}
	sameAsFullBuild(t, src, dst)

	// A layout change: a full rebuild, which shows it on every page.
	footer := filepath.Join(src, "themes", "portale", "layouts", "partials", "footer.html")
	data, err := os.ReadFile(footer)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(footer, append(data, []byte("<p>Piè di pagina cambiato</p>\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = b.Rebuild(ctx, []Change{{Path: "themes/portale/layouts/partials/footer.html", Op: Modified}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incremental || !strings.Contains(res.FullReason, "outside content/") {
		t.Errorf("a layout change: incremental %v, reason %q", res.Incremental, res.FullReason)
	}
	if page := readOut(t, dst, "notizie/gen-7/index.html"); !strings.Contains(page, "Piè di pagina cambiato") {
		t.Errorf("the layout change is not on the pages")
	}
	sameAsFullBuild(t, src, dst)

	// After the full rebuild, partial ones resume.
	writeNews(t, src, "gen-8", "Ancora un titolo nuovo", "2026-01-09", "Altro testo.")
	if res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-8.md", Op: Modified}}); err != nil || !res.Incremental {
		t.Fatalf("edit after a full rebuild: %+v %v", res, err)
	}
	sameAsFullBuild(t, src, dst)
}

// The comparison the test above relies on sees a stale file, a missing file
// and a changed byte.
func TestDiffDirsSeesEveryDifference(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		copyFile(t, filepath.Join(repoRoot(t), "hugo.toml"), filepath.Join(dir, "index.html"))
	}
	if diffs, err := diffDirs(a, b); err != nil || len(diffs) != 0 {
		t.Fatalf("equal folders: %v %v", diffs, err)
	}
	os.MkdirAll(filepath.Join(a, "vecchia"), 0o755)
	os.WriteFile(filepath.Join(a, "vecchia", "index.html"), []byte("x"), 0o644)
	os.MkdirAll(filepath.Join(b, "nuova"), 0o755)
	os.WriteFile(filepath.Join(b, "nuova", "index.html"), []byte("y"), 0o644)
	os.WriteFile(filepath.Join(b, "index.html"), []byte("z"), 0o644)
	diffs, err := diffDirs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"different: index.html", "missing from the rebuilt site: nuova/index.html", "only in the rebuilt site (stale): vecchia/index.html"}
	if !slices.Equal(diffs, want) {
		t.Errorf("diffs: %q, want %q", diffs, want)
	}
}

// Two Builders may not share a destination: the second is told it is busy,
// and may have it once the first is closed.
func TestBuilderLocksItsDestination(t *testing.T) {
	opts := Options{Source: t.TempDir(), Dest: filepath.Join(t.TempDir(), "public")}
	b, err := NewBuilder(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewBuilder(opts); !errors.Is(err, ErrBusy) {
		t.Errorf("second builder: %v", err)
	}
	b.Close()
	b2, err := NewBuilder(opts)
	if err != nil {
		t.Fatal(err)
	}
	b2.Close()
}

// A build that fails (a broken template) publishes nothing new and leaves the
// Builder to start afresh: the next build is a full one.
func TestRebuildAfterAFailedBuildIsFull(t *testing.T) {
	ctx := context.Background()
	src, b, _ := builtSite(t, 5)
	writeNews(t, src, "gen-1", "Rotta {{< nessuno >}}", "2026-01-02", "{{< shortcode-che-non-esiste >}}")
	if _, err := b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-1.md", Op: Modified}}); err == nil {
		t.Fatal("a page using a missing shortcode built")
	}
	writeNews(t, src, "gen-1", "Riparata", "2026-01-02", "Testo.")
	res, err := b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-1.md", Op: Modified}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incremental {
		t.Errorf("the build after a failure was partial")
	}
	sameAsFullBuild(t, src, b.Dest())
}

// builtSite makes a test site with n news pages and a Builder that has built
// it in full, closed when the test ends.
func builtSite(t *testing.T, n int) (src string, b *Builder, full Result) {
	t.Helper()
	src = testSite(t, n)
	b, err := NewBuilder(Options{Source: src, Dest: filepath.Join(t.TempDir(), "public")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if full, err = b.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	return src, b, full
}

// writtenSince lists the files under dst written at or after t.
func writtenSince(t *testing.T, dst string, since time.Time) map[string]bool {
	t.Helper()
	written := map[string]bool{}
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.ModTime().Before(since) {
			rel, _ := filepath.Rel(dst, p)
			written[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return written
}

func writeFile(t *testing.T, src, rel, text string) {
	t.Helper()
	p := filepath.Join(src, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A publish of a news item renders the item and what lists it (the news
// pages, the home page, the topic pages, the sitemap), not the other news
// items nor the rest of the site, and the output is still byte for byte a
// full build's.
func TestScopedRebuildRendersOnlyWhatShowsThePage(t *testing.T) {
	ctx := context.Background()
	src, b, full := builtSite(t, 300)

	since := time.Now()
	time.Sleep(10 * time.Millisecond) // a coarse file clock must not count the full build
	writeNews(t, src, "gen-7", "Titolo corretto dal validatore", "2026-01-08", "Testo corretto.")
	res, err := b.Rebuild(ctx, []Change{{Path: "content/notizie/gen-7.md", Op: Modified}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Incremental || !res.Scoped {
		t.Fatalf("an edit of a news item: %+v", res)
	}
	written := writtenSince(t, b.Dest(), since)
	for _, want := range []string{"notizie/gen-7/index.html", "notizie/index.html", "index.html", "it/sitemap.xml", "search-index.json", "en/index.html"} {
		if !written[want] {
			t.Errorf("%s was not rendered again", want)
		}
	}
	for _, stale := range []string{"notizie/gen-8/index.html", "servizi/index.html", "contatti/index.html"} {
		if written[stale] {
			t.Errorf("%s was rendered, though it does not show the news item", stale)
		}
	}
	for f := range written {
		if strings.HasPrefix(f, "notizie/gen-") && f != "notizie/gen-7/index.html" {
			t.Errorf("%s was rendered, though it is another news item", f)
		}
	}
	// The news pages' pagers (25 here) and the topic pages make most of it.
	if len(written) > full.Files/5 {
		t.Errorf("%d of %d files were written for one news item: %v", len(written), full.Files, slices.Sorted(maps.Keys(written)))
	}
	sameAsFullBuild(t, src, b.Dest())

	// A new item with a topic, and its English translation in a second
	// publish: the Italian page gains its language link.
	writeFile(t, src, "content/notizie/con-argomento.md", "---\ntitle: \"Notizia con argomento\"\ndate: 2026-11-20\nargomenti: [\"sicurezza-stradale\"]\n---\n\nTesto.\n")
	if res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/con-argomento.md", Op: Added}}); err != nil || !res.Scoped {
		t.Fatalf("a new item with a topic: %+v %v", res, err)
	}
	sameAsFullBuild(t, src, b.Dest())
	writeFile(t, src, "content/notizie/con-argomento.en.md", "---\ntitle: \"News with a topic\"\ndate: 2026-11-20\n---\n\nText.\n")
	if res, err = b.Rebuild(ctx, []Change{{Path: "content/notizie/con-argomento.en.md", Op: Added}}); err != nil || !res.Scoped {
		t.Fatalf("its translation: %+v %v", res, err)
	}
	sameAsFullBuild(t, src, b.Dest())
}

// What a scope cannot cover is rebuilt otherwise, with the same output as a
// full build: a page with aliases, a page whose address changes, a page
// suspended (its files must go), a page of a section other templates reach
// (services), a section's own page. A suspended news item published again
// is a new page: scoped.
func TestScopedRebuildFallsBack(t *testing.T) {
	ctx := context.Background()
	src, b, _ := builtSite(t, 20)
	cases := []struct {
		name, file, text string
		op               Op
		full             string // the full build's reason, or "" for an unscoped partial one
	}{
		{"aliases", "content/notizie/con-alias.md", "---\ntitle: \"Con alias\"\ndate: 2026-11-20\naliases: [\"/vecchia-notizia/\"]\n---\n\nTesto.\n", Added, "aliases"},
		{"a suspended news item", "content/notizie/gen-5.md", "---\ntitle: \"Sospesa\"\ndate: 2026-01-06\ndraft: true\n---\n\nTesto.\n", Modified, "no longer published"},
		{"the suspended item back", "content/notizie/gen-5.md", "---\ntitle: \"Di nuovo online\"\ndate: 2026-01-06\n---\n\nTesto.\n", Modified, ""},
		{"a suspended service", "content/servizi/pagare-una-multa.md", "draft", Modified, "no longer published"},
		{"a new address", "content/notizie/gen-3.md", "---\ntitle: \"Spostata\"\ndate: 2026-01-04\nslug: spostata\n---\n\nTesto.\n", Modified, "address"},
		{"a menu entry", "content/notizie/gen-4.md", "---\ntitle: \"Nel menu\"\ndate: 2026-01-05\nmenu: main\n---\n\nTesto.\n", Modified, "menu"},
		{"a service", "content/servizi/copia-atti-e-verbali.md", "", Modified, ""},
		{"a section", "content/notizie/_index.md", "", Modified, ""},
	}
	for _, c := range cases {
		text := c.text
		if text == "" || text == "draft" {
			data, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			if text == "draft" {
				text = strings.Replace(string(data), "---\n", "---\ndraft: true\n", 1)
			} else {
				text = strings.Replace(string(data), "\n---\n", "\n---\n\nUna riga aggiunta dal redattore.\n", 1)
			}
		}
		writeFile(t, src, c.file, text)
		res, err := b.Rebuild(ctx, []Change{{Path: c.file, Op: c.op}})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		switch {
		case res.Scoped && c.name != "the suspended item back":
			t.Errorf("%s: rebuilt in a scope", c.name)
		case c.full != "" && (res.Incremental || !strings.Contains(res.FullReason, c.full)):
			t.Errorf("%s: incremental %v, reason %q, want a full build for %q", c.name, res.Incremental, res.FullReason, c.full)
		case c.full == "" && !res.Incremental:
			t.Errorf("%s: a full build (%s), want a partial rebuild", c.name, res.FullReason)
		}
		sameAsFullBuild(t, src, b.Dest())
	}
}

func TestPagePath(t *testing.T) {
	langs := []string{"it", "en"}
	for file, want := range map[string]string{
		"content/notizie/x.md":          "/notizie/x",
		"content/notizie/x.en.md":       "/notizie/x",
		"content/notizie/Y/index.md":    "/notizie/y",
		"content/notizie/y/index.en.md": "/notizie/y",
		"content/notizie/_index.md":     "",
		"content/notizie/x/foto.jpg":    "",
		"layouts/index.html":            "",
		"content/notizie/x.y.md":        "",
	} {
		got, ok := pagePath(file, langs)
		if got != want || ok != (want != "") {
			t.Errorf("pagePath(%q) = %q, %v; want %q", file, got, ok, want)
		}
	}
}

// A site that pagefind indexes gets a light search-index.json (titles and
// descriptions, no page text); without pagefind it carries the text.
func TestSearchIndexFollowsTheSearchEngine(t *testing.T) {
	src := testSite(t, 2)
	for _, c := range []struct {
		params   map[string]string
		withText bool
	}{{nil, true}, {map[string]string{"searchEngine": "pagefind"}, false}} {
		dst := filepath.Join(t.TempDir(), "public")
		if _, err := Build(context.Background(), Options{Source: src, Dest: dst, Params: c.params}); err != nil {
			t.Fatal(err)
		}
		index := readOut(t, dst, "search-index.json")
		if !strings.Contains(index, `"t":"Notizia generata 1"`) {
			t.Errorf("%v: the index lacks a page's title", c.params)
		}
		if got := strings.Contains(index, "Testo della notizia 1"); got != c.withText {
			t.Errorf("%v: the index has the pages' text: %v, want %v", c.params, got, c.withText)
		}
	}
}
