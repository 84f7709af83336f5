package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/comune-torino/portale/internal/datadir"
)

// pagefindBinary finds the pagefind command (npm package "pagefind", which
// the repository's package.json installs): $PORTALE_PAGEFIND, then
// node_modules/.bin/pagefind beside the portale binary's folder or in the
// current folder, then pagefind on the PATH. "" when there is none: the
// site's search then uses the index Hugo builds (search-index.json).
func pagefindBinary() string {
	if p := os.Getenv("PORTALE_PAGEFIND"); p != "" {
		return p
	}
	var candidates []string
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", "node_modules", ".bin", "pagefind"))
	}
	candidates = append(candidates, filepath.Join("node_modules", ".bin", "pagefind"))
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c
		}
	}
	if p, err := exec.LookPath("pagefind"); err == nil {
		return p
	}
	return ""
}

// indexedSiteParams are the site parameters of a build that pagefind will
// index: Hugo's own search index (search-index.json) then keeps titles and
// descriptions only, as a fallback for browsers that cannot run pagefind,
// and a publish does not render the text of every page for it.
func indexedSiteParams() map[string]string {
	if pagefindBinary() == "" {
		return nil
	}
	return map[string]string{"searchEngine": "pagefind"}
}

// indexSearch runs pagefind over a built site, writing its index and its
// search library under out/pagefind/, where the /cerca/ island finds them.
// Without pagefind it does nothing; a failure is returned, and the build
// is not published.
func indexSearch(ctx context.Context, out string, logger *slog.Logger) error {
	bin := pagefindBinary()
	if bin == "" {
		return nil
	}
	// A bundle of an earlier build would leave fragments of removed pages.
	if err := os.RemoveAll(filepath.Join(out, "pagefind")); err != nil {
		return err
	}
	return runPagefind(ctx, bin, out, filepath.Join(out, "pagefind"), logger)
}

// runPagefind indexes the site in out into the folder index.
func runPagefind(ctx context.Context, bin, out, index string, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "--site", out, "--output-path", index, "--quiet")
	ownGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("indice di ricerca (pagefind): %w: %s", err, bytes.TrimSpace(output.Bytes()))
	}
	if logger != nil {
		logger.Info("search index built", "tool", "pagefind", "ms", time.Since(start).Milliseconds())
	}
	return nil
}

// hasSearchIndex reports whether out holds a pagefind index.
func hasSearchIndex(out string) bool {
	_, err := os.Stat(filepath.Join(out, "pagefind", "pagefind-entry.json"))
	return err == nil
}

// searchIndexer completes the live build after a CMS publish, in the
// background: pagefind reads every page of the site (about 3 s for 5,000
// pages), and the compressed variants of the rewritten pages (hundreds of
// list pages when a news item is added) take about a second; a publish
// should wait for neither. The publish goes live with the index of the
// build before, which lacks only the pages just changed, and with those
// pages uncompressed; about a second later a second deploy carries the
// variants, and a few seconds later a third the new index. Runs never
// overlap: a publish during a run asks for one more after it.
type searchIndexer struct {
	mu      sync.Mutex
	running bool
	pending bool
	done    sync.WaitGroup // the run in progress

	ctx    context.Context // the server's: a stopping server stops pagefind
	reload func() error    // makes the static server see the new deploy
	logger *slog.Logger
}

var search = &searchIndexer{ctx: context.Background(), logger: slog.New(slog.DiscardHandler)}

// configure sets the server's context, reload and logger.
func (s *searchIndexer) configure(ctx context.Context, reload func() error, logger *slog.Logger) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx, s.reload, s.logger = ctx, reload, logger
}

// schedule asks for the live build of dir to be indexed again.
func (s *searchIndexer) schedule(dir datadir.Dir) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		s.pending = true
		return
	}
	s.running = true
	s.done.Add(1)
	go s.run(dir)
}

// wait returns when no run is in progress: at a server's stop, after its
// context is cancelled (which stops pagefind), so that nothing writes to
// the data folder once the server has gone.
func (s *searchIndexer) wait() { s.done.Wait() }

