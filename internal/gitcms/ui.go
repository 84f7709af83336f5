package gitcms

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// bundle is Decap CMS's entry script inside the UI's dist/ folder.
const bundle = "decap-cms.js"

// contentSecurityPolicy keeps the CMS to its own origin; Decap's editor
// needs inline styles, and blob: and data: URLs for media previews.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' blob: data:; " +
	"worker-src 'self' blob:; frame-src 'self' blob:; frame-ancestors 'none'; form-action 'self'"

const missingBundlePage = `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>CMS non disponibile</title></head>
<body><main><h1>La gestione dei contenuti non è inclusa in questo programma</h1>
<p>Il programma è stato compilato senza Decap CMS. Chi lo installa deve eseguire <code>make build</code> (che copia Decap CMS da node_modules) e riavviare il portale.</p>
</main></body></html>
`

// serveIndex answers GET /cms/: the page that starts Decap CMS.
func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	setUIHeaders(w)
	if h.cfg.UI == nil || !hasBundle(h.cfg.UI) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(missingBundlePage))
		return
	}
	page, err := fs.ReadFile(h.cfg.UI, "index.html")
	if err != nil {
		http.Error(w, "index.html mancante", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// serveAsset answers GET /cms/<file>: Decap's bundle and its chunks, the
// converters of "Importa da Word/Excel" (all in dist/), and our own scripts
// beside index.html.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if h.cfg.UI == nil || !strings.HasSuffix(name, ".js") || strings.HasPrefix(name, ".") {
		http.NotFound(w, r)
		return
	}
	data, err := fs.ReadFile(h.cfg.UI, path.Join("dist", name))
	if err != nil {
		data, err = fs.ReadFile(h.cfg.UI, name)
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	setUIHeaders(w)
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(data)
}

func hasBundle(ui fs.FS) bool {
	_, err := fs.Stat(ui, path.Join("dist", bundle))
	return err == nil
}

func setUIHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
}
