package site

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/gohugoio/hugo/hugolib"
)

// Op is what happened to a file of the site.
type Op int

const (
	Modified Op = iota
	Added
	Deleted
)

func (o Op) String() string {
	switch o {
	case Added:
		return "added"
	case Deleted:
		return "deleted"
	}
	return "modified"
}

// Change is a file of the site that changed since the last build.
type Change struct {
	Path string // relative to the site, slash-separated (content/notizie/x.md)
	Op   Op
}

// DefaultMaxIncremental is how many partial rebuilds a Builder makes in a row
// before it starts afresh, so whatever state Hugo keeps between builds
// cannot drift for long.
const DefaultMaxIncremental = 50

// maxChanges is how many changed files a partial rebuild takes at most: each
// is a partial build of its own, so beyond a few a full build is as fast.
const maxChanges = 10

// Builder keeps one Hugo site in memory over a working tree and a persistent
// output directory, so that after a first full build a change to a few pages
// renders only what depends on them (Hugo's partial rebuilds, as in
// `hugo server`), instead of the whole site.
//
// Correctness comes first: anything a partial rebuild might get wrong makes a
// full rebuild, into an emptied output directory, with a fresh Hugo site:
// deleted files (Hugo would not remove their pages from the output), changes
// outside content/ (configuration, layouts, themes, i18n, data, assets,
// static), a previous build that failed, and every MaxIncremental partial
// builds. Time-based changes (a page's publish or expiry moment) are not file
// events: whoever rebuilds for them calls Build.
//
// Dest belongs to the Builder: a full build removes everything in it. A
// Builder is not safe for concurrent use.
type Builder struct {
	opts Options
	// MaxIncremental bounds the partial rebuilds in a row (DefaultMaxIncremental when 0).
	MaxIncremental int

	sites       *hugolib.HugoSites
	dst         string
	incremental int // partial rebuilds since the last full one
	unlock      func()
}

// ErrBusy means another Builder (of this or another process) has the same
// destination.
var ErrBusy = errors.New("site: the build folder is in use by another process")

