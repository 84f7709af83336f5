package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	mario = "RSSMRA80A01L219M"
	laura = "BNCLRA85M41L219R"
)

func TestLoginThroughTheDemoProvider(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)

	page := b.startLogin("/area-personale/verbali/")
	for _, want := range []string{"Ambiente di prova", `name="codice_fiscale"`, "Mario Rossi", "Laura Bianchi"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the demo login page lacks %q", want)
		}
	}
	back := b.chooseCitizen(page, mario)
	landed := b.get(back.Location)
	if landed.Status != http.StatusSeeOther || landed.Location != "/auth/consenso?next=%2Farea-personale%2Fverbali%2F" {
		t.Fatalf("first login lands on %d %q, want the consent page", landed.Status, landed.Location)
	}
	if b.cookie("portale_accesso") != "" {
		t.Errorf("the login-in-progress cookie outlives the login")
	}
	if m, r := b.me(); r.Status != http.StatusOK || m.CodiceFiscale != mario || m.Nome != "Mario" || m.Cognome != "Rossi" || m.Consenso.Dato {
		t.Fatalf("GET /api/v1/me before consent = %d %s", r.Status, r.Body)
	}
	if r := b.get("/api/v1/me/esempio"); r.Status != http.StatusForbidden || apiError(t, r) != "CONSENSO_RICHIESTO" {
		t.Fatalf("personal data before consent = %d %s", r.Status, r.Body)
	}
	consent := b.get(landed.Location)
	if consent.Status != http.StatusOK || !strings.Contains(consent.Body, "informativa") || !strings.Contains(consent.Body, `lang="en"`) {
		t.Fatalf("consent page = %d %s", consent.Status, consent.Body)
	}
	done := b.postForm("/auth/consenso", url.Values{"versione": {"1"}, "next": {"/area-personale/verbali/"}})
	if done.Status != http.StatusSeeOther || done.Location != "/area-personale/verbali/" {
		t.Fatalf("after consent = %d %q, want the page asked at login", done.Status, done.Location)
	}
	m, r := b.me()
	if r.Status != http.StatusOK || !m.Consenso.Dato || m.Consenso.Versione != "1" || m.Consenso.DatoIl == nil {
		t.Fatalf("GET /api/v1/me after consent = %d %s", r.Status, r.Body)
	}
	if r := b.get("/api/v1/me/esempio"); r.Status != http.StatusOK || !strings.Contains(r.Body, mario) {
		t.Fatalf("personal endpoint = %d %s", r.Status, r.Body)
	}

	// The next login skips the consent page and gets a new session id.
	before := b.cookie("portale_sessione")
	if got := b.login(mario, ""); got != "/area-personale/" {
		t.Errorf("second login lands on %q, want /area-personale/", got)
	}
	after := b.cookie("portale_sessione")
	if after == "" || after == before {
		t.Errorf("the session id was not rotated at login")
	}
	old := p.browser(t)
	old.client.Jar.SetCookies(mustURL(p.URL), []*http.Cookie{{Name: "portale_sessione", Value: before, Path: "/"}})
	if _, r := old.me(); r.Status != http.StatusUnauthorized {
		t.Errorf("the session from before the new login still works: %d", r.Status)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSessionCookieAttributes(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	back := b.chooseCitizen(b.startLogin(""), mario)
	landed := b.get(back.Location)
	var session *http.Cookie
	for _, c := range (&http.Response{Header: landed.Header}).Cookies() {
		if c.Name == "portale_sessione" && c.Value != "" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie set at callback")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/ (not Secure on plain http)", session)
	}
	if len(session.Value) != 43 {
		t.Errorf("session id %d characters long, want 43 (256 bits, base64url)", len(session.Value))
	}
}

func TestTwoCitizensNeverSeeEachOther(t *testing.T) {
	p := newPortal(t)
	browsers := map[string]*browser{mario: p.browser(t), laura: p.browser(t)}
	names := map[string]string{mario: "Rossi", laura: "Bianchi"}
	browsers[mario].login(mario, "")
	// Laura logs in but has not yet consented: Mario's consent must not count for her.
	lb := browsers[laura]
	lb.get(lb.chooseCitizen(lb.startLogin(""), laura).Location)
	if r := lb.get("/api/v1/me/esempio"); r.Status != http.StatusForbidden {
		t.Fatalf("Laura reads personal data without her own consent: %d %s", r.Status, r.Body)
	}
	lb.send(http.MethodPost, "/api/v1/me/consenso", "application/json", `{"versione":"1"}`)

	for cf, b := range browsers {
		other := laura
		if cf == laura {
			other = mario
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/me/consenso", "/api/v1/me/esempio"} {
			r := b.get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("%s GET %s = %d %s", names[cf], path, r.Status, r.Body)
			}
			if strings.Contains(r.Body, other) || strings.Contains(r.Body, names[other]) {
				t.Errorf("%s GET %s shows the other citizen: %s", names[cf], path, r.Body)
			}
			if path != "/api/v1/me/consenso" && !strings.Contains(r.Body, cf) {
				t.Errorf("%s GET %s does not show their own code: %s", names[cf], path, r.Body)
			}
		}
	}
	// Withdrawing is personal too.
	browsers[mario].send(http.MethodDelete, "/api/v1/me/consenso", "", "")
	if r := browsers[mario].get("/api/v1/me/esempio"); r.Status != http.StatusForbidden {
		t.Errorf("Mario after withdrawing = %d", r.Status)
	}
	if r := browsers[laura].get("/api/v1/me/esempio"); r.Status != http.StatusOK {
		t.Errorf("Laura after Mario withdrew = %d", r.Status)
	}
}

