package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// Files as people send them: the content decides the type, not the name.
var (
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 200)...)
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	exeFile = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
)

type formFile struct {
	field, name string
	data        []byte
}

// upload sends a multipart/form-data request with text fields and files.
func postMultipart(t *testing.T, c *http.Client, target string, fields map[string]string, files ...formFile) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(f.field, f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", target, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type comReply struct {
	ID                   int64           `json:"id"`
	Protocollo           string          `json:"protocollo"`
	Tipo                 string          `json:"tipo"`
	Stato                string          `json:"stato"`
	Ruolo                string          `json:"ruolo"`
	Numero               string          `json:"numero"`
	Risposta             string          `json:"risposta"`
	Mittente             string          `json:"mittente"`
	DecisaDa             string          `json:"decisa_da"`
	Dati                 json.RawMessage `json:"dati"`
	DocumentoDisponibile bool            `json:"documento_disponibile"`
	File                 []struct {
		ID    int64  `json:"id"`
		Ruolo string `json:"ruolo"`
	} `json:"file"`
}

func decodeCom(t *testing.T, body []byte) comReply {
	t.Helper()
	var c comReply
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return c
}

func comList(t *testing.T, c *http.Client, target string) []comReply {
	t.Helper()
	status, body := call(t, c, "GET", target, "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, status, body)
	}
	var list struct {
		Comunicazioni []comReply `json:"comunicazioni"`
	}
	json.Unmarshal(body, &list)
	return list.Comunicazioni
}

func comErrMessage(body []byte) string {
	var e struct {
		Errore struct {
			Messaggio string `json:"messaggio"`
		} `json:"errore"`
	}
	json.Unmarshal(body, &e)
	return e.Errore.Messaggio
}

// staffPortal is a second portal over db with staff login and the
// companies' keys; it logs in username (created with role) and returns a
// client holding the session.
type staffPortal struct {
	*httptest.Server
	db *store.DB
}

