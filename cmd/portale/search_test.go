package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A new search index replaces the old one file for file: what did not
// change stays untouched (the deploy does not read it again), what changed
// or is new comes in, and what the new index lacks goes.
func TestReplaceIndexKeepsWhatDidNotChange(t *testing.T) {
	cur, next := t.TempDir(), t.TempDir()
	write := func(dir, name, text string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(cur, "pagefind-entry.json", `{"page_count":1}`)
	write(cur, "fragment/a.pf_fragment", "a")
	write(cur, "fragment/gone.pf_fragment", "gone")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(cur, "fragment", "a.pf_fragment"), old, old); err != nil {
		t.Fatal(err)
	}
	write(next, "pagefind-entry.json", `{"page_count":2}`)
	write(next, "fragment/a.pf_fragment", "a")
	write(next, "fragment/b.pf_fragment", "b")

	if err := replaceIndex(next, cur); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"pagefind-entry.json": `{"page_count":2}`, "fragment/a.pf_fragment": "a", "fragment/b.pf_fragment": "b"} {
		if got, err := os.ReadFile(filepath.Join(cur, filepath.FromSlash(name))); err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(cur, "fragment", "gone.pf_fragment")); !os.IsNotExist(err) {
		t.Errorf("a fragment the new index lacks is still there: %v", err)
	}
	if info, err := os.Stat(filepath.Join(cur, "fragment", "a.pf_fragment")); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("an unchanged fragment was written again: %v %v", info.ModTime(), err)
	}
}
