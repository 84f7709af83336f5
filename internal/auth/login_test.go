package auth_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/store/storetest"
)

func TestDemoProviderChecksTheFiscalCode(t *testing.T) {
	cases := map[string]struct {
		typed   string
		message string // shown on the form again; "" means the login goes through
		want    me
	}{
		"check character wrong": {"RSSMRA80A01L219X", "ultimo carattere del codice fiscale non corrisponde", me{}},
		"too short":             {"RSSMRA80", "16 caratteri", me{}},
		"empty":                 {"", "Inserisci il codice fiscale", me{}},
		"bad month":             {"RSSMRA80Z01L219M", "mese di nascita", me{}},
		"typed in lower case":   {" bnclra85m41l219r ", "", me{CodiceFiscale: laura, Nome: "Laura", Cognome: "Bianchi"}},
		"not a demo citizen":    {"RSSMRA80A01L21VB", "", me{CodiceFiscale: "RSSMRA80A01L21VB", Nome: "Persona", Cognome: "Di Prova"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPortal(t)
			b := p.browser(t)
			r := b.chooseCitizen(b.startLogin(""), c.typed)
			if c.message != "" {
				if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.message) ||
					!strings.Contains(r.Body, `aria-invalid="true"`) || !strings.Contains(r.Body, `name="codice_fiscale"`) {
					t.Fatalf("bad code %q = %d, want the form again with %q:\n%s", c.typed, r.Status, c.message, r.Body)
				}
				if _, r := b.me(); r.Status != http.StatusUnauthorized {
					t.Errorf("a session exists after a refused code")
				}
				return
			}
			if r.Status != http.StatusSeeOther {
				t.Fatalf("valid code %q = %d %s", c.typed, r.Status, r.Body)
			}
			b.get(r.Location)
			got, resp := b.me()
			got.Consenso = c.want.Consenso
			if resp.Status != http.StatusOK || got != c.want {
				t.Errorf("GET /api/v1/me = %d %+v, want %+v", resp.Status, got, c.want)
			}
		})
	}
}

func TestTamperedLoginsAreRefused(t *testing.T) {
	cases := map[string]struct {
		// tamperAuthorize edits the query the portal sends to the provider.
		tamperAuthorize func(q url.Values)
		// tamperCallback edits the query the provider sends back.
		tamperCallback func(q url.Values)
		// otherBrowser finishes the login in a browser that did not start it.
		otherBrowser bool
		status       int
		code         string
	}{
		"state changed on the way back": {tamperCallback: func(q url.Values) { q.Set("state", "x"+q.Get("state")) },
			status: 400, code: "ACCESSO_NON_VALIDO"},
		"state missing": {tamperCallback: func(q url.Values) { q.Del("state") },
			status: 400, code: "ACCESSO_NON_VALIDO"},
		"callback in another browser": {otherBrowser: true,
			status: 400, code: "ACCESSO_NON_VALIDO"},
		"nonce changed on the way out": {tamperAuthorize: func(q url.Values) { q.Set("nonce", "nonce-di-un-altro") },
			status: 502, code: "IDENTITA_NON_DISPONIBILE"},
		"nonce removed": {tamperAuthorize: func(q url.Values) { q.Del("nonce") },
			status: 502, code: "IDENTITA_NON_DISPONIBILE"},
		"PKCE challenge replaced": {tamperAuthorize: func(q url.Values) { q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM") },
			status: 502, code: "IDENTITA_NON_DISPONIBILE"},
		"code changed": {tamperCallback: func(q url.Values) { q.Set("code", "codice-inventato") },
			status: 502, code: "IDENTITA_NON_DISPONIBILE"},
		"login cancelled at the provider": {tamperCallback: func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") },
			status: 401, code: "ACCESSO_ANNULLATO"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPortal(t)
			b := p.browser(t)
			start := b.get("/auth/login")
			authorize, _ := url.Parse(start.Location)
			if c.tamperAuthorize != nil {
				q := authorize.Query()
				c.tamperAuthorize(q)
				authorize.RawQuery = q.Encode()
			}
			back := b.chooseCitizen(b.get(authorize.String()), mario)
			callback, _ := url.Parse(back.Location)
			if c.tamperCallback != nil {
				q := callback.Query()
				c.tamperCallback(q)
				callback.RawQuery = q.Encode()
			}
			finisher := b
			if c.otherBrowser {
				finisher = p.browser(t)
			}
			r := finisher.get(callback.String())
			if r.Status != c.status || !strings.Contains(r.Body, c.code) || !strings.Contains(r.Body, "<h1>") {
				t.Fatalf("callback = %d, want an error page %d %s:\n%s", r.Status, c.status, c.code, r.Body)
			}
			for _, br := range []*browser{b, finisher} {
				if _, r := br.me(); r.Status != http.StatusUnauthorized {
					t.Errorf("a session was started: %d", r.Status)
				}
			}
			if !c.otherBrowser && c.tamperCallback == nil && c.tamperAuthorize == nil {
				t.Fatal("case tampers with nothing")
			}
		})
	}
}

func TestACodeWorksOnce(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	back := b.chooseCitizen(b.startLogin(""), mario)
	if r := b.get(back.Location); r.Status != http.StatusSeeOther {
		t.Fatalf("first callback = %d %s", r.Status, r.Body)
	}
	// The attacker replays the same callback, with a login of their own in progress.
	attacker := p.browser(t)
	attacker.startLogin("")
	stolen, _ := url.Parse(back.Location)
	if r := attacker.get(stolen.String()); r.Status < 400 {
		t.Fatalf("replayed callback = %d %q", r.Status, r.Location)
	}
	if _, r := attacker.me(); r.Status != http.StatusUnauthorized {
		t.Errorf("the replayed code opened a session")
	}
}

