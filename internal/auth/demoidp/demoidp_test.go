package demoidp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const (
	issuer   = "http://portale.test/demo-idp"
	callback = "http://portale.test/auth/callback"
	verifier = "un-verificatore-pkce-lungo-abbastanza-per-la-prova-0123456789"
)

func newProvider(t *testing.T) *Provider {
	t.Helper()
	p, err := New(Config{Issuer: issuer, Citizens: Citizens(), Clients: []Client{{ID: "portale", Secret: "s",
		RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{"http://portale.test/"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func serve(h http.Handler, method, target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeURL(edit func(url.Values)) string {
	q := url.Values{"client_id": {"portale"}, "redirect_uri": {callback}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {"st"}, "nonce": {"no"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"}}
	if edit != nil {
		edit(q)
	}
	return "/demo-idp/authorize?" + q.Encode()
}

// code runs the login page as cf and returns the authorization code.
func code(t *testing.T, p *Provider, cf string) string {
	t.Helper()
	page := serve(p, "GET", authorizeURL(nil), nil)
	m := regexp.MustCompile(`name="richiesta" value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	if page.Code != 200 || m == nil {
		t.Fatalf("login page = %d %s", page.Code, page.Body)
	}
	rec := serve(p, "POST", "/demo-idp/login", url.Values{"richiesta": {m[1]}, "codice_fiscale": {cf}})
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || loc.Query().Get("state") != "st" || loc.Query().Get("code") == "" {
		t.Fatalf("login = %d %q", rec.Code, loc)
	}
	return loc.Query().Get("code")
}

func TestDiscoveryAndKeys(t *testing.T) {
	p := newProvider(t)
	rec := serve(p, "GET", "/demo-idp/.well-known/openid-configuration", nil)
	var doc map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
		t.Fatalf("discovery = %d %s", rec.Code, rec.Body)
	}
	want := map[string]string{
		"issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
		"jwks_uri": issuer + "/jwks", "userinfo_endpoint": issuer + "/userinfo", "end_session_endpoint": issuer + "/end_session",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %s", k, doc[k], v)
		}
	}
	var set struct{ Keys []map[string]string }
	rec = serve(p, "GET", "/demo-idp/jwks", nil)
	if json.Unmarshal(rec.Body.Bytes(), &set) != nil || len(set.Keys) != 1 || set.Keys[0]["kty"] != "RSA" || set.Keys[0]["kid"] == "" {
		t.Fatalf("jwks = %s", rec.Body)
	}
	if n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0]["n"]); len(n) != 256 {
		t.Errorf("key is %d bits, want 2048", len(n)*8)
	}
}

func TestAuthorizeChecksTheRequest(t *testing.T) {
	p := newProvider(t)
	cases := map[string]struct {
		edit     func(url.Values)
		status   int
		redirErr string // error sent back to the client; "" for a page
	}{
		"unknown client":           {func(q url.Values) { q.Set("client_id", "altro") }, 400, ""},
		"unregistered redirect":    {func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, 400, ""},
		"implicit flow":            {func(q url.Values) { q.Set("response_type", "id_token") }, 302, "unsupported_response_type"},
		"no openid scope":          {func(q url.Values) { q.Set("scope", "profile") }, 302, "invalid_scope"},
		"no PKCE":                  {func(q url.Values) { q.Del("code_challenge") }, 302, "invalid_request"},
		"plain PKCE":               {func(q url.Values) { q.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		"good request, login page": {nil, 200, ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := serve(p, "GET", authorizeURL(c.edit), nil)
			if rec.Code != c.status {
				t.Fatalf("authorize = %d %s, want %d", rec.Code, rec.Body, c.status)
			}
			if c.redirErr != "" {
				loc, _ := url.Parse(rec.Header().Get("Location"))
				if !strings.HasPrefix(loc.String(), callback) || loc.Query().Get("error") != c.redirErr || loc.Query().Get("state") != "st" {
					t.Errorf("error redirect = %q", loc)
				}
			}
			if c.status == 400 && rec.Header().Get("Location") != "" {
				t.Errorf("an untrusted redirect_uri was followed")
			}
			if c.status == 200 && !strings.Contains(rec.Body.String(), "Ambiente di prova") {
				t.Errorf("login page is not labelled as a test environment")
			}
		})
	}
}

func TestTokenEndpoint(t *testing.T) {
	cases := map[string]struct {
		edit   func(form url.Values, header *[]string)
		status int
		err    string
	}{
		"good, secret in the header": {nil, 200, ""},
		"good, secret in the form": {func(f url.Values, h *[]string) {
			*h = nil
			f.Set("client_id", "portale")
			f.Set("client_secret", "s")
		}, 200, ""},
		"wrong secret":        {func(f url.Values, h *[]string) { *h = []string{"Authorization", basic("portale", "x")} }, 401, "invalid_client"},
		"wrong verifier":      {func(f url.Values, h *[]string) { f.Set("code_verifier", "altro") }, 400, "invalid_grant"},
		"other redirect_uri":  {func(f url.Values, h *[]string) { f.Set("redirect_uri", callback+"x") }, 400, "invalid_grant"},
		"made-up code":        {func(f url.Values, h *[]string) { f.Set("code", "inventato") }, 400, "invalid_grant"},
		"refresh grant":       {func(f url.Values, h *[]string) { f.Set("grant_type", "refresh_token") }, 400, "unsupported_grant_type"},
		"no client at all":    {func(f url.Values, h *[]string) { *h = nil }, 401, "invalid_client"},
		"another client's id": {func(f url.Values, h *[]string) { *h = []string{"Authorization", basic("altro", "s")} }, 401, "invalid_client"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProvider(t)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, p, "RSSMRA80A01L219M")},
				"redirect_uri": {callback}, "code_verifier": {verifier}}
			header := []string{"Authorization", basic("portale", "s")}
			if c.edit != nil {
				c.edit(form, &header)
			}
			rec := serve(p, "POST", "/demo-idp/token", form, header...)
			var body map[string]any
			json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != c.status || (c.err != "" && body["error"] != c.err) {
				t.Fatalf("token = %d %s, want %d %s", rec.Code, rec.Body, c.status, c.err)
			}
			if c.status != 200 {
				return
			}
			claims := payload(t, body["id_token"].(string))
			if claims["fiscalNumber"] != "TINIT-RSSMRA80A01L219M" || claims["given_name"] != "Mario" || claims["family_name"] != "Rossi" ||
				claims["nonce"] != "no" || claims["aud"] != "portale" || claims["iss"] != issuer {
				t.Errorf("id token claims = %v", claims)
			}
			// The code is spent, and the access token opens userinfo.
			if again := serve(p, "POST", "/demo-idp/token", form, header...); again.Code != 400 {
				t.Errorf("the same code worked twice: %d", again.Code)
			}
			info := serve(p, "GET", "/demo-idp/userinfo", nil, "Authorization", "Bearer "+body["access_token"].(string))
			if info.Code != 200 || !strings.Contains(info.Body.String(), `"fiscalNumber":"TINIT-RSSMRA80A01L219M"`) {
				t.Errorf("userinfo = %d %s", info.Code, info.Body)
			}
			if bad := serve(p, "GET", "/demo-idp/userinfo", nil, "Authorization", "Bearer inventato"); bad.Code != 401 {
				t.Errorf("userinfo with a made-up token = %d", bad.Code)
			}
		})
	}
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("id token %q is not a JWS", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(raw, &claims) != nil {
		t.Fatalf("id token payload: %v", err)
	}
	return claims
}

func TestEndSession(t *testing.T) {
	p := newProvider(t)
	cases := map[string]struct {
		query    string
		location string
	}{
		"registered address":   {"post_logout_redirect_uri=http%3A%2F%2Fportale.test%2F&client_id=portale&state=z", "http://portale.test/?state=z"},
		"unregistered address": {"post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F", ""},
		"no address":           {"", ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := serve(p, "GET", "/demo-idp/end_session?"+c.query, nil)
			if got := rec.Header().Get("Location"); got != c.location {
				t.Fatalf("end_session sends to %q, want %q", got, c.location)
			}
			if c.location == "" && (rec.Code != 200 || !strings.Contains(rec.Body.String(), "Sei uscito")) {
				t.Errorf("end_session page = %d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestNewRefusesABadConfiguration(t *testing.T) {
	client := []Client{{ID: "c", Secret: "s", RedirectURIs: []string{callback}}}
	cases := map[string]Config{
		"relative issuer":         {Issuer: "/demo-idp", Clients: client},
		"no client":               {Issuer: issuer},
		"citizen with a bad code": {Issuer: issuer, Clients: client, Citizens: []Citizen{{CodiceFiscale: "RSSMRA80A01L219X"}}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg); err == nil {
				t.Errorf("New accepted %+v", cfg)
			}
		})
	}
}

func TestExpiredLoginPage(t *testing.T) {
	p := newProvider(t)
	rec := serve(p, "POST", "/demo-idp/login", url.Values{"richiesta": {"scaduta"}, "codice_fiscale": {"RSSMRA80A01L219M"}})
	if rec.Code != 400 || rec.Header().Get("Location") != "" || !strings.Contains(rec.Body.String(), "scaduta") {
		t.Fatalf("login with an unknown request = %d %s", rec.Code, rec.Body)
	}
}

func TestPersonClaimsInUserinfo(t *testing.T) {
	p, err := New(Config{Issuer: issuer, Citizens: Citizens(), PersonClaimsInUserinfo: true,
		Clients: []Client{{ID: "portale", Secret: "s", RedirectURIs: []string{callback}}}})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, p, "BNCLRA85M41L219R")},
		"redirect_uri": {callback}, "code_verifier": {verifier}}
	rec := serve(p, "POST", "/demo-idp/token", form, "Authorization", basic("portale", "s"))
	var body map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		t.Fatalf("token = %d %s", rec.Code, rec.Body)
	}
	claims := payload(t, body["id_token"].(string))
	if _, ok := claims["fiscalNumber"]; ok || claims["given_name"] != nil || claims["sub"] == nil || claims["nonce"] != "no" {
		t.Errorf("id token claims = %v, want the protocol claims only", claims)
	}
	info := serve(p, "GET", "/demo-idp/userinfo", nil, "Authorization", "Bearer "+body["access_token"].(string))
	var got map[string]any
	if json.Unmarshal(info.Body.Bytes(), &got) != nil || got["fiscalNumber"] != "TINIT-BNCLRA85M41L219R" || got["sub"] != claims["sub"] {
		t.Errorf("userinfo = %s", info.Body)
	}
}

func TestDemoCitizensAreNormalised(t *testing.T) {
	p, err := New(Config{Issuer: issuer, Citizens: []Citizen{{CodiceFiscale: " rssmra80a01l219m", Nome: "Mario", Cognome: "Rossi"}},
		Clients: []Client{{ID: "portale", Secret: "s", RedirectURIs: []string{callback}}}})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code(t, p, "RSSMRA80A01L219M")},
		"redirect_uri": {callback}, "code_verifier": {verifier}}
	var body map[string]any
	json.Unmarshal(serve(p, "POST", "/demo-idp/token", form, "Authorization", basic("portale", "s")).Body.Bytes(), &body)
	token, _ := body["id_token"].(string)
	if claims := payload(t, token); claims["given_name"] != "Mario" {
		t.Errorf("a citizen configured in lower case is not recognised: %v", claims)
	}
}
