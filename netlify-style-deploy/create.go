package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

const (
	// Files up to this size are hashed from memory in one read; larger ones
	// are streamed twice (hash, then copy only if the blob is new).
	readWholeLimit = 8 << 20
	// Below this size a compressed variant saves less than its own headers
	// cost.
	minCompressSize = 256
)

// Create stores the files under srcDir as a new deploy and returns it. The
// deploy is not published. Files already in the store (same SHA-256) are not
// written again, so a deploy where one page changed writes that page (and
// its compressed variants) and a manifest. _headers, _redirects and netlify.toml are checked first: a
// mistake in them fails the deploy with the file and line at fault.
func (s *Store) Create(ctx context.Context, srcDir string) (Deploy, error) {
	return s.create(ctx, srcDir, nil, false)
}

// create stores srcDir as a deploy; with quick, compressed variants that do
// not exist yet are not made (see CreateQuick).
func (s *Store) create(ctx context.Context, srcDir string, cache *StatCache, quick bool) (Deploy, error) {
	st, err := os.Stat(srcDir)
	if err != nil {
		return Deploy{}, fmt.Errorf("create deploy: %w", err)
	}
	if !st.IsDir() {
		return Deploy{}, fmt.Errorf("create deploy: %s is not a directory", srcDir)
	}
	if err := checkConfig(srcDir); err != nil {
		return Deploy{}, fmt.Errorf("create deploy: %w", err)
	}

	var paths []string
	err = filepath.WalkDir(srcDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(srcDir, p)
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return Deploy{}, fmt.Errorf("create deploy: read %s: %w", srcDir, err)
	}
	if len(paths) == 0 {
		return Deploy{}, fmt.Errorf("create deploy: %s holds no files", srcDir)
	}

	unlock, err := s.lock(false)
	if err != nil {
		return Deploy{}, err
	}
	defer unlock()

	entries, err := s.storeFiles(ctx, srcDir, paths, cache, quick)
	if err != nil {
		return Deploy{}, fmt.Errorf("create deploy: %w", err)
	}
	now := time.Now().UTC()
	m := &manifest{ID: newID(now), Created: now, Files: map[string]fileEntry{}}
	for i, rel := range paths {
		if isConfigFile(rel) {
			if m.Config == nil {
				m.Config = map[string]fileEntry{}
			}
			m.Config[rel] = entries[i]
			continue
		}
		m.Files[rel] = entries[i]
	}
	data, err := json.Marshal(m)
	if err != nil {
		return Deploy{}, fmt.Errorf("create deploy: %w", err)
	}
	if err := s.writeAtomic(s.manifestPath(m.ID), data); err != nil {
		return Deploy{}, fmt.Errorf("create deploy: write manifest: %w", err)
	}
	return m.describe(), nil
}

// checkConfig parses the rule files before anything is stored.
func checkConfig(srcDir string) error {
	config := map[string][]byte{}
	for _, name := range configFiles {
		data, err := os.ReadFile(filepath.Join(srcDir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		config[name] = data
	}
	_, err := parseRules(config)
	return err
}

// storeFiles hashes and stores the files on all CPUs: hashing, not writing,
// dominates a deploy in which little changed. There are more workers than
// CPUs so that while some wait for their writes to reach the disk (a blob
// is synced before it is renamed into place) others compress.
func (s *Store) storeFiles(ctx context.Context, srcDir string, paths []string, cache *StatCache, quick bool) ([]fileEntry, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	entries := make([]fileEntry, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				e, err := s.storeFileCached(filepath.Join(srcDir, filepath.FromSlash(paths[i])), cache, quick)
				if err != nil {
					cancel(fmt.Errorf("%s: %w", paths[i], err))
					continue
				}
				entries[i] = e
			}
		})
	}
feed:
	for i := range paths {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if cache != nil {
		seen := make(map[string]bool, len(paths))
		for _, p := range paths {
			seen[filepath.Join(srcDir, filepath.FromSlash(p))] = true
		}
		cache.keepOnly(seen)
	}
	return entries, nil
}

// storeFileCached is storeFile, first asking cache (when set) whether the
// file is as it was at the last Create.
func (s *Store) storeFileCached(src string, cache *StatCache, quick bool) (fileEntry, error) {
	if cache == nil {
		e, _, err := s.storeFile(src, quick)
		return e, err
	}
	info, err := os.Stat(src)
	if err != nil {
		return fileEntry{}, err
	}
	if e, ok := cache.lookup(s, src, info); ok {
		return e, nil
	}
	readAt := time.Now()
	e, complete, err := s.storeFile(src, quick)
	if err == nil && complete {
		// A file stored without its variants is read again next time,
		// when they are made.
		cache.remember(src, info, readAt, e)
	}
	return e, err
}

// storeFile stores the file at src; complete is false when, with quick,
// some of its compressed variants were left to be made later.
func (s *Store) storeFile(src string, quick bool) (e fileEntry, complete bool, err error) {
	f, err := os.Open(src)
	if err != nil {
		return fileEntry{}, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileEntry{}, false, err
	}
	if !st.Mode().IsRegular() {
		return fileEntry{}, false, fmt.Errorf("not a regular file")
	}
	if st.Size() <= readWholeLimit {
		data, err := io.ReadAll(f)
		if err != nil {
			return fileEntry{}, false, err
		}
		return s.storeBytes(src, data, quick)
	}
	return s.storeLarge(src, f, quick)
}

