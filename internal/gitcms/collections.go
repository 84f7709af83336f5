package gitcms

import (
	"path"
	"strings"

	"github.com/comune-torino/portale/internal/staff"
)

// Where content and media live in the site repository. Media are served at
// /media/ (Hugo copies static/ to the site's root).
const (
	contentFolder = "content"
	mediaFolder   = "static/media"
	publicFolder  = "/media"
	pagesSection  = "pagine"
)

// Languages of the site: Italian is the default and its files carry no
// suffix (x.md); English files are x.en.md.
const defaultLocale = "it"

var locales = []string{"it", "en"}

// collection is a kind of content the CMS edits: a folder of pages, or a
// fixed list of files. Section is what staff.User.Sections grants; expert
// collections are for redattore-esperto and above.
type collection struct {
	name, label, singular, hint string
	folder                      string
	slug                        string
	section                     string
	files                       []collectionFile
	expert                      bool
	fields                      []field
}

type collectionFile struct {
	name, label, file, section string
}

type field map[string]any

func str(name, label, hint string) field {
	return field{"name": name, "label": label, "widget": "string", "hint": hint, "i18n": true}
}

func text(name, label, hint string) field {
	return field{"name": name, "label": label, "widget": "text", "hint": hint, "i18n": true}
}

func body(hint string) field {
	return field{"name": "body", "label": "Testo", "widget": "markdown", "hint": hint, "i18n": true}
}

func date(name, label, hint string) field {
	return field{"name": name, "label": label, "widget": "datetime", "hint": hint, "format": "YYYY-MM-DD",
		"date_format": "DD/MM/YYYY", "time_format": false, "picker_utc": true, "i18n": "duplicate"}
}

func datetime(name, label, hint string) field {
	return field{"name": name, "label": label, "widget": "datetime", "hint": hint, "format": "YYYY-MM-DDTHH:mm:ssZ",
		"date_format": "DD/MM/YYYY", "time_format": "HH:mm", "i18n": "duplicate"}
}

func optional(f field) field {
	f["required"] = false
	return f
}

// suspended is Hugo's draft flag: a suspended page is not built, so it
// leaves lists, menus and search at the next publication (C7).
func suspended() field {
	return field{"name": "draft", "label": "Sospesa", "widget": "boolean", "default": false, "required": false,
		"hint": "Attiva per togliere la pagina dal sito senza cancellarla.", "i18n": "duplicate"}
}

var description = text("description", "Descrizione breve",
	"Una o due frasi semplici: compaiono sotto il titolo, nelle schede e nei motori di ricerca.")

