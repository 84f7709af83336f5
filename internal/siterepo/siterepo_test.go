package siterepo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
)

// What changed since a commit: files committed after it (added, modified,
// deleted, renamed) and files not committed yet, without the ignored ones.
func TestChangesSince(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "site")
	r, err := Init(ctx, dir, fstest.MapFS{
		"hugo.toml":                {Data: []byte("title = 'x'\n")},
		"content/notizie/a.md":     {Data: []byte("a\n")},
		"content/notizie/b.md":     {Data: []byte("b\n")},
		"content/notizie/c.md":     {Data: []byte("c\n")},
		VendorDir + "/x.css":       {Data: []byte("x\n")},
		"content/notizie/d e f.md": {Data: []byte("d\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	base, err := r.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changes, err := r.ChangesSince(ctx, base); err != nil || len(changes) != 0 {
		t.Fatalf("no change: %v %v", changes, err)
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("content/notizie/a.md", "a, cambiata\n")
	write("content/notizie/nuova.md", "nuova\n")
	os.Remove(filepath.Join(dir, "content/notizie/b.md"))
	os.Rename(filepath.Join(dir, "content/notizie/c.md"), filepath.Join(dir, "content/notizie/c2.md"))
	if err := r.Commit(ctx, System, "modifiche"); err != nil {
		t.Fatal(err)
	}
	write("content/notizie/d e f.md", "d, non ancora registrata\n")
	write("content/notizie/bozza.md", "non ancora registrata\n")
	if err := os.MkdirAll(filepath.Join(dir, VendorDir), 0o755); err != nil {
		t.Fatal(err)
	}
	write(VendorDir+"/y.css", "ignorato\n")

	changes, err := r.ChangesSince(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(changes, func(a, b Change) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	want := []Change{
		{"content/notizie/a.md", 'M'}, {"content/notizie/b.md", 'D'}, {"content/notizie/bozza.md", 'A'},
		{"content/notizie/c.md", 'D'}, {"content/notizie/c2.md", 'A'}, {"content/notizie/d e f.md", 'M'},
		{"content/notizie/nuova.md", 'A'},
	}
	if !slices.Equal(changes, want) {
		t.Errorf("changes:\n%q\nwant\n%q", changes, want)
	}
	if _, err := r.ChangesSince(ctx, "0123456789012345678901234567890123456789"); err == nil {
		t.Errorf("an unknown commit gave no error")
	}
}
