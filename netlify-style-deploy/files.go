package deploy

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// File is one served file of a deploy, for code that copies a deploy
// elsewhere (see the push package).
type File struct {
	Path         string // slash-separated, relative to the site root
	SHA256       string // hex
	Size         int64
	Type         string // Content-Type
	CacheControl string // what the deploy server would send
}

// Files lists the files deploy id serves, sorted by path. The rule files
// (_headers, _redirects, netlify.toml) are not among them.
func (s *Store) Files(id string) ([]File, error) {
	m, err := s.readManifest(id)
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(m.Files))
	for p, e := range m.Files {
		out = append(out, File{Path: p, SHA256: e.Digest, Size: e.Size, Type: e.Type, CacheControl: cacheControl(p, e.Type)})
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// RuleFiles lists the rule files of deploy id that exist.
func (s *Store) RuleFiles(id string) ([]string, error) {
	m, err := s.readManifest(id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range configFiles {
		if _, ok := m.Config[name]; ok {
			out = append(out, name)
		}
	}
	return out, nil
}

// OpenFile opens the stored content of f.
func (s *Store) OpenFile(f File) (io.ReadCloser, error) {
	if len(f.SHA256) != 64 || strings.ContainsAny(f.SHA256, "./\\") {
		return nil, fmt.Errorf("%s: %q is not a SHA-256", f.Path, f.SHA256)
	}
	return os.Open(s.blobPath(f.SHA256))
}
