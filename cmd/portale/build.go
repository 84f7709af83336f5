package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/internal/datadir"
	"github.com/comune-torino/portale/internal/site"
	"github.com/comune-torino/portale/internal/siterepo"
	deploy "github.com/comune-torino/portale/netlify-style-deploy"
)

func newBuildCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "build --data DIR",
		Short: "Costruisce il sito con Hugo in un nuovo deploy e lo pubblica",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			res, err := buildAndPublish(cmd.Context(), dir, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Sito costruito: %d pagine, %d file in %s; deploy %s pubblicato.\n",
				res.Pages, res.Files, res.Duration.Round(time.Millisecond), res.DeployID)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

var buildMu sync.Mutex

// live is this process's site builder, kept between builds (guarded by
// buildMu) so that a CMS publish renders only what the change touches.
var live struct {
	b      *site.Builder
	dir    string    // the data directory it builds
	commit string    // the site repository's commit the builder last built cleanly; "" = build in full
	log    logSwitch // where Hugo's messages go: the current caller's writer
	// files is what the deploy store learnt of the builder's output at
	// the last deploy, so the next one reads only the files rebuilt.
	files *deploy.StatCache
	// fullBuilds counts the full builds, which index the site themselves:
	// a background index of an older build is then dropped.
	fullBuilds int
}

// logSwitch sends what is written to the writer of the build in progress.
type logSwitch struct{ w io.Writer }

func (l *logSwitch) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

type buildResult struct {
	site.Result
	DeployID string
	// Where the time went: waiting for another build, deploying.
	Waited, Deploy time.Duration
}

// buildAndPublish builds the whole site repository's working tree, stores it
// as an immutable deploy and makes it live: `portale build`, the demo, and
// the rebuilds at publish and expiry moments (a change of time is no change
// of files). A failed build publishes nothing: the previous deploy stays
// online.
func buildAndPublish(ctx context.Context, dir datadir.Dir, log io.Writer) (buildResult, error) {
	return publishSite(ctx, dir, log, true)
}

// publishChanges is buildAndPublish after a CMS publish: only the files
// changed since the last build (git diff from its commit) are rebuilt, when
// the builder can do so safely, and it builds in full otherwise.
func publishChanges(ctx context.Context, dir datadir.Dir, log io.Writer) (buildResult, error) {
	return publishSite(ctx, dir, log, false)
}

func publishSite(ctx context.Context, dir datadir.Dir, log io.Writer, full bool) (buildResult, error) {
	// One build at a time in this process: a CMS publish and a scheduled
	// rebuild share the site folder Hugo works in.
	waitStart := time.Now()
	buildMu.Lock()
	defer buildMu.Unlock()
	waited := time.Since(waitStart)
	live.log.w = log
	defer func() { live.log.w = nil }()
	repo, res, err := buildLive(ctx, dir, full)
	if errors.Is(err, site.ErrBusy) {
		// Another process (a running server) owns the build folder: build
		// in full into a folder of our own.
		return buildOnce(ctx, dir, repo, log)
	}
	if err != nil {
		return buildResult{}, err
	}
	// After a partial rebuild the page goes live first: the search index
	// and the compressed variants of the rewritten files follow in the
	// background, in a second deploy.
	out := live.b.Dest()
	mode := deployIndexed
	if res.Incremental && hasSearchIndex(out) && pagefindBinary() != "" {
		mode = deployQuick
	}
	deployStart := time.Now()
	id, err := deployDir(ctx, dir, out, live.files, mode)
	if err == nil && mode == deployQuick {
		search.schedule(dir)
	}
	return buildResult{Result: res, DeployID: id, Waited: waited, Deploy: time.Since(deployStart)}, err
}

// warmBuilder makes the first, full build of a server's builder, publishing
// nothing, so that the first CMS publish after a start is a partial rebuild
// too. It does nothing when the process has built already.
func warmBuilder(ctx context.Context, dir datadir.Dir) (site.Result, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	if live.b != nil && live.commit != "" {
		return site.Result{}, nil
	}
	_, res, err := buildLive(ctx, dir, true)
	return res, err
}

