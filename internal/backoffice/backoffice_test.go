package backoffice

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// office is the back office over a fresh database with one account per
// role, and a plan to look at.
type office struct {
	url string
	db  *store.DB
}

func newOffice(t *testing.T) office {
	t.Helper()
	db := storetest.New(t)
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	plans := &rateizzazioni.Service{Store: db, Rules: cds.DefaultConfig(), NAV: nav}
	com := &comunicazioni.Service{Store: db, Rules: cds.DefaultConfig()}
	h, err := New(Config{Staff: svc, Plans: plans, Comunicazioni: com, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	svc.Routes(r)
	r.Handle("/backoffice", h)
	r.Handle("/backoffice/*", h)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	for _, role := range staff.Roles {
		if _, err := staff.AddAccount(context.Background(), db, staff.NewAccount{Username: string(role), Role: role,
			Password: "una-password-lunga"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return office{url: ts.URL, db: db}
}

func nav(seq int64) (string, error) {
	n, err := pagopa.NoticeNumberFromSequence("01", seq)
	return n.String(), err
}

// withProposal imports the demo verbali and has Mario propose a plan.
func (o office) withProposal(t *testing.T) int64 {
	t.Helper()
	o.importDemo(t)
	svc := &rateizzazioni.Service{Store: o.db, Rules: cds.DefaultConfig(), NAV: nav}
	p, err := svc.Propose(context.Background(), demo.Mario.CodiceFiscale, rateizzazioni.Request{Verbali: []string{"2026/PM/000107"}, Rate: 3,
		RedditoCent: 900000}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// importDemo imports the demo's verbali.
func (o office) importDemo(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	var jsonl bytes.Buffer
	for _, r := range demo.Verbali(civil.FromTime(time.Now())) {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	if _, err := verbali.Import(ctx, &jsonl, o.db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
}

func (o office) login(t *testing.T, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(o.url+"/auth/staff/login", url.Values{"username": {username}, "password": {"una-password-lunga"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, html.UnescapeString(string(b))
}

func TestBackOfficeNeedsAStaffLoginWithABackOfficeRole(t *testing.T) {
	o := newOffice(t)
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := get(t, anon, o.url+"/backoffice/rateizzazioni?stato=approvata")
	if resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/auth/staff/login?next="+url.QueryEscape("/backoffice/rateizzazioni?stato=approvata") {
		t.Errorf("without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, o.login(t, "redattore"), o.url+"/backoffice/")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a redattore: %d", resp.StatusCode)
	}
	_, body := get(t, o.login(t, "redattore"), o.url+"/backoffice/")
	if !strings.Contains(body, "Il tuo profilo (Redattore) non permette di usare il back office") || !strings.Contains(body, `lang="it"`) {
		t.Errorf("the 403 page: %s", body)
	}
	for _, role := range []string{"operatore", "responsabile", "riscossione", "amministratore"} {
		if resp, _ := get(t, o.login(t, role), o.url+"/backoffice/"); resp.StatusCode != http.StatusOK {
			t.Errorf("%s at the desk: %d", role, resp.StatusCode)
		}
	}
	if resp, _ := get(t, o.login(t, "operatore"), o.url+"/backoffice/audit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an operatore reading the audit: %d", resp.StatusCode)
	}
	resp, body = get(t, o.login(t, "responsabile"), o.url+"/backoffice/audit?dal=ieri")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "La data «dal» non è valida") {
		t.Errorf("audit with a bad date: %d", resp.StatusCode)
	}
	if resp, body := get(t, o.login(t, "operatore"), o.url+"/backoffice/rateizzazioni/999"); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "Questa rateizzazione non esiste.") {
		t.Errorf("a missing plan: %d", resp.StatusCode)
	}
}

// A form from another site is refused before it decides anything.
func TestFormsFromAnotherSiteAreRefused(t *testing.T) {
	o := newOffice(t)
	c := o.login(t, "operatore")
	req, _ := http.NewRequest("POST", o.url+"/backoffice/rateizzazioni/1/approva", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
}

var (
	tagRE     = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE      = regexp.MustCompile(`\bid="([^"]+)"`)
	typeRE    = regexp.MustCompile(`\btype="(hidden|submit)"`)
	tableRE   = regexp.MustCompile(`(?s)<table\b.*?</table>`)
	headingRE = regexp.MustCompile(`<h([1-6])\b`)
)

// accessible checks what a screen reader user needs: one h1 and no skipped
// heading level, a label for every field, a caption for every table.
func accessible(t *testing.T, name, page string) {
	t.Helper()
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("%s: %d h1", name, n)
	}
	last := 0
	for _, m := range headingRE.FindAllStringSubmatch(page, -1) {
		level := int(m[1][0] - '0')
		if last > 0 && level > last+1 {
			t.Errorf("%s: heading h%d after h%d", name, level, last)
		}
		last = level
	}
	for _, tag := range tagRE.FindAllString(page, -1) {
		if typeRE.MatchString(tag) {
			continue
		}
		id := idRE.FindStringSubmatch(tag)
		if id == nil || !strings.Contains(page, `<label for="`+id[1]+`"`) {
			t.Errorf("%s: field without a label: %s", name, tag)
		}
	}
	for _, table := range tableRE.FindAllString(page, -1) {
		if !strings.Contains(table, "<caption>") || !strings.Contains(table, `scope="col"`) {
			t.Errorf("%s: table without caption or column headers", name)
		}
	}
	if !strings.Contains(page, `href="#contenuto"`) || !strings.Contains(page, `<main id="contenuto"`) {
		t.Errorf("%s: no skip link", name)
	}
}

func TestPagesAreAccessible(t *testing.T) {
	o := newOffice(t)
	id := o.withProposal(t)
	c := o.login(t, "responsabile")
	detail := "/backoffice/rateizzazioni/" + strconv.FormatInt(id, 10)
	for _, path := range []string{"/backoffice/", "/backoffice/rateizzazioni", "/backoffice/rateizzazioni?stato=decaduta&q=X",
		detail, "/backoffice/audit", "/backoffice/non-esiste"} {
		_, page := get(t, c, o.url+path)
		accessible(t, path, page)
	}
	// A form sent with a mistake comes back with the error next to its
	// field, still accessible, and nothing changed.
	resp, err := c.PostForm(o.url+detail+"/respingi", url.Values{"motivo": {" "}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `aria-describedby="respingi-motivo-errore"`) ||
		!strings.Contains(page, "Scrivi il motivo per cui la rateizzazione è respinta") {
		t.Errorf("reject without a reason: %d", resp.StatusCode)
	}
	accessible(t, "reject without a reason", page)
	if audit, _ := o.db.AuditLog(context.Background(), store.AuditFilter{}); len(audit) != 0 {
		t.Errorf("a refused form was audited: %+v", audit)
	}
	resp, err = c.PostForm(o.url+detail+"/respingi", url.Values{"motivo": {"Documentazione del reddito mancante."}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != detail+"?esito=respinta" {
		t.Fatalf("reject: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = get(t, c, o.url+"/backoffice/audit?utente=responsabile&azione=rateizzazione.respingi")
	if !strings.Contains(page, "<caption>Azioni del back office (1)") || !strings.Contains(page, "Documentazione del reddito mancante.") ||
		!strings.Contains(page, "Proposta da decidere → Respinta") {
		t.Errorf("audit page after a rejection: %s", page)
	}
	accessible(t, "audit", page)
}
