package deploy

import (
	"compress/gzip"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

var bigCSS = strings.Repeat("body { margin: 0; padding: 0; color: #1a1a1a; }\n", 40)

var basicSite = map[string]string{
	"index.html":                  "<h1>Polizia Municipale</h1>",
	"multe/index.html":            "<h1>Multe</h1>",
	"chi-siamo.html":              "<h1>Chi siamo</h1>",
	"css/main.css":                bigCSS,
	"css/main.3f2a9c8b1d4e.css":   bigCSS,
	"js/app.js":                   "console.log('ok')",
	"img/logo.svg":                "<svg xmlns='http://www.w3.org/2000/svg'></svg>",
	"img/foto.jpg":                "\xff\xd8\xff\xe0 not really a jpeg",
	"font/titillium.woff2":        "wOF2",
	"data/ordinanze.json":         `{"n":1}`,
	"404.html":                    "<h1>Pagina non trovata</h1>",
	"en/index.html":               "<h1>Municipal Police</h1>",
	"en/404.html":                 "<h1>Page not found</h1>",
	"no-extension":                "plain bytes",
	"files/regolamento.pdf":       "%PDF-1.4",
	"site.webmanifest":            "{}",
	"css/vendor-a1b2c3d4e5f6.css": "a{}",
}

func TestServeFiles(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	tests := []struct {
		path, wantType, wantCache string
		status                    int
		body                      string
	}{
		{"/", "text/html; charset=utf-8", "public, max-age=0, must-revalidate", 200, "<h1>Polizia Municipale</h1>"},
		{"/index.html", "text/html; charset=utf-8", "public, max-age=0, must-revalidate", 200, "<h1>Polizia Municipale</h1>"},
		{"/multe/", "text/html; charset=utf-8", "", 200, "<h1>Multe</h1>"},
		{"/chi-siamo", "text/html; charset=utf-8", "", 200, "<h1>Chi siamo</h1>"},
		{"/css/main.css", "text/css; charset=utf-8", "public, max-age=0, must-revalidate", 200, bigCSS},
		{"/css/main.3f2a9c8b1d4e.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200, bigCSS},
		{"/css/vendor-a1b2c3d4e5f6.css", "", "public, max-age=31536000, immutable", 200, "a{}"},
		{"/js/app.js", "text/javascript; charset=utf-8", "", 200, "console.log('ok')"},
		{"/img/logo.svg", "image/svg+xml", "", 200, ""},
		{"/img/foto.jpg", "image/jpeg", "", 200, ""},
		{"/font/titillium.woff2", "font/woff2", "", 200, ""},
		{"/data/ordinanze.json", "application/json", "", 200, ""},
		{"/files/regolamento.pdf", "application/pdf", "", 200, ""},
		{"/site.webmanifest", "application/manifest+json", "", 200, ""},
		{"/no-extension", "text/plain; charset=utf-8", "", 200, "plain bytes"},
		{"/css/../index.html", "text/html; charset=utf-8", "", 200, "<h1>Polizia Municipale</h1>"},
		{"//multe//", "", "", 200, "<h1>Multe</h1>"},
		{"/nope", "text/html; charset=utf-8", "", 404, "<h1>Pagina non trovata</h1>"},
		{"/en/nope", "text/html; charset=utf-8", "", 404, "<h1>Page not found</h1>"},
		{"/de/nope", "", "", 404, "<h1>Pagina non trovata</h1>"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := get(t, srv, "GET", tt.path)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d", r.status, tt.status)
			}
			if tt.wantType != "" && r.header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", r.header.Get("Content-Type"), tt.wantType)
			}
			if tt.wantCache != "" && r.header.Get("Cache-Control") != tt.wantCache {
				t.Errorf("Cache-Control = %q, want %q", r.header.Get("Cache-Control"), tt.wantCache)
			}
			if tt.body != "" && r.body != tt.body {
				t.Errorf("body = %q, want %q", r.body, tt.body)
			}
		})
	}
}

