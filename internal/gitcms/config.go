package gitcms

import (
	"encoding/json"
	"net/http"

	"github.com/comune-torino/portale/internal/staff"
)

// decapConfig is the Decap CMS configuration for u: only the collections,
// and the files of them, that u may change. It is written as JSON, which is
// YAML too, so Decap reads it as config.yml.
func decapConfig(u staff.User) map[string]any {
	var cols []map[string]any
	for _, c := range collections {
		vc, ok := c.visibleTo(u)
		if !ok {
			continue
		}
		col := map[string]any{
			"name": vc.name, "label": vc.label, "label_singular": vc.singular, "description": vc.hint,
			"i18n": true, "fields": vc.fields, "editor": map[string]any{"preview": true},
		}
		if vc.files != nil {
			var files []map[string]any
			for _, f := range vc.files {
				files = append(files, map[string]any{"name": f.name, "label": f.label, "file": f.file, "fields": vc.fields, "i18n": true})
			}
			col["files"] = files
			delete(col, "fields")
		} else {
			col["folder"] = vc.folder
			col["slug"] = vc.slug
			col["create"] = true
			col["delete"] = rank(u.Role) >= rank(staff.Validatore)
			col["extension"] = "md"
			col["format"] = "yaml-frontmatter"
			col["summary"] = "{{title}}"
			col["sortable_fields"] = []string{"title", "date"}
		}
		cols = append(cols, col)
	}
	return map[string]any{
		"backend": map[string]any{
			"name": "proxy", "proxy_url": "/cms/api/v1", "branch": mainBranch,
			"commit_messages": map[string]string{
				"create": "Crea {{collection}} «{{slug}}»", "update": "Aggiorna {{collection}} «{{slug}}»",
				"delete": "Elimina {{collection}} «{{slug}}»", "uploadMedia": "Carica «{{path}}»",
				"deleteMedia": "Elimina «{{path}}»",
			},
		},
		"publish_mode":       "editorial_workflow",
		"media_folder":       mediaFolder,
		"public_folder":      publicFolder,
		"locale":             "it",
		"site_url":           "/",
		"display_url":        "/",
		"show_preview_links": false,
		"i18n": map[string]any{
			"structure": "multiple_files", "locales": locales, "default_locale": defaultLocale,
		},
		"collections": cols,
	}
}

// serveConfig answers GET /cms/config.yml for the logged-in editor.
func (h *Handler) serveConfig(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	body, err := json.MarshalIndent(decapConfig(u), "", "  ")
	if err != nil {
		staff.WriteError(w, http.StatusInternalServerError, "Configurazione non disponibile.")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/yaml; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.Write(append(body, '\n'))
}
