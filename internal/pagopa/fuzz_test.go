package pagopa

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzParseNoticeNumber(f *testing.F) {
	for _, s := range []string{
		"301000000000012373", "3010 0000 0000 0123 73", "301000000000012374", "001000000000012373",
		"", "3", "30100000000O012373", "30100000000٠012373", "3010000000000123733", "399999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNoticeNumber(s)
		if err != nil {
			if n != (NoticeNumber{}) {
				t.Fatalf("ParseNoticeNumber(%q) failed but returned %v", s, n)
			}
			if err.Error() == "" {
				t.Fatalf("ParseNoticeNumber(%q): empty reason", s)
			}
			return
		}
		nav := n.String()
		if len(nav) != 18 || !allDigits(nav) || nav[0] != '3' {
			t.Fatalf("ParseNoticeNumber(%q) = %q, not a NAV", s, nav)
		}
		again, err := NewNoticeNumber(n.SegregationCode(), n.Base())
		if err != nil || again != n {
			t.Fatalf("rebuilding %s from its parts gave %v, %v", nav, again, err)
		}
		if back, err := ParseNoticeNumber(n.Grouped()); err != nil || back != n {
			t.Fatalf("grouped %q does not parse back: %v", n.Grouped(), err)
		}
	})
}

func FuzzParseQRPayload(f *testing.F) {
	for _, s := range []string{
		"PAGOPA|002|301000000000012373|00514490010|5600",
		"PAGOPA|002|301000000000012373|00514490010|01",
		"PAGOPA|002|301000000000012373|00514490010|99999999999",
		"PAGOPA|002|301000000000012373|00514490010|0000005600",
		"PAGOPA|001|301000000000012373|00514490010|5600",
		"PAGOPA|002|301000000000012373|00514490010|56.00",
		"PAGOPA|002|301000000000012373|00514490010",
		"PAGOPA|002||||", "||||", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseQRPayload(s)
		if err != nil {
			return
		}
		enc, err := p.Encode()
		if err != nil {
			t.Fatalf("ParseQRPayload(%q) = %+v, which does not encode: %v", s, p, err)
		}
		back, err := ParseQRPayload(enc)
		if err != nil || back != p {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, back, err, p)
		}
	})
}

// FuzzCreditorHandler feeds arbitrary bodies and SOAPActions to the
// endpoint: whatever arrives, the answer is a well-formed SOAP envelope,
// HTTP 200 for a paForNode response and 500 only for a SOAP Fault.
func FuzzCreditorHandler(f *testing.F) {
	seeds := []struct{ action, body string }{
		{"paVerifyPaymentNotice", verifyReq(navOpen)},
		{"paVerifyPaymentNotice", verifyReq(navPaid)},
		{"paVerifyPaymentNotice", verifyReq(navPanic)},
		{"paGetPaymentV2", getPaymentReq("paGetPaymentV2Request", navOpen, "<amount>56.00</amount>")},
		{"paGetPayment", getPaymentReq("paGetPaymentReq", navCompany, "<transferType>POSTAL</transferType>")},
		{"paSendRTV2", sendRTV2Req(receiptXMLFor("r-1", navOpen, 5600, "OK", true))},
		{"paSendRT", soapEnvelope("paSendRTReq", goodIDs+receiptXMLFor("r-2", navCompany, 5600, "OK", false))},
		{"paDemandPaymentNotice", soapEnvelope("paDemandPaymentNoticeRequest", goodIDs)},
		{"", "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>"},
		{`"paVerifyPaymentNotice"`, "<"},
		{"", ""},
	}
	for _, s := range seeds {
		f.Add(s.action, s.body)
	}
	h := NewCreditorHandler(testConfig, newFakePositions(), slog.New(slog.DiscardHandler))
	f.Fuzz(func(t *testing.T, action, body string) {
		req := httptest.NewRequest(http.MethodPost, "/pagopa/paForNode", strings.NewReader(body))
		req.Header.Set("SOAPAction", action)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("HTTP %d", rec.Code)
		}
		dec := xml.NewDecoder(rec.Body)
		start, err := openBody(dec)
		if err != nil {
			t.Fatalf("answer is not a SOAP envelope: %v", err)
		}
		isFault := start.Name.Space == soapEnvNS && start.Name.Local == "Fault"
		if isFault != (rec.Code == http.StatusInternalServerError) {
			t.Fatalf("HTTP %d with body element %s", rec.Code, start.Name.Local)
		}
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("answer is not well-formed: %v", err)
			}
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add("paVerifyPaymentNotice", verifyReq(navOpen))
	f.Add("paSendRTV2", sendRTV2Req(receiptXMLFor("r-1", navOpen, 5600, "OK", true)))
	f.Add("", "<a/>")
	f.Fuzz(func(t *testing.T, action, body string) {
		req, err := decodeRequest(strings.NewReader(body), action)
		if err == nil && req.op == "" {
			t.Fatal("decoded a request without an operation")
		}
		if err == nil && req.op != opDemand && req.body == nil {
			t.Fatalf("%s decoded without a body", req.op)
		}
	})
}

// Whenever the fast reader of paVerifyPaymentNoticeReq accepts a message,
// encoding/xml reads the same values from it: the fast path never changes
// an answer, it only avoids work.
func FuzzFastVerify(f *testing.F) {
	f.Add(verifyReq(navOpen))
	f.Add(strings.ReplaceAll(verifyReq(navOpen), "nod:", "pafn:"))
	f.Add(strings.ReplaceAll(verifyReq(navOpen), "\n", ""))
	f.Add(strings.Replace(verifyReq(navOpen), "<idPA>", "<!-- c --><idPA>", 1))
	f.Add(strings.Replace(verifyReq(navOpen), "<idPA>", `<idPA xmlns="urn:x">`, 1))
	f.Add(strings.Replace(verifyReq(navOpen), "<soapenv:Header/>", "<soapenv:Header></soapenv:Header>", 1))
	f.Fuzz(func(t *testing.T, body string) {
		fast, ok := fastVerify([]byte(body))
		if !ok {
			return
		}
		req, err := decodeRequest(strings.NewReader(body), "paVerifyPaymentNotice")
		if err != nil || req.op != opVerify {
			t.Fatalf("fast path accepted what encoding/xml refuses (%v, %q):\n%s", err, req.op, body)
		}
		if full := *req.body.(*verifyRequest); full != fast {
			t.Fatalf("fast path read %+v, encoding/xml %+v:\n%s", fast, full, body)
		}
	})
}
