// Package gitcms is the CMS backend: Decap CMS's proxy protocol (POST
// /cms/api/v1 with {"action", "params"}) over the site repository, with the
// editorial workflow as branches cms/<collection>/<slug>, every write a
// commit authored by the logged-in editor, the roles enforced on every
// action, and an audit of every action, denied ones included. It also serves
// the Decap CMS application at /cms/ and each editor's configuration at
// /cms/config.yml.
package gitcms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// Publisher builds the site from the repository's main branch and makes it
// live. The CMS calls it after every change to main.
type Publisher interface {
	Publish(ctx context.Context) error
}

// Previewer builds commit, the head of a draft branch, with the real theme
// into a preview deploy named after the branch and returns its address (C8:
// faithful preview before publication).
type Previewer interface {
	Preview(ctx context.Context, branch, commit string) (url string, err error)
}

// AuditStore keeps the record of CMS actions; *store.DB implements it.
type AuditStore interface {
	RecordCMSAction(ctx context.Context, e store.CMSAuditEntry) error
}

// Config wires the CMS to the portal.
type Config struct {
	// SiteDir is the site repository (DATA/site), on branch main.
	SiteDir string
	// Staff logs editors in; only CMS roles reach the CMS.
	Staff *staff.Service
	Audit AuditStore
	// Publisher runs after every change to main; nil changes main only.
	Publisher Publisher
	// Previewer builds drafts into preview deploys; nil offers none (the
	// editor keeps Decap's side preview).
	Previewer Previewer
	// UI holds the Decap CMS application (index.html and the bundle);
	// nil serves a page saying the bundle was not built in.
	UI     fs.FS
	Logger *slog.Logger
	// MaxMediaBytes is the largest media file accepted (default 10 MiB).
	MaxMediaBytes int64
	// Now is the clock of the audit; default time.Now.
	Now func() time.Time
}

// Handler serves /cms/, /cms/config.yml and /cms/api/v1.
type Handler struct {
	cfg  Config
	repo *repo
	mux  *http.ServeMux
	// mu serialises git operations: one change at a time keeps branches
	// and the working tree consistent.
	mu sync.Mutex
	// publishing serialises builds, outside mu so editors keep working.
	publishing sync.Mutex
}

// NewHandler returns the CMS, to mount at /cms and /cms/*.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.SiteDir == "" || cfg.Staff == nil || cfg.Audit == nil {
		return nil, errors.New("gitcms: SiteDir, Staff and Audit are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxMediaBytes <= 0 {
		cfg.MaxMediaBytes = 10 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, repo: &repo{dir: cfg.SiteDir}, mux: http.NewServeMux()}
	editors := cfg.Staff.RequireStaff(staff.CMSRoles...)
	h.mux.Handle("GET /cms", http.RedirectHandler("/cms/", http.StatusMovedPermanently))
	h.mux.Handle("GET /cms/{$}", editors(http.HandlerFunc(h.serveIndex)))
	h.mux.Handle("GET /cms/config.yml", editors(http.HandlerFunc(h.serveConfig)))
	h.mux.Handle("GET /cms/{file}", editors(http.HandlerFunc(h.serveAsset)))
	h.mux.Handle("POST /cms/api/v1", cfg.Staff.Protect(editors(http.HandlerFunc(h.serveAPI))))
	h.mux.Handle("GET /cms/storico", http.RedirectHandler("/cms/storico/", http.StatusMovedPermanently))
	h.mux.Handle("GET /cms/storico/{$}", editors(http.HandlerFunc(h.serveHistoryIndex)))
	h.mux.Handle("GET /cms/storico/pagina", editors(http.HandlerFunc(h.serveHistoryPage)))
	h.mux.Handle("POST /cms/storico/ripristina", cfg.Staff.Protect(editors(http.HandlerFunc(h.serveRestore))))
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// request is Decap's envelope.
type request struct {
	Action string          `json:"action"`
	Params json.RawMessage `json:"params"`
}

// apiError is an answer the editor reads in Decap's notification.
type apiError struct {
	status  int
	message string
	// outcome is the audit's word for it.
	outcome string
}

func (e *apiError) Error() string { return e.message }

func forbidden(format string, args ...any) error {
	return &apiError{status: http.StatusForbidden, message: fmt.Sprintf(format, args...), outcome: "negata"}
}

func badRequest(format string, args ...any) error {
	return &apiError{status: http.StatusUnprocessableEntity, message: fmt.Sprintf(format, args...), outcome: "rifiutata"}
}

func notFound(message string) error {
	return &apiError{status: http.StatusNotFound, message: message, outcome: "non_trovata"}
}

// maxRequestBytes bounds a request: media travel base64-encoded (4/3 of
// their size) inside JSON.
func (h *Handler) maxRequestBytes() int64 { return h.cfg.MaxMediaBytes*2 + 1<<20 }

// serveAPI answers POST /cms/api/v1.
func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, h.maxRequestBytes())
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		staff.WriteError(w, http.StatusBadRequest, "Richiesta non valida: atteso {\"action\": …, \"params\": {…}}.")
		return
	}
	a, ok := actions[req.Action]
	if !ok {
		h.audit(r.Context(), u, req.Action, "", "rifiutata", "azione sconosciuta")
		staff.WriteError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Azione %q sconosciuta.", req.Action))
		return
	}
	c := &call{h: h, ctx: r.Context(), user: u}
	result, err := a(c, req.Params)
	if err == nil {
		h.audit(r.Context(), u, req.Action, c.target, "eseguita", "")
		staff.WriteJSON(w, http.StatusOK, result)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		h.cfg.Logger.ErrorContext(r.Context(), "cms action failed", "action", req.Action, "user", u, "err", err)
		ae = &apiError{status: http.StatusInternalServerError, outcome: "errore",
			message: "Si è verificato un errore imprevisto: l'operazione non è stata completata. Riprova; se il problema continua, avvisa l'amministratore."}
	}
	h.audit(r.Context(), u, req.Action, c.target, ae.outcome, err.Error())
	staff.WriteError(w, ae.status, ae.message)
}

func (h *Handler) audit(ctx context.Context, u staff.User, action, target, outcome, detail string) {
	err := h.cfg.Audit.RecordCMSAction(context.WithoutCancel(ctx), store.CMSAuditEntry{At: h.cfg.Now(), Username: u.Username,
		Role: string(u.Role), Action: action, Target: target, Outcome: outcome, Detail: detail})
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "cms audit", "err", err)
	}
}

// publish builds and publishes main after a change to it. Its failure does
// not undo the change: the editor is told the site was not updated yet.
func (h *Handler) publish(ctx context.Context) error {
	if h.cfg.Publisher == nil {
		return nil
	}
	h.publishing.Lock()
	defer h.publishing.Unlock()
	if err := h.cfg.Publisher.Publish(context.WithoutCancel(ctx)); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "cms publish: build failed", "err", err)
		return &apiError{status: http.StatusInternalServerError, outcome: "errore_costruzione",
			message: "La modifica è stata registrata, ma il sito non è stato aggiornato perché la costruzione non è riuscita. " +
				"Avvisa l'amministratore: il sito resta com'era finché il problema non è risolto. Dettaglio: " + err.Error()}
	}
	return nil
}