func (s *searchIndexer) run(dir datadir.Dir) {
	defer s.done.Done()
	for {
		start := time.Now()
		if id, err := s.compress(dir); err != nil {
			s.logger.Warn("compressed variants not made: the files are served uncompressed", "err", err)
		} else if id != "" {
			s.logger.Info("compressed variants made", "deploy", id, "ms", time.Since(start).Milliseconds())
		}
		start = time.Now()
		id, err := s.reindex(dir)
		if err != nil {
			s.logger.Warn("search index not updated: the site keeps the previous one", "err", err)
		}
		if id != "" {
			s.logger.Info("search index updated", "deploy", id, "ms", time.Since(start).Milliseconds())
		}
		s.mu.Lock()
		if !s.pending || s.ctx.Err() != nil {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.pending = false
		s.mu.Unlock()
	}
}

// compress publishes the live build folder again, with the compressed
// variants its quick deploy left out; it returns the deploy, or "" when
// there is no live build.
func (s *searchIndexer) compress(dir datadir.Dir) (string, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if live.b == nil {
		return "", nil
	}
	id, err := deployDir(s.ctx, dir, live.b.Dest(), live.files, deployComplete)
	if err == nil && s.reload != nil {
		if err := s.reload(); err != nil {
			s.logger.Warn("reload after the compressed variants", "err", err)
		}
	}
	return id, err
}

// reindex runs pagefind over the live build folder into a folder of its
// own, then, holding the build lock, moves the new index in place and
// publishes the folder as a new deploy, with every compressed variant. It
// returns the deploy, or "" when there was nothing to do: a full build came
// in between (a full build indexes its site itself). A failing pagefind
// leaves the index as it was, and the deploy is made all the same.
func (s *searchIndexer) reindex(dir datadir.Dir) (string, error) {
	bin := pagefindBinary()
	if bin == "" {
		return "", nil
	}
	buildMu.Lock()
	b, fulls := live.b, live.fullBuilds
	buildMu.Unlock()
	if b == nil {
		return "", nil
	}
	out := b.Dest()
	next := filepath.Join(dir.Build(), "pagefind-next")
	if err := os.RemoveAll(next); err != nil {
		return "", err
	}
	defer os.RemoveAll(next)
	// Pages rewritten by a publish during the run may be read half
	// written: that publish has asked for another run, which reads them
	// whole.
	indexErr := runPagefind(s.ctx, bin, out, next, nil)

	buildMu.Lock()
	defer buildMu.Unlock()
	if live.b != b || live.fullBuilds != fulls {
		return "", indexErr
	}
	if indexErr == nil {
		indexErr = replaceIndex(next, filepath.Join(out, "pagefind"))
	}
	id, err := deployDir(s.ctx, dir, out, live.files, deployComplete)
	if err != nil {
		return "", errors.Join(indexErr, err)
	}
	if s.reload != nil {
		if err := s.reload(); err != nil {
			s.logger.Warn("reload after the search index", "err", err)
		}
	}
	return id, indexErr
}

// replaceIndex makes the index folder cur hold exactly what next holds,
// leaving in place the files that did not change (pagefind names most of
// its files by their content), so that the deploy reads only the new ones.
func replaceIndex(next, cur string) error {
	keep := map[string]bool{}
	err := filepath.WalkDir(next, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(next, p)
		if err != nil {
			return err
		}
		keep[rel] = true
		target := filepath.Join(cur, rel)
		if same, err := sameFile(p, target); err != nil || same {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.Rename(p, target)
	})
	if err != nil {
		return err
	}
	return filepath.WalkDir(cur, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(cur, p)
		if err != nil || keep[rel] {
			return err
		}
		return os.Remove(p)
	})
}

// sameFile reports whether the files a and b hold the same bytes (false
// when b does not exist).
func sameFile(a, b string) (bool, error) {
	ib, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ia, err := os.Stat(a)
	if err != nil || ia.Size() != ib.Size() {
		return false, err
	}
	da, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	db, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}