func TestConsentAPI(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.get(b.chooseCitizen(b.startLogin(""), mario).Location)
	steps := []struct {
		name, method, body string
		status             int
		code               string
		given              bool
		personal           int
	}{
		{"read before giving", "GET", "", 200, "", false, 403},
		{"no version", "POST", `{}`, 400, "RICHIESTA_NON_VALIDA", false, 403},
		{"not JSON", "POST", `versione=1`, 400, "RICHIESTA_NON_VALIDA", false, 403},
		{"an old notice", "POST", `{"versione":"0"}`, 409, "INFORMATIVA_CAMBIATA", false, 403},
		{"give", "POST", `{"versione":"1"}`, 200, "", true, 200},
		{"give again", "POST", `{"versione":"1"}`, 200, "", true, 200},
		{"withdraw", "DELETE", "", 200, "", false, 403},
		{"withdraw again", "DELETE", "", 200, "", false, 403},
		{"give anew", "POST", `{"versione":"1"}`, 200, "", true, 200},
	}
	for _, s := range steps {
		r := b.send(s.method, "/api/v1/me/consenso", "application/json", s.body)
		if r.Status != s.status {
			t.Fatalf("%s: %s = %d %s, want %d", s.name, s.method, r.Status, r.Body, s.status)
		}
		if s.code != "" {
			if got := apiError(t, r); got != s.code {
				t.Fatalf("%s: code %s, want %s", s.name, got, s.code)
			}
		} else if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: consent answer is cacheable", s.name)
		}
		m, _ := b.me()
		if m.Consenso.Dato != s.given || m.Consenso.VersioneRichiesta != "1" {
			t.Errorf("%s: consent in /me = %+v, want dato=%v", s.name, m.Consenso, s.given)
		}
		if s.name == "withdraw" && m.Consenso.RevocatoIl == nil {
			t.Errorf("withdrawal time not shown")
		}
		if got := b.get("/api/v1/me/esempio").Status; got != s.personal {
			t.Errorf("%s: personal endpoint = %d, want %d", s.name, got, s.personal)
		}
	}
}

func TestWithoutASessionTheAPIAsksToLogIn(t *testing.T) {
	p := newPortal(t)
	cases := map[string]struct {
		method, path, cookie string
	}{
		"me":                    {"GET", "/api/v1/me", ""},
		"read consent":          {"GET", "/api/v1/me/consenso", ""},
		"give consent":          {"POST", "/api/v1/me/consenso", ""},
		"withdraw consent":      {"DELETE", "/api/v1/me/consenso", ""},
		"personal endpoint":     {"GET", "/api/v1/me/esempio", ""},
		"made-up session id":    {"GET", "/api/v1/me", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"empty session cookie":  {"GET", "/api/v1/me/esempio", ""},
		"made-up on a personal": {"GET", "/api/v1/me/esempio", "not-a-session"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b := p.browser(t)
			if c.cookie != "" {
				b.client.Jar.SetCookies(mustURL(p.URL), []*http.Cookie{{Name: "portale_sessione", Value: c.cookie, Path: "/"}})
			}
			r := b.send(c.method, c.path, "application/json", `{"versione":"1"}`)
			if r.Status != http.StatusUnauthorized || apiError(t, r) != "ACCESSO_RICHIESTO" {
				t.Fatalf("%s %s = %d %s, want 401 ACCESSO_RICHIESTO", c.method, c.path, r.Status, r.Body)
			}
		})
	}
}

