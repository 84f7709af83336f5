package gitcms

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/siterepo"
	"github.com/comune-torino/portale/internal/staff"
)

// call is one action in progress: who asks, and what it is about (for the
// audit).
type call struct {
	h      *Handler
	ctx    context.Context
	user   staff.User
	target string
}

type action func(c *call, params json.RawMessage) (any, error)

// actions are every action the Decap CMS 3.16 proxy client sends.
var actions = map[string]action{
	"info":                         info,
	"entriesByFolder":              entriesByFolder,
	"entriesByFiles":               entriesByFiles,
	"getEntry":                     getEntry,
	"unpublishedEntries":           unpublishedEntries,
	"unpublishedEntry":             unpublishedEntry,
	"unpublishedEntryDataFile":     unpublishedEntryDataFile,
	"unpublishedEntryMediaFile":    unpublishedEntryMediaFile,
	"deleteUnpublishedEntry":       deleteUnpublishedEntry,
	"persistEntry":                 persistEntry,
	"updateUnpublishedEntryStatus": updateUnpublishedEntryStatus,
	"publishUnpublishedEntry":      publishUnpublishedEntry,
	"getMedia":                     getMedia,
	"getMediaFile":                 getMediaFile,
	"persistMedia":                 persistMedia,
	"deleteFile":                   deleteFile,
	"deleteFiles":                  deleteFiles,
	"getDeployPreview":             getDeployPreview,
}

// Workflow statuses, as Decap names them.
const (
	statusDraft          = "draft"
	statusPendingReview  = "pending_review"
	statusPendingPublish = "pending_publish"
)

var statusLabels = map[string]string{statusDraft: "bozza", statusPendingReview: "da revisionare", statusPendingPublish: "pronta"}

func decode(params json.RawMessage, v any) error {
	if len(params) == 0 {
		return nil
	}
	if err := json.Unmarshal(params, v); err != nil {
		return badRequest("Parametri non validi: %v", err)
	}
	return nil
}

// checkBranch refuses any branch but main: Decap names the branch it
// publishes to, and this backend has only one.
func checkBranch(b string) error {
	if b != "" && b != mainBranch {
		return badRequest("Il ramo %q non esiste: il sito si pubblica dal ramo %q.", b, mainBranch)
	}
	return nil
}

func (c *call) lock() func() {
	c.h.mu.Lock()
	return c.h.mu.Unlock
}

func (c *call) author() siterepo.Author {
	return siterepo.Author{Name: c.user.Name, Email: c.user.Email}
}

func (c *call) atLeast(r staff.Role) bool { return rank(c.user.Role) >= rank(r) }

func info(c *call, _ json.RawMessage) (any, error) {
	return map[string]any{"repo": "site", "publish_modes": []string{"simple", "editorial_workflow"}, "type": "local_git"}, nil
}

type fileRef struct {
	Path  string `json:"path"`
	Label string `json:"label,omitempty"`
	ID    any    `json:"id"`
}

type entry struct {
	Data any     `json:"data"`
	File fileRef `json:"file"`
}

// readEntry reads a content file of rev as Decap wants it; a missing file
// has null data and id.
func (c *call) readEntry(rev, decapPath, label string) (entry, error) {
	p := toRepo(decapPath)
	e := entry{File: fileRef{Path: decapPath, Label: label}}
	if err := c.h.repo.noSymlinkOnPath(c.ctx, rev, p); err != nil {
		return e, err
	}
	te, ok, err := c.h.repo.entry(c.ctx, rev, p)
	if err != nil || !ok {
		return e, err
	}
	if te.mode != modeFile && te.mode != modeExecutable {
		return e, errSymlink
	}
	data, err := c.h.repo.blob(c.ctx, te.sha)
	if err != nil {
		return e, err
	}
	e.Data, e.File.ID = string(data), te.sha
	return e, nil
}

