package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// servedDigest is the digest a deploy serves at path.
func servedDigest(t *testing.T, s *Store, d Deploy, path string) string {
	t.Helper()
	m, err := s.readManifest(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Files[path].Digest
}

// A deploy made with the stat cache holds what one without it holds; the
// next deploy reads again only the files whose size or modification time
// changed, and stores again a blob that Prune (or anyone) removed.
func TestCreateCachedReadsOnlyChangedFiles(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	src := writeSite(t, map[string]string{"index.html": "<h1>Casa</h1>", "notizie/a/index.html": "<h1>Notizia A</h1>", "css/main.css": "body{}"})
	old := time.Now().Add(-time.Hour)
	touch := func(rel string, at time.Time) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(src, filepath.FromSlash(rel)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{"index.html", "notizie/a/index.html", "css/main.css"} {
		touch(rel, old)
	}
	cache := NewStatCache()
	d1, err := s.CreateCached(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.Create(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := s.readManifest(d1.ID)
	m2, _ := s.readManifest(plain.ID)
	for p, e := range m2.Files {
		if m1.Files[p] != e {
			t.Errorf("%s: cached %+v, plain %+v", p, m1.Files[p], e)
		}
	}

	// An edited page (new modification time) is read again.
	write := func(rel, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(src, filepath.FromSlash(rel)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("notizie/a/index.html", "<h1>Notizia B</h1>")
	touch("notizie/a/index.html", old.Add(time.Minute))
	d2, err := s.CreateCached(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := servedDigest(t, s, d2, "notizie/a/index.html"); got != digestOf("<h1>Notizia B</h1>") {
		t.Errorf("the edited page was not read again")
	}

	// The cache trusts size and modification time: content swapped behind
	// them is not read (this is what makes a deploy cheap).
	write("index.html", "<h1>Cosa</h1>")
	touch("index.html", old)
	d3, err := s.CreateCached(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := servedDigest(t, s, d3, "index.html"); got != digestOf("<h1>Casa</h1>") {
		t.Errorf("an unchanged file (same size and time) was read again")
	}

	// A blob gone from the store is stored again.
	if err := os.Remove(s.blobPath(digestOf("body{}"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCached(ctx, src, cache); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.blobPath(digestOf("body{}"))); err != nil {
		t.Errorf("the removed blob was not stored again: %v", err)
	}
}

// A file modified just before a deploy is not remembered: within the file
// system's timestamp granularity a second change could keep its size and
// time, so the next deploy reads it again.
func TestCreateCachedDoesNotTrustFreshFiles(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	src := writeSite(t, map[string]string{"index.html": "<h1>Casa</h1>"})
	p := filepath.Join(src, "index.html")
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	cache := NewStatCache()
	if _, err := s.CreateCached(ctx, src, cache); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("<h1>Cosa</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	d, err := s.CreateCached(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got := servedDigest(t, s, d, "index.html"); got != digestOf("<h1>Cosa</h1>") {
		t.Errorf("a file changed within the racy margin kept its old content")
	}
}

// A quick deploy serves a new page at once, uncompressed; the next cached
// deploy of the same folder makes its variants, and then serves them, though
// the page's file did not change in between.
func TestCreateQuickLeavesVariantsToTheNextDeploy(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	page := "<h1>Notizia</h1>" + strings.Repeat("<p>Una riga che si ripete.</p>\n", 200)
	src := writeSite(t, map[string]string{"notizie/a/index.html": page})
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(src, "notizie", "a", "index.html"), old, old); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{})
	serve := func(id string) response {
		t.Helper()
		if err := s.Publish(id); err != nil {
			t.Fatal(err)
		}
		if err := srv.Reload(); err != nil {
			t.Fatal(err)
		}
		return get(t, srv, "GET", "/notizie/a/", "Accept-Encoding", "gzip")
	}

	cache := NewStatCache()
	quick, err := s.CreateQuick(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	if r := serve(quick.ID); r.status != 200 || r.body != page || r.header.Get("Content-Encoding") != "" {
		t.Fatalf("quick deploy: %d, encoding %q, body as written: %v", r.status, r.header.Get("Content-Encoding"), r.body == page)
	}
	full, err := s.CreateCached(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	r := serve(full.ID)
	if r.status != 200 || r.header.Get("Content-Encoding") != "gzip" || len(r.body) >= len(page) {
		t.Fatalf("the deploy after: %d, encoding %q, %d bytes for a page of %d", r.status, r.header.Get("Content-Encoding"), len(r.body), len(page))
	}
	// A quick deploy after that uses the variants that exist.
	again, err := s.CreateQuick(ctx, src, cache)
	if err != nil {
		t.Fatal(err)
	}
	if r := serve(again.ID); r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("a quick deploy lost the variants already made: encoding %q", r.header.Get("Content-Encoding"))
	}
}
