package deploy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discard is a ResponseWriter that keeps nothing, so the benchmark measures
// the handler and not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkServeHTTP(b *testing.B) {
	_, srv := liveServer(b, basicSite, ServerOptions{})
	for _, tt := range []struct{ name, path, accept string }{
		{"html", "/multe/", ""},
		{"css-gzip", "/css/main.css", "gzip, deflate, br"},
		{"404", "/nulla", ""},
	} {
		b.Run(tt.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Encoding", tt.accept)
			}
			w := &discard{}
			b.ReportAllocs()
			for b.Loop() {
				w.h = make(http.Header, 16)
				srv.ServeHTTP(w, req)
			}
		})
	}
}
