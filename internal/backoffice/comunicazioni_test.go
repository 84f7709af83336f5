package backoffice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/store"
)

var (
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 200)...)
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	exeFile = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
)

func demoNumero(n int) string { return fmt.Sprintf("%d/PM/%06d", civil.FromTime(time.Now()).Year, n) }

// sent are the communications of the demo citizens the tests answer.
type sent struct {
	contestazione, richiesta, conducente store.Comunicazione
}

// withComunicazioni imports the demo verbali; Mario contests a verbale,
// asks for a certificate and names Laura as the driver of another, who
// confirms; Mario attaches her licence.
func (o office) withComunicazioni(t *testing.T) sent {
	t.Helper()
	o.importDemo(t)
	ctx, now := context.Background(), time.Now()
	svc := &comunicazioni.Service{Store: o.db, Rules: cds.DefaultConfig()}
	mario := demo.Mario.CodiceFiscale
	var s sent
	var err error
	if s.contestazione, err = svc.Contest(ctx, mario, comunicazioni.Contestazione{Tipo: comunicazioni.Altro, Numero: demoNumero(102),
		Dettagli: json.RawMessage(`{"descrizione": "Il varco ZTL era segnalato come non attivo quel giorno."}`)},
		[]comunicazioni.Upload{{Nome: "foto.png", Dati: pngFile}}, now); err != nil {
		t.Fatal(err)
	}
	if s.richiesta, err = svc.RequestDocument(ctx, mario, comunicazioni.RichiestaDocumento{Tipo: comunicazioni.Certificato,
		Descrizione: "Attestazione dell'intervento della pattuglia per l'assicurazione."}, now); err != nil {
		t.Fatal(err)
	}
	issued := civil.FromTime(now).AddDays(-420)
	c, err := svc.NameDriver(ctx, mario, demoNumero(109), comunicazioni.Conducente{CodiceFiscale: demo.Laura.CodiceFiscale,
		NumeroPatente: "TO7740219M", Categoria: "B", RilasciataIl: issued.String(), ScadeIl: issued.AddMonths(120).String()}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Confirm(ctx, demo.Laura.CodiceFiscale, c.ID, now); err != nil {
		t.Fatal(err)
	}
	if s.conducente, err = svc.AttachLicence(ctx, mario, demoNumero(109), comunicazioni.Upload{Nome: "patente.png", Dati: pngFile}, now); err != nil {
		t.Fatal(err)
	}
	return s
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, html.UnescapeString(string(b))
}

func postFile(t *testing.T, c *http.Client, u, name string, data []byte, risposta string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("risposta", risposta)
	if name != "" {
		w, _ := mw.CreateFormFile("documento", name)
		w.Write(data)
	}
	mw.Close()
	resp, err := c.Post(u, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, html.UnescapeString(string(b))
}

// nothingWritten fails when the communication, its files, the audit or
// the events changed since before.
type snapshot struct {
	c      store.Comunicazione
	audit  int
	events int
}

func (o office) snapshot(t *testing.T, id int64) snapshot {
	t.Helper()
	ctx := context.Background()
	c, err := o.db.Comunicazione(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	audit, _ := o.db.AuditLog(ctx, store.AuditFilter{})
	events, _ := o.db.EventsAfter(ctx, 0, 10000)
	return snapshot{c: c, audit: len(audit), events: len(events)}
}

func (o office) unchanged(t *testing.T, what string, before snapshot) {
	t.Helper()
	now := o.snapshot(t, before.c.ID)
	if now.c.Stato != before.c.Stato || now.c.Risposta != before.c.Risposta || len(now.c.File) != len(before.c.File) ||
		now.audit != before.audit || now.events != before.events {
		t.Errorf("%s changed something: %+v → %+v", what, before, now)
	}
}

func TestComunicazioniQueueHasFiltersAndCounts(t *testing.T) {
	o := newOffice(t)
	s := o.withComunicazioni(t)
	op := o.login(t, "operatore")

	_, desk := get(t, op, o.url+"/backoffice/")
	for _, want := range []string{
		`<a href="/backoffice/comunicazioni?stato=confermata">Conducenti confermati da validare</a>
<span class="badge bg-primary rounded-pill" aria-label="1 in coda">1</span>`,
		`<a href="/backoffice/comunicazioni?stato=ricevuta">Comunicazioni ricevute da prendere in carico</a>
<span class="badge bg-primary rounded-pill" aria-label="2 in coda">2</span>`,
	} {
		if !strings.Contains(desk, want) {
			t.Errorf("the desk lacks %q", want)
		}
	}

	resp, list := get(t, op, o.url+"/backoffice/comunicazioni?stato=ricevuta")
	if resp.StatusCode != http.StatusOK || !strings.Contains(list, "<caption>Ricevuta, tutti i tipi: 2 comunicazioni") ||
		!strings.Contains(list, s.contestazione.Protocollo) || !strings.Contains(list, s.richiesta.Protocollo) ||
		strings.Contains(list, s.conducente.Protocollo) {
		t.Errorf("received: %d %s", resp.StatusCode, list)
	}
	// Counts: states within the kind chosen, kinds within the state chosen.
	for _, want := range []string{`Tutti gli stati <span class="badge bg-light text-dark">3</span>`,
		`Ricevuta <span class="badge bg-light text-dark">2</span>`,
		`Confermata dal conducente, da validare <span class="badge bg-light text-dark">1</span>`,
		`Contestazione <span class="badge bg-light text-dark">1</span>`,
		`Dati del conducente <span class="badge bg-light text-dark">0</span>`} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks the count %q", want)
		}
	}
	_, list = get(t, op, o.url+"/backoffice/comunicazioni?stato=ricevuta&tipo=contestazione")
	if !strings.Contains(list, "<caption>Ricevuta, Contestazione: 1 comunicazioni") || strings.Contains(list, s.richiesta.Protocollo) {
		t.Errorf("received contestations: %s", list)
	}
	if resp, _ := get(t, op, o.url+"/backoffice/comunicazioni?stato=boh"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown state: %d", resp.StatusCode)
	}

	// The collector's staff neither see the queue nor open it.
	ris := o.login(t, "riscossione")
	if _, desk := get(t, ris, o.url+"/backoffice/"); strings.Contains(desk, "Comunicazioni") {
		t.Error("the collector's desk shows communications")
	}
	if resp, body := get(t, ris, o.url+fmt.Sprintf("/backoffice/comunicazioni/%d", s.contestazione.ID)); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "Le comunicazioni dei cittadini sono trattate dagli operatori") {
		t.Errorf("riscossione opening a communication: %d", resp.StatusCode)
	}
	if resp, _ := get(t, o.login(t, "azienda"), o.url+"/backoffice/comunicazioni"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a company in the back office: %d", resp.StatusCode)
	}
	if resp, body := get(t, op, o.url+"/backoffice/comunicazioni/999"); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "Questa comunicazione non esiste.") {
		t.Errorf("a missing communication: %d", resp.StatusCode)
	}

	for _, path := range []string{"/backoffice/", "/backoffice/comunicazioni", "/backoffice/comunicazioni?tipo=dati_conducente",
		fmt.Sprintf("/backoffice/comunicazioni/%d", s.contestazione.ID), fmt.Sprintf("/backoffice/comunicazioni/%d", s.richiesta.ID),
		fmt.Sprintf("/backoffice/comunicazioni/%d", s.conducente.ID)} {
		_, page := get(t, op, o.url+path)
		accessible(t, path, page)
	}
}