func TestSessionTimeouts(t *testing.T) {
	cases := map[string]struct {
		steps []time.Duration // time between requests
		last  int             // status of the last request
	}{
		"active within the idle timeout":  {[]time.Duration{29 * time.Minute, 29 * time.Minute}, 200},
		"idle for longer than 30 minutes": {[]time.Duration{10 * time.Minute, 31 * time.Minute}, 401},
		"active for 11 hours 40 minutes":  {repeat(25*time.Minute, 28), 200},
		"active for 12 hours 5 minutes":   {repeat(25*time.Minute, 29), 401},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPortal(t)
			b := p.browser(t)
			b.login(mario, "")
			var r response
			for i, d := range c.steps {
				p.clock.Advance(d)
				_, r = b.me()
				if i < len(c.steps)-1 && r.Status != http.StatusOK {
					t.Fatalf("request %d = %d, want 200", i+1, r.Status)
				}
			}
			if r.Status != c.last {
				t.Fatalf("last request = %d, want %d", r.Status, c.last)
			}
			if c.last == 401 {
				if apiError(t, r) != "ACCESSO_RICHIESTO" || !strings.Contains(r.Body, "scaduta") {
					t.Errorf("expired session answer = %s", r.Body)
				}
				p.clock.Advance(-24 * time.Hour)
				if _, r := b.me(); r.Status != http.StatusUnauthorized {
					t.Errorf("an expired session came back when the clock did: %d", r.Status)
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestLogout(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login(mario, "")
	session := b.cookie("portale_sessione")

	confirm := b.get("/auth/logout")
	if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, `method="post" action="/auth/logout"`) {
		t.Fatalf("GET /auth/logout = %d %s, want a page with a POST form", confirm.Status, confirm.Body)
	}
	if _, r := b.me(); r.Status != http.StatusOK {
		t.Fatalf("GET /auth/logout logged the citizen out")
	}

	r := b.postForm("/auth/logout", nil)
	end, err := url.Parse(r.Location)
	if r.Status != http.StatusSeeOther || err != nil || end.Path != "/demo-idp/end_session" {
		t.Fatalf("POST /auth/logout = %d %q, want the provider's end_session", r.Status, r.Location)
	}
	q := end.Query()
	if q.Get("id_token_hint") == "" || q.Get("post_logout_redirect_uri") != p.URL+"/" || q.Get("client_id") != clientID {
		t.Errorf("end_session parameters = %v", q)
	}
	if back := b.get(r.Location); back.Status != http.StatusFound || back.Location != p.URL+"/" {
		t.Errorf("the provider sends the browser to %d %q, want the portal's home", back.Status, back.Location)
	}
	if _, r := b.me(); r.Status != http.StatusUnauthorized {
		t.Errorf("after logout GET /api/v1/me = %d", r.Status)
	}
	replay := p.browser(t)
	replay.client.Jar.SetCookies(mustURL(p.URL), []*http.Cookie{{Name: "portale_sessione", Value: session, Path: "/"}})
	if _, r := replay.me(); r.Status != http.StatusUnauthorized {
		t.Errorf("the old session id still works after logout: %d", r.Status)
	}
	if r := b.postForm("/auth/logout", nil); r.Status != http.StatusSeeOther || r.Location != p.URL+"/" {
		t.Errorf("logout without a session = %d %q, want home", r.Status, r.Location)
	}
}

func TestCrossOriginRequestsAreRejected(t *testing.T) {
	cases := map[string]struct {
		method, path, body string
		header             []string
		status             int
	}{
		"logout from another site (Origin)":   {"POST", "/auth/logout", "", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", ""}, 403},
		"logout from another site (Fetch)":    {"POST", "/auth/logout", "", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		"consent from a sibling subdomain":    {"POST", "/api/v1/me/consenso", `{"versione":"1"}`, []string{"Sec-Fetch-Site", "same-site"}, 403},
		"withdrawal from another site":        {"DELETE", "/api/v1/me/consenso", "", []string{"Origin", "https://evil.example", "Sec-Fetch-Site", ""}, 403},
		"consent from the portal's own pages": {"POST", "/api/v1/me/consenso", `{"versione":"1"}`, nil, 200},
		"reading is never blocked":            {"GET", "/api/v1/me", "", []string{"Sec-Fetch-Site", "cross-site"}, 200},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPortal(t)
			b := p.browser(t)
			b.login(mario, "")
			b.send(http.MethodDelete, "/api/v1/me/consenso", "", "")
			r := b.send(c.method, c.path, "application/json", c.body, c.header...)
			if r.Status != c.status {
				t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, r.Status, r.Body, c.status)
			}
			if c.status == 403 {
				if apiError(t, r) != "ORIGINE_NON_CONSENTITA" {
					t.Errorf("rejection = %s", r.Body)
				}
				m, resp := b.me()
				if resp.Status != http.StatusOK || m.Consenso.Dato {
					t.Errorf("the rejected request changed something: %d %s", resp.Status, resp.Body)
				}
			}
		})
	}
}
