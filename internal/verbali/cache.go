package verbali

import (
	"container/list"
	"hash/maphash"
	"sync"

	"github.com/comune-torino/portale/internal/store"
)

// recordCache keeps the most recently decoded records: the personal area
// decodes the same few per citizen on every request. The key is the stored
// bytes themselves (hashed, then compared on a hit) and the payment, so a
// changed record can never be served from the cache, whatever database it
// came from. Hashing and comparing cost far less than decoding JSON.
var recordCache = newLRU(1 << 16)

var seed = maphash.MakeSeed()

type cacheKey struct {
	hash      uint64
	paidCents int64
	paidAt    string
}

type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent; values are *lruEntry
	items map[cacheKey]*list.Element
}

type lruEntry struct {
	key cacheKey
	raw string // the stored JSON, to rule out a hash collision
	rec Record
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: make(map[cacheKey]*list.Element)}
}

func keyOf(row store.VerbaleRow) cacheKey {
	return cacheKey{hash: maphash.Bytes(seed, row.Record), paidCents: row.PaidCents, paidAt: row.PaidAt}
}

func (c *lru) get(k cacheKey, raw []byte) (Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok || e.Value.(*lruEntry).raw != string(raw) {
		return Record{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).rec, true
}

func (c *lru) put(k cacheKey, raw []byte, r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&lruEntry{key: k, raw: string(raw), rec: r})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruEntry).key)
	}
}