// NewBuilder returns a Builder of opts.Source into opts.Dest, which it locks
// until Close (ErrBusy when another Builder has it). Nothing is built until
// Build or Rebuild is called.
func NewBuilder(opts Options) (*Builder, error) {
	if opts.Source == "" || opts.Dest == "" {
		return nil, errors.New("site: source and destination are required")
	}
	var err error
	if opts.Source, err = filepath.Abs(opts.Source); err != nil {
		return nil, err
	}
	if opts.Dest, err = filepath.Abs(opts.Dest); err != nil {
		return nil, err
	}
	if opts.Dest == opts.Source || strings.HasPrefix(opts.Source, opts.Dest+string(filepath.Separator)) {
		return nil, errors.New("site: the destination may not hold the source")
	}
	if err := os.MkdirAll(filepath.Dir(opts.Dest), 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockDest(opts.Dest)
	if err != nil {
		return nil, err
	}
	return &Builder{opts: opts, unlock: unlock}, nil
}

// Dest is the directory holding the built site.
func (b *Builder) Dest() string { return b.opts.Dest }

// Build makes a full build: a fresh Hugo site into an emptied Dest.
func (b *Builder) Build(ctx context.Context) (Result, error) {
	return b.full(ctx, "requested")
}

// Rebuild brings Dest up to date with changes made to the source since the
// last build, rendering only what they touch when that is safe, and makes a
// full build otherwise; Result says which, and why.
func (b *Builder) Rebuild(ctx context.Context, changes []Change) (Result, error) {
	if reason := b.needsFull(changes); reason != "" {
		return b.full(ctx, reason)
	}
	start := time.Now()
	if len(changes) == 0 {
		res, err := result(b.sites, b.dst, start)
		res.Incremental = true
		return res, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	// One change per Hugo build: given an added and a modified page in one
	// batch, Hugo v0.165 re-renders only one of them (it leaves the other
	// stale or missing). Changes are few per publish, and each partial
	// build renders only what depends on its file.
	b.incremental++
	before := make([]pageFacts, len(changes))
	for i, c := range changes {
		before[i] = factsOf(b.sites, b.sourceFile(c))
	}
	scope := b.scopeOf(changes, before)
	if scope != nil {
		restore := b.setRenderFilter(scope)
		defer restore()
	}
	for _, c := range changes {
		op := fsnotify.Write
		if c.Op == Added {
			op = fsnotify.Create
		}
		ev := fsnotify.Event{Name: b.sourceFile(c), Op: op}
		if err := b.sites.Build(hugolib.BuildCfg{}, ev); err != nil {
			b.drop()
			return Result{}, fmt.Errorf("site: build: %w", err)
		}
	}
	// Hugo renders a changed page where it now lives, and never removes
	// the files of where it lived before, nor writes aliases in a partial
	// rebuild: a page that moved, left the site (suspended, expired) or
	// gained aliases is rebuilt in full.
	for i, c := range changes {
		if reason := addressChange(c.Path, before[i], factsOf(b.sites, b.sourceFile(c))); reason != "" {
			return b.full(ctx, reason)
		}
	}
	if scope != nil {
		if reason := scope.check(b.sites); reason != "" {
			// The page reached further than its own lists: render it all.
			return b.full(ctx, reason)
		}
	}
	res, err := result(b.sites, b.dst, start)
	res.Incremental = true
	res.Scoped = scope != nil
	return res, err
}

// sourceFile is the absolute name of a changed file.
func (b *Builder) sourceFile(c Change) string {
	return filepath.Join(b.opts.Source, filepath.FromSlash(c.Path))
}

// needsFull returns why changes cannot be applied by a partial rebuild, or "".
func (b *Builder) needsFull(changes []Change) string {
	if b.sites == nil {
		return "first build, or the previous one failed"
	}
	max := b.MaxIncremental
	if max <= 0 {
		max = DefaultMaxIncremental
	}
	if b.incremental >= max {
		return fmt.Sprintf("%d partial rebuilds in a row", b.incremental)
	}
	for _, c := range changes {
		p := path.Clean(c.Path)
		switch {
		case c.Op == Deleted:
			return "deleted: " + p
		case c.Op != Added && c.Op != Modified:
			return "unknown change to " + p
		case !strings.HasPrefix(p, "content/"):
			return "changed outside content/: " + p
		}
	}
	if len(changes) > maxChanges {
		return fmt.Sprintf("%d files changed", len(changes))
	}
	return ""
}

// full makes a fresh Hugo site and builds it into an emptied Dest.
func (b *Builder) full(ctx context.Context, reason string) (Result, error) {
	start := time.Now()
	b.drop()
	if err := os.RemoveAll(b.opts.Dest); err != nil {
		return Result{}, fmt.Errorf("site: empty %s: %w", b.opts.Dest, err)
	}
	sites, dst, err := newSites(b.opts, true)
	if err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		sites.Close()
		return Result{}, err
	}
	if err := copyStatic(sites, dst); err != nil {
		sites.Close()
		return Result{}, fmt.Errorf("site: static files: %w", err)
	}
	if err := sites.Build(hugolib.BuildCfg{}); err != nil {
		sites.Close()
		return Result{}, fmt.Errorf("site: build: %w", err)
	}
	b.sites, b.dst, b.incremental = sites, dst, 0
	res, err := result(sites, dst, start)
	res.FullReason = reason
	return res, err
}

// drop forgets the Hugo site, so the next build is a full one.
func (b *Builder) drop() {
	if b.sites != nil {
		b.sites.Close()
		b.sites = nil
	}
}

// Close releases the Hugo site and the lock on Dest; Dest stays as it is.
func (b *Builder) Close() error {
	b.drop()
	if b.unlock != nil {
		b.unlock()
		b.unlock = nil
	}
	return nil
}
