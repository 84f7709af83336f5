package schedule

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

func TestNextBoundary(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"ordinanze/a.md":     "---\ntitle: A\npublishDate: '2026-08-21T00:00:00+02:00'\nexpiryDate: '2026-12-31T23:59:59+01:00'\n---\ntext\n",
		"ordinanze/b.md":     "---\ntitle: B\ndate: 2026-12-01\n---\n",
		"notizie/c.md":       "---\ntitle: C\nparams:\n  expiryDate: 2026-11-27\n---\n",
		"notizie/d.md":       "---\ntitle: D\n---\nexpiryDate: 2026-11-27\n",
		"notizie/e.en.md":    "---\ntitle: E\nexpiryDate: \"2026-12-01T08:30:00+01:00\"\n---\n",
		"notizie/readme.txt": "expiryDate: 2026-11-27\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, civil.Rome)
	// b's date: midnight of 1 December in Rome comes before e's 8:30; the
	// nested key (c), the body (d) and non-Markdown files do not count.
	got, ok, err := NextBoundary(dir, now)
	want := time.Date(2026, 12, 1, 0, 0, 0, 0, civil.Rome)
	if err != nil || !ok || !got.Equal(want) {
		t.Fatalf("next = %v %v %v, want %v", got, ok, err, want)
	}
	got, ok, _ = NextBoundary(dir, want)
	if !ok || !got.Equal(time.Date(2026, 12, 1, 8, 30, 0, 0, civil.Rome)) {
		t.Errorf("after 1 December: %v %v", got, ok)
	}
	if _, ok, _ := NextBoundary(dir, time.Date(2027, 1, 1, 0, 0, 0, 0, civil.Rome)); ok {
		t.Errorf("a boundary after every date")
	}
}
