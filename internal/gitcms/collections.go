package gitcms

import (
	"path"
	"slices"
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
	// treeDepth is how deep the page tree goes below content/: a section,
	// its sub-sections, and their pages (content/a/b/c.md).
	treeDepth = 3
	// sectionFile is Hugo's page of a section (a branch bundle).
	sectionFile = "_index"
)

// Languages of the site: Italian is the default and its files carry no
// suffix (x.md); English files are x.en.md.
const defaultLocale = "it"

var locales = []string{"it", "en"}

// collection is a kind of content the CMS edits: a folder of pages, or a
// fixed list of files. Section is what staff.User.Sections grants; expert
// collections are for redattore-esperto and above. A tree collection is
// the nested tree of every page under content/ that no other collection
// owns: its section is a page's first folder (pagine at the top).
type collection struct {
	name, label, singular, hint string
	folder                      string
	slug                        string
	section                     string
	files                       []collectionFile
	expert                      bool
	tree                        bool
	fields                      []field
	// user is who the collection was narrowed to by visibleTo: a tree
	// holds only the sections they may edit.
	user *staff.User
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
		name: "pagine", label: "Pagine e sezioni", singular: "Pagina", section: pagesSection, tree: true,
		hint:   "L'albero delle pagine del portale: le sezioni (servizi, contatti…) con le loro sottopagine, e le pagine informative (privacy, note legali, accessibilità…).",
		folder: "content", slug: "{{slug}}",
		fields: []field{
			str("title", "Titolo", ""),
			optional(str("linkTitle", "Titolo nei menu", "Facoltativo: una versione più corta del titolo.")),
			description,
			optional(field{"name": "weight", "label": "Ordine nella sezione", "widget": "number", "value_type": "int", "i18n": "duplicate",
				"hint": "Facoltativo: le pagine con il numero più basso vengono prima."}),
			optional(datetime("expiryDate", "Scade il", "Facoltativa: dopo questa data la pagina sparisce dal sito e dai menu.")),
			suspended(),
			body(""),
		},
	},
	{
		name: "newsletter", label: "Newsletter", singular: "Newsletter", section: "newsletter",
		hint:   "I numeri della newsletter della Polizia Municipale: oggetto, testo e data di invio. Ogni numero resta consultabile sul sito.",
		folder: "content/newsletter", slug: "{{year}}-{{month}}-{{day}}-{{slug}}",
		fields: []field{
			str("title", "Oggetto", "L'oggetto dell'email: breve e concreto, es. «Lavori in corso Regina: cosa cambia da lunedì»."),
			description,
			datetime("sendDate", "Data di invio", "Quando la newsletter parte verso gli iscritti."),
			date("date", "Data di pubblicazione sul sito", ""),
			suspended(),
			body("Il testo della newsletter: paragrafi brevi, un titoletto per argomento, un link per approfondire."),
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
	{
		name: "portali", label: "Portali partner", singular: "Portali partner", expert: true,
		hint:  "I collegamenti ai portali dei partner (Soris, GTT, Torino Facile…) nel piè di pagina e nella pagina iniziale.",
		files: []collectionFile{{name: "portali", label: "Collegamenti ai portali partner", file: "content/portali/_index.md", section: "portali"}},
		fields: []field{
			str("title", "Titolo", "Il titolo dell'elenco, per chi modifica: non compare sul sito."),
			{"name": "partners", "label": "Portali", "label_singular": "Portale", "widget": "list", "summary": "{{fields.name}}",
				"hint": "Nell'ordine in cui compaiono sul sito.", "fields": []field{
					{"name": "key", "label": "Codice", "widget": "string", "pattern": []string{"^[a-z0-9-]+$", "Solo lettere minuscole, cifre e trattini."},
						"hint": "Un nome breve che non cambia, es. soris."},
					{"name": "name", "label": "Nome del collegamento", "widget": "string", "hint": "Come lo legge il cittadino, es. «Soris – Estratto conto on line»."},
					{"name": "url", "label": "Indirizzo", "widget": "string", "pattern": []string{"^https://", "Un indirizzo completo che inizia con https://."}},
				}},
			{"name": "build", "label": "Pubblicazione", "widget": "hidden", "default": map[string]string{"render": "never", "list": "never"}},
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
	c.user = &u
	if c.tree {
		if u.Role == staff.Amministratore || len(u.Sections) == 0 {
			return c, true
		}
		return c, slices.ContainsFunc(u.Sections, func(s string) bool { return !ownedSections[s] })
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
	if c.tree {
		return c.treeSectionOf(p)
	}
	if path.Dir(p) != c.folder || isSectionFile(p) {
		return "", false
	}
	return c.section, true
}

// ownedSections are the sections other collections edit with their own
// fields; the page tree leaves their entries to them.
var ownedSections = map[string]bool{}

func init() {
	for _, c := range collections {
		if !c.tree && !c.expert && c.section != "" {
			ownedSections[c.section] = true
		}
	}
}

// treeSectionOf is sectionOf for the page tree: any Markdown page under
// content/ down to treeDepth, except the entries of other collections
// (their section pages stay in the tree), within the sections of the user
// the tree was narrowed to.
func (c collection) treeSectionOf(p string) (string, bool) {
	rel, ok := strings.CutPrefix(p, contentFolder+"/")
	if !ok || !strings.HasSuffix(p, ".md") || strings.Count(rel, "/") > treeDepth-1 {
		return "", false
	}
	section := pagesSection
	if first, _, nested := strings.Cut(rel, "/"); nested {
		section = first
	}
	if ownedSections[section] && (!isSectionFile(p) || strings.Count(rel, "/") > 1) || isListedFile(withoutLocale(p)) && !isStructureFile(withoutLocale(p)) {
		return "", false
	}
	if c.user != nil && !mayEditSection(*c.user, section) {
		return "", false
	}
	return section, true
}

// isSectionFile reports whether p is a section's own page (_index.md in any
// language).
func isSectionFile(p string) bool {
	return strings.HasPrefix(path.Base(p), sectionFile+".")
}

// isStructureFile reports whether p is one of the section pages the
// expert "sezioni" collection lists (they are in the tree too).
func isStructureFile(p string) bool {
	for _, c := range collections {
		if c.name != "sezioni" {
			continue
		}
		for _, f := range c.files {
			if f.file == p {
				return true
			}
		}
	}
	return false
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

// decapPath is toDecap for an entry of c: the page tree is a folder
// collection, so its section pages carry the locale even where the
// "sezioni" files collection names them without.
func (c collection) decapPath(p string) string {
	if c.tree && strings.HasPrefix(p, contentFolder+"/") && strings.HasSuffix(p, ".md") && withoutLocale(p) == p {
		return strings.TrimSuffix(p, ".md") + "." + defaultLocale + ".md"
	}
	return toDecap(p)
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