func newStaffPortal(t *testing.T, db *store.DB, companyKeys map[string][]string) staffPortal {
	t.Helper()
	svc, err := staff.New(staff.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	ts := httptest.NewServer(specChecked(t, New(Config{DB: db, Staff: svc, NAV: nav, CompanyKeys: companyKeys})))
	t.Cleanup(ts.Close)
	return staffPortal{Server: ts, db: db}
}

func (p staffPortal) login(t *testing.T, username, password string, role staff.Role) *http.Client {
	t.Helper()
	if role != "" {
		if _, err := staff.AddAccount(context.Background(), p.db, staff.NewAccount{Username: username, Role: role,
			Password: password}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(p.URL+"/auth/staff/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff login of %s: %d", username, resp.StatusCode)
	}
	return &http.Client{Jar: jar}
}

func demoNumero(n int) string {
	return fmt.Sprintf("%d/PM/%06d", civil.FromTime(time.Now()).Year, n)
}

func meVerbaleURL(ts *httptest.Server, n int, rest string) string {
	return ts.URL + "/api/v1/me/verbali/" + url.PathEscape(demoNumero(n)) + rest
}

// lauraLicence is Laura's licence as the demo's gestionale knows it: issued
// 420 days ago, so she is a new driver and points count double.
func lauraLicence(extra string) string {
	today := civil.FromTime(time.Now())
	issued := today.AddDays(-420)
	return fmt.Sprintf(`{"codice_fiscale": %q, "numero_patente": "TO7740219M", "categoria": "B", "rilasciata_il": %q, "scade_il": %q%s}`,
		demo.Laura.CodiceFiscale, issued, issued.AddMonths(120), extra)
}

type licenceReply struct {
	Punti struct {
		Saldo     int `json:"saldo"`
		Movimenti []struct {
			Punti   int `json:"punti"`
			Verbale *struct {
				Numero string `json:"numero"`
			} `json:"verbale"`
		} `json:"movimenti"`
	} `json:"punti"`
}

func licenceOf(t *testing.T, c *http.Client, ts *httptest.Server) licenceReply {
	t.Helper()
	var l licenceReply
	status, body := call(t, c, "GET", ts.URL+"/api/v1/me/patente", "")
	if status != 200 {
		t.Fatalf("patente: %d %s", status, body)
	}
	json.Unmarshal(body, &l)
	return l
}

func (l licenceReply) movementFor(numero string) (int, bool) {
	for _, m := range l.Punti.Movimenti {
		if m.Verbale != nil && m.Verbale.Numero == numero {
			return m.Punti, true
		}
	}
	return 0, false
}

func eventsFor(t *testing.T, db *store.DB, numero string) []string {
	t.Helper()
	evs, err := db.EventsAfter(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Numero == numero {
			out = append(out, e.Tipo)
		}
	}
	return out
}

func TestDriverIdentificationMovesPointsToTheNamedDriver(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	numero := demoNumero(109)

	// The verbale tells Mario the deadline and the fine for not naming the driver.
	status, body := call(t, mario, "GET", meVerbaleURL(ts, 109, ""), "")
	var v struct {
		Punti    int `json:"punti"`
		Scadenze struct {
			DatiConducente string `json:"dati_conducente"`
		} `json:"scadenze"`
		Obbligo *struct {
			Scadenza string `json:"scadenza"`
			Min      int64  `json:"sanzione_minima_cent"`
			Max      int64  `json:"sanzione_massima_cent"`
		} `json:"comunicazione_conducente"`
	}
	json.Unmarshal(body, &v)
	if status != 200 || v.Obbligo == nil || v.Obbligo.Scadenza != v.Scadenze.DatiConducente || v.Obbligo.Min != 29100 || v.Obbligo.Max != 116600 || v.Punti != 3 {
		t.Fatalf("verbale 109 for its owner: %d %s", status, body)
	}
	_, body = call(t, mario, "GET", meVerbaleURL(ts, 101, ""), "")
	if strings.Contains(string(body), "comunicazione_conducente") {
		t.Errorf("a verbale contested to Mario himself asks for the driver: %s", body)
	}

	before := licenceOf(t, laura, ts)
	marioBefore := licenceOf(t, mario, ts)

	// Refusals first: what a citizen may not name.
	for name, sc := range map[string]struct {
		c      *http.Client
		n      int
		body   string
		status int
		codice string
	}{
		"Laura naming for Mario's verbale": {laura, 109, lauraLicence(""), 404, "VERBALE_NON_TROVATO"},
		"Mario was the driver himself":     {mario, 101, lauraLicence(""), 409, "CONDUCENTE_NON_RICHIESTO"},
		"a ZTL fine takes no points":       {mario, 102, lauraLicence(""), 409, "CONDUCENTE_NON_RICHIESTO"},
		"a wrong fiscal code":              {mario, 109, strings.Replace(lauraLicence(""), demo.Laura.CodiceFiscale, "BNCLRA85M41L219X", 1), 400, "CODICE_FISCALE_NON_VALIDO"},
		"a licence not valid that day": {mario, 109, `{"codice_fiscale": "` + demo.Laura.CodiceFiscale +
			`", "numero_patente": "TO7740219M", "categoria": "B", "rilasciata_il": "2001-01-01", "scade_il": "2011-01-01"}`, 400, "PATENTE_NON_VALIDA"},
		"an unknown category": {mario, 109, strings.Replace(lauraLicence(""), `"B"`, `"Z"`, 1), 400, "CATEGORIA_NON_VALIDA"},
	} {
		status, body := call(t, sc.c, "POST", meVerbaleURL(ts, sc.n, "/conducente"), sc.body)
		if status != sc.status || decodeErr(body) != sc.codice || comErrMessage(body) == "" {
			t.Errorf("%s: %d %s, want %d %s", name, status, body, sc.status, sc.codice)
		}
	}

	status, body = call(t, mario, "POST", meVerbaleURL(ts, 109, "/conducente"), lauraLicence(""))
	if status != http.StatusCreated {
		t.Fatalf("Mario names Laura: %d %s", status, body)
	}
	named := decodeCom(t, body)
	if named.Stato != "in_attesa_conferma" || !strings.HasPrefix(named.Protocollo, "PM-") || named.Numero != numero || named.Ruolo != "mittente" {
		t.Fatalf("driver identification: %s", body)
	}
	id := itoa(named.ID)
	// The fine now says the driver was named, with the tracking number.
	_, body = call(t, mario, "GET", meVerbaleURL(ts, 109, ""), "")
	var named109 struct {
		Obbligo *struct {
			Protocollo string `json:"protocollo"`
			Stato      string `json:"stato"`
		} `json:"comunicazione_conducente"`
	}
	json.Unmarshal(body, &named109)
	if named109.Obbligo == nil || named109.Obbligo.Protocollo != named.Protocollo || named109.Obbligo.Stato != "in_attesa_conferma" {
		t.Errorf("verbale 109 after naming the driver: %s", body)
	}
	if status, body := call(t, mario, "POST", meVerbaleURL(ts, 109, "/conducente"), lauraLicence("")); status != 409 || decodeErr(body) != "CONDUCENTE_GIA_COMUNICATO" {
		t.Errorf("naming twice: %d %s", status, body)
	}

	// The licence image: Laura cannot attach it to Mario's communication.
	if status, body := postMultipart(t, laura, meVerbaleURL(ts, 109, "/conducente/patente"), nil, formFile{"patente", "patente.png", pngFile}); status != 404 {
		t.Errorf("Laura attaching to Mario's identification: %d %s", status, body)
	}
	if status, body := postMultipart(t, mario, meVerbaleURL(ts, 109, "/conducente/patente"), nil, formFile{"patente", "patente.png", exeFile}); status != 400 || decodeErr(body) != "TIPO_FILE_NON_AMMESSO" {
		t.Errorf("an executable as the licence: %d %s", status, body)
	}
	status, body = postMultipart(t, mario, meVerbaleURL(ts, 109, "/conducente/patente"), nil, formFile{"patente", "patente-laura.png", pngFile})
	if status != 200 || len(decodeCom(t, body).File) != 1 {
		t.Fatalf("licence image: %d %s", status, body)
	}

	bo := newStaffPortal(t, db, nil)
	officer := bo.login(t, "vigile.bianchi", "una-password-lunga", staff.Operatore)
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/accogli", ""); status != 409 || decodeErr(body) != "CONFERMA_MANCANTE" {
		t.Errorf("validating before the driver confirmed: %d %s", status, body)
	}

	// Laura sees that she is named, and only she can confirm.
	list := comList(t, laura, ts.URL+"/api/v1/me/comunicazioni")
	if len(list) != 1 || list[0].ID != named.ID || list[0].Ruolo != "conducente" || len(list[0].File) != 0 {
		t.Fatalf("Laura's communications: %+v", list)
	}
	if status, body := call(t, mario, "POST", ts.URL+"/api/v1/me/comunicazioni/"+id+"/conferma", ""); status != 404 {
		t.Errorf("Mario confirming for Laura: %d %s", status, body)
	}
	status, body = call(t, laura, "POST", ts.URL+"/api/v1/me/comunicazioni/"+id+"/conferma", "")
	if status != 200 || decodeCom(t, body).Stato != "confermata" {
		t.Fatalf("Laura confirms: %d %s", status, body)
	}
	if status, _ := call(t, laura, "POST", ts.URL+"/api/v1/me/comunicazioni/"+id+"/conferma", ""); status != 409 {
		t.Errorf("confirming twice: %d", status)
	}

	status, body = call(t, officer, "GET", bo.URL+"/api/v1/backoffice/comunicazioni?stato=confermata&tipo=dati_conducente", "")
	if status != 200 || !strings.Contains(string(body), named.Protocollo) || !strings.Contains(string(body), demo.Mario.CodiceFiscale) {
		t.Fatalf("the officer's queue: %d %s", status, body)
	}
	office := decodeCom(t, getOK(t, officer, bo.URL+"/api/v1/backoffice/comunicazioni/"+id))
	resp, err := officer.Get(bo.URL + "/api/v1/backoffice/comunicazioni/" + id + "/file/" + itoa(office.File[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	image, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(image, pngFile) {
		t.Errorf("the officer reads the licence image: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	status, body = call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/accogli", `{"risposta": "Dati verificati."}`)
	if status != 200 {
		t.Fatalf("validation: %d %s", status, body)
	}
	if got := decodeCom(t, body); got.Stato != "accolta" || got.DecisaDa != "vigile.bianchi" {
		t.Errorf("validated: %s", body)
	}
	// Decided through the JSON API, audited as from the back-office pages.
	audit, err := db.AuditLog(context.Background(), store.AuditFilter{Target: "comunicazione:" + id})
	if err != nil || len(audit) == 0 || audit[0].Action != "comunicazione.accogli" || audit[0].Username != "vigile.bianchi" ||
		audit[0].Before["stato"] == audit[0].After["stato"] {
		t.Errorf("audit of the validation: %+v (%v)", audit, err)
	}

	// The points leave Laura's licence, doubled (a new driver), not Mario's.
	after := licenceOf(t, laura, ts)
	if p, ok := after.movementFor(numero); !ok || p != -6 || after.Punti.Saldo != before.Punti.Saldo-6 {
		t.Errorf("Laura's points: before %d, after %d, movement %d %v", before.Punti.Saldo, after.Punti.Saldo, p, ok)
	}
	marioAfter := licenceOf(t, mario, ts)
	if _, ok := marioAfter.movementFor(numero); ok || marioAfter.Punti.Saldo != marioBefore.Punti.Saldo {
		t.Errorf("Mario's points changed: %d → %d", marioBefore.Punti.Saldo, marioAfter.Punti.Saldo)
	}
	mine := comList(t, mario, ts.URL+"/api/v1/me/comunicazioni")
	if len(mine) != 1 || mine[0].Stato != "accolta" || mine[0].Risposta != "Dati verificati." || mine[0].DecisaDa != "" {
		t.Errorf("Mario's view of the decision: %+v", mine)
	}
	want := []string{"comunicazione_ricevuta", "comunicazione_confermata", "comunicazione_accolta"}
	if got := eventsFor(t, db, numero); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events for the gestionale: %v, want %v", got, want)
	}
	emails, err := db.ClaimEmails(context.Background(), time.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var toMario []string
	for _, e := range emails {
		if e.Kind == "comunicazione" && e.To == demo.Mario.Email && strings.Contains(e.Text, named.Protocollo) {
			toMario = append(toMario, e.Subject)
		}
	}
	if len(toMario) != 3 {
		t.Errorf("emails to Mario: %q", toMario)
	}
}

func getOK(t *testing.T, c *http.Client, target string) []byte {
	t.Helper()
	status, body := call(t, c, "GET", target, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", target, status, body)
	}
	return body
}

func TestContestationAttachmentsAreCheckedAndAnswered(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	target := ts.URL + "/api/v1/me/contestazioni"
	sale := func(n int) string {
		return `{"tipo": "cambio_proprieta", "numero": "` + demoNumero(n) + `", "dettagli": {"data_vendita": "2020-05-04", "acquirente": "Autosalone Dora S.r.l."}}`
	}
	big := append(append([]byte{}, pngFile...), bytes.Repeat([]byte{1}, 6<<20)...)
	six := make([]formFile, 6)
	for i := range six {
		six[i] = formFile{"allegati", fmt.Sprintf("pagina-%d.pdf", i+1), pdfFile}
	}
	for name, sc := range map[string]struct {
		dati   string
		files  []formFile
		status int
		codice string
		says   string
	}{
		"a program named .pdf": {sale(103), []formFile{{"allegati", "atto.pdf", exeFile}}, 400, "TIPO_FILE_NON_AMMESSO", "non è un PDF"},
		"a file above 5 MB":    {sale(103), []formFile{{"allegati", "atto.png", big}}, 413, "FILE_TROPPO_GRANDE", "supera 5 MB"},
		"six files":            {sale(103), six, 400, "TROPPI_ALLEGATI", "al massimo 5"},
		"no deed of sale":      {sale(103), nil, 400, "ALLEGATO_MANCANTE", "atto di vendita"},
		"an empty file":        {sale(103), []formFile{{"allegati", "vuoto.pdf", nil}}, 400, "FILE_VUOTO", "vuoto"},
		"details of another kind": {`{"tipo": "targa_errata", "numero": "` + demoNumero(103) + `", "dettagli": {"data_vendita": "2020-05-04"}}`,
			nil, 400, "DETTAGLI_NON_VALIDI", "dettagli"},
		"sold after the violation": {strings.Replace(sale(103), "2020-05-04", civil.FromTime(time.Now()).String(), 1),
			[]formFile{{"allegati", "atto.pdf", pdfFile}}, 400, "DATE_INCOERENTI", "non è precedente"},
		"an unknown kind": {`{"tipo": "simpatia", "numero": "` + demoNumero(103) + `", "dettagli": {}}`, nil, 400, "TIPO_NON_VALIDO", "cambio_proprieta"},
		"Laura's verbale": {sale(201), []formFile{{"allegati", "atto.pdf", pdfFile}}, 404, "VERBALE_NON_TROVATO", "tra i tuoi"},
	} {
		status, body := postMultipart(t, mario, target, map[string]string{"dati": sc.dati}, sc.files...)
		if status != sc.status || decodeErr(body) != sc.codice || !strings.Contains(comErrMessage(body), sc.says) {
			t.Errorf("%s: %d %s, want %d %s «…%s…»", name, status, body, sc.status, sc.codice, sc.says)
		}
	}
	if list := comList(t, mario, ts.URL+"/api/v1/me/comunicazioni"); len(list) != 0 {
		t.Fatalf("refused contestations were stored: %+v", list)
	}

	status, body := postMultipart(t, mario, target, map[string]string{"dati": sale(103)},
		formFile{"allegati", "atto di vendita.pdf", pdfFile}, formFile{"allegati", "libretto.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")})
	if status != http.StatusCreated {
		t.Fatalf("contestation: %d %s", status, body)
	}
	contest := decodeCom(t, body)
	if contest.Stato != "ricevuta" || contest.Tipo != "contestazione" || len(contest.File) != 2 || contest.Protocollo == "" {
		t.Fatalf("contestation: %s", body)
	}
	status, body = call(t, mario, "POST", target, `{"tipo": "altro", "numero": "`+demoNumero(102)+`", "dettagli": {"descrizione": "Il varco ZTL era segnalato come non attivo quel giorno."}}`)
	if status != http.StatusCreated {
		t.Fatalf("a JSON contestation: %d %s", status, body)
	}

	// Laura sees none of it, and cannot read it by id.
	if list := comList(t, laura, ts.URL+"/api/v1/me/comunicazioni"); len(list) != 0 {
		t.Errorf("Laura sees Mario's contestations: %+v", list)
	}
	if status, _ := call(t, laura, "GET", ts.URL+"/api/v1/me/comunicazioni/"+itoa(contest.ID), ""); status != 404 {
		t.Errorf("Laura reading Mario's contestation: %d", status)
	}
	if status, _ := call(t, laura, "GET", ts.URL+"/api/v1/me/comunicazioni/"+itoa(contest.ID)+"/documento", ""); status != 404 {
		t.Errorf("Laura downloading from Mario's contestation: %d", status)
	}
	if status, _ := call(t, laura, "POST", ts.URL+"/api/v1/me/comunicazioni/"+itoa(contest.ID)+"/conferma", ""); status != 404 {
		t.Errorf("Laura confirming Mario's contestation: %d", status)
	}

	bo := newStaffPortal(t, db, nil)
	officer := bo.login(t, "vigile.bianchi", "una-password-lunga", staff.Operatore)
	id := itoa(contest.ID)
	status, body = call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/prendi-in-carico", "")
	if status != 200 || decodeCom(t, body).Stato != "in_lavorazione" {
		t.Fatalf("taking charge: %d %s", status, body)
	}
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/respingi", `{"motivo": " "}`); status != 400 || decodeErr(body) != "MOTIVO_MANCANTE" {
		t.Errorf("rejecting without a reason: %d %s", status, body)
	}
	status, body = call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/respingi",
		`{"motivo": "Al PRA il passaggio di proprietà risulta trascritto dopo la violazione."}`)
	if status != 200 {
		t.Fatalf("reject: %d %s", status, body)
	}
	if status, _ := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/accogli", ""); status != 409 {
		t.Errorf("accepting a rejected contestation: %d", status)
	}
	if status, _ := call(t, officer, "GET", bo.URL+"/api/v1/backoffice/comunicazioni/999", ""); status != 404 {
		t.Errorf("a missing communication: %d", status)
	}
	if status, _ := call(t, officer, "GET", bo.URL+"/api/v1/backoffice/comunicazioni?stato=chiusa", ""); status != 400 {
		t.Errorf("an unknown state filter: %d", status)
	}
	got := decodeCom(t, getOK(t, mario, ts.URL+"/api/v1/me/comunicazioni/"+id))
	if got.Stato != "respinta" || !strings.Contains(got.Risposta, "PRA") || got.Mittente != "" {
		t.Errorf("Mario reads the reply: %+v", got)
	}

	// The collector's staff do not answer communications.
	collector := bo.login(t, "soris.verdi", "una-password-lunga", staff.Riscossione)
	if status, body := call(t, collector, "GET", bo.URL+"/api/v1/backoffice/comunicazioni", ""); status != 403 {
		t.Errorf("riscossione reading communications: %d %s", status, body)
	}
}

func TestDocumentRequestIsDeliveredAsADownload(t *testing.T) {
	ts, db := portalWith(t, portalOptions{})
	mario := citizenWithConsent(t, ts, demo.Mario.CodiceFiscale)
	laura := citizenWithConsent(t, ts, demo.Laura.CodiceFiscale)
	target := ts.URL + "/api/v1/me/richieste-documento"

	for name, sc := range map[string]struct {
		body, codice string
		status       int
	}{
		"an accident in the future": {`{"tipo": "rapporto_incidente", "data_incidente": "` + civil.FromTime(time.Now()).AddDays(3).String() + `", "luogo": "Via Roma"}`, "DATE_INCOERENTI", 400},
		"no place":                  {`{"tipo": "rapporto_incidente", "data_incidente": "2026-01-10"}`, "LUOGO_MANCANTE", 400},
		"a copy of Laura's verbale": {`{"tipo": "copia_verbale", "numero": "` + demoNumero(201) + `"}`, "VERBALE_NON_TROVATO", 404},
		"an unknown document":       {`{"tipo": "passaporto"}`, "TIPO_NON_VALIDO", 400},
	} {
		if status, body := call(t, mario, "POST", target, sc.body); status != sc.status || decodeErr(body) != sc.codice {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	status, body := call(t, mario, "POST", target, `{"tipo": "certificato", "descrizione": "Attestazione dell'intervento della pattuglia per l'assicurazione."}`)
	if status != http.StatusCreated {
		t.Fatalf("certificate: %d %s", status, body)
	}
	status, body = call(t, mario, "POST", target, `{"tipo": "copia_verbale", "numero": "`+demoNumero(103)+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("copy: %d %s", status, body)
	}
	req := decodeCom(t, body)
	id := itoa(req.ID)
	if req.Stato != "ricevuta" || req.DocumentoDisponibile {
		t.Fatalf("request: %s", body)
	}
	if status, body := call(t, mario, "GET", ts.URL+"/api/v1/me/comunicazioni/"+id+"/documento", ""); status != 404 || decodeErr(body) != "DOCUMENTO_NON_DISPONIBILE" {
		t.Errorf("document before delivery: %d %s", status, body)
	}

	bo := newStaffPortal(t, db, nil)
	officer := bo.login(t, "vigile.bianchi", "una-password-lunga", staff.Responsabile)
	list := comList(t, officer, bo.URL+"/api/v1/backoffice/comunicazioni?stato=ricevuta&tipo=richiesta_documento")
	if len(list) != 2 || list[0].Mittente != demo.Mario.CodiceFiscale {
		t.Fatalf("queue of document requests: %+v", list)
	}
	if status, body := call(t, officer, "POST", bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/accogli", ""); status != 409 || decodeErr(body) != "DOCUMENTO_MANCANTE" {
		t.Errorf("accepting without the document: %d %s", status, body)
	}
	if status, body := postMultipart(t, officer, bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/documento", nil, formFile{"documento", "copia.exe", exeFile}); status != 400 || decodeErr(body) != "TIPO_FILE_NON_AMMESSO" {
		t.Errorf("delivering a program: %d %s", status, body)
	}
	status, body = postMultipart(t, officer, bo.URL+"/api/v1/backoffice/comunicazioni/"+id+"/documento",
		map[string]string{"risposta": "Ecco la copia conforme."}, formFile{"documento", "copia-verbale.pdf", pdfFile})
	if status != 200 || decodeCom(t, body).Stato != "accolta" {
		t.Fatalf("delivery: %d %s", status, body)
	}

	resp, err := mario.Get(ts.URL + "/api/v1/me/comunicazioni/" + id + "/documento")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(doc, pdfFile) ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "copia-verbale.pdf") {
		t.Errorf("Mario downloads the document: %d %v", resp.StatusCode, resp.Header)
	}
	if status, _ := call(t, laura, "GET", ts.URL+"/api/v1/me/comunicazioni/"+id+"/documento", ""); status != 404 {
		t.Errorf("Laura downloading Mario's document: %d", status)
	}
	got := decodeCom(t, getOK(t, mario, ts.URL+"/api/v1/me/comunicazioni/"+id))
	if !got.DocumentoDisponibile || got.Risposta != "Ecco la copia conforme." {
		t.Errorf("Mario's request after delivery: %+v", got)
	}
	if kinds := eventsFor(t, db, demoNumero(103)); strings.Join(kinds, ",") != "comunicazione_ricevuta,comunicazione_accolta" {
		t.Errorf("events: %v", kinds)
	}
}