func entriesByFolder(c *call, params json.RawMessage) (any, error) {
	var p struct {
		Branch, Folder, Extension string
		Depth                     int
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.Folder
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	folder := strings.TrimSuffix(p.Folder, "/")
	if err := checkContentFolder(folder); err != nil {
		return nil, err
	}
	defer c.lock()()
	if err := c.h.repo.noSymlinkOnPath(c.ctx, mainBranch, folder); err != nil {
		return nil, err
	}
	files, err := c.h.repo.files(c.ctx, mainBranch, folder)
	if err != nil {
		return nil, err
	}
	depth := max(p.Depth, 1)
	// The page tree lists sections (_index.md) too, only those the editor
	// may change; other folders list their entries.
	var tree collection
	if folder == contentFolder {
		pages, _ := collectionByName(pagesSection)
		var ok bool
		if tree, ok = pages.visibleTo(c.user); !ok {
			return nil, forbidden("Il tuo profilo (%s) non permette di modificare le pagine del portale.", c.user.Role.Label())
		}
	}
	out := []entry{}
	for _, f := range files {
		rel := strings.TrimPrefix(f.path, folder+"/")
		if strings.Count(rel, "/") >= depth || !strings.HasSuffix(f.path, "."+p.Extension) || f.mode == modeSymlink {
			continue
		}
		if tree.tree {
			if _, ok := tree.sectionOf(f.path); !ok {
				continue
			}
		} else if isSectionFile(f.path) {
			continue
		}
		e, err := c.readEntry(mainBranch, tree.decapPath(f.path), "")
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func entriesByFiles(c *call, params json.RawMessage) (any, error) {
	var p struct {
		Branch string
		Files  []struct{ Path, Label string }
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	var paths []string
	for _, f := range p.Files {
		if err := checkContentFile(f.Path); err != nil {
			return nil, err
		}
		paths = append(paths, f.Path)
	}
	c.target = strings.Join(paths, ", ")
	defer c.lock()()
	out := []entry{}
	for _, f := range p.Files {
		e, err := c.readEntry(mainBranch, f.Path, f.Label)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func getEntry(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Path string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.Path
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	if err := checkContentFile(p.Path); err != nil {
		return nil, err
	}
	defer c.lock()()
	return c.readEntry(mainBranch, p.Path, "")
}

// draftBranch is the branch of a collection's entry.
func draftBranch(collection, slug string) string { return "cms/" + collection + "/" + slug }

var slugPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$`)

// validSlug checks an entry's slug: in the page tree it is the entry's
// path below content/ (servizi/permessi-ztl, or servizi/_index).
func validSlug(col collection, slug string) bool {
	if len(slug) > 200 {
		return false
	}
	if !col.tree {
		return slugPattern.MatchString(slug)
	}
	segs := strings.Split(slug, "/")
	if len(segs) > treeDepth {
		return false
	}
	for i, seg := range segs {
		if !slugPattern.MatchString(seg) && (seg != sectionFile || i == 0 || i != len(segs)-1) {
			return false
		}
	}
	return true
}

// draftOf checks a collection and slug from Decap and returns the branch.
func (c *call) draftOf(collectionName, slug string) (collection, string, error) {
	c.target = collectionName + "/" + slug
	col, ok := collectionByName(collectionName)
	if !ok {
		return col, "", badRequest("La raccolta %q non esiste.", collectionName)
	}
	if !validSlug(col, slug) {
		return col, "", badRequest("Il nome %q non è valido: usa lettere, cifre e trattini.", slug)
	}
	return col, draftBranch(collectionName, slug), nil
}

// mayChangeDraft checks that u sees the collection and may edit the
// sections of the draft's files.
func (c *call) mayChangeDraft(col collection, branch string) error {
	vc, ok := col.visibleTo(c.user)
	if !ok {
		return forbidden("Il tuo profilo (%s) non permette di modificare «%s».", c.user.Role.Label(), col.label)
	}
	changes, err := c.h.repo.changes(c.ctx, branch)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		if strings.HasPrefix(ch.path, contentFolder+"/") {
			if _, ok := vc.sectionOf(ch.path); !ok {
				return forbidden("Il tuo profilo non permette di modificare %s.", ch.path)
			}
			if vc.tree && isSectionFile(ch.path) && !c.atLeast(staff.RedattoreEsperto) {
				return c.sectionsForbidden()
			}
		}
	}
	return nil
}

func (c *call) sectionsForbidden() error {
	return forbidden("Il tuo profilo (%s) non permette di creare, spostare o modificare le sezioni del portale: chiedi a un redattore esperto.", c.user.Role.Label())
}

// checkTree enforces the structure of the page tree on a draft's files
// (repository paths): creating, moving or changing a section (_index.md),
// or starting a folder that main does not have yet (a new section), is for
// a redattore esperto and above.
func (c *call) checkTree(paths []string) error {
	if c.atLeast(staff.RedattoreEsperto) {
		return nil
	}
	defer c.lock()()
	for _, p := range paths {
		if isSectionFile(p) {
			return c.sectionsForbidden()
		}
		dir := path.Dir(p)
		if dir == contentFolder {
			continue
		}
		te, ok, err := c.h.repo.entry(c.ctx, mainBranch, dir)
		if err != nil {
			return err
		}
		if !ok || te.mode != modeTree {
			return forbidden("La sezione %s non esiste: solo un redattore esperto può creare nuove sezioni. Scegli una sezione esistente.", strings.TrimPrefix(dir, contentFolder+"/"))
		}
	}
	return nil
}

func unpublishedEntries(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	defer c.lock()()
	branches, err := c.h.repo.branches(c.ctx, "cms")
	if err != nil {
		return nil, err
	}
	keys := []string{}
	for _, b := range branches {
		key := strings.TrimPrefix(b, "cms/")
		name, _, _ := strings.Cut(key, "/")
		if col, ok := collectionByName(name); ok {
			if _, ok := col.visibleTo(c.user); ok {
				keys = append(keys, key)
			}
		}
	}
	return keys, nil
}

type diff struct {
	OldPath string `json:"oldPath"`
	NewPath string `json:"newPath"`
	Status  string `json:"status"`
	NewFile bool   `json:"newFile"`
	Path    string `json:"path"`
	ID      string `json:"id"`
	Binary  bool   `json:"binary"`
}

func unpublishedEntry(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, ID, Collection, Slug string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if p.ID != "" {
		p.Collection, p.Slug, _ = strings.Cut(p.ID, "/")
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	if _, ok := col.visibleTo(c.user); !ok {
		return nil, forbidden("Il tuo profilo (%s) non permette di vedere «%s».", c.user.Role.Label(), col.label)
	}
	defer c.lock()()
	tip, err := c.h.repo.resolve(c.ctx, branch)
	if err != nil {
		return nil, err
	}
	if tip == "" {
		return nil, notFound("Questa voce non è in lavorazione.")
	}
	changes, err := c.h.repo.changes(c.ctx, branch)
	if err != nil {
		return nil, err
	}
	status, err := c.h.repo.status(c.ctx, branch)
	if err != nil {
		return nil, err
	}
	updated, err := c.h.repo.updatedAt(c.ctx, branch)
	if err != nil {
		return nil, err
	}
	diffs := []diff{}
	for _, ch := range changes {
		d := diff{Path: col.decapPath(ch.path), Status: "modified", NewFile: ch.added, Binary: !strings.HasSuffix(ch.path, ".md")}
		d.ID, d.OldPath, d.NewPath = d.Path, d.Path, d.Path
		switch {
		case ch.added:
			d.Status = "added"
		case ch.deleted:
			d.Status, d.NewPath = "deleted", ""
		}
		diffs = append(diffs, d)
	}
	return map[string]any{"collection": p.Collection, "slug": p.Slug, "status": status, "diffs": diffs,
		"updatedAt": updated.UTC().Format(time.RFC3339)}, nil
}

func unpublishedEntryDataFile(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug, Path, ID string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	if _, ok := col.visibleTo(c.user); !ok {
		return nil, forbidden("Il tuo profilo (%s) non permette di vedere «%s».", c.user.Role.Label(), col.label)
	}
	if err := checkContentFile(p.Path); err != nil {
		return nil, err
	}
	defer c.lock()()
	e, err := c.readEntry(branch, p.Path, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"data": e.Data}, nil
}

type mediaFile struct {
	ID       string `json:"id"`
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
	Path     string `json:"path"`
	Name     string `json:"name"`
}

// readMedia reads a media file of rev.
func (c *call) readMedia(rev, p string) (mediaFile, error) {
	if err := c.h.repo.noSymlinkOnPath(c.ctx, rev, p); err != nil {
		return mediaFile{}, err
	}
	te, ok, err := c.h.repo.entry(c.ctx, rev, p)
	if err != nil {
		return mediaFile{}, err
	}
	if !ok {
		return mediaFile{}, notFound("Il file " + p + " non esiste.")
	}
	data, err := c.h.repo.blob(c.ctx, te.sha)
	if err != nil {
		return mediaFile{}, err
	}
	sum := sha256.Sum256(data)
	return mediaFile{ID: hex.EncodeToString(sum[:]), Content: base64.StdEncoding.EncodeToString(data), Encoding: "base64",
		Path: p, Name: path.Base(p)}, nil
}

func unpublishedEntryMediaFile(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug, Path, ID string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	if _, ok := col.visibleTo(c.user); !ok {
		return nil, forbidden("Il tuo profilo (%s) non permette di vedere «%s».", c.user.Role.Label(), col.label)
	}
	if err := checkMediaPath(p.Path); err != nil {
		return nil, err
	}
	defer c.lock()()
	return c.readMedia(branch, p.Path)
}

func deleteUnpublishedEntry(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	defer c.lock()()
	if tip, err := c.h.repo.resolve(c.ctx, branch); err != nil {
		return nil, err
	} else if tip == "" {
		return nil, notFound("Questa voce non è in lavorazione.")
	}
	if err := c.mayChangeDraft(col, branch); err != nil {
		return nil, err
	}
	if err := c.h.repo.deleteBranch(c.ctx, branch); err != nil {
		return nil, err
	}
	return map[string]string{"message": "Modifiche in lavorazione eliminate: " + c.target}, nil
}

type dataFile struct {
	Slug    string `json:"slug"`
	Path    string `json:"path"`
	Raw     string `json:"raw"`
	NewPath string `json:"newPath"`
}

type asset struct {
	Path     string `json:"path"`
	Content  string `json:"content"`
	Encoding string `json:"encoding"`
}

func persistEntry(c *call, params json.RawMessage) (any, error) {
	var p struct {
		Branch    string
		Entry     *dataFile
		DataFiles []dataFile
		Assets    []asset
		Options   struct {
			CollectionName string
			UseWorkflow    bool
			Status         string
		}
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	if len(p.DataFiles) == 0 && p.Entry != nil {
		p.DataFiles = []dataFile{*p.Entry}
	}
	if len(p.DataFiles) == 0 {
		return nil, badRequest("Nessun contenuto da salvare.")
	}
	col, branch, err := c.draftOf(p.Options.CollectionName, p.DataFiles[0].Slug)
	if err != nil {
		return nil, err
	}
	vc, ok := col.visibleTo(c.user)
	if !ok {
		return nil, forbidden("Il tuo profilo (%s) non permette di modificare «%s».", c.user.Role.Label(), col.label)
	}
	if !p.Options.UseWorkflow && !c.atLeast(staff.Validatore) {
		return nil, forbidden("Il tuo profilo (%s) non permette di pubblicare direttamente: salva la bozza e mandala in revisione.", c.user.Role.Label())
	}
	var changes []change
	var written []string
	for _, f := range p.DataFiles {
		for _, decapPath := range []string{f.Path, f.NewPath} {
			if decapPath == "" {
				continue
			}
			if err := checkContentFile(decapPath); err != nil {
				return nil, err
			}
			if _, ok := vc.sectionOf(toRepo(decapPath)); !ok {
				return nil, forbidden("Il tuo profilo non permette di scrivere %s.", decapPath)
			}
			written = append(written, toRepo(decapPath))
		}
		if f.NewPath != "" && f.NewPath != f.Path {
			changes = append(changes, change{path: toRepo(f.Path)}, change{path: toRepo(f.NewPath), content: []byte(f.Raw)})
			continue
		}
		changes = append(changes, change{path: toRepo(f.Path), content: []byte(f.Raw)})
	}
	if vc.tree {
		if err := c.checkTree(written); err != nil {
			return nil, err
		}
	}
	for _, a := range p.Assets {
		ch, err := c.h.mediaChange(a)
		if err != nil {
			return nil, err
		}
		changes = append(changes, ch)
	}
	slug := p.DataFiles[0].Slug
	if !p.Options.UseWorkflow {
		unlock := c.lock()
		err := c.commitToMain(changes, fmt.Sprintf("Aggiorna %s «%s» (pubblicazione diretta)", strings.ToLower(col.singular), slug))
		unlock()
		if err != nil {
			return nil, err
		}
		return map[string]string{"message": "Contenuto pubblicato"}, c.h.publish(c.ctx)
	}
	return c.saveDraft(col, branch, slug, toRepo(p.DataFiles[0].Path), changes, p.Options.Status)
}

// saveDraft commits changes on the draft's branch, starting it from main
// with the given workflow status when it is new.
func (c *call) saveDraft(col collection, branch, slug, mainPath string, changes []change, status string) (any, error) {
	defer c.lock()()
	tip, err := c.h.repo.resolve(c.ctx, branch)
	if err != nil {
		return nil, err
	}
	parent, verb := tip, "Aggiorna"
	if tip != "" {
		if err := c.mayChangeDraft(col, branch); err != nil {
			return nil, err
		}
	} else {
		if parent, err = c.h.repo.resolve(c.ctx, mainBranch); err != nil {
			return nil, err
		}
		_, published, err := c.h.repo.entry(c.ctx, mainBranch, mainPath)
		if err != nil {
			return nil, err
		}
		verb = "Crea"
		if published {
			verb = "Modifica"
		}
	}
	msg := fmt.Sprintf("%s %s «%s» (bozza)", verb, strings.ToLower(col.singular), slug)
	commit, err := c.h.repo.commit(c.ctx, parent, changes, c.author(), msg)
	if err != nil {
		return nil, err
	}
	if err := c.h.repo.setBranch(c.ctx, branch, commit, tip); err != nil {
		return nil, err
	}
	if tip == "" {
		// Only a validatore may start a draft as ready to publish.
		if _, known := statusLabels[status]; !known || (status == statusPendingPublish && !c.atLeast(staff.Validatore)) {
			status = statusDraft
		}
		if err := c.h.repo.setStatus(c.ctx, branch, status); err != nil {
			return nil, err
		}
	}
	return map[string]string{"message": "Bozza salvata"}, nil
}

// commitToMain records changes on main as one commit by the editor and
// brings the working tree along. The caller holds the lock.
func (c *call) commitToMain(changes []change, message string) error {
	head, err := c.h.repo.resolve(c.ctx, mainBranch)
	if err != nil {
		return err
	}
	commit, err := c.h.repo.commit(c.ctx, head, changes, c.author(), message)
	if err != nil {
		return err
	}
	return c.h.repo.advanceMain(c.ctx, commit)
}

func updateUnpublishedEntryStatus(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug, NewStatus string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	label, ok := statusLabels[p.NewStatus]
	if !ok {
		return nil, badRequest("Stato %q sconosciuto.", p.NewStatus)
	}
	if p.NewStatus == statusPendingPublish && !c.atLeast(staff.Validatore) {
		return nil, forbidden("Solo un validatore può segnare un contenuto come pronto per la pubblicazione.")
	}
	defer c.lock()()
	if tip, err := c.h.repo.resolve(c.ctx, branch); err != nil {
		return nil, err
	} else if tip == "" {
		return nil, notFound("Questa voce non è in lavorazione.")
	}
	if err := c.mayChangeDraft(col, branch); err != nil {
		return nil, err
	}
	if err := c.h.repo.setStatus(c.ctx, branch, p.NewStatus); err != nil {
		return nil, err
	}
	return map[string]string{"message": "Stato cambiato in: " + label}, nil
}

func publishUnpublishedEntry(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	col, branch, err := c.draftOf(p.Collection, p.Slug)
	if err != nil {
		return nil, err
	}
	if !c.atLeast(staff.Validatore) {
		return nil, forbidden("Il tuo profilo (%s) non permette di pubblicare: un validatore revisionerà il contenuto.", c.user.Role.Label())
	}
	if err := c.mergeDraft(col, branch, p.Slug); err != nil {
		return nil, err
	}
	return map[string]string{"message": "Pubblicato: " + c.target}, c.h.publish(c.ctx)
}

func (c *call) mergeDraft(col collection, branch, slug string) error {
	defer c.lock()()
	tip, err := c.h.repo.resolve(c.ctx, branch)
	if err != nil {
		return err
	}
	if tip == "" {
		return notFound("Questa voce non è in lavorazione.")
	}
	if err := c.mayChangeDraft(col, branch); err != nil {
		return err
	}
	msg := fmt.Sprintf("Pubblica %s «%s» (approvata da %s)", strings.ToLower(col.singular), slug, c.user.Name)
	commit, err := c.h.repo.merge(c.ctx, branch, c.author(), msg)
	if err != nil {
		if errors.Is(err, errConflict) {
			return &apiError{status: http.StatusConflict, outcome: "conflitto",
				message: "Non posso pubblicare: dopo l'inizio di questa bozza la stessa pagina è stata cambiata e pubblicata da qualcun altro. " +
					"Nulla è stato sovrascritto. Apri la pagina pubblicata, riporta a mano le modifiche della bozza ed elimina la bozza. (" + err.Error() + ")"}
		}
		return err
	}
	if err := c.h.repo.advanceMain(c.ctx, commit); err != nil {
		return err
	}
	return c.h.repo.deleteBranch(c.ctx, branch)
}

func getMedia(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, MediaFolder string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.MediaFolder
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	if strings.TrimSuffix(p.MediaFolder, "/") != mediaFolder {
		return nil, forbidden("I file multimediali stanno solo in %s.", mediaFolder)
	}
	defer c.lock()()
	if err := c.h.repo.noSymlinkOnPath(c.ctx, mainBranch, mediaFolder); err != nil {
		return nil, err
	}
	files, err := c.h.repo.files(c.ctx, mainBranch, mediaFolder)
	if err != nil {
		return nil, err
	}
	out := []mediaFile{}
	for _, f := range files {
		if f.mode == modeSymlink || strings.Contains(strings.TrimPrefix(f.path, mediaFolder+"/"), "/") {
			continue
		}
		m, err := c.readMedia(mainBranch, f.path)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func getMediaFile(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Path string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.Path
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	if err := checkMediaPath(p.Path); err != nil {
		return nil, err
	}
	defer c.lock()()
	return c.readMedia(mainBranch, p.Path)
}

func persistMedia(c *call, params json.RawMessage) (any, error) {
	var p struct {
		Branch string
		Asset  asset
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.Asset.Path
	if err := checkBranch(p.Branch); err != nil {
		return nil, err
	}
	if !c.atLeast(staff.RedattoreEsperto) {
		return nil, forbidden("Il tuo profilo (%s) non permette di caricare file direttamente nella libreria: inseriscili dentro la bozza.", c.user.Role.Label())
	}
	ch, err := c.h.mediaChange(p.Asset)
	if err != nil {
		return nil, err
	}
	unlock := c.lock()
	err = c.commitToMain([]change{ch}, "Carica il file "+path.Base(ch.path))
	var m mediaFile
	if err == nil {
		m, err = c.readMedia(mainBranch, ch.path)
	}
	unlock()
	if err != nil {
		return nil, err
	}
	return m, c.h.publish(c.ctx)
}

func deleteFile(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Path string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	return c.deletePaths(p.Branch, []string{p.Path})
}

func deleteFiles(c *call, params json.RawMessage) (any, error) {
	var p struct {
		Branch string
		Paths  []string
	}
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	return c.deletePaths(p.Branch, p.Paths)
}

// deletePaths removes published content or media files from main: only a
// validatore or an administrator may, within their sections.
func (c *call) deletePaths(branch string, paths []string) (any, error) {
	c.target = strings.Join(paths, ", ")
	if err := checkBranch(branch); err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, badRequest("Nessun file da eliminare.")
	}
	var changes []change
	for _, p := range paths {
		if strings.HasPrefix(p, mediaFolder+"/") {
			if err := checkMediaPath(p); err != nil {
				return nil, err
			}
		} else {
			if err := checkContentFile(p); err != nil {
				return nil, err
			}
			if _, _, ok := findCollection(c.user, toRepo(p)); !ok {
				return nil, forbidden("Il tuo profilo non permette di eliminare %s.", p)
			}
		}
		changes = append(changes, change{path: toRepo(p)})
	}
	if !c.atLeast(staff.Validatore) {
		return nil, forbidden("Il tuo profilo (%s) non permette di eliminare contenuti pubblicati: chiedi a un validatore.", c.user.Role.Label())
	}
	unlock := c.lock()
	for _, ch := range changes {
		if err := c.h.repo.noSymlinkOnPath(c.ctx, mainBranch, ch.path); err != nil {
			unlock()
			return nil, err
		}
	}
	err := c.commitToMain(changes, "Elimina "+strings.Join(slices.Sorted(slices.Values(pathsOf(changes))), ", "))
	unlock()
	if err != nil {
		return nil, err
	}
	return map[string]string{"message": "Eliminato: " + c.target}, c.h.publish(c.ctx)
}

func pathsOf(changes []change) []string {
	out := make([]string, len(changes))
	for i, ch := range changes {
		out[i] = ch.path
	}
	return out
}

// getDeployPreview builds the entry's draft branch with the real theme into
// a preview deploy and answers its address; null (no Previewer, or no draft)
// tells Decap to show none, and the editor keeps the side preview.
func getDeployPreview(c *call, params json.RawMessage) (any, error) {
	var p struct{ Branch, Collection, Slug string }
	if err := decode(params, &p); err != nil {
		return nil, err
	}
	c.target = p.Collection + "/" + p.Slug
	if c.h.cfg.Previewer == nil || p.Collection == "" || p.Slug == "" {
		return nil, nil
	}
	branch := draftBranch(p.Collection, p.Slug)
	commit, err := c.h.repo.resolve(c.ctx, branch)
	if err != nil || commit == "" {
		return nil, err
	}
	url, err := c.h.cfg.Previewer.Preview(c.ctx, branch, commit)
	if err != nil {
		return nil, fmt.Errorf("anteprima non disponibile: %w", err)
	}
	return map[string]string{"url": url, "status": "SUCCESS"}, nil
}
