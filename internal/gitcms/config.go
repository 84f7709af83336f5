package gitcms

import (
	"encoding/json"
	"net/http"
	"strings"

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
			// Decap's i18n covers files collections only in one file for
			// every language: here each language is a file of its own.
			var files []map[string]any
			fields := withoutI18n(vc.fields)
			for _, f := range vc.files {
				for _, l := range locales {
					files = append(files, map[string]any{"name": f.name + localeSuffix(l, "-"), "label": f.label + " (" + localeNames[l] + ")",
						"file": strings.TrimSuffix(f.file, ".md") + localeSuffix(l, ".") + ".md", "fields": fields})
				}
			}
			col["files"] = files
			delete(col, "fields")
			delete(col, "i18n")
		} else {
			col["folder"] = vc.folder
			col["slug"] = vc.slug
			col["create"] = true
			col["delete"] = rank(u.Role) >= rank(staff.Validatore)
			col["extension"] = "md"
			col["format"] = "yaml-frontmatter"
			col["summary"] = "{{title}}"
			col["sortable_fields"] = []string{"title", "date"}
			if vc.tree {
				treeConfig(col, u)
			}
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

// treeConfig shows the pages as Decap's nested tree of sections and
// sub-pages. A redattore esperto places an entry anywhere: a new path is a
// new section (its _index.md). Others place new pages in an existing
// section; the server refuses anything else (see checkTree).
func treeConfig(col map[string]any, u staff.User) {
	col["nested"] = map[string]any{"depth": treeDepth, "summary": "{{title}}", "subfolders": false}
	col["sortable_fields"] = []string{"title", "weight"}
	path := map[string]any{"widget": "string", "label": "Posizione nel portale",
		"hint": "La sezione in cui sta la pagina, es. servizi. Lascia vuoto per una pagina informativa in cima al portale."}
	if rank(u.Role) >= rank(staff.RedattoreEsperto) {
		path["index_file"] = sectionFile
		path["hint"] = "Il percorso della sezione, es. servizi/nuova-sezione: una posizione nuova crea una sezione; cambiarla sposta la sezione con tutte le sue pagine."
	}
	col["meta"] = map[string]any{"path": path}
}

var localeNames = map[string]string{"it": "italiano", "en": "inglese"}

// localeSuffix is sep+locale, or nothing for the default language.
func localeSuffix(locale, sep string) string {
	if locale == defaultLocale {
		return ""
	}
	return sep + locale
}

// withoutI18n copies fields without their i18n settings, recursively.
func withoutI18n(fields []field) []field {
	out := make([]field, len(fields))
	for i, f := range fields {
		c := field{}
		for k, v := range f {
			switch {
			case k == "i18n":
			case k == "fields":
				c[k] = withoutI18n(v.([]field))
			default:
				c[k] = v
			}
		}
		out[i] = c
	}
	return out
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
