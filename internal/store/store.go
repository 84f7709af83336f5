// Package store is the portal's persistence: an embedded SQLite database by
// default (modernc.org/sqlite, no cgo), with numbered SQL migrations applied at
// open. Packages that need storage declare the interface they use and this
// package implements it, so a PostgreSQL implementation can arrive later
// without touching handlers.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open database: one connection that writes, a pool that reads.
// SQLite allows one writer at a time; funnelling writes through a single
// connection turns lock contention into an orderly queue instead of
// SQLITE_BUSY errors, while WAL lets readers proceed alongside.
type DB struct {
	Path  string
	write *sql.DB
	read  *sql.DB
	stmts sync.Map // query text → *sql.Stmt on read
	version
}

var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	// The path is part of a URI: escape what would end it early.
	dsn := "file:" + uriPath.Replace(path) + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	// The one writer keeps up to 64 MiB of pages in memory: a large import
	// touches index pages all over the file, and re-reading them costs.
	write, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-65536)")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// Readers map the file (up to 1 GiB) instead of copying each page in
	// with a system call: the lookups by index of a large table then cost
	// no syscall at all once the file is in the page cache.
	read, err := sql.Open("sqlite", dsn+"&mode=ro&_pragma=mmap_size(1073741824)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	ver, err := sql.Open("sqlite", dsn+"&mode=ro")
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	ver.SetMaxOpenConns(1)
	db := &DB{Path: path, write: write, read: read, version: version{pool: ver}}
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close releases both pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	return errors.Join(db.version.close(), db.read.Close(), db.write.Close())
}

// Reader is the pool for queries that do not write.
func (db *DB) Reader() *sql.DB { return db.read }

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise, so nothing is ever half-written.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	err = tx.Commit()
	// Counted even when Commit reports an error: the commit may have
	// landed, and a needless cache miss is harmless.
	db.version.commits.Add(1)
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// Status describes the database for the health endpoint.
type Status struct {
	State            string `json:"stato"`
	SchemaVersion    int    `json:"versione_schema"`
	LatestMigration  int    `json:"ultima_migrazione"`
	PendingMigration bool   `json:"migrazioni_in_sospeso"`
}

// Health pings the database and reports the schema version.
func (db *DB) Health(ctx context.Context) Status {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	migs, _ := migrations()
	st := Status{State: "ok", LatestMigration: len(migs)}
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&st.SchemaVersion); err != nil {
		st.State = "errore"
		return st
	}
	st.PendingMigration = st.SchemaVersion < st.LatestMigration
	return st
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists migrations/NNN_name.sql in order. Numbers must run 1..N
// without gaps so that a missing file is caught at build time by the tests.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %q is not named NNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1..N, found %03d at position %d", m.version, i+1)
		}
	}
	return out, nil
}

func (db *DB) migrate(ctx context.Context) error {
	migs, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	var current int
	if err := db.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if current > len(migs) {
		return fmt.Errorf("store: database schema %d is newer than this program (%d): upgrade the program", current, len(migs))
	}
	for _, m := range migs[current:] {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %03d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// prepared returns the read pool's prepared statement for q, preparing it
// once: parsing SQL costs more than running a lookup by key, and the
// personal area runs the same few queries on every request.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := db.stmts.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := db.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// query runs a read-only query through its prepared statement.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// row is a prepared single-row query; a preparation error surfaces at Scan.
type row struct {
	row *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// queryRow runs a read-only single-row query through its prepared statement.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) row {
	s, err := db.prepared(ctx, q)
	if err != nil {
		return row{err: err}
	}
	return row{row: s.QueryRowContext(ctx, args...)}
}
