package staff_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type fixture struct {
	db    *store.DB
	clock *clock
	srv   *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.New(t)
	c := &clock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	svc, err := staff.New(staff.Config{Store: db, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := staff.SeedDemo(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	svc.Routes(r)
	r.With(svc.RequireStaff(staff.Validatore, staff.Amministratore)).Get("/solo-validatori", func(w http.ResponseWriter, r *http.Request) {
		u, _ := staff.UserFrom(r.Context())
		w.Write([]byte("ciao " + u.Username))
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &fixture{db: db, clock: c, srv: srv}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (f *fixture) login(t *testing.T, username, password, next string) (*http.Response, string) {
	t.Helper()
	resp, err := (&http.Client{CheckRedirect: noRedirect}).PostForm(f.srv.URL+"/auth/staff/login",
		url.Values{"username": {username}, "password": {password}, "next": {next}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "portale_staff" {
			return c
		}
	}
	return nil
}

func (f *fixture) get(t *testing.T, path string, c *http.Cookie, accept string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestLoginPageIsItalianAndAccessible(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + "/auth/staff/login?next=/cms/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body)
	for _, want := range []string{`lang="it"`, `<label for="username"`, `<label for="password"`, `autocomplete="current-password"`,
		`/vendor/bootstrap-italia/css/bootstrap-italia.min.css`, `value="/cms/"`, "<main"} {
		if !strings.Contains(page, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
}

func TestLoginStartsASessionAndGoesToNext(t *testing.T) {
	f := newFixture(t)
	resp, _ := f.login(t, "validatore", "demo-validatore", "/cms/")
	c := sessionCookie(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cms/" || c == nil {
		t.Fatalf("login: %d to %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), c)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie attributes: %+v", c)
	}
	if got := f.get(t, "/solo-validatori", c, ""); got.StatusCode != http.StatusOK {
		t.Errorf("with the session: %d", got.StatusCode)
	}
	logins, err := f.db.StaffLogins(context.Background(), "validatore", 10)
	if err != nil || len(logins) != 1 || logins[0].Outcome != "ok" {
		t.Errorf("audit: %+v, %v", logins, err)
	}
}

func TestLoginRefusesAnOffsiteNext(t *testing.T) {
	f := newFixture(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil", "/auth/staff/logout"} {
		resp, _ := f.login(t, "admin", "demo-admin", next)
		if loc := resp.Header.Get("Location"); loc != "/cms/" {
			t.Errorf("next %q: sent to %q", next, loc)
		}
	}
	resp, _ := f.login(t, "operatore", "demo-operatore", "")
	if loc := resp.Header.Get("Location"); loc != "/backoffice/" {
		t.Errorf("operatore lands on %q", loc)
	}
}

func TestWrongPasswordsLockTheAccountForFifteenMinutes(t *testing.T) {
	f := newFixture(t)
	for i := 1; i <= 4; i++ {
		resp, page := f.login(t, "redattore", "sbagliata", "")
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "non corretti") || sessionCookie(resp) != nil {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp, page := f.login(t, "redattore", "sbagliata", "")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(page, "bloccato") {
		t.Fatalf("fifth failure: %d %q", resp.StatusCode, page)
	}
	// Locked: even the right password is refused.
	f.clock.now = f.clock.now.Add(14 * time.Minute)
	if resp, _ := f.login(t, "redattore", "demo-redattore", ""); resp.StatusCode != http.StatusTooManyRequests || sessionCookie(resp) != nil {
		t.Fatalf("during the lock: %d", resp.StatusCode)
	}
	f.clock.now = f.clock.now.Add(2 * time.Minute)
	if resp, _ := f.login(t, "redattore", "demo-redattore", ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d", resp.StatusCode)
	}
	logins, _ := f.db.StaffLogins(context.Background(), "redattore", 10)
	var outcomes []string
	for _, l := range logins {
		outcomes = append(outcomes, l.Outcome)
	}
	want := "ok,bloccato,credenziali_errate,credenziali_errate,credenziali_errate,credenziali_errate,credenziali_errate"
	if strings.Join(outcomes, ",") != want {
		t.Errorf("audit %v, want %s", outcomes, want)
	}
}

func TestUnknownUserGetsTheSameAnswer(t *testing.T) {
	f := newFixture(t)
	resp, page := f.login(t, "nessuno", "qualcosa-di-lungo", "")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "Nome utente o password non corretti") {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
}

func TestRequireStaff(t *testing.T) {
	f := newFixture(t)
	if resp := f.get(t, "/solo-validatori", nil, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no session, API: %d", resp.StatusCode)
	}
	resp := f.get(t, "/solo-validatori", nil, "text/html")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/auth/staff/login?next=%2Fsolo-validatori" {
		t.Errorf("no session, page: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	login, _ := f.login(t, "redattore", "demo-redattore", "")
	if resp := f.get(t, "/solo-validatori", sessionCookie(login), ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("redattore: %d", resp.StatusCode)
	}
}

func TestSessionsExpire(t *testing.T) {
	f := newFixture(t)
	login, _ := f.login(t, "admin", "demo-admin", "")
	c := sessionCookie(login)
	f.clock.now = f.clock.now.Add(29 * time.Minute)
	if resp := f.get(t, "/solo-validatori", c, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("within the idle timeout: %d", resp.StatusCode)
	}
	f.clock.now = f.clock.now.Add(31 * time.Minute)
	if resp := f.get(t, "/solo-validatori", c, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after the idle timeout: %d", resp.StatusCode)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t)
	login, _ := f.login(t, "admin", "demo-admin", "")
	c := sessionCookie(login)
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/auth/staff/login", nil)
	req.AddCookie(c)
	page, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), "Sei già entrato come <strong>Amministratore di prova</strong>") ||
		!strings.Contains(string(body), `action="/auth/staff/logout"`) {
		t.Errorf("the login page does not offer to log out:\n%s", body)
	}
	req, _ = http.NewRequest(http.MethodPost, f.srv.URL+"/auth/staff/logout", nil)
	req.AddCookie(c)
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := f.get(t, "/solo-validatori", c, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old cookie after logout: %d", resp.StatusCode)
	}
}

func TestAddAccountChecksItsInput(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	cases := map[string]staff.NewAccount{
		"bad username":   {Username: "Mario Rossi", Role: staff.Redattore, Password: "abbastanza-lunga"},
		"unknown role":   {Username: "mario", Role: "capo", Password: "abbastanza-lunga"},
		"short password": {Username: "mario", Role: staff.Redattore, Password: "corta"},
		"bad section":    {Username: "mario", Role: staff.Redattore, Sections: []string{"../x"}, Password: "abbastanza-lunga"},
	}
	for name, a := range cases {
		if _, err := staff.AddAccount(ctx, db, a, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	a := staff.NewAccount{Username: "mario", Role: staff.Redattore, Sections: []string{"notizie"}, Password: staff.GeneratePassword()}
	if _, err := staff.AddAccount(ctx, db, a, now); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.AddAccount(ctx, db, a, now); err == nil {
		t.Error("a second mario was accepted")
	}
	accounts, err := staff.Accounts(ctx, db)
	if err != nil || len(accounts) != 1 || accounts[0].Email != "mario@localhost" || !accounts[0].InSection("notizie") || accounts[0].InSection("ordinanze") {
		t.Errorf("accounts: %+v %v", accounts, err)
	}
}

// Staff pages are never cached, never sniffed, and may run no script.
func TestWritePageSendsTheStaffPagesHeaders(t *testing.T) {
	rec := httptest.NewRecorder()
	staff.WritePage(rec, http.StatusUnprocessableEntity, []byte("<p>ciao</p>"))
	h := rec.Header()
	if rec.Code != http.StatusUnprocessableEntity || rec.Body.String() != "<p>ciao</p>" ||
		h.Get("Content-Type") != "text/html; charset=utf-8" || h.Get("Cache-Control") != "no-store" ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || strings.Contains(h.Get("Content-Security-Policy"), "script-src") {
		t.Fatalf("%d %v %q", rec.Code, h, rec.Body)
	}
}
