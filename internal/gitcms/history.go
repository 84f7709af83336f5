package gitcms

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/staff"
)

// The "Storico" (C4): every change to every content page, with author, time
// and diff, and the restore of a previous version as a new commit on main.

//go:embed templates/*.html
var historyTemplateFiles embed.FS

var historyTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"when":  formatWhen,
	"short": shortSHA,
	"pageURL": func(p string) string {
		return "/cms/storico/pagina?" + url.Values{"path": {p}}.Encode()
	},
}).ParseFS(historyTemplateFiles, "templates/*.html"))

// historyCSP allows the pages nothing but their own stylesheet and fonts: no
// script at all.
const historyCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// maxDiffBytes bounds the diff shown for one commit.
const maxDiffBytes = 64 << 10

// restoreAction is the audit's name for a restore.
const restoreAction = "ripristina"

// commitInfo is one commit that touched a file.
type commitInfo struct {
	SHA, Author, Email, Message string
	When                        time.Time
	Diff                        string
	// Truncated says the diff was cut at maxDiffBytes.
	Truncated bool
	// Removed says the commit deleted the file: that version has nothing
	// to restore.
	Removed bool
}

// pageInfo is a content file with its last change.
type pageInfo struct {
	Path string
	Last commitInfo
}

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

func formatWhen(t time.Time) string { return t.In(civil.Rome).Format("02/01/2006 15:04") }

func shortSHA(sha string) string { return sha[:min(len(sha), 8)] }

// logFormat separates commits with RS, fields with US and the header from
// the diff with GS.
const logFormat = "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1d"

// literal makes git read paths as paths, never as wildcards.
var literal = []string{"GIT_LITERAL_PATHSPECS=1"}

// parseLog reads git log output in logFormat; after each header comes the
// diff (with -p) or the names of the files (with --name-only).
func parseLog(out string) ([]commitInfo, []string, error) {
	var commits []commitInfo
	var rests []string
	for _, chunk := range strings.Split(out, "\x1e")[1:] {
		header, rest, _ := strings.Cut(chunk, "\x1d")
		f := strings.SplitN(header, "\x1f", 5)
		if len(f) != 5 {
			return nil, nil, fmt.Errorf("gitcms: unreadable log entry %q", header)
		}
		when, err := time.Parse(time.RFC3339, f[3])
		if err != nil {
			return nil, nil, err
		}
		commits = append(commits, commitInfo{SHA: f[0], Author: f[1], Email: f[2], When: when, Message: f[4]})
		rests = append(rests, strings.TrimLeft(rest, "\n"))
	}
	return commits, rests, nil
}

// pages lists the content files on main with their last change.
func (g *repo) pages(ctx context.Context) ([]pageInfo, error) {
	entries, err := g.files(ctx, mainBranch, contentFolder)
	if err != nil {
		return nil, err
	}
	out, err := g.git(ctx, literal, nil, "-c", "core.quotePath=false", "log", logFormat, "--name-only", "--no-renames",
		mainBranch, "--", contentFolder+"/")
	if err != nil {
		return nil, err
	}
	commits, names, err := parseLog(out)
	if err != nil {
		return nil, err
	}
	last := map[string]commitInfo{}
	for i, c := range commits {
		for _, p := range strings.Split(names[i], "\n") {
			if _, seen := last[p]; p != "" && !seen {
				last[p] = c
			}
		}
	}
	pages := make([]pageInfo, 0, len(entries))
	for _, e := range entries {
		if e.mode == modeSymlink {
			continue
		}
		pages = append(pages, pageInfo{Path: e.path, Last: last[e.path]})
	}
	slices.SortFunc(pages, func(a, b pageInfo) int { return strings.Compare(a.Path, b.Path) })
	return pages, nil
}

