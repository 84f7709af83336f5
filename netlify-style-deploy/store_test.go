package deploy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func countBlobs(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(s.Dir(), "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(d.Name(), ".") {
			n++
		}
		return err
	})
	return n
}

func TestCreateStoresEachContentOnce(t *testing.T) {
	s := openStore(t)
	page := strings.Repeat("<p>Contravvenzioni</p>\n", 50)
	d1 := mustCreate(t, s, map[string]string{
		"index.html":    page,
		"copy.html":     page,
		"css/site.css":  "body{color:#333}",
		"_redirects":    "/old /new 301\n",
		".well-known/x": "kept",
	})
	if d1.Files != 5 {
		t.Errorf("Files = %d, want 5", d1.Files)
	}
	wantBytes := int64(2*len(page) + len("body{color:#333}") + len("/old /new 301\n") + len("kept"))
	if d1.Bytes != wantBytes {
		t.Errorf("Bytes = %d, want %d", d1.Bytes, wantBytes)
	}
	if got := countBlobs(t, s); got != 4 {
		t.Errorf("blobs after first deploy = %d, want 4 (two identical pages share one)", got)
	}
	// A second deploy where one page changed stores one new blob.
	d2 := mustCreate(t, s, map[string]string{
		"index.html":    page + "<p>nuovo</p>",
		"copy.html":     page,
		"css/site.css":  "body{color:#333}",
		"_redirects":    "/old /new 301\n",
		".well-known/x": "kept",
	})
	if got := countBlobs(t, s); got != 5 {
		t.Errorf("blobs after second deploy = %d, want 5", got)
	}
	if d1.ID >= d2.ID {
		t.Errorf("ids do not sort by time: %s then %s", d1.ID, d2.ID)
	}
	for _, suffix := range []string{".gz", ".br"} {
		if _, err := os.Stat(s.blobPath(mustDigest(t, s, d1.ID, "index.html")) + suffix); err != nil {
			t.Errorf("no %s variant for a compressible page: %v", suffix, err)
		}
	}
}

