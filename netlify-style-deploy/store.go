package deploy

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"
)

// ErrNoLiveDeploy is returned by Live when no deploy has been published yet.
var ErrNoLiveDeploy = errors.New("no deploy has been published yet")

// ErrDeployNotFound is returned when an id names no deploy in the store.
var ErrDeployNotFound = errors.New("deploy not found")

// ErrPreviewNotFound is returned when a preview name has nothing published under it.
var ErrPreviewNotFound = errors.New("preview not found")

// Deploy describes one stored snapshot.
type Deploy struct {
	ID      string
	Created time.Time
	Files   int   // files in the snapshot, _headers/_redirects/netlify.toml included
	Bytes   int64 // their total size, before compression
	Preview string
	Live    bool
}

// Store is a directory of deploys. It is safe for concurrent use, and several
// processes may open the same directory.
type Store struct {
	dir string

	mu      sync.Mutex
	servers []weak.Pointer[Server] // servers to reload when this Store publishes
}

// Open opens the store in dir, creating it if missing.
func Open(dir string) (*Store, error) {
	for _, sub := range []string{"blobs", "deploys", "previews", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("open deploy store: %w", err)
		}
	}
	return &Store{dir: dir}, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

var (
	idPattern      = regexp.MustCompile(`^[0-9]{8}T[0-9]{12}-[0-9a-f]{6}$`)
	previewPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
)

// newID returns an id that sorts by creation time (to the microsecond) and
// stays unique when two processes create a deploy in the same microsecond.
func newID(t time.Time) string {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	t = t.UTC()
	return fmt.Sprintf("%s%06d-%s", t.Format("20060102T150405"), t.Nanosecond()/1000, hex.EncodeToString(b[:]))
}

func checkID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%q is not a deploy id (expected e.g. 20260101T120000000000-a1b2c3): %w", id, ErrDeployNotFound)
	}
	return nil
}

// PreviewName turns any label (a CMS branch such as "cms/posts/nuova-ztl")
// into a valid preview name: lower case letters, digits and dashes, at most 63
// characters, so it also fits as a host name label.
func PreviewName(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	name := b.String()
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	return name
}

func checkPreviewName(name string) error {
	if !previewPattern.MatchString(name) {
		return fmt.Errorf("%q is not a valid preview name: use lower case letters, digits and dashes (at most 63), e.g. %q", name, PreviewName(name))
	}
	return nil
}

func (s *Store) manifestPath(id string) string {
	return filepath.Join(s.dir, "deploys", id+".json")
}

func (s *Store) blobPath(digest string) string {
	return filepath.Join(s.dir, "blobs", digest[:2], digest)
}

// Publish makes deploy id the live one. Publishing an older deploy is a
// rollback: nothing is rebuilt or copied, only the pointer changes.
func (s *Store) Publish(id string) error {
	if err := s.setPointer(filepath.Join(s.dir, "live"), id); err != nil {
		return fmt.Errorf("publish %s: %w", id, err)
	}
	return s.reloadServers()
}

// PublishPreview publishes deploy id under the preview name, reachable at
// /_preview/<name>/ (or on the preview host). It never touches the live site.
func (s *Store) PublishPreview(name, id string) error {
	if err := checkPreviewName(name); err != nil {
		return err
	}
	if err := s.setPointer(filepath.Join(s.dir, "previews", name), id); err != nil {
		return fmt.Errorf("publish preview %s: %w", name, err)
	}
	return s.reloadServers()
}

// RemovePreview takes preview name offline (for example when its CMS branch is
// merged or deleted). The deploy itself stays until Prune removes it.
func (s *Store) RemovePreview(name string) error {
	if err := checkPreviewName(name); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(s.dir, "previews", name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove preview %s: %w", name, ErrPreviewNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove preview %s: %w", name, err)
	}
	return s.reloadServers()
}

// setPointer atomically replaces the pointer file at dst with id, after
// checking that the deploy exists. The shared lock keeps Prune from removing
// the deploy between the check and the rename.
func (s *Store) setPointer(dst, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	unlock, err := s.lock(false)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(s.manifestPath(id)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", id, ErrDeployNotFound)
		}
		return err
	}
	return s.writeAtomic(dst, []byte(id+"\n"))
}

