// Package storetest gives each test a fresh database of its own.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/comune-torino/portale/internal/store"
)

// New opens a new SQLite database in the test's temporary directory, with
// every migration applied, and closes it when the test ends.
func New(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
