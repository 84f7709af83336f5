package democheckout_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/democheckout"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

const cf = "00514490010"

// setup seeds the demo verbali and serves the creditor endpoint; it returns
// the database, the endpoint's address and one of Mario's payable fines.
func setup(t *testing.T) (*store.DB, string, verbali.VoceEstratto) {
	t.Helper()
	db := storetest.New(t)
	today := civil.FromTime(time.Now())
	var jsonl bytes.Buffer
	for _, r := range demo.Verbali(today) {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	ctx := context.Background()
	if _, err := verbali.Import(ctx, &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
	creditor := httptest.NewServer(pagopa.NewCreditorHandler(pagopa.CreditorConfig{IDPA: cf, IDBrokerPA: cf, IDStation: cf + "_01",
		IBAN: "IT60X0542811101000000123456", CreditorName: "Città di Torino", TransferCategory: "9/0101100IM/"},
		&pagamenti.Positions{Store: db, Rules: cds.DefaultConfig()}, slog.New(slog.DiscardHandler)))
	t.Cleanup(creditor.Close)
	rows, err := db.VerbaliOf(ctx, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	st, err := verbali.Statement(demo.Mario.CodiceFiscale, rows, today, verbali.StatementOptions{Rules: cds.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range st.Verbali {
		if v.Fase == "misura_ridotta" {
			return db, creditor.URL, v
		}
	}
	t.Fatal("Mario has no payable fine")
	return nil, "", verbali.VoceEstratto{}
}

// checkoutFor serves a checkout whose node calls nodeURL as station.
func checkoutFor(db *store.DB, nodeURL, station string) (*democheckout.Checkout, *pagamenti.Attempts) {
	c := democheckout.New(democheckout.Config{
		Attempts:           &pagamenti.Attempts{Store: db},
		Node:               &pagopa.NodeClient{URL: nodeURL, IDPA: cf, IDBrokerPA: cf, IDStation: station},
		CreditorFiscalCode: cf,
	})
	return c, &pagamenti.Attempts{Store: db, Checkout: c}
}

func serve(h http.Handler, method, target string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func stato(t *testing.T, a *pagamenti.Attempts, id string) string {
	t.Helper()
	st, err := a.Status(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st.Stato
}

func TestCheckoutPaysThroughTheCreditorEndpoint(t *testing.T) {
	db, node, fine := setup(t)
	c, attempts := checkoutFor(db, node+"/pagopa/paForNode", cf+"_01")
	started, err := attempts.Start(context.Background(), fine, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	id := started.Attempt.ID

	rec := serve(c, "GET", started.RedirectURL, nil)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, "Ambiente di prova") || !strings.Contains(page, pagopa.MustParseNoticeNumber(fine.NAV).Grouped()) {
		t.Fatalf("checkout page = %d %.400s", rec.Code, page)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(page, "<script") {
		t.Errorf("checkout page runs scripts: CSP %q", csp)
	}
	if rec := serve(c, "POST", started.RedirectURL, url.Values{"azione": {"paga"}, "metodo": {"assegno"}}); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Scegli come vuoi pagare") {
		t.Errorf("unknown method = %d", rec.Code)
	}
	if got := stato(t, attempts, id); got != pagamenti.StatoInCorso {
		t.Errorf("after a refused form the attempt is %s", got)
	}
	rec = serve(c, "POST", started.RedirectURL, url.Values{"azione": {"paga"}, "metodo": {"conto"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != pagamenti.ResultPath(started.Attempt) {
		t.Fatalf("pay = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	p, err := db.PaymentOf(context.Background(), fine.NAV)
	if err != nil || p.ReceiptID != "DEMO"+id || p.AmountCents != int64(fine.ImportoCent) || p.PSP != "Ambiente di prova" {
		t.Errorf("recorded payment %+v, %v", p, err)
	}
	if got := stato(t, attempts, id); got != pagamenti.StatoPagato {
		t.Errorf("after paying the attempt is %s", got)
	}
	// The page of a concluded attempt sends the payer back to the portal.
	if rec := serve(c, "GET", started.RedirectURL, nil); rec.Code != http.StatusSeeOther {
		t.Errorf("page of a paid attempt = %d", rec.Code)
	}
}

func TestCheckoutReportsFailuresAndCancellations(t *testing.T) {
	db, node, fine := setup(t)
	ctx := context.Background()

	// The creditor refuses the node (wrong station): the payer is told, nothing is paid.
	c, attempts := checkoutFor(db, node+"/pagopa/paForNode", cf+"_99")
	refused, err := attempts.Start(ctx, fine, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if rec := serve(c, "GET", refused.RedirectURL, nil); rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), "Non ti è stato addebitato nulla") {
		t.Errorf("refused notice page = %d %.300s", rec.Code, rec.Body)
	}
	if got := stato(t, attempts, refused.Attempt.ID); got != pagamenti.StatoErrore {
		t.Errorf("refused attempt is %s", got)
	}

	// The node cannot be reached while paying.
	c, attempts = checkoutFor(db, "http://127.0.0.1:1/pagopa/paForNode", cf+"_01")
	down, err := attempts.Start(ctx, fine, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	if rec := serve(c, "POST", down.RedirectURL, url.Values{"azione": {"paga"}, "metodo": {"carta"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("pay with the node down = %d", rec.Code)
	}
	if got := stato(t, attempts, down.Attempt.ID); got != pagamenti.StatoErrore {
		t.Errorf("attempt with the node down is %s", got)
	}

	cancelled, err := attempts.Start(ctx, fine, "")
	if err != nil {
		t.Fatal(err)
	}
	rec := serve(c, "POST", cancelled.RedirectURL, url.Values{"azione": {"annulla"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/paga-preavviso/?id="+cancelled.Attempt.ID {
		t.Errorf("cancel = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if got := stato(t, attempts, cancelled.Attempt.ID); got != pagamenti.StatoAnnullato {
		t.Errorf("cancelled attempt is %s", got)
	}
	if _, err := db.PaymentOf(ctx, fine.NAV); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a payment was recorded: %v", err)
	}
	if rec := serve(c, "GET", "/demo-checkout/nessuno", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown attempt = %d", rec.Code)
	}
}