// The page of a communication shows what the citizen sent, its files
// (downloadable), and the driver's confirmation.
func TestComunicazionePageShowsEverythingSent(t *testing.T) {
	o := newOffice(t)
	s := o.withComunicazioni(t)
	op := o.login(t, "operatore")
	detail := fmt.Sprintf("%s/backoffice/comunicazioni/%d", o.url, s.conducente.ID)
	_, page := get(t, op, detail)
	for _, want := range []string{"Dati del conducente " + s.conducente.Protocollo, demo.Laura.CodiceFiscale, "TO7740219M",
		"Confermato dal conducente il", "Patente del conducente", "patente.png", "Valida il conducente", "Confermata dal conducente"} {
		if !strings.Contains(page, want) {
			t.Errorf("the driver identification's page lacks %q", want)
		}
	}
	lic := s.conducente.File[0]
	resp, err := op.Get(fmt.Sprintf("%s/file/%d", detail, lic.ID))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, pngFile) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("licence download: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get(t, op, fmt.Sprintf("%s/file/%d", detail, lic.ID+100)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another file: %d", resp.StatusCode)
	}

	_, page = get(t, op, fmt.Sprintf("%s/backoffice/comunicazioni/%d", o.url, s.contestazione.ID))
	for _, want := range []string{"Contestazione (altro motivo)", "Il varco ZTL era segnalato come non attivo quel giorno.",
		"foto.png", "Prendi in carico", "Accogli la comunicazione", "Respingi la comunicazione", demoNumero(102)} {
		if !strings.Contains(page, want) {
			t.Errorf("the contestation's page lacks %q", want)
		}
	}
}