// fileHistory lists, newest first, the commits of main's history that
// changed p, each with its diff of p.
func (g *repo) fileHistory(ctx context.Context, p string) ([]commitInfo, error) {
	out, err := g.git(ctx, literal, nil, "log", logFormat, "-p", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames",
		mainBranch, "--", p)
	if err != nil {
		return nil, err
	}
	commits, diffs, err := parseLog(out)
	if err != nil {
		return nil, err
	}
	for i := range commits {
		d := diffs[i]
		head, _, _ := strings.Cut(d, "\n@@")
		commits[i].Removed = strings.Contains(head, "\ndeleted file mode ")
		if len(d) > maxDiffBytes {
			d, commits[i].Truncated = strings.ToValidUTF8(d[:maxDiffBytes], ""), true
		}
		commits[i].Diff = d
	}
	return commits, nil
}

// historyPage is what every Storico template receives.
type historyPage struct {
	Title      string
	User       staff.User
	MayRestore bool
	Pages      []pageInfo
	Path       string
	Commits    []commitInfo
	Restored   string
	// Message explains an error page.
	Message string
}

func mayRestore(u staff.User) bool { return rank(u.Role) >= rank(staff.Validatore) }

// mayRestorePath reports whether u may change p in the CMS: a file of a
// collection, in u's sections.
func mayRestorePath(u staff.User, p string) bool {
	_, _, ok := findCollection(u, p)
	return ok
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p historyPage) {
	var buf bytes.Buffer
	if err := historyTemplates.ExecuteTemplate(&buf, name, p); err != nil {
		h.cfg.Logger.Error("cms history: template", "template", name, "err", err)
		status, name = http.StatusInternalServerError, "errore.html"
		buf.Reset()
		historyTemplates.ExecuteTemplate(&buf, name, historyPage{Title: "Errore", User: p.User,
			Message: "Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa l'amministratore."})
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", historyCSP)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderError answers an Italian page for an error status.
func (h *Handler) renderError(w http.ResponseWriter, u staff.User, status int, message string) {
	titles := map[int]string{
		http.StatusForbidden: "Operazione non permessa", http.StatusNotFound: "Non trovato",
		http.StatusUnprocessableEntity: "Richiesta non valida", http.StatusConflict: "Nulla da ripristinare",
	}
	title, ok := titles[status]
	if !ok {
		title = "Errore"
	}
	h.render(w, status, "errore.html", historyPage{Title: title, User: u, Message: message})
}

// renderFailure answers err as the page for its apiError, or as an
// unexpected error.
func (h *Handler) renderFailure(w http.ResponseWriter, r *http.Request, u staff.User, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		h.renderError(w, u, ae.status, ae.message)
		return
	}
	h.cfg.Logger.ErrorContext(r.Context(), "cms history failed", "user", u, "err", err)
	h.renderError(w, u, http.StatusInternalServerError,
		"Si è verificato un errore imprevisto. Riprova; se il problema continua, avvisa l'amministratore.")
}

// serveHistoryIndex answers GET /cms/storico/: every content page with its
// last change.
func (h *Handler) serveHistoryIndex(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	pages, err := h.repo.pages(r.Context())
	if err != nil {
		h.renderFailure(w, r, u, err)
		return
	}
	h.render(w, http.StatusOK, "storico.html", historyPage{Title: "Storico delle pagine", User: u, Pages: pages})
}

// historyOf checks p and returns its history; a path outside content/ is
// refused, one never on main is not found.
func (h *Handler) historyOf(ctx context.Context, p string) ([]commitInfo, error) {
	if err := checkContentFile(p); err != nil {
		return nil, err
	}
	commits, err := h.repo.fileHistory(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(commits) == 0 {
		return nil, notFound(fmt.Sprintf("La pagina %s non ha uno storico: controlla il percorso.", p))
	}
	return commits, nil
}

// serveHistoryPage answers GET /cms/storico/pagina?path=…: every change to
// one page, with its diff.
func (h *Handler) serveHistoryPage(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	p := r.URL.Query().Get("path")
	commits, err := h.historyOf(r.Context(), p)
	if err != nil {
		h.renderFailure(w, r, u, err)
		return
	}
	restored := r.URL.Query().Get("ripristinato")
	if !fullSHA.MatchString(restored) {
		restored = ""
	}
	h.render(w, http.StatusOK, "pagina.html", historyPage{Title: "Storico di " + p, User: u, MayRestore: mayRestore(u) && mayRestorePath(u, p),
		Path: p, Commits: commits, Restored: restored})
}

// serveRestore answers POST /cms/storico/ripristina (path, commit): the
// version of path in commit becomes, as a new commit by the logged-in
// validatore or administrator, the page on main; then the site is rebuilt.
func (h *Handler) serveRestore(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p, sha := r.PostFormValue("path"), strings.ToLower(r.PostFormValue("commit"))
	target := p + "@" + shortSHA(sha)
	c := &call{h: h, ctx: r.Context(), user: u, target: target}
	restored, err := c.restore(p, sha)
	if err == nil {
		err = h.publish(r.Context())
	}
	if err != nil {
		var ae *apiError
		outcome := "errore"
		if errors.As(err, &ae) {
			outcome = ae.outcome
		}
		h.audit(r.Context(), u, restoreAction, target, outcome, err.Error())
		h.renderFailure(w, r, u, err)
		return
	}
	h.audit(r.Context(), u, restoreAction, target, "eseguita", "nuovo commit "+restored)
	http.Redirect(w, r, "/cms/storico/pagina?"+url.Values{"path": {p}, "ripristinato": {restored}}.Encode(), http.StatusSeeOther)
}

// restore commits the version of p in sha on main and returns the new
// commit.
func (c *call) restore(p, sha string) (string, error) {
	if !mayRestore(c.user) {
		return "", forbidden("Il tuo profilo (%s) non permette di ripristinare una versione precedente: chiedi a un validatore.", c.user.Role.Label())
	}
	if err := checkContentFile(p); err != nil {
		return "", err
	}
	if !mayRestorePath(c.user, p) {
		return "", forbidden("Il tuo profilo non permette di modificare %s: la pagina non è tra quelle che gestisci nel CMS.", p)
	}
	if !fullSHA.MatchString(sha) {
		return "", notFound("Versione sconosciuta: scegli una versione dallo storico della pagina.")
	}
	defer c.lock()()
	commits, err := c.h.historyOf(c.ctx, p)
	if err != nil {
		return "", err
	}
	if !slices.ContainsFunc(commits, func(ci commitInfo) bool { return ci.SHA == sha }) {
		return "", notFound(fmt.Sprintf("La versione %s non è nello storico di %s.", shortSHA(sha), p))
	}
	if err := c.h.repo.noSymlinkOnPath(c.ctx, sha, p); err != nil {
		return "", err
	}
	old, ok, err := c.h.repo.entry(c.ctx, sha, p)
	if err != nil {
		return "", err
	}
	if !ok || (old.mode != modeFile && old.mode != modeExecutable) {
		return "", notFound(fmt.Sprintf("Nella versione %s la pagina %s non esiste (era stata eliminata): scegli una versione precedente.", shortSHA(sha), p))
	}
	if cur, ok, err := c.h.repo.entry(c.ctx, mainBranch, p); err != nil {
		return "", err
	} else if ok && cur.sha == old.sha {
		return "", &apiError{status: http.StatusConflict, outcome: "rifiutata",
			message: fmt.Sprintf("La pagina %s pubblicata è già uguale alla versione %s: non c'è nulla da ripristinare.", p, shortSHA(sha))}
	}
	content, err := c.h.repo.blob(c.ctx, old.sha)
	if err != nil {
		return "", err
	}
	if err := c.commitToMain([]change{{path: p, content: content}}, fmt.Sprintf("Ripristina %s alla versione %s", p, shortSHA(sha))); err != nil {
		return "", err
	}
	return c.h.repo.resolve(c.ctx, mainBranch)
}