func mustDigest(t *testing.T, s *Store, id, name string) string {
	t.Helper()
	m, err := s.readManifest(id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Files[name].Digest
}

func TestCreateRejects(t *testing.T) {
	s := openStore(t)
	tests := map[string]struct {
		files map[string]string
		want  string
	}{
		"empty directory":   {map[string]string{}, "holds no files"},
		"bad _redirects":    {map[string]string{"index.html": "x", "_redirects": "# ok\n/only-source\n"}, "_redirects:2"},
		"bad _headers":      {map[string]string{"index.html": "x", "_headers": "X-Frame-Options: DENY\n"}, "_headers:1"},
		"bad netlify.toml":  {map[string]string{"index.html": "x", "netlify.toml": "[[redirects]]\nfrom = \"/a\"\nto = \n"}, "netlify.toml:3"},
		"unknown condition": {map[string]string{"index.html": "x", "_redirects": "/ /anz 302 Country=au\n"}, "Country"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := s.Create(context.Background(), writeSite(t, tt.files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if list, _ := s.List(); len(list) != 0 {
		t.Errorf("failed creates left %d deploys", len(list))
	}
	if _, err := s.Create(context.Background(), filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Create of a missing directory succeeded")
	}
}

func TestCreateHonoursCancel(t *testing.T) {
	s := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Create(ctx, writeSite(t, map[string]string{"a.html": "a", "b.html": "b"})); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPublishLiveListRollback(t *testing.T) {
	s := openStore(t)
	if _, err := s.Live(); !errors.Is(err, ErrNoLiveDeploy) {
		t.Fatalf("Live on an empty store: err = %v, want ErrNoLiveDeploy", err)
	}
	d1 := mustCreate(t, s, map[string]string{"index.html": "uno"})
	d2 := mustCreate(t, s, map[string]string{"index.html": "due"})
	if _, err := s.Live(); !errors.Is(err, ErrNoLiveDeploy) {
		t.Fatalf("Create published a deploy: err = %v", err)
	}
	for _, id := range []string{d2.ID, d1.ID} {
		if err := s.Publish(id); err != nil {
			t.Fatal(err)
		}
		live, err := s.Live()
		if err != nil || live.ID != id || !live.Live {
			t.Fatalf("Live = %+v, %v; want %s", live, err, id)
		}
	}
	if err := s.PublishPreview("ztl-centro", d2.ID); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != d2.ID || list[1].ID != d1.ID {
		t.Fatalf("List = %+v, want newest first", list)
	}
	if list[0].Live || !list[1].Live || list[0].Preview != "ztl-centro" {
		t.Errorf("markers wrong: %+v", list)
	}

	for _, tt := range []struct{ name, id, want string }{
		{"unknown id", "20200101T000000000000-abcdef", "not found"},
		{"not an id", "../../etc/passwd", "not a deploy id"},
	} {
		if err := s.Publish(tt.id); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Publish err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := s.PublishPreview("Bad/Name", d1.ID); err == nil {
		t.Error("PublishPreview accepted an invalid name")
	}
	if err := s.RemovePreview("ztl-centro"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePreview("ztl-centro"); !errors.Is(err, ErrPreviewNotFound) {
		t.Errorf("second RemovePreview err = %v", err)
	}
}

func TestPrune(t *testing.T) {
	s := openStore(t)
	shared := strings.Repeat("condiviso ", 100)
	old := mustCreate(t, s, map[string]string{"index.html": "vecchio", "shared.txt": shared})
	preview := mustCreate(t, s, map[string]string{"index.html": "anteprima", "shared.txt": shared})
	live := mustCreate(t, s, map[string]string{"index.html": "pubblicato", "shared.txt": shared})
	newest := mustCreate(t, s, map[string]string{"index.html": "nuovissimo", "shared.txt": shared})
	if err := s.Publish(live.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishPreview("bozza", preview.ID); err != nil {
		t.Fatal(err)
	}
	res, err := s.Prune(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deploys) != 1 || res.Deploys[0] != old.ID {
		t.Fatalf("pruned %v, want only %s", res.Deploys, old.ID)
	}
	if res.Blobs != 1 || res.Bytes != int64(len("vecchio")) {
		t.Errorf("removed %d blobs, %d bytes; want 1 blob of %d bytes", res.Blobs, res.Bytes, len("vecchio"))
	}
	list, _ := s.List()
	var ids []string
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	if want := []string{newest.ID, live.ID, preview.ID}; strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("left %v, want %v", ids, want)
	}
	// Everything kept still serves.
	srv := NewServer(s, ServerOptions{})
	if r := get(t, srv, "GET", "/"); r.body != "pubblicato" {
		t.Errorf("live after prune = %q", r.body)
	}
	if r := get(t, srv, "GET", "/_preview/bozza/shared.txt"); r.body != shared {
		t.Errorf("preview after prune = %q", r.body)
	}
	res, err = s.Prune(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deploys) != 1 || res.Deploys[0] != newest.ID {
		t.Errorf("Prune(0) removed %v, want only the unpublished newest", res.Deploys)
	}
}

func TestPreviewName(t *testing.T) {
	tests := map[string]string{
		"cms/posts/nuova-ZTL":    "cms-posts-nuova-ztl",
		"  feature__x  ":         "feature-x",
		"già pronto":             "gi-pronto",
		strings.Repeat("a", 100): strings.Repeat("a", 63),
	}
	for in, want := range tests {
		got := PreviewName(in)
		if got != want {
			t.Errorf("PreviewName(%q) = %q, want %q", in, got, want)
		}
		if checkPreviewName(got) != nil {
			t.Errorf("PreviewName(%q) = %q is not valid", in, got)
		}
	}
}
