package auth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/store/storetest"
)

// clock is the portal's clock in a test: real time plus an offset the test
// moves forward, so ID tokens from the demo provider stay valid.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// portal is the portal's login machinery and the demo provider on one real
// HTTP server, wired as `portale demo` wires them.
type portal struct {
	URL   string
	clock *clock
	logs  *bytes.Buffer
}

const (
	clientID     = "portale"
	clientSecret = "segreto-di-prova"
)

// newPortal starts a portal; options adjust the demo provider's and the
// portal's configuration before they are built.
func newPortal(t *testing.T, options ...func(*demoidp.Config, *auth.Config)) *portal {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	p := &portal{URL: srv.URL, clock: &clock{}, logs: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: p.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))

	idpConfig := demoidp.Config{
		Issuer: srv.URL + "/demo-idp",
		Clients: []demoidp.Client{{ID: clientID, Secret: clientSecret,
			RedirectURIs: []string{srv.URL + "/auth/callback"}, PostLogoutRedirectURIs: []string{srv.URL + "/"}}},
		Citizens: demoidp.Citizens(),
		Logger:   logger,
	}
	authConfig := auth.Config{
		IssuerURL:    srv.URL + "/demo-idp",
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  srv.URL + "/auth/callback",
		Now:          p.clock.Now,
	}
	for _, o := range options {
		o(&idpConfig, &authConfig)
	}
	idp, err := demoidp.New(idpConfig)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(authConfig, storetest.New(t), logger)
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	svc.Routes(r)
	r.Route("/api/v1", func(r chi.Router) {
		svc.APIRoutes(r)
		// A personal endpoint as the rest of the portal adds them.
		r.With(svc.RequireCitizen, svc.RequireConsent).Get("/me/esempio", func(w http.ResponseWriter, r *http.Request) {
			c, ok := auth.CitizenFrom(r.Context())
			if !ok {
				http.Error(w, "no citizen", http.StatusInternalServerError)
				return
			}
			json.NewEncoder(w).Encode(map[string]string{"codice_fiscale": c.CodiceFiscale})
		})
	})
	r.Mount("/demo-idp", idp)
	handler = svc.Protect(r)
	return p
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// browser is a person's browser: a cookie jar, and redirects followed by
// hand so each step can be checked.
type browser struct {
	t      *testing.T
	portal *portal
	client *http.Client
}

func (p *portal) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, portal: p, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body), Header: resp.Header}
}

func (b *browser) abs(target string) string {
	if strings.HasPrefix(target, "/") {
		return b.portal.URL + target
	}
	return target
}

func (b *browser) get(target string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.abs(target), nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// send makes a same-origin request, as a page or island of the portal would.
func (b *browser) send(method, target, contentType, body string, header ...string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.abs(target), strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.portal.URL)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *browser) postForm(target string, form url.Values) response {
	b.t.Helper()
	return b.send(http.MethodPost, target, "application/x-www-form-urlencoded", form.Encode())
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.portal.URL + "/auth/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var requestField = regexp.MustCompile(`name="richiesta" value="([^"]+)"`)

// startLogin goes from /auth/login to the demo provider's login page and
// returns the page.
func (b *browser) startLogin(next string) response {
	b.t.Helper()
	target := "/auth/login"
	if next != "" {
		target += "?next=" + url.QueryEscape(next)
	}
	r := b.get(target)
	if r.Status != http.StatusFound || !strings.HasPrefix(r.Location, b.portal.URL+"/demo-idp/authorize?") {
		b.t.Fatalf("GET %s = %d to %q, want a redirect to the demo provider", target, r.Status, r.Location)
	}
	page := b.get(r.Location)
	if page.Status != http.StatusOK {
		b.t.Fatalf("demo provider login page = %d %s", page.Status, page.Body)
	}
	return page
}

// chooseCitizen posts the demo provider's form and returns its answer.
func (b *browser) chooseCitizen(page response, cf string) response {
	b.t.Helper()
	m := requestField.FindStringSubmatch(page.Body)
	if m == nil {
		b.t.Fatalf("no request id in the login page:\n%s", page.Body)
	}
	return b.postForm("/demo-idp/login", url.Values{"richiesta": {m[1]}, "codice_fiscale": {cf}})
}

// login logs in as cf through the demo provider, gives consent if asked,
// and returns where the portal finally sends the browser.
func (b *browser) login(cf, next string) string {
	b.t.Helper()
	back := b.chooseCitizen(b.startLogin(next), cf)
	if back.Status != http.StatusSeeOther || !strings.HasPrefix(back.Location, b.portal.URL+"/auth/callback?") {
		b.t.Fatalf("demo provider answered %d to %q, want a redirect to the callback:\n%s", back.Status, back.Location, back.Body)
	}
	landed := b.get(back.Location)
	if landed.Status != http.StatusSeeOther {
		b.t.Fatalf("callback = %d %s", landed.Status, landed.Body)
	}
	if !strings.HasPrefix(landed.Location, "/auth/consenso") {
		return landed.Location
	}
	page := b.get(landed.Location)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `name="versione" value="1"`) {
		b.t.Fatalf("consent page = %d %s", page.Status, page.Body)
	}
	next = regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(page.Body)[1]
	done := b.postForm("/auth/consenso", url.Values{"versione": {"1"}, "next": {next}})
	if done.Status != http.StatusSeeOther {
		b.t.Fatalf("consent form = %d %s", done.Status, done.Body)
	}
	return done.Location
}

// apiError reads {"errore":{"codice":...}} from an answer.
func apiError(t *testing.T, r response) string {
	t.Helper()
	var body struct {
		Errore struct{ Codice, Messaggio string } `json:"errore"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Errore.Messaggio == "" {
		t.Fatalf("not an API error (%d): %s", r.Status, r.Body)
	}
	return body.Errore.Codice
}

type me struct {
	CodiceFiscale string `json:"codice_fiscale"`
	Nome          string `json:"nome"`
	Cognome       string `json:"cognome"`
	Consenso      struct {
		Dato              bool       `json:"dato"`
		VersioneRichiesta string     `json:"versione_richiesta"`
		Versione          string     `json:"versione"`
		DatoIl            *time.Time `json:"dato_il"`
		RevocatoIl        *time.Time `json:"revocato_il"`
	} `json:"consenso"`
}

func (b *browser) me() (me, response) {
	b.t.Helper()
	r := b.get("/api/v1/me")
	var m me
	if r.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			b.t.Fatalf("GET /api/v1/me: %v in %s", err, r.Body)
		}
	}
	return m, r
}
