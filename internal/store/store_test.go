package store_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

func TestOpenAppliesEveryMigration(t *testing.T) {
	db := storetest.New(t)
	st := db.Health(context.Background())
	if st.State != "ok" || st.PendingMigration || st.SchemaVersion == 0 || st.SchemaVersion != st.LatestMigration {
		t.Fatalf("health after open = %+v, want ok with all migrations applied", st)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "demo", "yes"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if v, err := db.Setting(ctx, "demo"); err != nil || v != "yes" {
		t.Fatalf("setting after reopen = %q, %v", v, err)
	}
}

func TestSettingNotFound(t *testing.T) {
	_, err := storetest.New(t).Setting(context.Background(), "missing")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestFailedTransactionWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('half', 'x', 'now')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if _, err := db.Setting(ctx, "half"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("half-written row survived a failed transaction: %v", err)
	}
}

func TestConcurrentWritersDoNotFail(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.SetSetting(ctx, "k", string(rune('a'+i%26)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent write failed: %v", err)
		}
	}
}

func TestPathsWithURICharactersOpenTheirOwnFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := store.Open(ctx, filepath.Join(dir, "a#1?x=y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, filepath.Join(dir, "a#2.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.SetSetting(ctx, "who", "a")
	if _, err := b.Setting(ctx, "who"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("two paths that differ after '#' share one database")
	}
	if _, err := os.Stat(filepath.Join(dir, "a#1?x=y.db")); err != nil {
		t.Errorf("the database is not at its path: %v", err)
	}
}