func TestDirectoryRedirect(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	r := get(t, srv, "GET", "/multe?targa=1")
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/multe/?targa=1" {
		t.Errorf("GET /multe = %d Location %q, want 301 to /multe/?targa=1", r.status, r.header.Get("Location"))
	}
	r = get(t, srv, "GET", "/_preview/nessuna")
	if r.status != http.StatusNotFound {
		t.Errorf("unknown preview = %d, want 404", r.status)
	}
}

func TestConfigFilesAreNotServed(t *testing.T) {
	_, srv := liveServer(t, map[string]string{
		"index.html":   "home",
		"_redirects":   "/a /b\n",
		"_headers":     "/*\n  X-A: b\n",
		"netlify.toml": "",
	}, ServerOptions{})
	for _, p := range []string{"/_redirects", "/_headers", "/netlify.toml"} {
		if r := get(t, srv, "GET", p); r.status != 404 {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	want := map[string]string{
		"Content-Security-Policy": DefaultContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"Permissions-Policy":      "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), browsing-topics=()",
	}
	for _, p := range []string{"/", "/nope", "/multe"} {
		r := get(t, srv, "GET", p)
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, got, v)
			}
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s: HSTS sent over plain HTTP", p)
		}
		if r.header.Get("X-Robots-Tag") != "" {
			t.Errorf("GET %s: live site marked noindex", p)
		}
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if got := rec.Header().Get("Strict-Transport-Security"); got != DefaultHSTS {
		t.Errorf("HSTS under TLS = %q, want %q", got, DefaultHSTS)
	}

	_, proxied := liveServer(t, basicSite, ServerOptions{TrustForwardedProto: true, ContentSecurityPolicy: "-"})
	r := get(t, proxied, "GET", "/", "X-Forwarded-Proto", "https")
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a trusted TLS proxy")
	}
	if r.header.Get("Content-Security-Policy") != "" {
		t.Error(`CSP sent although disabled with "-"`)
	}
	if r := get(t, srv, "GET", "/", "X-Forwarded-Proto", "https"); r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS from an untrusted X-Forwarded-Proto")
	}
}

func TestConditionalRequests(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	first := get(t, srv, "GET", "/css/main.css")
	etag, lm := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" || lm == "" {
		t.Fatalf("ETag %q, Last-Modified %q: want both", etag, lm)
	}
	lmTime, _ := http.ParseTime(lm)
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"matching etag", []string{"If-None-Match", etag}, 304},
		{"weak matching etag", []string{"If-None-Match", "W/" + etag}, 304},
		{"etag in a list", []string{"If-None-Match", `"x", ` + etag}, 304},
		{"star", []string{"If-None-Match", "*"}, 304},
		{"other etag", []string{"If-None-Match", `"other"`}, 200},
		{"other etag wins over a fresh date", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
		{"not modified since", []string{"If-Modified-Since", lm}, 304},
		{"modified since", []string{"If-Modified-Since", lmTime.Add(-time.Hour).Format(http.TimeFormat)}, 200},
		{"if-match ok", []string{"If-Match", etag}, 200},
		{"if-match fails", []string{"If-Match", `"other"`}, 412},
		{"if-unmodified-since fails", []string{"If-Unmodified-Since", lmTime.Add(-time.Hour).Format(http.TimeFormat)}, 412},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, "GET", "/css/main.css", tt.header...)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d", r.status, tt.status)
			}
			if tt.status == 304 {
				if r.body != "" || r.header.Get("ETag") != etag || r.header.Get("Cache-Control") == "" {
					t.Errorf("304 must carry ETag and Cache-Control and no body: %v %q", r.header, r.body)
				}
				if r.header.Get("Content-Type") != "" || r.header.Get("Content-Length") != "" {
					t.Errorf("304 carries entity headers: %v", r.header)
				}
			}
		})
	}
}

