// Package siterepo manages an installation's site repository: a git working
// copy of the Hugo site that editors change through the CMS. It drives the real
// git command, so what it leaves behind is an ordinary repository anyone can
// clone, inspect and build with the stock hugo CLI.
package siterepo

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// VendorDir is where front-end vendor assets live inside the site: copied in
// at build time from the binary, ignored by git so they are never committed.
const VendorDir = "themes/portale/static/vendor"

// gitignore keeps build by-products and vendored assets out of history.
const gitignore = `# Written by portale: build outputs and vendor assets are never committed.
/public/
/resources/_gen/
.hugo_build.lock
/` + VendorDir + `/
`

// Author is who a commit is attributed to.
type Author struct {
	Name  string
	Email string
}

// System is the author of commits the portal makes itself.
var System = Author{Name: "Portale Multiservizi", Email: "portale@localhost"}

// Repo is a site repository on disk.
type Repo struct {
	Dir string
}

// ErrNotRepository means the directory holds no site repository.
var ErrNotRepository = errors.New("siterepo: not a site repository")

// Open returns the repository at dir, checking it is a git working copy.
func Open(dir string) (*Repo, error) {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotRepository, dir)
	}
	return &Repo{Dir: dir}, nil
}

// Init creates a repository at dir holding the files of starter (minus the
// vendor assets), with one initial commit on branch main.
func Init(ctx context.Context, dir string, starter fs.FS) (*Repo, error) {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return nil, fmt.Errorf("siterepo: %s already holds a repository", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := copyFS(dir, starter, func(p string) bool { return !isVendor(p) }); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(gitignore), 0o644); err != nil {
		return nil, err
	}
	r := &Repo{Dir: dir}
	if _, err := r.git(ctx, nil, "init", "--quiet", "--initial-branch=main"); err != nil {
		return nil, err
	}
	if _, err := r.git(ctx, nil, "add", "--all"); err != nil {
		return nil, err
	}
	if err := r.Commit(ctx, System, "Sito iniziale del Portale Multiservizi"); err != nil {
		return nil, err
	}
	return r, nil
}

// SyncVendor replaces the site's vendor assets with those in starter, so a
// newer binary brings its newer Bootstrap Italia to every build.
func (r *Repo) SyncVendor(starter fs.FS) error {
	return syncVendor(r.Dir, starter)
}

// syncVendor writes the vendor assets of starter into the site at dir.
func syncVendor(dir string, starter fs.FS) error {
	dst := filepath.Join(dir, filepath.FromSlash(VendorDir))
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	sub, err := fs.Sub(starter, VendorDir)
	if err != nil {
		return err
	}
	if _, err := fs.Stat(sub, "."); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return copyFS(dst, sub, func(string) bool { return true })
}

// Export writes the tree of ref (a branch or a commit) into dir, with the
// vendor assets of starter, ready for Hugo: how a CMS draft branch is built
// into a preview without touching the working tree.
func (r *Repo) Export(ctx context.Context, ref, dir string, starter fs.FS) error {
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("siterepo: invalid ref %q", ref)
	}
	cmd := exec.CommandContext(ctx, "git", "archive", "--format=tar", ref)
	cmd.Dir = r.Dir
	cmd.Env = []string{"HOME=" + r.Dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "PATH=" + os.Getenv("PATH"), "LC_ALL=C"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	extractErr := extractTar(out, dir)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("siterepo: git archive %s: %w: %s", ref, err, strings.TrimSpace(stderr.String()))
	}
	if extractErr != nil {
		return extractErr
	}
	return syncVendor(dir, starter)
}

// extractTar writes the regular files and folders of a git archive into dir;
// git archive holds nothing else worth building, and names from it cannot
// leave dir (checked anyway).
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if name == "." || strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			continue
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.Create(target)
			if err != nil {
				return err
			}
			if _, err := io.Copy(f, tr); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
}

// Commit records every change in the working tree as one commit by author.
func (r *Repo) Commit(ctx context.Context, a Author, message string) error {
	env := []string{
		"GIT_AUTHOR_NAME=" + a.Name, "GIT_AUTHOR_EMAIL=" + a.Email,
		"GIT_COMMITTER_NAME=" + System.Name, "GIT_COMMITTER_EMAIL=" + System.Email,
	}
	if _, err := r.git(ctx, nil, "add", "--all"); err != nil {
		return err
	}
	_, err := r.git(ctx, env, "commit", "--quiet", "--no-gpg-sign", "--allow-empty", "-m", message)
	return err
}

// Head returns the commit id of HEAD.
func (r *Repo) Head(ctx context.Context) (string, error) {
	out, err := r.git(ctx, nil, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

// Change is a file of the working tree that differs from an earlier commit.
type Change struct {
	Path   string // relative to the repository, slash-separated
	Status byte   // 'A' added, 'M' modified, 'D' deleted, or another git status letter (e.g. 'T', type changed)
}

// ChangesSince lists the files of the working tree that differ from commit
// since, whether committed after it or not committed at all (untracked files
// count as added; ignored ones, like the vendor assets, do not count). A
// rename is a deletion and an addition.
func (r *Repo) ChangesSince(ctx context.Context, since string) ([]Change, error) {
	if strings.HasPrefix(since, "-") || since == "" {
		return nil, fmt.Errorf("siterepo: invalid commit %q", since)
	}
	out, err := r.git(ctx, nil, "diff", "--name-status", "--no-renames", "-z", since, "--")
	if err != nil {
		return nil, err
	}
	var changes []Change
	fields := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "" {
			continue
		}
		changes = append(changes, Change{Path: fields[i+1], Status: fields[i][0]})
	}
	out, err = r.git(ctx, nil, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	for p := range strings.SplitSeq(out, "\x00") {
		if p != "" {
			changes = append(changes, Change{Path: p, Status: 'A'})
		}
	}
	return changes, nil
}

func (r *Repo) git(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	// A fixed, minimal environment: the operator's global git config (hooks,
	// signing, templates) must not change what the portal commits.
	cmd.Env = append([]string{
		"HOME=" + r.Dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"PATH=" + os.Getenv("PATH"), "LC_ALL=C",
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errors.New("siterepo: the git command is not installed")
		}
		return "", fmt.Errorf("siterepo: git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func isVendor(p string) bool {
	return p == VendorDir || strings.HasPrefix(p, VendorDir+"/")
}

func copyFS(dst string, src fs.FS, keep func(string) bool) error {
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !keep(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