func TestAfterLoginTheCitizenStaysOnThePortal(t *testing.T) {
	cases := map[string]struct{ next, want string }{
		"a page of the personal area": {"/area-personale/verbali/?anno=2026", "/area-personale/verbali/?anno=2026"},
		"nothing":                     {"", "/area-personale/"},
		"another site":                {"https://evil.example/", "/area-personale/"},
		"scheme-relative":             {"//evil.example/", "/area-personale/"},
		"backslash trick":             {"/\\evil.example/", "/area-personale/"},
		"javascript":                  {"javascript:alert(1)", "/area-personale/"},
		"relative path":               {"area-personale", "/area-personale/"},
		"back into the login":         {"/auth/logout", "/area-personale/"},
		"a line break":                {"/a\r\nSet-Cookie: x=1", "/area-personale/"},
	}
	p := newPortal(t)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b := p.browser(t)
			b.login(mario, "")
			if got := b.login(mario, c.next); got != c.want {
				t.Errorf("next=%q lands on %q, want %q", c.next, got, c.want)
			}
		})
	}
}

func TestProviderUnreachable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	svc, err := auth.New(auth.Config{IssuerURL: down.URL, ClientID: "c", ClientSecret: "s",
		RedirectURL: "https://portale.example/auth/callback"}, storetest.New(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	svc.Protect(routes(svc)).ServeHTTP(rec, httptest.NewRequest("GET", "/auth/login", nil))
	if rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), "IDENTITA_NON_DISPONIBILE") {
		t.Fatalf("login with the provider down = %d %s", rec.Code, rec.Body)
	}
}

func TestConfigurationErrors(t *testing.T) {
	good := auth.Config{IssuerURL: "https://sso.example", ClientID: "c", ClientSecret: "s", RedirectURL: "https://portale.example/auth/callback"}
	cases := map[string]func(c *auth.Config){
		"no issuer":              func(c *auth.Config) { c.IssuerURL = "" },
		"no client id":           func(c *auth.Config) { c.ClientID = "" },
		"no secret":              func(c *auth.Config) { c.ClientSecret = "" },
		"relative redirect":      func(c *auth.Config) { c.RedirectURL = "/auth/callback" },
		"trusted origin garbage": func(c *auth.Config) { c.TrustedOrigins = []string{"not an origin"} },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			c := good
			edit(&c)
			if _, err := auth.New(c, storetest.New(t), nil); err == nil {
				t.Errorf("New accepted %+v", c)
			}
		})
	}
	if _, err := auth.New(good, storetest.New(t), nil); err != nil {
		t.Errorf("New refused a good configuration: %v", err)
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	p := newPortal(t)
	b := p.browser(t)
	b.login(mario, "/area-personale/")
	session := b.cookie("portale_sessione")
	b.chooseCitizen(b.startLogin(""), "RSSMRA80A01L219X")
	b.postForm("/auth/logout", nil)
	logs := p.logs.String()
	if !strings.Contains(logs, "citizen logged in") || !strings.Contains(logs, "RSS***********9M") {
		t.Fatalf("login not logged with a masked code:\n%s", logs)
	}
	for _, secret := range []string{mario, "Mario", "Rossi", session, "TINIT", "eyJ"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}

func TestClaimsFromTheProvider(t *testing.T) {
	cases := map[string]struct {
		option func(*demoidp.Config, *auth.Config)
		want   me
		status int // of the callback
	}{
		"in the ID token": {func(*demoidp.Config, *auth.Config) {},
			me{CodiceFiscale: mario, Nome: "Mario", Cognome: "Rossi"}, http.StatusSeeOther},
		"only from userinfo": {func(i *demoidp.Config, _ *auth.Config) { i.PersonClaimsInUserinfo = true },
			me{CodiceFiscale: mario, Nome: "Mario", Cognome: "Rossi"}, http.StatusSeeOther},
		"names under other claims": {func(_ *demoidp.Config, a *auth.Config) {
			a.GivenNameClaim, a.FamilyNameClaim = "family_name", "given_name"
		},
			me{CodiceFiscale: mario, Nome: "Rossi", Cognome: "Mario"}, http.StatusSeeOther},
		"fiscal code under a claim the provider lacks": {func(_ *demoidp.Config, a *auth.Config) { a.FiscalCodeClaim = "codice_fiscale" },
			me{}, http.StatusForbidden},
		"a claim that is not a fiscal code": {func(_ *demoidp.Config, a *auth.Config) { a.FiscalCodeClaim = "given_name" },
			me{}, http.StatusForbidden},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPortal(t, c.option)
			b := p.browser(t)
			r := b.get(b.chooseCitizen(b.startLogin(""), mario).Location)
			if r.Status != c.status {
				t.Fatalf("callback = %d %s, want %d", r.Status, r.Body, c.status)
			}
			got, resp := b.me()
			if c.status != http.StatusSeeOther {
				if resp.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "CODICE_FISCALE_ASSENTE") {
					t.Errorf("refused login: callback %s, then /me %d", r.Body, resp.Status)
				}
				return
			}
			got.Consenso = c.want.Consenso
			if got != c.want {
				t.Errorf("GET /api/v1/me = %+v, want %+v", got, c.want)
			}
		})
	}
}
