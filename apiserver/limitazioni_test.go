package apiserver

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/comune-torino/portale/internal/limitazioni"
)

// restrictionsSite writes a content folder with restrictions at several
// points of their life.
func restrictionsSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	sec := filepath.Join(dir, "limitazioni")
	os.MkdirAll(sec, 0o755)
	files := map[string]string{
		"_index.md": "---\ntitle: Limitazioni\n---\n",
		"antismog.md": "---\ntitle: 'Semaforo antismog: arancione'\ndescription: Diesel fino a Euro 5 fermi.\n" +
			"date: '2026-11-24'\nlivello: Arancione\n---\n\nDalle 8 alle 19.\n",
		"antismog.en.md": "---\ntitle: 'Anti-smog: orange'\ndescription: Diesel up to Euro 5 stopped.\n" +
			"date: '2026-11-24'\nlivello: Orange\n---\n\nFrom 8 to 19.\n",
		"ponte.md": "---\ntitle: Lavori sul ponte\ndescription: Una corsia.\ndate: '2026-11-18'\n" +
			"expiryDate: '2026-11-26T18:00:00+01:00'\n---\n\nUna corsia per senso di marcia.\n",
		"futura.md": "---\ntitle: Luci d'Artista\ndescription: Centro chiuso.\ndate: '2026-11-25'\n" +
			"publishDate: '2026-12-05T00:00:00+01:00'\n---\n\nDal 5 dicembre.\n",
		"sospesa.md": "---\ntitle: Sospesa\ndescription: Tolta dal sito.\ndate: '2026-11-20'\ndraft: true\n---\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(sec, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func init() {
	// The spec check decodes answers by content type: feeds are XML text
	// and JSON.
	openapi3filter.RegisterBodyDecoder("application/atom+xml", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/feed+json", openapi3filter.JSONBodyDecoder)
}

// getChecked sends a GET to the server and checks the answer against the spec.
func getChecked(t *testing.T, srv http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	return rec
}

// validateXML has xmllint (Debian libxml2-utils, installed by .ci/run)
// check that a feed is well-formed XML.
func validateXML(t *testing.T, doc []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatalf("xmllint is required (Debian: apt-get install libxml2-utils): %v", err)
	}
	f := filepath.Join(t.TempDir(), "feed.xml")
	os.WriteFile(f, doc, 0o644)
	if out, err := exec.Command("xmllint", "--noout", "--nonet", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

func TestRestrictionsFollowTheClock(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	srv := New(Config{Now: func() time.Time { return now },
		Limitazioni: &limitazioni.Source{ContentDir: restrictionsSite(t), BaseURL: "https://pm.example.it"}})
	titles := func(lang string) []string {
		t.Helper()
		rec := getChecked(t, srv, "/api/v1/limitazioni?lingua="+lang)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET limitazioni → %d %s", rec.Code, rec.Body)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("Cache-Control = %q, want a public minute", cc)
		}
		var body struct {
			Limitazioni []limitazioni.Limitazione `json:"limitazioni"`
		}
		json.Unmarshal(rec.Body.Bytes(), &body)
		var out []string
		for _, l := range body.Limitazioni {
			out = append(out, l.Titolo+" <"+l.URL+">")
		}
		return out
	}
	got := strings.Join(titles("it"), " | ")
	want := "Semaforo antismog: arancione <https://pm.example.it/limitazioni/antismog/> | Lavori sul ponte <https://pm.example.it/limitazioni/ponte/>"
	if got != want {
		t.Fatalf("at noon:\n got %s\nwant %s", got, want)
	}
	if got := strings.Join(titles("en"), " | "); got != "Anti-smog: orange <https://pm.example.it/en/limitazioni/antismog/>" {
		t.Fatalf("in English: %s", got)
	}
	// The works end at 18:00 in Rome (17:00 UTC): gone at once, no rebuild.
	now = time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)
	if got := strings.Join(titles("it"), " | "); strings.Contains(got, "ponte") {
		t.Fatalf("an expired restriction is still listed: %s", got)
	}
	now = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	if got := strings.Join(titles("it"), " | "); !strings.Contains(got, "Luci d'Artista") {
		t.Fatalf("a restriction whose time came is not listed: %s", got)
	}

	rec := getChecked(t, srv, "/api/v1/limitazioni?lingua=de")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "LINGUA_NON_DISPONIBILE") {
		t.Fatalf("lingua=de → %d %s", rec.Code, rec.Body)
	}
}

func TestRestrictionsFeeds(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	srv := New(Config{Now: func() time.Time { return now },
		Limitazioni: &limitazioni.Source{ContentDir: restrictionsSite(t), BaseURL: "https://pm.example.it"}})

	rec := getChecked(t, srv, "/api/v1/limitazioni/feed.atom")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("Atom → %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	var atom struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Updated string   `xml:"updated"`
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
			Link  struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Updated string `xml:"updated"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &atom); err != nil {
		t.Fatalf("the Atom feed is not valid XML: %v\n%s", err, rec.Body)
	}
	if atom.Title == "" || atom.ID != "https://pm.example.it/api/v1/limitazioni/feed.atom?lingua=it" || len(atom.Entries) != 2 {
		t.Fatalf("Atom feed = %+v", atom)
	}
	if e := atom.Entries[0]; e.Title != "Semaforo antismog: arancione" || e.Link.Href != "https://pm.example.it/limitazioni/antismog/" || e.Updated == "" {
		t.Fatalf("first entry = %+v", e)
	}
	validateXML(t, rec.Body.Bytes())

	rec = getChecked(t, srv, "/api/v1/limitazioni/feed.json?lingua=en")
	var jf struct {
		Version  string `json:"version"`
		Title    string `json:"title"`
		FeedURL  string `json:"feed_url"`
		Language string `json:"language"`
		Items    []struct {
			ID    string `json:"id"`
			URL   string `json:"url"`
			Title string `json:"title"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &jf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(jf.Version, "https://jsonfeed.org/version/") || jf.Language != "en" ||
		jf.FeedURL != "https://pm.example.it/api/v1/limitazioni/feed.json?lingua=en" || len(jf.Items) != 1 ||
		jf.Items[0].URL != "https://pm.example.it/en/limitazioni/antismog/" {
		t.Fatalf("JSON Feed = %+v", jf)
	}
}

func TestRestrictionsWithoutContentAreUnavailable(t *testing.T) {
	srv := New(Config{})
	rec := getChecked(t, srv, "/api/v1/limitazioni/feed.json")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "LIMITAZIONI_NON_DISPONIBILI") {
		t.Fatalf("→ %d %s", rec.Code, rec.Body)
	}
}
