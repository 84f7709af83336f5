package pagopa

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkVerifyPaymentNotice measures the endpoint alone: decoding the
// envelope, the checks, one Lookup on an in-memory store and encoding the
// response.
func BenchmarkVerifyPaymentNotice(b *testing.B) {
	h := NewCreditorHandler(testConfig, newFakePositions(), slog.New(slog.DiscardHandler))
	body := verifyReq(navOpen)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/pagopa/paForNode", strings.NewReader(body))
		req.Header.Set("SOAPAction", "paVerifyPaymentNotice")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte("<outcome>OK</outcome>")) {
			b.Fatalf("HTTP %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkVerifyPaymentNoticeHTTP adds a loopback HTTP round trip, as the
// node's call costs in production minus the network.
func BenchmarkVerifyPaymentNoticeHTTP(b *testing.B) {
	srv := httptest.NewServer(NewCreditorHandler(testConfig, newFakePositions(), slog.New(slog.DiscardHandler)))
	defer srv.Close()
	client := srv.Client()
	body := verifyReq(navOpen)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/pagopa/paForNode", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			req.Header.Set("Content-Type", "text/xml; charset=utf-8")
			req.Header.Set("SOAPAction", "paVerifyPaymentNotice")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			answer, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			// A fault is an answer with status 200 too: the outcome says.
			if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte("<outcome>OK</outcome>")) {
				b.Errorf("HTTP %d: %v %.300s", resp.StatusCode, err, answer)
				return
			}
		}
	})
}