// buildLive brings the process's builder up to date with the site
// repository's working tree: in full, or from the changes since the commit
// it last built. Called with buildMu held.
func buildLive(ctx context.Context, dir datadir.Dir, full bool) (*siterepo.Repo, site.Result, error) {
	repo, err := siterepo.Open(dir.Site())
	if err != nil {
		return nil, site.Result{}, err
	}
	if live.b != nil && live.dir != dir.Root {
		live.b.Close()
		live.b, live.commit = nil, ""
	}
	if live.b == nil {
		b, err := site.NewBuilder(site.Options{Source: repo.Dir, Dest: filepath.Join(dir.Build(), "public"), Log: &live.log, Params: indexedSiteParams()})
		if err != nil {
			return repo, site.Result{}, err
		}
		live.b, live.dir, live.commit, live.files = b, dir.Root, "", deploy.NewStatCache()
	}
	head, err := repo.Head(ctx)
	if err != nil {
		return nil, site.Result{}, err
	}
	var res site.Result
	changes, ok := []site.Change(nil), false
	if !full {
		changes, ok = changesSince(ctx, repo, live.commit)
	}
	if ok {
		res, err = live.b.Rebuild(ctx, changes)
	} else if err = syncVendor(repo); err == nil {
		res, err = live.b.Build(ctx)
	}
	if !res.Incremental {
		live.fullBuilds++
	}
	live.commit = ""
	if err != nil {
		return nil, site.Result{}, fmt.Errorf("costruzione del sito non riuscita (il sito pubblicato non cambia): %w", err)
	}
	// Files not committed yet were built too: the next diff from head would
	// miss them if they went back as they were, so build in full next time.
	if dirty, err := repo.ChangesSince(ctx, head); err == nil && len(dirty) == 0 {
		live.commit = head
	}
	return repo, res, nil
}

// changesSince lists what changed in the site repository since commit, for a
// partial rebuild; ok is false when it cannot tell.
func changesSince(ctx context.Context, repo *siterepo.Repo, commit string) (changes []site.Change, ok bool) {
	if commit == "" {
		return nil, false
	}
	diff, err := repo.ChangesSince(ctx, commit)
	if err != nil {
		return nil, false
	}
	for _, c := range diff {
		op := site.Modified
		switch c.Status {
		case 'A':
			op = site.Added
		case 'M':
		default:
			op = site.Deleted // deleted, or changed in type: a full rebuild
		}
		changes = append(changes, site.Change{Path: c.Path, Op: op})
	}
	return changes, true
}

// buildOnce builds the working tree in full into a fresh folder and
// publishes it.
func buildOnce(ctx context.Context, dir datadir.Dir, repo *siterepo.Repo, log io.Writer) (buildResult, error) {
	if err := syncVendor(repo); err != nil {
		return buildResult{}, err
	}
	out, err := os.MkdirTemp(dir.Root, ".build-")
	if err != nil {
		return buildResult{}, err
	}
	defer os.RemoveAll(out)
	res, err := site.Build(ctx, site.Options{Source: repo.Dir, Dest: out, Log: log, Params: indexedSiteParams()})
	if err != nil {
		return buildResult{}, fmt.Errorf("costruzione del sito non riuscita (il sito pubblicato non cambia): %w", err)
	}
	id, err := deployDir(ctx, dir, out, nil, deployIndexed)
	return buildResult{Result: res, DeployID: id}, err
}

// syncVendor copies the binary's vendor assets into the site: they only
// matter to a full build, which copies the static files (a partial rebuild
// renders pages only, and the binary does not change while it runs).
func syncVendor(repo *siterepo.Repo) error {
	if err := repo.SyncVendor(portale.Starter); err != nil {
		return fmt.Errorf("copia degli asset di Bootstrap Italia: %w", err)
	}
	return nil
}

// deployMode says what deployDir does besides storing the files.
type deployMode int

const (
	// deployIndexed indexes the site for the search first, and makes the
	// compressed variants of every file.
	deployIndexed deployMode = iota
	// deployQuick does neither: the files are served as they are, with the
	// search index already in out, until a deployComplete of the same
	// folder (the background search index, after a CMS publish).
	deployQuick
	// deployComplete makes the compressed variants; out holds its index.
	deployComplete
)

// deployDir stores the built site in out as a deploy and makes it live;
// files, when set, spares reading again what did not change since the last.
func deployDir(ctx context.Context, dir datadir.Dir, out string, files *deploy.StatCache, mode deployMode) (string, error) {
	if mode == deployIndexed {
		if err := indexSearch(ctx, out, nil); err != nil {
			return "", err
		}
	}
	store, err := deploy.Open(dir.Deploys())
	if err != nil {
		return "", err
	}
	create := store.CreateCached
	if mode == deployQuick {
		create = store.CreateQuick
	}
	d, err := create(ctx, out, files)
	if err != nil {
		return "", err
	}
	if err := store.Publish(d.ID); err != nil {
		return "", err
	}
	return d.ID, nil
}
