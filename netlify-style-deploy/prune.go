package deploy

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// PruneResult tells what Prune removed.
type PruneResult struct {
	Deploys []string // ids of the deploys removed
	Blobs   int      // blob files removed, compressed variants included
	Bytes   int64    // bytes freed
}

// Prune removes deploys other than the live one, those published as
// previews and the newest keep, then the blobs no remaining deploy uses.
// It holds the store's lock alone, so it waits for a Create in progress.
func (s *Store) Prune(keep int) (PruneResult, error) {
	var res PruneResult
	unlock, err := s.lock(true)
	if err != nil {
		return res, err
	}
	defer unlock()

	all, err := s.List()
	if err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	used := map[string]bool{}
	for i, d := range all {
		if d.Live || d.Preview != "" || i < keep {
			m, err := s.readManifest(d.ID)
			if err != nil {
				return res, fmt.Errorf("prune: %w", err)
			}
			for _, e := range m.Files {
				used[e.Digest] = true
			}
			for _, e := range m.Config {
				used[e.Digest] = true
			}
			continue
		}
		if err := os.Remove(s.manifestPath(d.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return res, fmt.Errorf("prune: %w", err)
		}
		res.Deploys = append(res.Deploys, d.ID)
	}

	err = filepath.WalkDir(filepath.Join(s.dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		digest, _, _ := strings.Cut(d.Name(), ".")
		if used[digest] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		res.Blobs++
		res.Bytes += info.Size()
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	// With the lock held no Create is writing, so anything left in tmp/ is
	// debris from a process that died mid-write.
	tmp, err := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	for _, e := range tmp {
		os.Remove(filepath.Join(s.dir, "tmp", e.Name()))
	}
	return res, nil
}
