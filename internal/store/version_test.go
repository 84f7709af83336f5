package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

func TestVersionChangesOnEveryCommitFromAnyConnection(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	version := func(db *store.DB) store.Generation {
		t.Helper()
		v, err := db.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version(db)
	if _, err := db.Setting(ctx, "nulla"); err == nil {
		t.Fatal("an unset setting was found")
	}
	if v := version(db); v != v0 {
		t.Fatalf("a read changed the version: %d → %d", v0, v)
	}
	if err := db.SetSetting(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	v1 := version(db)
	if v1 == v0 {
		t.Fatal("a commit of this process left the version unchanged")
	}
	// Another process writing the same file (a `portale import` beside
	// `portale serve`) is seen too.
	other, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetSetting(ctx, "b", "2"); err != nil {
		t.Fatal(err)
	}
	// Another process's commits are seen within the polling interval.
	time.Sleep(60 * time.Millisecond)
	if v := version(db); v == v1 {
		t.Fatal("a commit through another connection left the version unchanged")
	}
}

func TestMemoAnswersOnlyAtItsGeneration(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g1, _ := db.Version(ctx)
	if err := db.SetSetting(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	g2, _ := db.Version(ctx)
	var m store.Memo[string, int]
	m.Max = 4
	m.Put("a", g1, 10)
	if v, ok := m.Get("a", g1); !ok || v != 10 {
		t.Fatalf("Get(a, g1) = %d, %v; want 10, true", v, ok)
	}
	if _, ok := m.Get("a", g2); ok {
		t.Fatal("a value from generation 1 was answered at generation 2")
	}
	for i, k := range []string{"b", "c", "d", "e", "f"} {
		m.Put(k, g1, i)
	}
	n := 0
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		if _, ok := m.Get(k, g1); ok {
			n++
		}
	}
	if n > 4 {
		t.Fatalf("%d entries kept, more than Max 4", n)
	}
	if _, ok := m.Get("f", g1); !ok {
		t.Fatal("the newest entry was dropped")
	}
	m.Forget("f")
	if _, ok := m.Get("f", g1); ok {
		t.Fatal("a forgotten entry was answered")
	}
}