var collections = []collection{
	{
		name: "notizie", label: "Notizie", singular: "Notizia", section: "notizie",
		hint:   "Notizie e comunicati della Polizia Municipale.",
		folder: "content/notizie", slug: "{{year}}-{{month}}-{{day}}-{{slug}}",
		fields: []field{
			str("title", "Titolo", "Breve e chiaro: dice di cosa parla la notizia."),
			description,
			date("date", "Data", "Data di pubblicazione della notizia."),
			optional(datetime("expiryDate", "Scade il", "Facoltativa: dopo questa data la notizia sparisce da elenchi e menu.")),
			suspended(),
			body("Il testo della notizia. Usa titoletti, elenchi e link per renderlo facile da leggere."),
		},
	},
	{
		name: "ordinanze", label: "Ordinanze", singular: "Ordinanza", section: "ordinanze",
		hint:   "Ordinanze sulla circolazione: divieti, sensi unici, chiusure.",
		folder: "content/ordinanze", slug: "{{year}}-{{slug}}",
		fields: []field{
			str("title", "Titolo", "Cosa dispone, dove: es. «Divieto di sosta in via Po per lavori»."),
			field{"name": "numero", "label": "Numero dell'ordinanza", "widget": "string", "hint": "Es. 2026 04101.", "i18n": "duplicate"},
			date("date", "Data dell'atto", ""),
			datetime("publishDate", "In vigore dal", "Prima di questa data l'ordinanza non compare sul sito."),
			optional(datetime("expiryDate", "In vigore fino al", "Lascia vuoto per le regole permanenti: dopo questa data l'ordinanza sparisce dal sito.")),
			str("tipo", "Tipo", "Es. Divieto di sosta, Senso unico, Chiusura al traffico."),
			field{"name": "strade", "label": "Strade", "widget": "list", "hint": "Le vie interessate, separate da virgole.", "i18n": true},
			description,
			optional(field{"name": "allegato", "label": "Testo dell'ordinanza (PDF)", "widget": "file", "hint": "Il PDF firmato, se disponibile.", "i18n": "duplicate"}),
			suspended(),
			body("Cosa cambia, dove e quando, in parole semplici."),
		},
	},
	{
		name: "limitazioni", label: "Limitazioni al traffico", singular: "Limitazione", section: "limitazioni",
		hint:   "Limitazioni al traffico e avvisi: semaforo antismog, lavori, eventi.",
		folder: "content/limitazioni", slug: "{{year}}-{{month}}-{{slug}}",
		fields: []field{
			str("title", "Titolo", ""),
			description,
			date("date", "Data", ""),
			optional(datetime("expiryDate", "Scade il", "Dopo questa data l'avviso sparisce dal sito.")),
			optional(str("livello", "Livello", "Es. il livello del semaforo antismog: Verde, Arancione, Rosso.")),
			suspended(),
			body(""),
		},
	},
	{
		name: "faq", label: "Domande frequenti", singular: "Domande frequenti", section: "faq",
		hint:  "Le domande frequenti, divise in gruppi.",
		files: []collectionFile{{name: "faq", label: "Domande frequenti", file: "content/faq/_index.md", section: "faq"}},
		fields: []field{
			str("title", "Titolo", ""),
			description,
			{"name": "groups", "label": "Gruppi di domande", "widget": "list", "i18n": true, "summary": "{{fields.group}}", "fields": []field{
				{"name": "group", "label": "Gruppo", "widget": "string", "hint": "Es. Pagamenti."},
				{"name": "items", "label": "Domande", "widget": "list", "summary": "{{fields.question}}", "fields": []field{
					{"name": "question", "label": "Domanda", "widget": "string"},
					{"name": "answer", "label": "Risposta", "widget": "markdown"},
				}},
			}},
		},
	},
	{
		name: "pagine", label: "Pagine", singular: "Pagina", section: pagesSection,
		hint:   "Le pagine informative del portale (privacy, note legali, accessibilità…).",
		folder: "content", slug: "{{slug}}",
		fields: []field{
			str("title", "Titolo", ""),
			optional(str("linkTitle", "Titolo nei menu", "Facoltativo: una versione più corta del titolo.")),
			description,
			optional(datetime("expiryDate", "Scade il", "Facoltativa: dopo questa data la pagina sparisce dal sito e dai menu.")),
			suspended(),
			body(""),
		},
	},
	{
		name: "sezioni", label: "Sezioni e menu", singular: "Sezione", expert: true,
		hint: "La pagina iniziale di ogni sezione e la sua posizione nel menu principale.",
		files: []collectionFile{
			{name: "home", label: "Pagina iniziale del portale", file: "content/_index.md", section: pagesSection},
			{name: "sezione-notizie", label: "Notizie", file: "content/notizie/_index.md", section: "notizie"},
			{name: "sezione-ordinanze", label: "Ordinanze", file: "content/ordinanze/_index.md", section: "ordinanze"},
			{name: "sezione-limitazioni", label: "Limitazioni al traffico", file: "content/limitazioni/_index.md", section: "limitazioni"},
			{name: "sezione-servizi", label: "Servizi", file: "content/servizi/_index.md", section: "servizi"},
			{name: "sezione-contatti", label: "Contatti", file: "content/contatti/_index.md", section: "contatti"},
		},
		fields: []field{
			str("title", "Titolo", ""),
			optional(str("linkTitle", "Titolo nel menu", "Facoltativo: una versione più corta del titolo.")),
			description,
			optional(field{"name": "menus", "label": "Menu", "widget": "object", "i18n": "duplicate", "collapsed": true, "fields": []field{
				optional(field{"name": "main", "label": "Menu principale", "widget": "object", "fields": []field{
					optional(field{"name": "weight", "label": "Posizione (numeri più bassi vengono prima)", "widget": "number", "value_type": "int"}),
				}}),
			}}),
			optional(body("")),
		},
	},
}

