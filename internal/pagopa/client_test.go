package pagopa

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

// node plays the pagoPA node against a creditor endpoint served over real
// HTTP; every request the client writes is kept to be validated against
// the XSD like the responses.
func node(t *testing.T) (*NodeClient, *fakePositions, func() [][]byte) {
	t.Helper()
	h, positions := newTestHandler(t)
	var mu sync.Mutex
	var requests [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		requests = append(requests, body)
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := &NodeClient{URL: srv.URL + "/pagopa/paForNode", HTTPClient: srv.Client(),
		IDPA: testConfig.IDPA, IDBrokerPA: testConfig.IDBrokerPA, IDStation: testConfig.IDStation}
	return c, positions, func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return requests
	}
}

var demoPSP = PSP{ID: "PORTALEDEMO", CompanyName: "Ambiente di prova", ChannelID: "PORTALEDEMO_01", ChannelDescription: "checkout simulato", PaymentMethod: "creditCard"}

// TestNodeRun is the acceptance path: verify, get, send the receipt twice;
// the fine is paid once and the node is told so on the next verify.
func TestNodeRun(t *testing.T) {
	ctx := context.Background()
	c, positions, requests := node(t)

	info, err := c.VerifyPaymentNotice(ctx, testCreditorCF, navOpen)
	if err != nil {
		t.Fatal(err)
	}
	if info.Amount != 5600 || info.DueDate != civil.New(2026, time.December, 31) || info.CompanyName != "Comune di Torino" {
		t.Errorf("verify: %+v", info)
	}
	pay, err := c.GetPaymentV2(ctx, testCreditorCF, navOpen, info.Amount)
	if err != nil {
		t.Fatal(err)
	}
	if pay.CreditorReferenceID != navOpen.IUV() || pay.Amount != 5600 || pay.Debtor.FiscalCode != "RSSMRA80A01L219M" ||
		len(pay.Transfers) != 1 || pay.Transfers[0].IBAN != testConfig.IBAN {
		t.Errorf("getPaymentV2: %+v", pay)
	}
	receipt := pay.Receipt("demo-0001", demoPSP, time.Date(2026, 11, 26, 10, 5, 0, 0, civil.Rome))
	for range 2 {
		if err := c.SendRTV2(ctx, receipt); err != nil {
			t.Fatal(err)
		}
	}
	if len(positions.receipts) != 1 || len(positions.review) != 0 {
		t.Errorf("%d receipts recorded and %d for review, want 1 and 0", len(positions.receipts), len(positions.review))
	}
	_, err = c.VerifyPaymentNotice(ctx, testCreditorCF, navOpen)
	var fault *Fault
	if !errors.As(err, &fault) || fault.Code != FaultPagamentoDuplicato {
		t.Errorf("verify after payment: %v, want %s", err, FaultPagamentoDuplicato)
	}

	// The first version of the interface, on another fine, with a payer.
	pay, err = c.GetPayment(ctx, testCreditorCF, navCompany, 0)
	if err != nil {
		t.Fatal(err)
	}
	receipt = pay.Receipt("demo-0002", demoPSP, time.Date(2026, 11, 26, 10, 6, 0, 0, civil.Rome))
	receipt.Payer = &Subject{FiscalCode: "VRDLGU85M01L219X", Name: "Luigi Verdi"}
	receipt.Fee = 100
	receipt.StandIn = true
	receipt.TransferDate = civil.New(2026, time.November, 27)
	if err := c.SendRT(ctx, receipt); err != nil {
		t.Fatal(err)
	}
	got := positions.receipts["demo-0002"]
	if got.Payer == nil || got.Payer.Name != "Luigi Verdi" || got.Fee != 100 || !got.StandIn || got.Version != 1 {
		t.Errorf("V1 receipt recorded as %+v", got)
	}

	for _, r := range requests() {
		validateSOAP(t, r)
	}
}

func TestNodeClientErrors(t *testing.T) {
	ctx := context.Background()
	c, _, _ := node(t)
	var fault *Fault

	_, err := c.GetPaymentV2(ctx, testCreditorCF, navUnknown, 0)
	if !errors.As(err, &fault) || fault.Code != FaultPagamentoSconosciuto || fault.ID != testCreditorCF {
		t.Errorf("unknown notice: %v", err)
	}

	wrong := *c
	wrong.IDStation = "other_01"
	if _, err := wrong.VerifyPaymentNotice(ctx, testCreditorCF, navOpen); !errors.As(err, &fault) || fault.Code != FaultStazioneIntErrata {
		t.Errorf("wrong station: %v", err)
	}

	wrong = *c
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	wrong.URL = srv.URL
	if _, err := wrong.VerifyPaymentNotice(ctx, testCreditorCF, navOpen); err == nil || errors.As(err, &fault) {
		t.Errorf("HTTP 404: %v, want a plain error", err)
	}

	soapFault := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeSOAPFault(w, "soapenv:Server", "giù per manutenzione")
	}))
	defer soapFault.Close()
	wrong.URL = soapFault.URL
	if err := wrong.SendRTV2(ctx, Receipt{}); !errors.As(err, &fault) || fault.Code != "soapenv:Server" {
		t.Errorf("SOAP Fault: %v", err)
	}
}
