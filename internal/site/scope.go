package site

import (
	"path"
	"slices"
	"strings"

	"github.com/gohugoio/hugo/common/hmaps"
	"github.com/gohugoio/hugo/hugolib"
	"github.com/gohugoio/hugo/hugolib/segments"
	"github.com/gohugoio/hugo/navigation"
	"github.com/gohugoio/hugo/resources/kinds"
	"github.com/gohugoio/hugo/resources/page"
)

// A scoped rebuild renders, after a change to a few pages of a leaf
// section, only the pages whose output can show that change: the pages
// themselves (every language and output format), their ancestors (the
// section's lists with their pagers, the home page with its feeds and search
// index), the taxonomies and their terms, and the sitemaps. Every other page
// keeps the output of the build before.
//
// Hugo's own partial rebuild cannot tell that much: a change to a page marks
// its section as changed, and every page that reaches the section (a
// breadcrumb, a menu) is rendered again, which on a theme like the portal's
// is nearly every page.
//
// What a leaf section is comes from the site's configuration,
// params.publish.leafSections: a section whose pages no template reaches
// from elsewhere (no site.GetPage of them, no menu entries). The Builder
// trusts that list, and checks the rest on the pages themselves, before the
// change and after it: a page that is not a regular page, that has menu
// entries or translations under another path, makes a full build instead.
// What holds for every partial rebuild holds here too (see addressChange):
// a page that moved, left the site or has aliases is rebuilt in full.

// leafSectionsParam is where the site's configuration lists its leaf
// sections (under [params.publish] in hugo.toml).
const leafSectionsParam = "leafsections"

// renderScope is the set of pages a scoped rebuild renders; it is Hugo's
// segment filter for the length of one rebuild.
type renderScope struct {
	paths   map[string]bool // page paths (/notizie/x), every language
	changed []changedPage
}

type changedPage struct {
	filename string // absolute
	path     string // Hugo's page path, lower case
}

// pageFacts is what a partial rebuild must find unchanged in a page, or
// what it tells of a page new to the site.
type pageFacts struct {
	built     bool   // the file is a page of the site (not a draft, not expired)
	permalink string // where it lives
	aliases   int    // how many aliases it has (written only by full builds)
}

// factsOf returns the facts of the page of the content file filename.
func factsOf(sites *hugolib.HugoSites, filename string) pageFacts {
	p := sites.GetContentPage(filename)
	if p == nil {
		return pageFacts{}
	}
	return pageFacts{built: true, permalink: p.RelPermalink(), aliases: len(p.Aliases())}
}

// addressChange returns why a partial rebuild of the file cannot stand,
// given its page's facts before and after it, or "".
func addressChange(file string, before, after pageFacts) string {
	switch {
	case before.built && !after.built:
		return file + " is no longer published (suspended, expired or moved)"
	case before.built && after.permalink != before.permalink:
		return "the address of " + file + " changed"
	case after.aliases > 0 && after != before:
		return file + " has aliases"
	}
	return ""
}

// alwaysRendered are the kinds of page a scoped rebuild renders whatever
// changed: few pages, each listing many others.
var alwaysRendered = []string{kinds.KindHome, kinds.KindTaxonomy, kinds.KindTerm, kinds.KindSitemap, kinds.KindSitemapIndex}

func (r *renderScope) ShouldExcludeCoarse(segments.SegmentQuery) bool { return false }

func (r *renderScope) ShouldExcludeFine(q segments.SegmentQuery) bool {
	return !slices.Contains(alwaysRendered, q.Kind) && !r.paths[q.Path]
}

// scopeOf returns the scope of a rebuild of changes, given the facts of
// their pages before it, or nil when they need Hugo's own partial rebuild
// (changes are already known not to need a full one).
func (b *Builder) scopeOf(changes []Change, before []pageFacts) *renderScope {
	leaves := b.leafSections()
	if len(leaves) == 0 {
		return nil
	}
	scope := &renderScope{paths: map[string]bool{}}
	for i, c := range changes {
		p, ok := pagePath(c.Path, b.languages())
		if !ok {
			return nil
		}
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if len(parts) < 2 || !slices.Contains(leaves, parts[0]) {
			return nil
		}
		cp := changedPage{filename: b.sourceFile(c), path: p}
		if c.Op != Added {
			// A page that was not built (a draft) is new to the site, as
			// an added one is; one that was must be a leaf page.
			if old := b.sites.GetContentPage(cp.filename); before[i].built && (old == nil || !isLeafPage(b.sites, old) || old.Path() != p) {
				return nil
			}
		}
		scope.changed = append(scope.changed, cp)
		for dir := p; dir != "/"; dir = path.Dir(dir) {
			scope.paths[dir] = true
		}
	}
	return scope
}