func TestRangeRequests(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	etag := get(t, srv, "GET", "/css/main.css").header.Get("ETag")
	tests := []struct {
		name   string
		header []string
		status int
		body   string
	}{
		{"first bytes", []string{"Range", "bytes=0-3"}, 206, bigCSS[:4]},
		{"suffix", []string{"Range", "bytes=-5"}, 206, bigCSS[len(bigCSS)-5:]},
		{"open end", []string{"Range", "bytes=10-"}, 206, bigCSS[10:]},
		{"range ignores gzip", []string{"Range", "bytes=0-3", "Accept-Encoding", "gzip"}, 206, bigCSS[:4]},
		{"unsatisfiable", []string{"Range", "bytes=99999-"}, 416, ""},
		{"if-range matches", []string{"Range", "bytes=0-3", "If-Range", etag}, 206, bigCSS[:4]},
		{"if-range stale", []string{"Range", "bytes=0-3", "If-Range", `"old"`}, 200, bigCSS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, "GET", "/css/main.css", tt.header...)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d", r.status, tt.status)
			}
			if tt.body != "" && r.body != tt.body {
				t.Errorf("body = %q, want %q", r.body, tt.body)
			}
			if r.header.Get("Content-Encoding") != "" {
				t.Errorf("range answered compressed")
			}
		})
	}
	r := get(t, srv, "GET", "/css/main.css", "Range", "bytes=0-1,5-6")
	if r.status != 206 || !strings.HasPrefix(r.header.Get("Content-Type"), "multipart/byteranges") {
		t.Errorf("multi-range = %d %q", r.status, r.header.Get("Content-Type"))
	}
}

func TestHead(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	g := get(t, srv, "GET", "/css/main.css")
	h := get(t, srv, "HEAD", "/css/main.css")
	if h.status != 200 || h.body != "" {
		t.Fatalf("HEAD = %d with %d body bytes", h.status, len(h.body))
	}
	for _, k := range []string{"Content-Length", "Content-Type", "ETag", "Last-Modified", "Cache-Control"} {
		if h.header.Get(k) != g.header.Get(k) {
			t.Errorf("HEAD %s = %q, GET has %q", k, h.header.Get(k), g.header.Get(k))
		}
	}
	if r := get(t, srv, "POST", "/"); r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST = %d Allow %q", r.status, r.header.Get("Allow"))
	}
}

// decode undoes the Content-Encoding of a response.
func decode(t *testing.T, r response) string {
	t.Helper()
	var zr io.Reader
	switch r.header.Get("Content-Encoding") {
	case "":
		return r.body
	case "gzip":
		gr, err := gzip.NewReader(strings.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		zr = gr
	case "br":
		zr = brotli.NewReader(strings.NewReader(r.body))
	default:
		t.Fatalf("unexpected Content-Encoding %q", r.header.Get("Content-Encoding"))
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCompressionNegotiation(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	tests := []struct {
		accept, want string
	}{
		{"", ""},
		{"gzip", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0.5, gzip;q=0.8", "gzip"},
		{"br;q=1.0, gzip;q=0.8", "br"},
		{"br;q=0.8, gzip;q=0.8", "br"},
		{"GZIP", "gzip"},
		{"x-gzip", "gzip"},
		{"BR", "br"},
		{"gzip;q=0", ""},
		{"gzip; q=0.000", ""},
		{"gzip;q=0.001", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"*;q=0", ""},
		{"gzip;q=0, *", "br"},
		{"br;q=0, gzip;q=0, *", ""},
		{"gzip;q=bad", ""},
		{"identity", ""},
		{"deflate", ""},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			r := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", tt.accept)
			if r.header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary = %q", r.header.Get("Vary"))
			}
			if got := r.header.Get("Content-Encoding"); got != tt.want {
				t.Fatalf("Content-Encoding = %q, want %q", got, tt.want)
			}
			if tt.want != "" && !strings.HasSuffix(r.header.Get("ETag"), "-"+tt.want+`"`) {
				t.Errorf("ETag %s does not name the variant", r.header.Get("ETag"))
			}
			if decode(t, r) != bigCSS {
				t.Error("content differs from the original")
			}
		})
	}
	// A 304 is per variant: the gzip ETag does not validate the brotli one.
	gz := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", "gzip").header.Get("ETag")
	if r := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", "gzip", "If-None-Match", gz); r.status != 304 {
		t.Errorf("gzip revalidation = %d, want 304", r.status)
	}
	if r := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", "br", "If-None-Match", gz); r.status != 200 {
		t.Errorf("brotli with a gzip ETag = %d, want 200", r.status)
	}
	// Tiny or already-compressed files have no variant and no Vary.
	for _, p := range []string{"/js/app.js", "/img/foto.jpg"} {
		r := get(t, srv, "GET", p, "Accept-Encoding", "gzip, br")
		if r.header.Get("Content-Encoding") != "" || r.header.Get("Vary") != "" {
			t.Errorf("%s: Content-Encoding %q Vary %q", p, r.header.Get("Content-Encoding"), r.header.Get("Vary"))
		}
	}
}