// Rejecting needs a reason: without it the page comes back (422) with the
// message by the field and nothing written; with it the communication is
// rejected, audited once, and its history says who and what.
func TestRejectComunicazioneNeedsAReasonAndIsAudited(t *testing.T) {
	o := newOffice(t)
	s := o.withComunicazioni(t)
	op := o.login(t, "operatore")
	detail := fmt.Sprintf("/backoffice/comunicazioni/%d", s.contestazione.ID)
	before := o.snapshot(t, s.contestazione.ID)

	resp, page := post(t, op, o.url+detail+"/respingi", url.Values{"motivo": {"   "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `aria-describedby="respingi-motivo-errore"`) ||
		!strings.Contains(page, "Non è stato salvato nulla. Scrivi il motivo per cui la comunicazione è respinta") {
		t.Errorf("reject without a reason: %d %s", resp.StatusCode, page)
	}
	accessible(t, "reject without a reason", page)
	o.unchanged(t, "a reject without reason", before)

	req, _ := http.NewRequest("POST", o.url+detail+"/respingi", strings.NewReader("motivo=da+un+altro+sito"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := op.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site reject: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	o.unchanged(t, "a cross-site reject", before)

	resp, _ = post(t, op, o.url+detail+"/respingi", url.Values{"motivo": {"Il varco era attivo: vedi l'ordinanza."}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != detail+"?esito=respinta" {
		t.Fatalf("reject: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c, _ := o.db.Comunicazione(context.Background(), s.contestazione.ID)
	if c.Stato != store.ComRespinta || c.Risposta != "Il varco era attivo: vedi l'ordinanza." || c.DecisaDa != "operatore" {
		t.Errorf("after the rejection: %+v", c)
	}
	audit, _ := o.db.AuditLog(context.Background(), store.AuditFilter{Target: fmt.Sprintf("comunicazione:%d", c.ID)})
	if len(audit) != 1 || audit[0].Action != comunicazioni.AuditRespingi || audit[0].Username != "operatore" ||
		audit[0].Before["stato"] != store.ComRicevuta || audit[0].After["stato"] != store.ComRespinta {
		t.Errorf("audit: %+v", audit)
	}
	_, page = get(t, op, o.url+detail+"?esito=respinta")
	for _, want := range []string{"Hai respinto la comunicazione.", "Comunicazione: respinta", "Stato: Ricevuta → Respinta",
		"Risposta: — → Il varco era attivo: vedi l'ordinanza.", "operatore (Operatore)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page after the rejection lacks %q", want)
		}
	}
	if strings.Contains(page, `id="respingi-motivo"`) {
		t.Error("a rejected communication still offers to reject it")
	}
	resp, page = post(t, op, o.url+detail+"/respingi", url.Values{"motivo": {"Di nuovo."}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "non è nello stato che permette questa operazione") {
		t.Errorf("rejecting twice: %d", resp.StatusCode)
	}
	if audit, _ := o.db.AuditLog(context.Background(), store.AuditFilter{}); len(audit) != 1 {
		t.Errorf("a refused second rejection was audited: %d rows", len(audit))
	}
	_, page = get(t, o.login(t, "responsabile"), o.url+"/backoffice/audit?azione=comunicazione.respingi")
	if !strings.Contains(page, "<caption>Azioni del back office (1)") || !strings.Contains(page, `<a href="`+detail+`">comunicazione:`) {
		t.Errorf("the audit page: %s", page)
	}
}

// A contestation is taken in charge, then accepted with a reply; a driver
// identification is validated and the points go to the driver.
func TestTakeChargeAcceptAndValidate(t *testing.T) {
	o := newOffice(t)
	s := o.withComunicazioni(t)
	op := o.login(t, "responsabile")
	ctx := context.Background()
	detail := fmt.Sprintf("/backoffice/comunicazioni/%d", s.contestazione.ID)
	if resp, _ := post(t, op, o.url+detail+"/prendi-in-carico", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("take charge: %d", resp.StatusCode)
	}
	resp, _ := post(t, op, o.url+detail+"/accogli", url.Values{"risposta": {"Il verbale è annullato."}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != detail+"?esito=accolta" {
		t.Fatalf("accept: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c, _ := o.db.Comunicazione(ctx, s.contestazione.ID)
	if c.Stato != store.ComAccolta || c.Risposta != "Il verbale è annullato." {
		t.Errorf("after accepting: %s %q", c.Stato, c.Risposta)
	}
	audit, _ := o.db.AuditLog(ctx, store.AuditFilter{Target: fmt.Sprintf("comunicazione:%d", c.ID)})
	if len(audit) != 2 || audit[1].Action != comunicazioni.AuditPrendiInCarico || audit[0].Action != comunicazioni.AuditAccogli {
		t.Errorf("audit: %+v", audit)
	}

	// A document request is not accepted this way.
	resp, page := post(t, op, o.url+fmt.Sprintf("/backoffice/comunicazioni/%d/accogli", s.richiesta.ID), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "allegando il documento") {
		t.Errorf("accepting a document request: %d", resp.StatusCode)
	}

	driver := fmt.Sprintf("/backoffice/comunicazioni/%d", s.conducente.ID)
	resp, _ = post(t, op, o.url+driver+"/accogli", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != driver+"?esito=validata" {
		t.Fatalf("validate: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	rows, err := o.db.ProfiloOf(ctx, demo.Laura.CodiceFiscale, "punti")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || strings.Contains(string(r.Record), demoNumero(109))
	}
	if !found {
		t.Error("Laura's licence has no deduction for the verbale")
	}
	_, page = get(t, op, o.url+driver+"?esito=validata")
	if !strings.Contains(page, "Hai validato il conducente") || !strings.Contains(page, "Punti sulla patente del conducente: — → sì") {
		t.Errorf("the validated page: %s", page)
	}
}

// The document is checked like any file: a program is refused (422) and
// nothing is written; a PDF is delivered and the request accepted.
func TestDeliverDocument(t *testing.T) {
	o := newOffice(t)
	s := o.withComunicazioni(t)
	op := o.login(t, "operatore")
	detail := fmt.Sprintf("/backoffice/comunicazioni/%d", s.richiesta.ID)
	before := o.snapshot(t, s.richiesta.ID)

	resp, page := postFile(t, op, o.url+detail+"/documento", "certificato.pdf", exeFile, "Ecco.")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "non è un PDF, un'immagine PNG o JPEG") ||
		!strings.Contains(page, `aria-describedby="documento-documento-errore"`) || !strings.Contains(page, ">Ecco.</textarea>") {
		t.Errorf("a program as the document: %d", resp.StatusCode)
	}
	accessible(t, "document refused", page)
	o.unchanged(t, "a refused document", before)
	if resp, page := postFile(t, op, o.url+detail+"/documento", "", nil, ""); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Scegli il file del documento") {
		t.Errorf("no file: %d", resp.StatusCode)
	}
	o.unchanged(t, "a form without the document", before)

	resp, _ = postFile(t, op, o.url+detail+"/documento", "certificato.pdf", pdfFile, "Il certificato richiesto.")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != detail+"?esito=documento" {
		t.Fatalf("deliver: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c, _ := o.db.Comunicazione(context.Background(), s.richiesta.ID)
	if c.Stato != store.ComAccolta || len(c.File) != 1 || c.File[0].Ruolo != store.FileDocumento {
		t.Errorf("after delivering: %+v", c)
	}
	_, page = get(t, op, o.url+detail)
	if !strings.Contains(page, "Comunicazione: documento consegnato") || !strings.Contains(page, "Documento consegnato dall'ufficio") {
		t.Errorf("the delivered request's page: %s", page)
	}
}
