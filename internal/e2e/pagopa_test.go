package e2e

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/pagopa"
)

// The pagoPA node pays one of Mario's fines against the running demo:
// verify, get the payment, deliver the receipt twice. The fine turns paid,
// the total drops by exactly its amount, and one receipt email arrives.
func TestNodeRunAgainstTheDemo(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "demo"))
	mario := demoLogin(t, s.url, "RSSMRA80A01L219M")
	type voce struct {
		Numero      string `json:"numero"`
		Fase        string `json:"fase"`
		ImportoCent int64  `json:"importo_cent"`
		NAV         string `json:"nav"`
		Pagabile    bool   `json:"pagabile"`
	}
	statement := func() (int64, []voce) {
		_, body := clientGet(t, mario, s.url+"/api/v1/me/estratto-conto")
		var st struct {
			TotaleCent int64  `json:"totale_cent"`
			Verbali    []voce `json:"verbali"`
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("statement: %v: %.200s", err, body)
		}
		return st.TotaleCent, st.Verbali
	}
	before, list := statement()
	var fine voce
	for _, v := range list {
		if v.Pagabile && v.Fase == "misura_ridotta" {
			fine = v
			break
		}
	}
	if fine.NAV == "" {
		t.Fatalf("no payable fine for Mario: %+v", list)
	}

	// The node knows the creditor by the demo configuration (portale.toml).
	node := &pagopa.NodeClient{URL: s.url + "/pagopa/paForNode", IDPA: "00514490010", IDBrokerPA: "00514490010", IDStation: "00514490010_01"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	notice := pagopa.MustParseNoticeNumber(fine.NAV)
	if _, err := node.VerifyPaymentNotice(ctx, "00514490010", notice); err != nil {
		t.Fatalf("paVerifyPaymentNotice: %v", err)
	}
	pay, err := node.GetPaymentV2(ctx, "00514490010", notice, 0)
	if err != nil {
		t.Fatalf("paGetPaymentV2: %v", err)
	}
	if int64(pay.Amount) != fine.ImportoCent {
		t.Fatalf("the node was told %d cents, the statement says %d", pay.Amount, fine.ImportoCent)
	}
	rt := pay.Receipt("RT-E2E-0001", pagopa.PSP{ID: "PSPDEMO", CompanyName: "PSP di prova", ChannelID: "PSPDEMO_01",
		ChannelDescription: "app", PaymentMethod: "CP"}, time.Now())
	for range 2 {
		if err := node.SendRTV2(ctx, rt); err != nil {
			t.Fatalf("paSendRTV2: %v", err)
		}
	}

	after, list := statement()
	if before-after != fine.ImportoCent {
		t.Errorf("totale_cent went from %d to %d: a drop of %d, want exactly %d", before, after, before-after, fine.ImportoCent)
	}
	for _, v := range list {
		if v.Numero == fine.Numero && v.Fase != "pagato" {
			t.Errorf("the paid fine shows fase %q", v.Fase)
		}
	}

	// The receipt reaches the demo mailbox once, with the PDF quietanza.
	var box string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := mario.Get(s.url + "/demo-mail")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		box = string(b)
		if strings.Contains(box, "mario.rossi@example.org") {
			break
		}
	}
	if n := strings.Count(box, "mario.rossi@example.org"); n != 1 {
		t.Errorf("the demo mailbox holds %d messages for Mario, want 1:\n%.1500s", n, box)
	}
	if !strings.Contains(strings.ToLower(box), "ricevuta") {
		t.Errorf("no receipt in the demo mailbox:\n%.1500s", box)
	}
}