func collectionByName(name string) (collection, bool) {
	for _, c := range collections {
		if c.name == name {
			return c, true
		}
	}
	return collection{}, false
}

// rank orders the CMS roles by power; other roles have none.
func rank(r staff.Role) int {
	switch r {
	case staff.Redattore:
		return 1
	case staff.RedattoreEsperto:
		return 2
	case staff.Validatore:
		return 3
	case staff.Amministratore:
		return 4
	}
	return 0
}

// mayEditSection reports whether u may change content of section: an
// administrator always, anyone else within their sections.
func mayEditSection(u staff.User, section string) bool {
	return u.Role == staff.Amministratore || u.InSection(section)
}

// visible reports whether u sees collection c at all, and which of its
// files.
func (c collection) visibleTo(u staff.User) (collection, bool) {
	if rank(u.Role) == 0 || (c.expert && rank(u.Role) < rank(staff.RedattoreEsperto)) {
		return c, false
	}
	if c.files == nil {
		return c, mayEditSection(u, c.section)
	}
	var files []collectionFile
	for _, f := range c.files {
		if mayEditSection(u, f.section) {
			files = append(files, f)
		}
	}
	c.files = files
	return c, len(files) > 0
}

// sectionOf returns the section of a content file (repository form) for u's
// collection c, and false when the file does not belong to c.
func (c collection) sectionOf(p string) (string, bool) {
	canon := withoutLocale(p)
	if c.files != nil {
		for _, f := range c.files {
			if f.file == canon {
				return f.section, true
			}
		}
		return "", false
	}
	if path.Dir(p) != c.folder || strings.HasPrefix(path.Base(p), "_index") {
		return "", false
	}
	return c.section, true
}

// findCollection returns the collection among those u sees that holds the
// content file p (repository form).
func findCollection(u staff.User, p string) (collection, string, bool) {
	for _, c := range collections {
		vc, ok := c.visibleTo(u)
		if !ok {
			continue
		}
		if s, ok := vc.sectionOf(p); ok {
			return vc, s, true
		}
	}
	return collection{}, "", false
}

// withoutLocale turns content/x.en.md into content/x.md.
func withoutLocale(p string) string {
	for _, l := range locales {
		if strings.HasSuffix(p, "."+l+".md") {
			return strings.TrimSuffix(p, "."+l+".md") + ".md"
		}
	}
	return p
}

// Decap's i18n "multiple_files" names every language x.<locale>.md; Hugo's
// default language has no suffix. The backend translates at the boundary:
// the repository keeps Hugo's layout, Decap sees its own.

// toRepo maps a content path as Decap names it to the repository's.
func toRepo(p string) string {
	if strings.HasPrefix(p, contentFolder+"/") && strings.HasSuffix(p, "."+defaultLocale+".md") {
		return strings.TrimSuffix(p, "."+defaultLocale+".md") + ".md"
	}
	return p
}

// toDecap maps a repository content path to Decap's name for it. Files
// collections name every file themselves (see decapConfig), so their paths
// stay as they are.
func toDecap(p string) string {
	if !strings.HasPrefix(p, contentFolder+"/") || !strings.HasSuffix(p, ".md") || withoutLocale(p) != p || isListedFile(p) {
		return p
	}
	return strings.TrimSuffix(p, ".md") + "." + defaultLocale + ".md"
}

func isListedFile(p string) bool {
	for _, c := range collections {
		for _, f := range c.files {
			if f.file == p {
				return true
			}
		}
	}
	return false
}