func TestLargeFilesFromDisk(t *testing.T) {
	large := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	_, srv := liveServer(t, map[string]string{"big.txt": large, "small.txt": "hi"}, ServerOptions{MemoryFileLimit: 1024})
	st := srv.state.Load().live
	if st.routes["/big.txt"].asset.identity.data != nil || st.routes["/small.txt"].asset.identity.data == nil {
		t.Fatal("memory limit not applied")
	}
	tests := []struct {
		header []string
		status int
		body   string
	}{
		{nil, 200, large},
		{[]string{"Range", "bytes=16-31"}, 206, large[16:32]},
		{[]string{"Accept-Encoding", "gzip"}, 200, large},
		{[]string{"Accept-Encoding", "br"}, 200, large},
	}
	for _, tt := range tests {
		r := get(t, srv, "GET", "/big.txt", tt.header...)
		body := decode(t, r)
		if r.status != tt.status || body != tt.body {
			t.Errorf("%v: status %d, %d bytes", tt.header, r.status, len(body))
		}
	}
	_, tiny := liveServer(t, map[string]string{"a.txt": strings.Repeat("a", 300), "b.txt": strings.Repeat("b", 300)}, ServerOptions{MemoryBudget: 400})
	inMemory := 0
	for _, rt := range tiny.state.Load().live.routes {
		if rt.asset.identity.data != nil {
			inMemory++
		}
	}
	if inMemory != 1 {
		t.Errorf("%d files in memory with a budget for one", inMemory)
	}
	if r := get(t, tiny, "GET", "/b.txt"); r.body != strings.Repeat("b", 300) {
		t.Error("file beyond the budget not served")
	}
}

func TestNoLiveDeploy(t *testing.T) {
	srv := NewServer(openStore(t), ServerOptions{})
	if r := get(t, srv, "GET", "/"); r.status != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", r.status)
	}
}

func TestCompressedVariantsMatchManifest(t *testing.T) {
	s, srv := liveServer(t, basicSite, ServerOptions{})
	live, _ := s.Live()
	m, _ := s.readManifest(live.ID)
	e := m.Files["css/main.css"]
	if e.Gzip == 0 || e.Brotli == 0 || e.Brotli >= e.Size || e.Gzip >= e.Size {
		t.Fatalf("variant sizes gzip %d, br %d for %d bytes", e.Gzip, e.Brotli, e.Size)
	}
	for enc, want := range map[string]int64{"gzip": e.Gzip, "br": e.Brotli} {
		r := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", enc)
		if int64(len(r.body)) != want || r.header.Get("Content-Length") != strconv.FormatInt(want, 10) {
			t.Errorf("%s: served %d bytes, Content-Length %s, manifest says %d", enc, len(r.body), r.header.Get("Content-Length"), want)
		}
	}
}
