package gitcms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/siterepo"
)

// repo drives the real git command over the site repository. Drafts live on
// branches cms/<collection>/<slug> and are written with plumbing (a private
// index file, hash-object, commit-tree, update-ref), so writing a draft never
// touches the working tree, which always holds main: the tree the site is
// built from. Only a change to main moves the working tree, by fast-forward.
type repo struct {
	dir string
}

const mainBranch = "main"

// Git file modes as ls-tree prints them.
const (
	modeFile       = "100644"
	modeExecutable = "100755"
	modeSymlink    = "120000"
	modeTree       = "040000"
)

// errConflict means publishing a draft would overwrite a change made on
// main since the draft began.
var errConflict = errors.New("gitcms: merge conflict")

func (g *repo) git(ctx context.Context, env []string, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.dir
	// As in siterepo: the operator's git configuration must not change what
	// the portal commits.
	cmd.Env = append([]string{
		"HOME=" + g.dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"PATH=" + os.Getenv("PATH"), "LC_ALL=C",
	}, env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &gitError{args: args, err: err, stderr: strings.TrimSpace(stderr.String())}
	}
	return stdout.String(), nil
}

type gitError struct {
	args   []string
	err    error
	stderr string
}

func (e *gitError) Error() string {
	return fmt.Sprintf("gitcms: git %s: %v: %s", strings.Join(e.args, " "), e.err, e.stderr)
}

func (e *gitError) Unwrap() error { return e.err }

// exitCode is git's exit status, or -1 when git did not run.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// resolve returns the commit a branch points at, or "" when there is none.
func (g *repo) resolve(ctx context.Context, branch string) (string, error) {
	out, err := g.git(ctx, nil, nil, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	if exitCode(err) == 1 {
		return "", nil
	}
	return strings.TrimSpace(out), err
}

// treeEntry is one file of a commit's tree.
type treeEntry struct {
	mode, sha, path string
}

// files lists the files under folder (recursively) in commit rev.
func (g *repo) files(ctx context.Context, rev, folder string) ([]treeEntry, error) {
	out, err := g.git(ctx, nil, nil, "ls-tree", "-r", "-z", "--full-tree", rev, "--", folder+"/")
	if err != nil {
		return nil, err
	}
	var entries []treeEntry
	for _, line := range strings.Split(out, "\x00") {
		meta, p, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta)
		if len(f) == 3 && f[1] == "blob" {
			entries = append(entries, treeEntry{mode: f[0], sha: f[2], path: p})
		}
	}
	return entries, nil
}

// entry returns the tree entry of p in rev, ok false when absent.
func (g *repo) entry(ctx context.Context, rev, p string) (treeEntry, bool, error) {
	out, err := g.git(ctx, nil, nil, "ls-tree", "-z", "--full-tree", rev, "--", p)
	if err != nil {
		return treeEntry{}, false, err
	}
	meta, got, ok := strings.Cut(strings.TrimSuffix(out, "\x00"), "\t")
	if !ok || got != p {
		return treeEntry{}, false, nil
	}
	f := strings.Fields(meta)
	if len(f) != 3 {
		return treeEntry{}, false, nil
	}
	return treeEntry{mode: f[0], sha: f[2], path: p}, true, nil
}

// noSymlinkOnPath fails when p, or a folder above it, is a symbolic link in
// rev: a link could lead a read or a checkout outside the allowed folders.
func (g *repo) noSymlinkOnPath(ctx context.Context, rev, p string) error {
	parts := strings.Split(p, "/")
	for i := range parts {
		e, ok, err := g.entry(ctx, rev, strings.Join(parts[:i+1], "/"))
		if err != nil {
			return err
		}
		if ok && e.mode == modeSymlink {
			return errSymlink
		}
	}
	return nil
}

// blob reads the content of a blob.
func (g *repo) blob(ctx context.Context, sha string) ([]byte, error) {
	out, err := g.git(ctx, nil, nil, "cat-file", "blob", sha)
	return []byte(out), err
}

// change is what one commit does to one file: new content, or removal when
// content is nil.
type change struct {
	path    string
	content []byte
}