// writeAtomic writes data to dst through a synced temporary file and a rename.
func (s *Store) writeAtomic(dst string, data []byte) error {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "write-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
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
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// pointer is what a pointer file says: a deploy id, and when it was set (which
// becomes Last-Modified of everything served through it).
type pointer struct {
	id  string
	set time.Time
}

func (p pointer) same(q pointer) bool { return p.id == q.id && p.set.Equal(q.set) }

func readPointer(path string) (pointer, error) {
	f, err := os.Open(path)
	if err != nil {
		return pointer{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return pointer{}, err
	}
	var buf [128]byte
	n, _ := f.Read(buf[:])
	id := strings.TrimSpace(string(buf[:n]))
	if err := checkID(id); err != nil {
		return pointer{}, fmt.Errorf("pointer file %s is damaged: %w", path, err)
	}
	return pointer{id: id, set: st.ModTime()}, nil
}

func (s *Store) livePointer() (pointer, error) {
	p, err := readPointer(filepath.Join(s.dir, "live"))
	if errors.Is(err, fs.ErrNotExist) {
		return pointer{}, ErrNoLiveDeploy
	}
	return p, err
}

func (s *Store) previewPointers() (map[string]pointer, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "previews"))
	if err != nil {
		return nil, err
	}
	out := make(map[string]pointer, len(entries))
	for _, e := range entries {
		if checkPreviewName(e.Name()) != nil {
			continue
		}
		p, err := readPointer(filepath.Join(s.dir, "previews", e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed while we listed
		}
		if err != nil {
			return nil, err
		}
		out[e.Name()] = p
	}
	return out, nil
}

func (s *Store) readManifest(id string) (*manifest, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.manifestPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", id, ErrDeployNotFound)
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest of deploy %s is damaged: %w", id, err)
	}
	return &m, nil
}

// Live returns the live deploy, or ErrNoLiveDeploy.
func (s *Store) Live() (Deploy, error) {
	p, err := s.livePointer()
	if err != nil {
		return Deploy{}, err
	}
	m, err := s.readManifest(p.id)
	if err != nil {
		return Deploy{}, fmt.Errorf("live deploy: %w", err)
	}
	d := m.describe()
	d.Live = true
	if d.Preview, err = s.previewNames(p.id); err != nil {
		return Deploy{}, fmt.Errorf("live deploy: %w", err)
	}
	return d, nil
}

// previewNames lists, comma-separated, the previews deploy id is published as.
func (s *Store) previewNames(id string) (string, error) {
	previews, err := s.previewPointers()
	if err != nil {
		return "", err
	}
	var names []string
	for name, p := range previews {
		if p.id == id {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ","), nil
}

// List returns every deploy, newest first. Live marks the live one; Preview
// holds the preview names it is published under, comma-separated.
func (s *Store) List() ([]Deploy, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "deploys"))
	if err != nil {
		return nil, fmt.Errorf("list deploys: %w", err)
	}
	live, err := s.livePointer()
	if err != nil && !errors.Is(err, ErrNoLiveDeploy) {
		return nil, fmt.Errorf("list deploys: %w", err)
	}
	previews, err := s.previewPointers()
	if err != nil {
		return nil, fmt.Errorf("list deploys: %w", err)
	}
	names := make(map[string][]string)
	for name, p := range previews {
		names[p.id] = append(names[p.id], name)
	}
	var out []Deploy
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || checkID(id) != nil {
			continue
		}
		m, err := s.readManifest(id)
		if errors.Is(err, ErrDeployNotFound) {
			continue // pruned while we listed
		}
		if err != nil {
			return nil, fmt.Errorf("list deploys: %w", err)
		}
		d := m.describe()
		d.Live = id == live.id
		slices.Sort(names[id])
		d.Preview = strings.Join(names[id], ",")
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Deploy) int { return strings.Compare(b.ID, a.ID) })
	return out, nil
}

// register makes Publish through this Store reload srv at once. The pointer
// is weak so a Server that is no longer used can be collected.
func (s *Store) register(srv *Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.servers = append(s.servers, weak.Make(srv))
}

func (s *Store) reloadServers() error {
	s.mu.Lock()
	var servers []*Server
	kept := s.servers[:0]
	for _, wp := range s.servers {
		if srv := wp.Value(); srv != nil {
			servers = append(servers, srv)
			kept = append(kept, wp)
		}
	}
	s.servers = kept
	s.mu.Unlock()
	var errs []error
	for _, srv := range servers {
		if err := srv.Reload(); err != nil {
			errs = append(errs, fmt.Errorf("published, but the server could not load it: %w", err))
		}
	}
	return errors.Join(errs...)
}
