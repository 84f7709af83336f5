// Package limitazioni reads the traffic restrictions in force right now
// from the site's content (content/limitazioni in the site repository) and
// publishes them as live data: JSON, Atom and JSON Feed (B11). The static
// site lists the same pages, but only as of its last build; these answers
// follow the clock, so a restriction leaves them the second it expires.
package limitazioni

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"
)

// Limitazione is one restriction as the API publishes it.
type Limitazione struct {
	Titolo      string     `json:"titolo"`
	Descrizione string     `json:"descrizione"`
	URL         string     `json:"url"`
	Livello     string     `json:"livello,omitempty"`
	Pubblicata  time.Time  `json:"pubblicata"`
	Dal         time.Time  `json:"dal"`
	Al          *time.Time `json:"al"`
	Testo       string     `json:"testo"`
}

// Source reads one section of the site's content.
type Source struct {
	// ContentDir is the site's content folder (DATA/site/content).
	ContentDir string
	// BaseURL is the public address of the site, without a trailing slash.
	BaseURL string
	// Section is the folder under ContentDir; "limitazioni" when empty.
	Section string

	mu    sync.Mutex
	pages map[string]cached // by lang
}

type cached struct {
	stamp string
	pages []page
}

// page is a content file as read, before the clock is applied.
type page struct {
	Limitazione
	draft     bool
	publishAt time.Time
	expiresAt time.Time // zero: never
}

var rome = mustLocation("Europe/Rome")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Languages are the languages the site has; Italian is the default and has
// no suffix in file names.
var Languages = []string{"it", "en"}

// ErrLingua is returned for a language the site does not have.
var ErrLingua = errors.New("limitazioni: unknown language")

// Current returns the restrictions published and not expired at now, in
// lang, newest first.
func (s *Source) Current(lang string, now time.Time) ([]Limitazione, error) {
	if !slices.Contains(Languages, lang) {
		return nil, ErrLingua
	}
	pages, err := s.read(lang)
	if err != nil {
		return nil, err
	}
	out := []Limitazione{}
	for _, p := range pages {
		if p.draft || now.Before(p.publishAt) || (!p.expiresAt.IsZero() && !now.Before(p.expiresAt)) {
			continue
		}
		out = append(out, p.Limitazione)
	}
	return out, nil
}

func (s *Source) section() string {
	if s.Section == "" {
		return "limitazioni"
	}
	return s.Section
}

// read parses the section's pages in lang, again only when a file changed.
func (s *Source) read(lang string) ([]page, error) {
	dir := filepath.Join(s.ContentDir, s.section())
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("limitazioni: %w", err)
	}
	var names []string
	var stamp strings.Builder
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, "_index.") || langOf(name) != lang {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("limitazioni: %w", err)
		}
		names = append(names, name)
		fmt.Fprintf(&stamp, "%s %d %d\n", name, info.Size(), info.ModTime().UnixNano())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.pages[lang]; ok && c.stamp == stamp.String() {
		return c.pages, nil
	}
	pages := make([]page, 0, len(names))
	for _, name := range names {
		p, err := s.parse(filepath.Join(dir, name), lang)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	slices.SortStableFunc(pages, func(a, b page) int { return b.Dal.Compare(a.Dal) })
	if s.pages == nil {
		s.pages = map[string]cached{}
	}
	s.pages[lang] = cached{stamp: stamp.String(), pages: pages}
	return pages, nil
}

// langOf is the language of a content file: "name.en.md" is English,
// "name.md" Italian.
func langOf(name string) string {
	base := strings.TrimSuffix(name, ".md")
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return "it"
}

type frontMatter struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Date        string `yaml:"date"`
	PublishDate string `yaml:"publishDate"`
	ExpiryDate  string `yaml:"expiryDate"`
	Livello     string `yaml:"livello"`
	Draft       bool   `yaml:"draft"`
	Slug        string `yaml:"slug"`
}

func (s *Source) parse(path, lang string) (page, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return page{}, fmt.Errorf("limitazioni: %w", err)
	}
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	name := filepath.Base(path)
	rest, ok := bytes.CutPrefix(raw, []byte("---\n"))
	if !ok {
		return page{}, fmt.Errorf("limitazioni: %s: no front matter", name)
	}
	head, body, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		head, ok = bytes.CutSuffix(rest, []byte("\n---"))
		if !ok {
			return page{}, fmt.Errorf("limitazioni: %s: front matter not closed", name)
		}
	}
	var fm frontMatter
	if err := yaml.Unmarshal(head, &fm); err != nil {
		return page{}, fmt.Errorf("limitazioni: %s: %w", name, err)
	}
	p := page{draft: fm.Draft}
	p.Titolo, p.Descrizione, p.Livello = fm.Title, fm.Description, fm.Livello
	p.Testo = strings.TrimSpace(string(body))
	if p.Pubblicata, err = parseTime(fm.Date); err != nil {
		return page{}, fmt.Errorf("limitazioni: %s: date: %w", name, err)
	}
	p.Dal = p.Pubblicata
	if fm.PublishDate != "" {
		if p.publishAt, err = parseTime(fm.PublishDate); err != nil {
			return page{}, fmt.Errorf("limitazioni: %s: publishDate: %w", name, err)
		}
		p.Dal = p.publishAt
	}
	if fm.ExpiryDate != "" {
		if p.expiresAt, err = parseTime(fm.ExpiryDate); err != nil {
			return page{}, fmt.Errorf("limitazioni: %s: expiryDate: %w", name, err)
		}
		al := p.expiresAt
		p.Al = &al
	}
	slug := fm.Slug
	if slug == "" {
		slug = strings.TrimSuffix(strings.TrimSuffix(name, ".md"), "."+lang)
	}
	prefix := ""
	if lang != Languages[0] {
		prefix = "/" + lang
	}
	p.URL = s.BaseURL + prefix + "/" + s.section() + "/" + slug + "/"
	return p, nil
}

// parseTime reads Hugo's date forms: a date and time, or a civil date,
// which Hugo takes as midnight in the site's time zone (Europe/Rome).
func parseTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, rome); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", v)
}
