package azienda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// otherCompany has an account but no fines of its own.
const otherCompany = "12345678903"

type area struct {
	url string
	db  *store.DB
}

// newArea is the company area over a fresh database with the demo verbali
// (the demo company's fleet among them) and the accounts: azienda (the
// demo company), altra (another company), senza-piva (a company account
// not yet tied), operatore and amministratore.
func newArea(t *testing.T) area {
	t.Helper()
	ctx := context.Background()
	db := storetest.New(t)
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Config{Staff: svc, Comunicazioni: &comunicazioni.Service{Store: db, Rules: cds.DefaultConfig()}, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	svc.Routes(r)
	r.Handle("/azienda", h)
	r.Handle("/azienda/*", h)
	ts := httptest.NewServer(r)
	t.Cleanup(ts.Close)
	accounts := map[string]staff.Role{"azienda": staff.Azienda, "altra": staff.Azienda, "senza-piva": staff.Azienda,
		"operatore": staff.Operatore, "amministratore": staff.Amministratore}
	for username, role := range accounts {
		if _, err := staff.AddAccount(ctx, db, staff.NewAccount{Username: username, Role: role, Password: "una-password-lunga"}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetStaffPartitaIVA(ctx, "azienda", demo.Azienda.PartitaIVA); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStaffPartitaIVA(ctx, "altra", otherCompany); err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	for _, rec := range demo.Verbali(civil.FromTime(time.Now())) {
		b, _ := json.Marshal(rec)
		jsonl.Write(append(b, '\n'))
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	if _, err := verbali.Import(ctx, &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
	return area{url: ts.URL, db: db}
}

// login returns a client with username's session, and where the login
// sent it.
func (a area) login(t *testing.T, username string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(a.url+"/auth/staff/login", url.Values{"username": {username}, "password": {"una-password-lunga"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	return c, resp.Header.Get("Location")
}

func read(t *testing.T, resp *http.Response, err error) (*http.Response, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, html.UnescapeString(string(b))
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	return read(t, resp, err)
}

func upload(t *testing.T, c *http.Client, u, field, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, _ := mw.CreateFormFile(field, name)
	w.Write(data)
	mw.Close()
	resp, err := c.Post(u, mw.FormDataContentType(), &body)
	return read(t, resp, err)
}

func numero(n int) string { return fmt.Sprintf("%d/PM/%06d", civil.FromTime(time.Now()).Year, n) }

// laura is a valid licence of Laura's for the demo fleet's fines.
func laura(n int) url.Values {
	issued := civil.FromTime(time.Now()).AddDays(-420)
	return url.Values{"numero": {numero(n)}, "codice_fiscale": {demo.Laura.CodiceFiscale}, "numero_patente": {"TO7740219M"},
		"categoria": {"B"}, "rilasciata_il": {issued.String()}, "scade_il": {issued.AddMonths(120).String()}}
}

// named is how many driver identifications the verbale has.
func (a area) named(t *testing.T, n int) int {
	t.Helper()
	list, err := a.db.ComunicazioniIn(context.Background(), "", store.ComDatiConducente)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, c := range list {
		if c.Numero == numero(n) {
			count++
		}
	}
	return count
}

var (
	tagRE     = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE      = regexp.MustCompile(`\bid="([^"]+)"`)
	typeRE    = regexp.MustCompile(`\btype="(hidden|submit)"`)
	tableRE   = regexp.MustCompile(`(?s)<table\b.*?</table>`)
	headingRE = regexp.MustCompile(`<h([1-6])\b`)
)

// accessible checks one h1, no skipped heading level, a label for every
// field, a caption for every table, unique ids.
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
	seen := map[string]bool{}
	for _, m := range idRE.FindAllStringSubmatch(page, -1) {
		if seen[m[1]] {
			t.Errorf("%s: id %q twice", name, m[1])
		}
		seen[m[1]] = true
	}
	for _, table := range tableRE.FindAllString(page, -1) {
		if !strings.Contains(table, "<caption>") || !strings.Contains(table, `scope="col"`) {
			t.Errorf("%s: table without caption or column headers", name)
		}
	}
}

func TestOnlyCompaniesAndAdministratorsEnter(t *testing.T) {
	a := newArea(t)
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := get(t, anon, a.url+"/azienda/"); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/auth/staff/login?next="+url.QueryEscape("/azienda/") {
		t.Errorf("without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c, home := a.login(t, "azienda")
	if home != "/azienda/" {
		t.Errorf("a company lands on %q", home)
	}
	resp, page := get(t, c, a.url+"/azienda/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Area aziende: partita IVA "+demo.Azienda.PartitaIVA) ||
		!strings.Contains(page, "<caption>Verbali sui veicoli della flotta (3)") {
		t.Fatalf("the company's page: %d %s", resp.StatusCode, page)
	}
	for _, want := range []string{numero(301), demo.Azienda.Targhe[0], "Corso Regina Margherita 40, Torino", "art. 142 c. 8",
		"Da comunicare", "Non richiesto", "Comunica il conducente del verbale " + numero(301)} {
		if !strings.Contains(page, want) {
			t.Errorf("the fleet page lacks %q", want)
		}
	}
	if strings.Contains(page, "Comunica il conducente del verbale "+numero(303)) {
		t.Error("a ZTL fine (no points) offers to name the driver")
	}
	accessible(t, "/azienda/", page)

	// Another company sees its own (empty) fleet, whatever it asks for.
	other, _ := a.login(t, "altra")
	_, page = get(t, other, a.url+"/azienda/?partita_iva="+demo.Azienda.PartitaIVA)
	if !strings.Contains(page, "partita IVA "+otherCompany) || strings.Contains(page, numero(301)) ||
		!strings.Contains(page, "Nessun verbale sui veicoli dell'azienda.") {
		t.Errorf("another company's page: %s", page)
	}
	if resp, body := get(t, must(a.login(t, "senza-piva")), a.url+"/azienda/"); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "non è collegato a una partita IVA") {
		t.Errorf("a company account without partita IVA: %d", resp.StatusCode)
	}
	if resp, body := get(t, must(a.login(t, "operatore")), a.url+"/azienda/"); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "il tuo profilo (Operatore) non è di un'azienda") {
		t.Errorf("an operatore: %d", resp.StatusCode)
	}

	// The administrator, for support, picks the company.
	admin, _ := a.login(t, "amministratore")
	_, page = get(t, admin, a.url+"/azienda/")
	if !strings.Contains(page, `<label for="partita_iva"`) || strings.Contains(page, "<table") {
		t.Errorf("the administrator's page without a company: %s", page)
	}
	accessible(t, "admin", page)
	_, page = get(t, admin, a.url+"/azienda/?partita_iva="+demo.Azienda.PartitaIVA)
	if !strings.Contains(page, numero(301)) ||
		!strings.Contains(page, `action="/azienda/conducente?partita_iva=`+demo.Azienda.PartitaIVA+`"`) {
		t.Errorf("the administrator's page of the demo company: %s", page)
	}
	if resp, _ := get(t, admin, a.url+"/azienda/?partita_iva=12345678901"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a wrong partita IVA: %d", resp.StatusCode)
	}
}

func must(c *http.Client, _ string) *http.Client { return c }

// A mistake in the driver's form comes back (422) with the message by its
// field and what was typed, and nothing written; the right data name the
// driver; another company's fine is "not found".
func TestNameADriver(t *testing.T) {
	a := newArea(t)
	c, _ := a.login(t, "azienda")
	bad := laura(301)
	bad.Set("codice_fiscale", "BNCLRA85M41L219X")
	resp, page := postForm(t, c, a.url+"/azienda/conducente", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`aria-describedby="v\d-codice_fiscale-errore"`).MatchString(page) || !strings.Contains(page, "Controlla il codice fiscale del conducente.") ||
		!strings.Contains(page, `value="TO7740219M"`) || !strings.Contains(page, "Non è stato salvato nulla per il verbale "+numero(301)) {
		t.Errorf("a wrong fiscal code: %d %s", resp.StatusCode, page)
	}
	accessible(t, "wrong fiscal code", page)
	if n := a.named(t, 301); n != 0 {
		t.Errorf("a refused form named %d drivers", n)
	}

	req, _ := http.NewRequest("POST", a.url+"/azienda/conducente", strings.NewReader(laura(301).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := send(t, c, req); resp.StatusCode != http.StatusForbidden || a.named(t, 301) != 0 {
		t.Errorf("a cross-site form: %d", resp.StatusCode)
	}

	other, _ := a.login(t, "altra")
	if resp, page := postForm(t, other, a.url+"/azienda/conducente", laura(301)); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(page, "Non troviamo questo verbale") || a.named(t, 301) != 0 {
		t.Errorf("another company naming the demo company's driver: %d", resp.StatusCode)
	}

	resp, _ = postForm(t, c, a.url+"/azienda/conducente", laura(301))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/azienda/?esito=conducente") {
		t.Fatalf("naming Laura: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = get(t, c, a.url+resp.Header.Get("Location"))
	if !strings.Contains(page, "Hai comunicato il conducente del verbale "+numero(301)) ||
		!strings.Contains(page, demo.Laura.CodiceFiscale+": comunicato, in attesa della conferma del conducente") ||
		!strings.Contains(page, "Patente del conducente del verbale "+numero(301)) {
		t.Errorf("after naming: %s", page)
	}
	if resp, page := postForm(t, c, a.url+"/azienda/conducente", laura(301)); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(page, "è già stato comunicato") || a.named(t, 301) != 1 {
		t.Errorf("naming twice: %d", resp.StatusCode)
	}

	// The licence image: a program is refused, an image is kept.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 200)...)
	lic := func(data []byte) (*http.Response, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("numero", numero(301))
		w, _ := mw.CreateFormFile("patente", "patente.png")
		w.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", a.url+"/azienda/patente", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return send(t, c, req)
	}
	if resp, page := lic(exe); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "non è un PDF") {
		t.Errorf("a program as the licence: %d", resp.StatusCode)
	}
	if resp, _ := lic(png); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the licence: %d", resp.StatusCode)
	}
	com, _ := a.db.DriverIdentificationOf(context.Background(), numero(301))
	if len(com.File) != 1 || com.File[0].Ruolo != store.FilePatente {
		t.Errorf("files after the licence: %+v", com.File)
	}
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	return read(t, resp, err)
}

func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	return read(t, resp, err)
}

// A CSV file with one bad line: that line is reported with its number and
// reason, the others apply.
func TestCSVUploadReportsTheBadLine(t *testing.T) {
	a := newArea(t)
	c, _ := a.login(t, "azienda")
	good := laura(301)
	csv := strings.Join(comunicazioni.CSVHeader, ";") + "\n" +
		strings.Join([]string{numero(301), demo.Laura.CodiceFiscale, "TO7740219M", "B", good.Get("rilasciata_il"), good.Get("scade_il")}, ";") + "\n" +
		strings.Join([]string{numero(302), "NONVALIDO", "TO7740219M", "B", good.Get("rilasciata_il"), good.Get("scade_il")}, ";") + "\n"
	resp, page := upload(t, c, a.url+"/azienda/conducenti", "file", "conducenti.csv", []byte(csv))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Esito del file: 1 righe applicate, 1 scartate") {
		t.Fatalf("upload: %d %s", resp.StatusCode, page)
	}
	if !regexp.MustCompile(`<th scope="row">3</th><td>` + regexp.QuoteMeta(numero(302)) + `</td><td>Controlla il codice fiscale del conducente`).MatchString(page) {
		t.Errorf("the refused line is not reported with its number and reason: %s", page)
	}
	if !strings.Contains(page, `<th scope="row">2</th><td>`+numero(301)+`</td><td>PM-`) {
		t.Errorf("the applied line is not listed: %s", page)
	}
	accessible(t, "CSV result", page)
	if a.named(t, 301) != 1 || a.named(t, 302) != 0 {
		t.Errorf("after the file: %d drivers for 301, %d for 302", a.named(t, 301), a.named(t, 302))
	}

	resp, page = upload(t, c, a.url+"/azienda/conducenti", "file", "vuoto.csv", []byte("nome,cognome\n"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Manca la colonna «numero_verbale»") {
		t.Errorf("a file with the wrong header: %d", resp.StatusCode)
	}
	if resp, page := upload(t, c, a.url+"/azienda/conducenti", "altro", "x.csv", []byte(csv)); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Scegli il file CSV da caricare.") {
		t.Errorf("no file: %d", resp.StatusCode)
	}
}
