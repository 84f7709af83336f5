// Package site builds the Hugo site in-process. It is the only package that
// imports Hugo, so that everything else links quickly and tests stay fast.
package site

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bep/logg"
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
}

// Result reports what a build produced.
type Result struct {
	Pages    int           // pages rendered, all languages
	Files    int           // files written to Dest
	Duration time.Duration // wall time of the build
}

// Build runs Hugo over opts.Source into opts.Dest, exactly as the stock
// `hugo --source SOURCE --destination DEST` of the same version would.
func Build(ctx context.Context, opts Options) (Result, error) {
	start := time.Now()
	if opts.Source == "" || opts.Dest == "" {
		return Result{}, errors.New("site: source and destination are required")
	}
	src, err := filepath.Abs(opts.Source)
	if err != nil {
		return Result{}, err
	}
	dst, err := filepath.Abs(opts.Dest)
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return Result{}, err
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
	configs, err := allconfig.LoadConfig(allconfig.ConfigSourceDescriptor{
		Flags:       flags,
		Fs:          hugofs.Os,
		Environment: env,
		Environ:     []string{"HUGO_ENVIRONMENT=" + env},
		Logger:      logger,
	})
	if err != nil {
		return Result{}, fmt.Errorf("site: load config: %w", err)
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
		return Result{}, fmt.Errorf("site: %w", err)
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

	res := Result{Duration: time.Since(start)}
	for _, s := range sites.Sites {
		res.Pages += len(s.Pages())
	}
	err = filepath.WalkDir(dst, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			res.Files++
		}
		return err
	})
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