// commit writes changes on top of parent as a new commit by author and
// returns its id; no branch moves. A path through a symbolic link is
// refused, so a checkout can never write outside its folder.
func (g *repo) commit(ctx context.Context, parent string, changes []change, author siterepo.Author, message string) (string, error) {
	for _, c := range changes {
		if err := g.noSymlinkOnPath(ctx, parent, c.path); err != nil {
			return "", err
		}
	}
	// A private index: the working tree's own index stays with main.
	tmp, err := os.MkdirTemp("", "gitcms-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(tmp, "index")}
	if _, err := g.git(ctx, env, nil, "read-tree", parent); err != nil {
		return "", err
	}
	for _, c := range changes {
		if c.content == nil {
			if _, err := g.git(ctx, env, nil, "update-index", "--force-remove", "--", c.path); err != nil {
				return "", err
			}
			continue
		}
		sha, err := g.git(ctx, nil, bytes.NewReader(c.content), "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		if _, err := g.git(ctx, env, nil, "update-index", "--add", "--cacheinfo", modeFile+","+strings.TrimSpace(sha)+","+c.path); err != nil {
			return "", err
		}
	}
	tree, err := g.git(ctx, env, nil, "write-tree")
	if err != nil {
		return "", err
	}
	return g.commitTree(ctx, strings.TrimSpace(tree), []string{parent}, author, message)
}

func (g *repo) commitTree(ctx context.Context, tree string, parents []string, author siterepo.Author, message string) (string, error) {
	args := []string{"commit-tree", tree}
	for _, p := range parents {
		args = append(args, "-p", p)
	}
	env := []string{
		"GIT_AUTHOR_NAME=" + author.Name, "GIT_AUTHOR_EMAIL=" + author.Email,
		"GIT_COMMITTER_NAME=" + siterepo.System.Name, "GIT_COMMITTER_EMAIL=" + siterepo.System.Email,
	}
	out, err := g.git(ctx, env, strings.NewReader(message), args...)
	return strings.TrimSpace(out), err
}

// setBranch points branch at commit, if it still points at old ("" for a
// new branch): a concurrent change is an error, never overwritten.
func (g *repo) setBranch(ctx context.Context, branch, commit, old string) error {
	if old == "" {
		old = strings.Repeat("0", 40)
	}
	_, err := g.git(ctx, nil, nil, "update-ref", "refs/heads/"+branch, commit, old)
	return err
}

// advanceMain moves main, and the working tree with it, to commit, which
// must descend from main.
func (g *repo) advanceMain(ctx context.Context, commit string) error {
	_, err := g.git(ctx, nil, nil, "merge", "--ff-only", "--quiet", commit)
	return err
}

func (g *repo) deleteBranch(ctx context.Context, branch string) error {
	if _, err := g.git(ctx, nil, nil, "update-ref", "-d", "refs/heads/"+branch); err != nil {
		return err
	}
	// The branch's status goes with it; a draft that never had one is fine.
	g.git(ctx, nil, nil, "config", "--remove-section", "branch."+branch)
	return nil
}

// branches lists the branches under prefix/.
func (g *repo) branches(ctx context.Context, prefix string) ([]string, error) {
	out, err := g.git(ctx, nil, nil, "for-each-ref", "--format=%(refname)", "refs/heads/"+prefix+"/")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l != "" {
			names = append(names, strings.TrimPrefix(l, "refs/heads/"))
		}
	}
	return names, nil
}

func (g *repo) status(ctx context.Context, branch string) (string, error) {
	out, err := g.git(ctx, nil, nil, "config", "--get", "branch."+branch+".cmsstatus")
	if exitCode(err) == 1 {
		return "", nil
	}
	return strings.TrimSpace(out), err
}

func (g *repo) setStatus(ctx context.Context, branch, status string) error {
	_, err := g.git(ctx, nil, nil, "config", "branch."+branch+".cmsstatus", status)
	return err
}

// fileChange is a file a draft changes with respect to main.
type fileChange struct {
	path    string
	deleted bool
	added   bool
}

// changes lists what branch changes since it left main.
func (g *repo) changes(ctx context.Context, branch string) ([]fileChange, error) {
	base, err := g.git(ctx, nil, nil, "merge-base", mainBranch, branch)
	if err != nil {
		return nil, err
	}
	out, err := g.git(ctx, nil, nil, "diff", "--name-status", "--no-renames", "-z", strings.TrimSpace(base), branch)
	if err != nil {
		return nil, err
	}
	f := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	var changes []fileChange
	for i := 0; i+1 < len(f); i += 2 {
		changes = append(changes, fileChange{path: f[i+1], added: f[i] == "A", deleted: f[i] == "D"})
	}
	return changes, nil
}

// updatedAt is when branch last changed.
func (g *repo) updatedAt(ctx context.Context, branch string) (time.Time, error) {
	out, err := g.git(ctx, nil, nil, "log", "-1", "--format=%cI", branch)
	if err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, strings.TrimSpace(out))
}

// merge joins branch into main as a merge commit by author, without
// touching the working tree; a conflict returns errConflict with the paths.
func (g *repo) merge(ctx context.Context, branch string, author siterepo.Author, message string) (string, error) {
	mainHead, err := g.resolve(ctx, mainBranch)
	if err != nil {
		return "", err
	}
	tip, err := g.resolve(ctx, branch)
	if err != nil {
		return "", err
	}
	out, err := g.git(ctx, nil, nil, "merge-tree", "--write-tree", "--name-only", "--no-messages", mainHead, tip)
	if exitCode(err) == 1 {
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return "", fmt.Errorf("%w: %s", errConflict, strings.Join(lines[1:], ", "))
	}
	if err != nil {
		return "", err
	}
	tree := strings.SplitN(strings.TrimSpace(out), "\n", 2)[0]
	return g.commitTree(ctx, tree, []string{mainHead, tip}, author, message)
}
