package deploy

import (
	"net/http"
	"net/http/httptest"
	"strings"
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

// BenchmarkFastPath is the fast path's own work for a request, without
// the network: reading the head and finding the answer.
func BenchmarkFastPath(b *testing.B) {
	_, srv := liveServer(b, basicSite, ServerOptions{})
	fs := &FastServer{Site: srv, Fallback: &http.Server{}}
	for _, tt := range []struct{ name, head string }{
		{"html", "GET /multe/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n"},
		{"css-gzip", "GET /css/main.css HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n"},
		{"browser-304", "GET /css/main.css HTTP/1.1\r\nHost: multe.example.it\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
			"Accept: text/css,*/*;q=0.1\r\nAccept-Language: it-IT,it;q=0.9\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n" +
			"Connection: keep-alive\r\nIf-None-Match: \"" + strings.Repeat("0", 24) + "-br\", W/\"x\"\r\nCookie: sessione=abc\r\n\r\n"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			c := &fastConn{}
			head := []byte(tt.head)
			b.ReportAllocs()
			for b.Loop() {
				if state, _ := parseHead(head, &c.req); state != headFast {
					b.Fatalf("not a fast head: %d", state)
				}
				if _, ok := fs.answer(c); !ok {
					b.Fatal("no fast answer")
				}
			}
		})
	}
}