func (s *Store) storeBytes(src string, data []byte, quick bool) (fileEntry, bool, error) {
	sum := sha256.Sum256(data)
	e := fileEntry{
		Digest: hex.EncodeToString(sum[:]),
		Size:   int64(len(data)),
		Type:   contentType(src, data),
	}
	blob := s.blobPath(e.Digest)
	if _, err := os.Stat(blob); errors.Is(err, fs.ErrNotExist) {
		if err := s.writeBlob(blob, bytes.NewReader(data), ""); err != nil {
			return fileEntry{}, false, err
		}
	} else if err != nil {
		return fileEntry{}, false, err
	}
	complete, err := s.compressedVariants(&e, func() (io.Reader, error) { return bytes.NewReader(data), nil }, quick)
	return e, complete, err
}

func (s *Store) storeLarge(src string, f *os.File, quick bool) (fileEntry, bool, error) {
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fileEntry{}, false, err
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return fileEntry{}, false, err
	}
	e := fileEntry{Digest: hex.EncodeToString(h.Sum(nil)), Size: size, Type: contentType(src, head[:n])}
	blob := s.blobPath(e.Digest)
	if _, err := os.Stat(blob); errors.Is(err, fs.ErrNotExist) {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fileEntry{}, false, err
		}
		if err := s.writeBlob(blob, f, e.Digest); err != nil {
			return fileEntry{}, false, err
		}
	} else if err != nil {
		return fileEntry{}, false, err
	}
	complete, err := s.compressedVariants(&e, func() (io.Reader, error) { return os.Open(blob) }, quick)
	return e, complete, err
}

// encodings are the compressed variants made at deploy time.
var encodings = []struct {
	name, suffix string
	writer       func(w io.Writer, typ string) (io.WriteCloser, error)
	record       func(e *fileEntry, size int64)
}{
	{"br", ".br", func(w io.Writer, typ string) (io.WriteCloser, error) {
		return brotli.NewWriterLevel(w, brotliLevel(typ)), nil
	}, func(e *fileEntry, size int64) { e.Brotli = size }},
	{"gzip", ".gz", func(w io.Writer, typ string) (io.WriteCloser, error) {
		// As for brotli: documents at the usual level (1 % more bytes
		// than the best, in two thirds of the time), assets at the best.
		if brotliLevel(typ) < brotli.BestCompression {
			return gzip.NewWriterLevel(w, gzip.DefaultCompression)
		}
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	}, func(e *fileEntry, size int64) { e.Gzip = size }},
}

// brotliLevel is the brotli quality for a file of type typ. Brotli's best
// level costs about 30 ms for a page of 10 KB and seconds for a sitemap or a
// search index of a megabyte: fine for assets (styles, scripts, fonts),
// made once and kept for a year, too slow for documents, which change with
// every publish (pages, feeds, sitemaps, JSON indexes) and which level 5
// makes in about 1 ms a page for some 10 % more bytes.
func brotliLevel(typ string) int {
	t, _, _ := strings.Cut(typ, ";")
	switch {
	case isHTML(typ), t == "text/plain", t == "text/xml", t == "application/xml", t == "application/json",
		strings.HasSuffix(t, "+xml"), strings.HasSuffix(t, "+json"):
		return 5
	}
	return brotli.BestCompression
}

// compressedVariants makes blobs/<digest>.br and .gz once per blob, keeping
// each only when it is at least 5% smaller than the original, and records
// their sizes in e. With quick it makes none, and records those that exist:
// complete is then false when some may be missing.
func (s *Store) compressedVariants(e *fileEntry, open func() (io.Reader, error), quick bool) (complete bool, err error) {
	if e.Size < minCompressSize || !compressible(e.Type) {
		return true, nil
	}
	complete = true
	for _, enc := range encodings {
		if quick {
			if st, err := os.Stat(s.blobPath(e.Digest) + enc.suffix); err == nil {
				enc.record(e, st.Size())
			} else {
				complete = false
			}
			continue
		}
		n, err := s.compressedVariant(*e, enc.suffix, open, func(w io.Writer) (io.WriteCloser, error) { return enc.writer(w, e.Type) })
		if err != nil {
			return false, fmt.Errorf("%s variant: %w", enc.name, err)
		}
		enc.record(e, n)
	}
	return complete, nil
}

func (s *Store) compressedVariant(e fileEntry, suffix string, open func() (io.Reader, error), newWriter func(io.Writer) (io.WriteCloser, error)) (int64, error) {
	dst := s.blobPath(e.Digest) + suffix
	if st, err := os.Stat(dst); err == nil {
		return st.Size(), nil
	}
	r, err := open()
	if err != nil {
		return 0, err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	var buf bytes.Buffer
	zw, err := newWriter(&buf)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(zw, r); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if int64(buf.Len()) > e.Size*95/100 {
		return 0, nil
	}
	n := int64(buf.Len())
	return n, s.writeBlob(dst, &buf, "")
}

// writeBlob copies r into blob through tmp/. When want is set, the copy is
// hashed again so a file that changed between hashing and copying fails the
// deploy instead of storing content under the wrong name.
func (s *Store) writeBlob(blob string, r io.Reader, want string) error {
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	h := sha256.New()
	w := io.Writer(f)
	if want != "" {
		w = io.MultiWriter(f, h)
	}
	_, err = io.Copy(w, r)
	if err == nil && want != "" && hex.EncodeToString(h.Sum(nil)) != want {
		err = errors.New("file changed while the deploy was being created")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, blob)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
