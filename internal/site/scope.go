package site

import (
	"path"
	"path/filepath"
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
// change and after it: a page that is not a regular page, that has aliases
// or menu entries, whose address changed, or that has translations under
// another path, makes a full build instead.

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
	before   pageFacts
	added    bool
}

// pageFacts is what a page must keep for its change to stay within scope.
type pageFacts struct {
	permalink string
}

// alwaysRendered are the kinds of page a scoped rebuild renders whatever
// changed: few pages, each listing many others.
var alwaysRendered = []string{kinds.KindHome, kinds.KindTaxonomy, kinds.KindTerm, kinds.KindSitemap, kinds.KindSitemapIndex}

func (r *renderScope) ShouldExcludeCoarse(segments.SegmentQuery) bool { return false }

func (r *renderScope) ShouldExcludeFine(q segments.SegmentQuery) bool {
	return !slices.Contains(alwaysRendered, q.Kind) && !r.paths[q.Path]
}

// scopeOf returns the scope of a rebuild of changes, or nil when they need
// Hugo's own partial rebuild (changes are already known not to need a full
// one).
func (b *Builder) scopeOf(changes []Change) *renderScope {
	leaves := b.leafSections()
	if len(leaves) == 0 {
		return nil
	}
	scope := &renderScope{paths: map[string]bool{}}
	for _, c := range changes {
		p, ok := pagePath(c.Path, b.languages())
		if !ok {
			return nil
		}
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if len(parts) < 2 || !slices.Contains(leaves, parts[0]) {
			return nil
		}
		cp := changedPage{filename: filepath.Join(b.opts.Source, filepath.FromSlash(c.Path)), path: p, added: c.Op == Added}
		if !cp.added {
			before := b.sites.GetContentPage(cp.filename)
			if before == nil {
				return nil
			}
			facts, ok := factsOf(b.sites, before)
			if !ok || before.Path() != p {
				return nil
			}
			cp.before = facts
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
		if after == nil {
			return "scoped rebuild: no page for " + c.path
		}
		facts, ok := factsOf(sites, after)
		switch {
		case !ok:
			return "scoped rebuild: " + c.path + " has aliases, menu entries or translations elsewhere"
		case after.Path() != c.path:
			return "scoped rebuild: " + c.path + " has the path " + after.Path()
		case !c.added && facts != c.before:
			return "scoped rebuild: the address of " + c.path + " changed"
		}
	}
	return ""
}

// factsOf returns what a scoped rebuild keeps of p, and false when p cannot
// be rebuilt in a scope: it is not a regular page, it has aliases (written
// only by full builds), it is in a menu, or a translation of it lives under
// another path.
func factsOf(sites *hugolib.HugoSites, p page.Page) (pageFacts, bool) {
	if p.Kind() != kinds.KindPage || len(p.Aliases()) > 0 || len(p.Menus()) > 0 {
		return pageFacts{}, false
	}
	for _, t := range p.AllTranslations() {
		if t.Path() != p.Path() || len(t.Aliases()) > 0 || len(t.Menus()) > 0 {
			return pageFacts{}, false
		}
	}
	for _, s := range sites.Sites {
		if inMenus(s.Menus(), p.Path()) {
			return pageFacts{}, false
		}
	}
	return pageFacts{permalink: p.RelPermalink()}, true
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
