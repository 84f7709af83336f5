package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// version tracks SQLite's data_version on one connection of its own: the
// pragma changes whenever any other connection, of this process or another
// (a `portale import` running beside `portale serve`), commits. Caches keyed
// by the generation it yields are never stale, and need no hook in the code
// that writes.
type version struct {
	mu   sync.Mutex
	pool *sql.DB
	conn *sql.Conn
	last int64  // data_version seen last on conn
	gen  uint64 // bumped on every change seen, and on every new conn
}

// Version returns the database's generation: equal generations mean no
// commit happened in between. Read it before reading the data a cache
// entry is built from, so an entry can only be older than its generation
// says, never newer.
func (db *DB) Version(ctx context.Context) (uint64, error) {
	v := &db.version
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.conn == nil {
		c, err := v.pool.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("store: version: %w", err)
		}
		v.conn = c
		v.gen++ // a new connection's data_version is not comparable with the old one's
		v.last = -1
	}
	var dv int64
	if err := v.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&dv); err != nil {
		v.conn.Close()
		v.conn = nil
		return 0, fmt.Errorf("store: version: %w", err)
	}
	if dv != v.last {
		v.last = dv
		v.gen++
	}
	return v.gen, nil
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
	gen uint64
	v   V
}

// Get returns the value kept for k if it was computed at generation gen.
func (c *Memo[K, V]) Get(k K, gen uint64) (V, bool) {
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
func (c *Memo[K, V]) Put(k K, gen uint64, v V) {
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
