// Package site builds the Hugo site in-process. It is the only package that
// imports Hugo, so that everything else links quickly and tests stay fast.
package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bep/logg"
	"github.com/gohugoio/hugo/common/hmaps"
	"github.com/gohugoio/hugo/common/loggers"
	"github.com/gohugoio/hugo/config"
	"github.com/gohugoio/hugo/config/allconfig"
	"github.com/gohugoio/hugo/deps"
	"github.com/gohugoio/hugo/hugofs"
	"github.com/gohugoio/hugo/hugolib"
	"github.com/spf13/afero"
)

// Options says what to build and where.
type Options struct {
	// Source is the Hugo project directory (holding hugo.toml, content/, layouts/, themes/).
	Source string
	// Dest is an empty directory that receives the built site.
	Dest string
	// BaseURL overrides the configured baseURL when set.
	BaseURL string
	// Environment is Hugo's environment ("production" unless set).
	Environment string
	// Log receives Hugo's warnings and errors; nil discards them.
	Log io.Writer
	// Params override site parameters (site.Params) by name, as Hugo's
	// HUGO_PARAMS_<NAME> environment variables do.
	Params map[string]string
}

// Result reports what a build produced.
type Result struct {
	Pages    int           // pages rendered, all languages
	Files    int           // files written to Dest
	Duration time.Duration // wall time of the build

	// Set by a Builder: whether only what changed was rendered, or else
	// why the whole site was.
	Incremental bool
	FullReason  string
	// Scoped: the partial rebuild rendered only the changed pages and the
	// pages that list them (see Builder on leaf sections).
	Scoped bool
}

// Build runs Hugo over opts.Source into opts.Dest, exactly as the stock
// `hugo --source SOURCE --destination DEST` of the same version would.
func Build(ctx context.Context, opts Options) (Result, error) {
	start := time.Now()
	sites, dst, err := newSites(opts, false)
	if err != nil {
		return Result{}, err
	}
	defer sites.Close()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	// hugolib renders pages only; copying static/ is the hugo command's job,
	// so do it here, first, as the command does (rendered pages win).
	if err := copyStatic(sites, dst); err != nil {
		return Result{}, fmt.Errorf("site: static files: %w", err)
	}
	if err := sites.Build(hugolib.BuildCfg{}); err != nil {
		return Result{}, fmt.Errorf("site: build: %w", err)
	}
	return result(sites, dst, start)
}

// newSites loads the configuration of opts.Source and makes the HugoSites
// that render it into opts.Dest (returned as an absolute path). With watch,
// Hugo keeps the dependency graph it needs to rebuild only what a change
// touches, as `hugo server` does; it is not "running" as a server, so
// hugo.IsServer stays false and no live-reload script is injected, and the
// output is the same as a one-shot build's.
func newSites(opts Options, watch bool) (*hugolib.HugoSites, string, error) {
	if opts.Source == "" || opts.Dest == "" {
		return nil, "", errors.New("site: source and destination are required")
	}
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return nil, "", err
	}
	dst, err := filepath.Abs(opts.Dest)
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return nil, "", err
	}
	env := opts.Environment
	if env == "" {
		env = "production"
	}
	logOut := opts.Log
	if logOut == nil {
		logOut = io.Discard
	}
	logger := loggers.New(loggers.Options{Level: logg.LevelWarn, StdOut: logOut, StdErr: logOut})

	flags := config.New()
	flags.Set("workingDir", src)
	flags.Set("publishDir", dst)
	flags.Set("environment", env)
	if opts.BaseURL != "" {
		flags.Set("baseURL", opts.BaseURL)
	}
	if watch {
		flags.Set("internal", hmaps.Params{"running": false, "watch": true})
		flags.Set("disableLiveReload", true)
	}
	environ := []string{"HUGO_ENVIRONMENT=" + env}
	for _, name := range slices.Sorted(maps.Keys(opts.Params)) {
		environ = append(environ, "HUGO_PARAMS_"+strings.ToUpper(name)+"="+opts.Params[name])
	}
	configs, err := allconfig.LoadConfig(allconfig.ConfigSourceDescriptor{
		Flags:       flags,
		Fs:          hugofs.Os,
		Environment: env,
		Environ:     environ,
		Logger:      logger,
	})
	if err != nil {
		return nil, "", fmt.Errorf("site: load config: %w", err)
	}
	flags.Set("publishDir", dst)
	flags.Set("publishDirStatic", dst)
	flags.Set("publishDirDynamic", dst)
	fs := hugofs.NewFromSourceAndDestination(hugofs.Os, afero.NewOsFs(), flags)

	sites, err := hugolib.NewHugoSites(deps.DepsCfg{
		Configs:  configs,
		Fs:       fs,
		StdOut:   logOut,
		StdErr:   logOut,
		LogLevel: logg.LevelWarn,
	})
	if err != nil {
		return nil, "", fmt.Errorf("site: %w", err)
	}
	return sites, dst, nil
}

// result counts what sites rendered and the files in dst.
func result(sites *hugolib.HugoSites, dst string, start time.Time) (Result, error) {
	res := Result{Duration: time.Since(start)}
	for _, s := range sites.Sites {
		res.Pages += len(s.Pages())
	}
	err := filepath.WalkDir(dst, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			res.Files++
		}
		return err
	})
	res.Duration = time.Since(start)
	return res, err
}

// copyStatic copies the union of the project's and the theme's static
// directories (per language when the site is multihost) into dst.
func copyStatic(sites *hugolib.HugoSites, dst string) error {
	for _, sfs := range sites.BaseFs.SourceFilesystems.Static {
		base := filepath.Join(dst, sfs.PublishFolder)
		err := afero.Walk(sfs.Fs, "/", func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			target := filepath.Join(base, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			in, err := sfs.Fs.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := os.Create(target)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, in); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		})
		if err != nil {
			return err
		}
	}
	return nil
}