// check looks at the changed pages after the rebuild: it returns why the
// scope was too narrow for them, or "".
func (r *renderScope) check(sites *hugolib.HugoSites) string {
	for _, c := range r.changed {
		after := sites.GetContentPage(c.filename)
		switch {
		case after == nil:
			return "scoped rebuild: no page for " + c.path
		case !isLeafPage(sites, after):
			return "scoped rebuild: " + c.path + " has menu entries or translations elsewhere"
		case after.Path() != c.path:
			return "scoped rebuild: " + c.path + " has the path " + after.Path()
		}
	}
	return ""
}

// isLeafPage reports whether a change to p stays within a scope: p is a
// regular page, not in a menu, and its translations share its path.
func isLeafPage(sites *hugolib.HugoSites, p page.Page) bool {
	if p.Kind() != kinds.KindPage || len(p.Menus()) > 0 {
		return false
	}
	for _, t := range p.AllTranslations() {
		if t.Path() != p.Path() || len(t.Menus()) > 0 {
			return false
		}
	}
	for _, s := range sites.Sites {
		if inMenus(s.Menus(), p.Path()) {
			return false
		}
	}
	return true
}

// inMenus reports whether an entry of menus, at any depth, links to the
// page at path.
func inMenus(menus navigation.Menus, p string) bool {
	for _, m := range menus {
		if inMenu(m, p) {
			return true
		}
	}
	return false
}

func inMenu(m navigation.Menu, p string) bool {
	for _, e := range m {
		if (e.Page != nil && e.Page.Path() == p) || inMenu(e.Children, p) {
			return true
		}
	}
	return false
}

// pagePath returns Hugo's path of the page of a content file (relative to
// the site, slash-separated), or false when the file is not one page's
// Markdown file: a section's _index, a bundle's resource, anything else.
func pagePath(file string, languages []string) (string, bool) {
	rest, ok := strings.CutPrefix(path.Clean(file), "content/")
	if !ok || path.Ext(rest) != ".md" {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ".md")
	if ext := path.Ext(rest); ext != "" && slices.Contains(languages, ext[1:]) {
		rest = strings.TrimSuffix(rest, ext)
	}
	dir, base := path.Split(rest)
	switch {
	case base == "_index":
		return "", false
	case base == "index":
		rest = strings.TrimSuffix(dir, "/")
	}
	if rest == "" || strings.ContainsAny(rest, " .%#?") {
		return "", false
	}
	return "/" + strings.ToLower(rest), true
}

// leafSections returns the configured leaf sections.
func (b *Builder) leafSections() []string {
	publish, _ := b.sites.Configs.Base.Params["publish"].(hmaps.Params)
	var leaves []string
	switch v := publish[leafSectionsParam].(type) {
	case []any:
		for _, s := range v {
			if s, ok := s.(string); ok && s != "" {
				leaves = append(leaves, strings.ToLower(s))
			}
		}
	case []string:
		leaves = v
	}
	return leaves
}

// languages returns the site's language codes.
func (b *Builder) languages() []string {
	var langs []string
	for _, l := range b.sites.Configs.Languages {
		langs = append(langs, l.Lang)
	}
	return langs
}

// setRenderFilter makes scope Hugo's segment filter, in every language's
// configuration, and returns what puts the filters back.
func (b *Builder) setRenderFilter(scope *renderScope) (restore func()) {
	var undo []func()
	seen := map[*segments.Segments]bool{}
	set := func(s *segments.Segments) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		old := s.SegmentFilter
		s.SegmentFilter = scope
		undo = append(undo, func() { s.SegmentFilter = old })
	}
	set(b.sites.Configs.Base.Segments.Config)
	for _, c := range b.sites.Configs.LanguageConfigMap {
		set(c.Segments.Config)
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
