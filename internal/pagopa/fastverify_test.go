package pagopa

import (
	"bytes"
	"strings"
	"testing"
)

// The node's usual messages take the fast path, with every value read;
// unusual but valid ones take encoding/xml and are answered all the same.
func TestFastVerifyReadsTheNodesMessages(t *testing.T) {
	want := verifyRequest{stationIDs: stationIDs{IDPA: testConfig.IDPA, IDBrokerPA: testConfig.IDBrokerPA, IDStation: testConfig.IDStation},
		QRCode: qrCodeXML{FiscalCode: testCreditorCF, NoticeNumber: navOpen.String()}}
	var ours bytes.Buffer
	if err := writeEnvelope(&ours, "paVerifyPaymentNoticeReq", &want); err != nil {
		t.Fatal(err)
	}
	for name, msg := range map[string]string{
		"as in the pagoPA examples": verifyReq(navOpen),
		"on one line":               strings.ReplaceAll(verifyReq(navOpen), "\n", ""),
		"as NodeClient writes it":   ours.String(),
		"other prefixes":            strings.ReplaceAll(strings.ReplaceAll(verifyReq(navOpen), "nod:", "x:"), "xmlns:nod", "xmlns:x"),
	} {
		got, ok := fastVerify([]byte(msg))
		if !ok || got != want {
			t.Errorf("%s: fast path %v, read %+v", name, ok, got)
		}
	}
	h, _ := newTestHandler(t)
	for name, msg := range map[string]string{
		"a comment":         strings.Replace(verifyReq(navOpen), "<idPA>", "<!-- dal nodo --><idPA>", 1),
		"an entity":         strings.Replace(verifyReq(navOpen), "<idPA>"+testConfig.IDPA, "<idPA>"+testConfig.IDPA[:2]+"&#"+"53;"+testConfig.IDPA[3:], 1),
		"a full Header":     strings.Replace(verifyReq(navOpen), "<soapenv:Header/>", "<soapenv:Header><x>1</x></soapenv:Header>", 1),
		"declared encoding": strings.Replace(verifyReq(navOpen), `<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="utf-8" standalone="yes"?>`, 1),
	} {
		if name != "declared encoding" {
			if _, ok := fastVerify([]byte(msg)); ok {
				t.Errorf("%s: took the fast path", name)
			}
		}
		if resp := call(t, h, "paVerifyPaymentNotice", msg); resp.Body.Message.Outcome != "OK" {
			t.Errorf("%s: %s", name, resp.Raw)
		}
	}
	for name, msg := range map[string]string{
		"wrong envelope namespace": strings.ReplaceAll(verifyReq(navOpen), "http://schemas.xmlsoap.org/soap/envelope/", "urn:x"),
		"elements out of order":    strings.Replace(strings.Replace(verifyReq(navOpen), "<idPA>", "<idTMP>", 1), "<idBrokerPA>", "<idPA>", 1),
		"truncated":                verifyReq(navOpen)[:200],
	} {
		if _, ok := fastVerify([]byte(msg)); ok {
			t.Errorf("%s: took the fast path", name)
		}
	}
}
