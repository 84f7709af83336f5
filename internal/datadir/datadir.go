// Package datadir knows the layout of an installation's data directory:
//
//	DIR/site/        the site repository (git working copy of the Hugo site)
//	DIR/portale.db   the SQLite database
//	DIR/deploys/     the deploy store (immutable built sites)
//	DIR/portale.toml the installation's settings (see internal/config)
//	DIR/.build/      the running server's last site build, rebuilt in part on
//	                 each CMS publish (a cache: safe to delete when stopped)
//
// Everything an installation holds lives below DIR, so backing it up or moving
// it is copying one folder.
package datadir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/siterepo"
	"github.com/comune-torino/portale/internal/store"
)

// Dir is a data directory.
type Dir struct {
	Root string
}

func (d Dir) Site() string    { return filepath.Join(d.Root, "site") }
func (d Dir) DB() string      { return filepath.Join(d.Root, "portale.db") }
func (d Dir) Deploys() string { return filepath.Join(d.Root, "deploys") }
func (d Dir) Config() string  { return filepath.Join(d.Root, "portale.toml") }
func (d Dir) Build() string   { return filepath.Join(d.Root, ".build") }

// ErrNotInitialized means DIR exists but `portale init` has not run there.
var ErrNotInitialized = errors.New("datadir: not initialized")

// New resolves root to an absolute path.
func New(root string) (Dir, error) {
	if root == "" {
		return Dir{}, errors.New("manca --data: indica la cartella dei dati (es. --data ./var/portale)")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return Dir{}, err
	}
	return Dir{Root: abs}, nil
}

// Initialized reports whether Init has completed in d.
func (d Dir) Initialized() bool {
	for _, p := range []string{filepath.Join(d.Site(), ".git"), d.DB(), d.Deploys()} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// Check returns a clear error when d is missing, unreadable or not initialized.
func (d Dir) Check() error {
	info, err := os.Stat(d.Root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("la cartella dati %s non esiste: creala con «portale init --data %s»", d.Root, d.Root)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("la cartella dati %s non è leggibile: controlla i permessi", d.Root)
	case err != nil:
		return fmt.Errorf("la cartella dati %s non è utilizzabile: %v", d.Root, err)
	case !info.IsDir():
		return fmt.Errorf("%s non è una cartella", d.Root)
	}
	if _, err := os.ReadDir(d.Root); err != nil {
		return fmt.Errorf("la cartella dati %s non è leggibile: controlla i permessi", d.Root)
	}
	if !d.Initialized() {
		return fmt.Errorf("%w: la cartella %s non è inizializzata: esegui «portale init --data %s»", ErrNotInitialized, d.Root, d.Root)
	}
	return nil
}

// Init creates whatever part of the data directory is missing: the site
// repository from starter, the database with its migrations, the deploy store
// folder. It is safe to run again; existing parts are left as they are.
func (d Dir) Init(ctx context.Context, starter fs.FS) (created bool, err error) {
	if err := os.MkdirAll(d.Root, 0o750); err != nil {
		return false, fmt.Errorf("non riesco a creare la cartella dati %s: %w", d.Root, err)
	}
	if _, err := os.Stat(filepath.Join(d.Site(), ".git")); errors.Is(err, fs.ErrNotExist) {
		if err := os.RemoveAll(d.Site()); err != nil {
			return false, err
		}
		if _, err := siterepo.Init(ctx, d.Site(), starter); err != nil {
			return false, err
		}
		created = true
	}
	db, err := store.Open(ctx, d.DB())
	if err != nil {
		return created, err
	}
	if err := db.Close(); err != nil {
		return created, err
	}
	if err := os.MkdirAll(d.Deploys(), 0o750); err != nil {
		return created, err
	}
	if _, err := os.Stat(d.Config()); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(d.Config(), config.Example, 0o600); err != nil {
			return created, err
		}
	}
	return created, nil
}
