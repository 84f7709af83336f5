package deploy

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"
)

// racyMargin: a file modified less than this before it was read is not
// remembered, since a change within the file system's timestamp granularity
// could keep its size and modification time (git's "racy" entries).
const racyMargin = time.Second

// StatCache remembers what Create learnt of each file (digest, type, sizes of
// the compressed variants) by path, size and modification time, so that the
// next Create of the same folder reads and hashes only the files that
// changed: a deploy of a built site where one page changed costs a walk and a
// stat per file. It is safe for concurrent use; it holds the files of the
// last Create only.
type StatCache struct {
	mu    sync.Mutex
	files map[string]cachedFile
}

type cachedFile struct {
	size  int64
	mtime time.Time
	entry fileEntry
}

// NewStatCache returns an empty cache.
func NewStatCache() *StatCache { return &StatCache{files: map[string]cachedFile{}} }

// CreateCached is Create remembering, in cache, the files it read, and
// reusing what cache remembers of files unchanged since: same path, size and
// modification time, and their blob still in the store. A nil cache is
// Create.
func (s *Store) CreateCached(ctx context.Context, srcDir string, cache *StatCache) (Deploy, error) {
	if cache == nil {
		return s.Create(ctx, srcDir)
	}
	return s.create(ctx, srcDir, cache, false)
}

// CreateQuick is CreateCached without making the compressed variants of
// files new to the store: the deploy is ready sooner (a publish that
// changes hundreds of list pages spends most of its deploy compressing
// them), and serves those files uncompressed until a later CreateCached of
// the same folder, with the same cache, makes their variants. Variants that
// exist already are used.
func (s *Store) CreateQuick(ctx context.Context, srcDir string, cache *StatCache) (Deploy, error) {
	if cache == nil {
		cache = NewStatCache()
	}
	return s.create(ctx, srcDir, cache, true)
}

// lookup returns the entry remembered for the file at path with info, when
// its blob is still in the store (Prune may have removed it).
func (c *StatCache) lookup(s *Store, path string, info fs.FileInfo) (fileEntry, bool) {
	c.mu.Lock()
	f, ok := c.files[path]
	c.mu.Unlock()
	if !ok || f.size != info.Size() || !f.mtime.Equal(info.ModTime()) {
		return fileEntry{}, false
	}
	if _, err := os.Stat(s.blobPath(f.entry.Digest)); errors.Is(err, fs.ErrNotExist) {
		return fileEntry{}, false
	}
	return f.entry, true
}

// remember records what was learnt of the file at path, read after info was
// taken at readAt.
func (c *StatCache) remember(path string, info fs.FileInfo, readAt time.Time, e fileEntry) {
	if readAt.Sub(info.ModTime()) < racyMargin {
		return
	}
	c.mu.Lock()
	c.files[path] = cachedFile{size: info.Size(), mtime: info.ModTime(), entry: e}
	c.mu.Unlock()
}

// keepOnly forgets the files not in paths.
func (c *StatCache) keepOnly(paths map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p := range c.files {
		if !paths[p] {
			delete(c.files, p)
		}
	}
}
