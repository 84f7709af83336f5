package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Generation identifies a state of the database: equal generations mean no
// commit happened in between. Caches keep a value with the generation it
// was computed at (see Memo) and drop it when the generation moves.
type Generation struct {
	local uint64 // commits made through this DB (see DB.Tx)
	other uint64 // changes seen in PRAGMA data_version: commits by others
}

// versionPoll is how often Version asks SQLite whether another process (a
// `portale import` beside `portale serve`) committed: their changes reach
// caches within this time. This process's own commits count at once.
const versionPoll = 50 * time.Millisecond

// version tracks the database's generation: the commits made through this
// DB, counted as they happen, and SQLite's data_version read on a
// connection of its own, which moves when any other connection commits.
// The pragma opens a read transaction (shared-memory locks, system calls),
// so it is read at most once per versionPoll rather than on every request.
type version struct {
	commits atomic.Uint64
	other   atomic.Uint64
	polled  atomic.Int64 // unix nanoseconds of the last pragma read

	mu   sync.Mutex
	pool *sql.DB
	conn *sql.Conn
	stmt *sql.Stmt // PRAGMA data_version, prepared on conn
	last int64     // data_version seen last on conn
}

// Version returns the database's generation. Read it before reading the
// data a cache entry is built from, so an entry can only be older than its
// generation says, never newer.
func (db *DB) Version(ctx context.Context) (Generation, error) {
	v := &db.version
	// The commit counter first: a commit that lands after this load makes
	// the next Version differ, whatever the cache stored in between.
	g := Generation{local: v.commits.Load()}
	if time.Now().UnixNano()-v.polled.Load() >= int64(versionPoll) {
		if err := v.poll(ctx); err != nil {
			return Generation{}, err
		}
	}
	g.other = v.other.Load()
	return g, nil
}

// poll reads data_version, unless another request is already doing it.
func (v *version) poll(ctx context.Context) error {
	if !v.mu.TryLock() {
		return nil
	}
	defer v.mu.Unlock()
	if v.conn == nil {
		c, err := v.pool.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: version: %w", err)
		}
		st, err := c.PrepareContext(ctx, `PRAGMA data_version`)
		if err != nil {
			c.Close()
			return fmt.Errorf("store: version: %w", err)
		}
		v.conn, v.stmt = c, st
		v.other.Add(1) // a new connection's data_version is not comparable with the old one's
		v.last = -1
	}
	var dv int64
	if err := v.stmt.QueryRowContext(ctx).Scan(&dv); err != nil {
		v.stmt.Close()
		v.conn.Close()
		v.conn, v.stmt = nil, nil
		return fmt.Errorf("store: version: %w", err)
	}
	if dv != v.last {
		v.last = dv
		v.other.Add(1)
	}
	v.polled.Store(time.Now().UnixNano())
	return nil
}

// close releases the version connection.
func (v *version) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn != nil {
		v.stmt.Close()
		v.conn.Close()
		v.conn, v.stmt = nil, nil
	}
	return v.pool.Close()
}

// Memo keeps values computed from the database, each valid only at the
// generation (see DB.Version) it was computed at. It holds at most Max
// entries (4096 when zero), dropping arbitrary ones when full. The zero
// Memo is ready to use; set Max before the first Put.
type Memo[K comparable, V any] struct {
	Max int
	mu  sync.Mutex
	m   map[K]memoEntry[V]
}

type memoEntry[V any] struct {
	gen Generation
	v   V
}

// Get returns the value kept for k if it was computed at generation gen.
func (c *Memo[K, V]) Get(k K, gen Generation) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || e.gen != gen {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps v for k, computed at generation gen.
func (c *Memo[K, V]) Put(k K, gen Generation, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[K]memoEntry[V])
	}
	limit := c.Max
	if limit <= 0 {
		limit = 4096
	}
	if _, ok := c.m[k]; !ok && len(c.m) >= limit {
		n := limit / 8
		for old := range c.m {
			delete(c.m, old)
			if n--; n <= 0 {
				break
			}
		}
	}
	c.m[k] = memoEntry[V]{gen: gen, v: v}
}

// Forget drops k's value.
func (c *Memo[K, V]) Forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}
