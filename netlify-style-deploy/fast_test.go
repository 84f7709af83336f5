package deploy

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastSite has what the fast path answers (files in memory, compressed
// variants, _headers) and what it must hand over (rules, previews, a file
// too big for memory, a path whose _headers set Date).
var fastSite = map[string]string{
	"index.html":            "<h1>Polizia Municipale</h1>",
	"multe/index.html":      "<h1>Multe</h1>",
	"chi-siamo.html":        "<h1>Chi siamo</h1>",
	"css/main.css":          bigCSS,
	"css/main.3f2a9c8b.css": bigCSS + "/* v2 */",
	"js/app.js":             "console.log('ok')",
	"404.html":              "<h1>Pagina non trovata</h1>",
	"en/404.html":           "<h1>Page not found</h1>",
	"files/grande.pdf":      strings.Repeat("%PDF", 1000),
	"strano/index.html":     "<p>data</p>",
	"_headers": "/css/*\n  X-Foglio: si\n/js/*\n  Cache-Control: no-cache\n  Link: </css/main.css>; rel=preload\n" +
		"/strano/*\n  Date: Thu, 01 Jan 2026 00:00:00 GMT\n",
	"_redirects": "/vecchia /multe/ 301\n/ricerca q=:q /multe/?q=:q 302\n",
}

// fastPair serves the same Server twice on 127.0.0.1: with net/http alone,
// and with the fast path in front of net/http. viaFallback counts the
// requests that reached the fast server's fallback.
type fastPair struct {
	plain, fast string
	viaFallback atomic.Int64
	fs          *FastServer
}

func newFastPair(t *testing.T, srv *Server, configure func(*FastServer)) *fastPair {
	t.Helper()
	p := &fastPair{}
	plain := &http.Server{Handler: srv}
	p.plain = serveOn(t, plain.Serve, func() { plain.Close() })
	fallback := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.viaFallback.Add(1)
		srv.ServeHTTP(w, r)
	})}
	p.fs = &FastServer{Site: srv, Fallback: fallback}
	if configure != nil {
		configure(p.fs)
	}
	p.fast = serveOn(t, p.fs.Serve, func() { p.fs.Close() })
	return p
}

// serveOn runs serve on a fresh loopback listener until the test ends.
func serveOn(t *testing.T, serve func(net.Listener) error, stop func()) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// exchange sends the requests of a script on one connection and returns
// every byte the server sent until it closed the connection. Requests in
// one element are written at once (pipelined); the script waits for the
// answers of each element before writing the next.
func exchange(t *testing.T, addr string, script [][]string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var raw bytes.Buffer
	br := bufio.NewReader(io.TeeReader(conn, &raw))
	for _, batch := range script {
		if _, err := io.WriteString(conn, strings.Join(batch, "")); err != nil {
			t.Fatal(err)
		}
		for _, req := range batch {
			method, _, _ := strings.Cut(req, " ")
			res, err := http.ReadResponse(br, &http.Request{Method: method})
			if err != nil {
				t.Fatalf("reading the answer to %q: %v (so far: %q)", req, err, raw.String())
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Fatalf("the server did not close the connection after Connection: close: %v", err)
	}
	return raw.String()
}

// rawRequest is the head of a request as a browser would send it.
func rawRequest(method, target string, header ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: multe.example.it\r\nUser-Agent: prova\r\n", method, target)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	return b.String() + "\r\n"
}

func rawGet(target string, header ...string) string { return rawRequest("GET", target, header...) }

// lastRequest adds Connection: close to a request head.
func lastRequest(r string) string {
	return strings.Replace(r, "\r\n", "\r\nConnection: close\r\n", 1)
}

var dateLine = regexp.MustCompile(`(?m)^Date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT\r$`)

func TestFastPathAnswersAsNetHTTP(t *testing.T) {
	s := openStore(t)
	live := mustCreate(t, s, fastSite)
	if err := s.Publish(live.ID); err != nil {
		t.Fatal(err)
	}
	draft := mustCreate(t, s, map[string]string{"index.html": "<h1>Bozza</h1>"})
	if err := s.PublishPreview("bozza", draft.ID); err != nil {
		t.Fatal(err)
	}
	forced := openStore(t)
	// A forced rule over every path: every request goes to net/http
	// (TestFastPathForcedRules has rules over some paths).
	d := mustCreate(t, forced, map[string]string{"index.html": "home", "multe/index.html": "multe", "_redirects": "/* /index.html 200!\n"})
	if err := forced.Publish(d.ID); err != nil {
		t.Fatal(err)
	}

	servers := map[string]*Server{
		"defaults": NewServer(s, ServerOptions{MemoryFileLimit: 3000}),
		"behind a proxy, previews by host": NewServer(s, ServerOptions{MemoryFileLimit: 3000,
			TrustForwardedProto: true, PreviewDomain: "anteprime.example.it"}),
		"a forced rule": NewServer(forced, ServerOptions{}),
	}
	etag := func(srv *Server, path, accept string) string {
		r := get(t, srv, "GET", path, "Accept-Encoding", accept)
		if r.header.Get("Etag") == "" {
			t.Fatalf("GET %s (%s) has no ETag", path, accept)
		}
		return r.header.Get("Etag")
	}

	for name, srv := range servers {
		cssGzip := etag(srv, "/", "")
		if name != "a forced rule" {
			cssGzip = etag(srv, "/css/main.css", "gzip")
		}
		req, fetch, last := rawRequest, rawGet, lastRequest
		future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
		past := "Mon, 02 Jan 2006 15:04:05 GMT"

		scripts := map[string]struct {
			script [][]string
			// fallback is how many requests reach net/http under the fast path.
			fallback int64
		}{
			"a page":                 {[][]string{{last(fetch("/"))}}, 0},
			"a directory index":      {[][]string{{fetch("/multe/")}, {last(fetch("/multe/index.html"))}}, 0},
			"a pretty URL":           {[][]string{{last(fetch("/chi-siamo"))}}, 0},
			"a query is ignored":     {[][]string{{last(fetch("/multe/?targa=AB123CD&x=%41"))}}, 0},
			"gzip":                   {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "gzip, deflate"))}}, 0},
			"brotli":                 {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "gzip, deflate, br, zstd"))}}, 0},
			"qualities":              {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "br;q=0.2, gzip;q=0.8"))}}, 0},
			"br refused":             {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "*, br;q=0"))}}, 0},
			"two Accept-Encoding":    {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "identity", "Accept-Encoding", "gzip"))}}, 0},
			"identity only":          {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "identity"))}}, 0},
			"HEAD":                   {[][]string{{req("HEAD", "/css/main.css", "Accept-Encoding", "gzip")}, {last(req("HEAD", "/"))}}, 0},
			"If-None-Match hit":      {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "gzip", "If-None-Match", cssGzip))}}, 0},
			"If-None-Match in list":  {[][]string{{last(fetch("/css/main.css", "Accept-Encoding", "gzip", "If-None-Match", `"x", W/`+cssGzip))}}, 0},
			"If-None-Match star":     {[][]string{{last(fetch("/", "If-None-Match", "*"))}}, 0},
			"If-None-Match miss":     {[][]string{{last(fetch("/css/main.css", "If-None-Match", cssGzip))}}, 0},
			"If-None-Match empty":    {[][]string{{last(fetch("/", "If-None-Match", "", "If-Modified-Since", future))}}, 0},
			"HEAD not modified":      {[][]string{{last(req("HEAD", "/css/main.css", "Accept-Encoding", "gzip", "If-None-Match", cssGzip))}}, 0},
			"If-Modified-Since":      {[][]string{{fetch("/", "If-Modified-Since", future)}, {fetch("/", "If-Modified-Since", past)}, {last(fetch("/", "If-Modified-Since", "ieri"))}}, 0},
			"keep-alive named":       {[][]string{{fetch("/", "Connection", "keep-alive")}, {last(fetch("/js/app.js"))}}, 0},
			"Content-Length 0":       {[][]string{{last(fetch("/", "Content-Length", "0"))}}, 0},
			"_headers":               {[][]string{{last(fetch("/js/app.js"))}}, 0},
			"pipelined":              {[][]string{{fetch("/"), req("HEAD", "/multe/"), fetch("/css/main.css", "Accept-Encoding", "br"), last(fetch("/js/app.js"))}}, 0},
			"pipelined, then slow":   {[][]string{{fetch("/"), fetch("/nulla"), fetch("/multe/")}, {last(fetch("/"))}}, 3},
			"slow mid-connection":    {[][]string{{fetch("/css/main.css")}, {fetch("/nulla")}, {fetch("/")}, {last(fetch("/js/app.js"))}}, 3},
			"404":                    {[][]string{{last(fetch("/nulla"))}}, 1},
			"404 of a section":       {[][]string{{last(fetch("/en/nulla"))}}, 1},
			"directory redirect":     {[][]string{{last(fetch("/multe?targa=1"))}}, 1},
			"_redirects":             {[][]string{{fetch("/vecchia")}, {last(fetch("/ricerca?q=multa"))}}, 2},
			"a preview":              {[][]string{{fetch("/_preview/bozza/")}, {last(fetch("/_preview/bozza"))}}, 2},
			"a preview by host":      {[][]string{{last(strings.Replace(fetch("/"), "multe.example.it", "bozza.anteprime.example.it:8080", 1))}}, -1},
			"a file from disk":       {[][]string{{last(fetch("/files/grande.pdf"))}}, 1},
			"HEAD of a file on disk": {[][]string{{last(req("HEAD", "/files/grande.pdf"))}}, 1},
			"_headers set Date":      {[][]string{{last(fetch("/strano/"))}}, 1},
			"POST":                   {[][]string{{last(req("POST", "/", "Content-Length", "0"))}}, 1},
			"Range":                  {[][]string{{last(fetch("/css/main.css", "Range", "bytes=0-9"))}}, 1},
			"If-Match":               {[][]string{{last(fetch("/", "If-Match", `"x"`))}}, 1},
			"an escaped path":        {[][]string{{last(fetch("/multe%2F"))}}, 1},
			"a path to clean":        {[][]string{{fetch("//multe//")}, {last(fetch("/css/../index.html"))}}, 2},
			"HTTP/1.0":               {[][]string{{last(strings.Replace(fetch("/"), "HTTP/1.1", "HTTP/1.0", 1))}}, 1},
			"X-Forwarded-Proto":      {[][]string{{last(fetch("/", "X-Forwarded-Proto", "https"))}}, -1},
			"Connection: upgrade":    {[][]string{{last(fetch("/", "Connection", "Upgrade", "Upgrade", "websocket"))}}, 1},
			"a long head":            {[][]string{{last(fetch("/", "Cookie", strings.Repeat("c", 9000)))}}, 1},
			"no Host":                {[][]string{{"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"}}, 0},
		}
		for script, tt := range scripts {
			t.Run(name+"/"+script, func(t *testing.T) {
				p := newFastPair(t, srv, nil)
				want := exchange(t, p.plain, tt.script)
				got := exchange(t, p.fast, tt.script)
				if dateLine.ReplaceAllString(got, "Date: -\r") != dateLine.ReplaceAllString(want, "Date: -\r") {
					t.Errorf("through the fast path:\n%s\nthrough net/http:\n%s", got, want)
				}
				wantFallback := tt.fallback
				switch {
				case name == "a forced rule" && script != "no Host":
					wantFallback = 0
					for _, batch := range tt.script {
						wantFallback += int64(len(batch))
					}
				case wantFallback < 0: // depends on the options
					wantFallback = 0
					if name == "behind a proxy, previews by host" {
						wantFallback = 1
					}
				}
				if n := p.viaFallback.Load(); n != wantFallback {
					t.Errorf("%d requests reached net/http, want %d", n, wantFallback)
				}
			})
		}
	}
}

func TestFastPathAsksTheApplication(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	var mu sync.Mutex
	var logged []string
	p := newFastPair(t, srv, func(fs *FastServer) {
		// The application routes GET /multe/ elsewhere, not HEAD.
		fs.Reaches = func(method, path string) bool { return method != "GET" || path != "/multe/" }
		fs.Log = func(method, path string, status int, bytes int64, _ time.Duration) {
			mu.Lock()
			logged = append(logged, fmt.Sprintf("%s %s %d %d", method, path, status, bytes))
			mu.Unlock()
		}
	})
	css := get(t, srv, "GET", "/css/main.css", "Accept-Encoding", "gzip")
	exchange(t, p.fast, [][]string{
		{"HEAD /multe/ HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"GET /css/main.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"},
		{"GET /css/main.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match: " + css.header.Get("Etag") + "\r\n\r\n"},
		{"GET /multe/ HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
	})
	want := []string{"HEAD /multe/ 200 0", fmt.Sprintf("GET /css/main.css 200 %d", len(css.body)), "GET /css/main.css 304 0"}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(logged, want) {
		t.Errorf("the fast path logged %q, want %q", logged, want)
	}
	if n := p.viaFallback.Load(); n != 2 {
		t.Errorf("%d requests reached net/http, want 2 (GET /multe/ and what followed it)", n)
	}
}

func TestFastPathTimeouts(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	const header, idle = 300 * time.Millisecond, 600 * time.Millisecond
	p := newFastPair(t, srv, func(fs *FastServer) {
		fs.ReadHeaderTimeout, fs.IdleTimeout = header, idle
	})
	const request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	cases := map[string]struct {
		first   bool   // send a request and read its answer first
		send    string // then this
		trickle bool   // then one more header byte every 50 ms
		want    time.Duration
	}{
		"nothing sent":                {want: header},
		"idle after an answer":        {first: true, want: idle},
		"half a head":                 {send: "GET / HTTP/1.1\r\nHost: x\r\n", want: header},
		"half a head after an answer": {first: true, send: "GET / HTTP/1.1\r\nHost: x\r\n", want: header},
		"a byte at a time":            {first: true, send: "GET / HTTP/1.1\r\nHost: x\r\nX-A: ", trickle: true, want: header},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", p.fast)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(conn)
			if c.first {
				io.WriteString(conn, request)
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
			}
			start := time.Now()
			io.WriteString(conn, c.send)
			if c.trickle {
				go func() {
					for range time.Tick(50 * time.Millisecond) {
						if _, err := conn.Write([]byte("a")); err != nil {
							return
						}
					}
				}()
			}
			got, err := io.ReadAll(br)
			elapsed := time.Since(start)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the server kept the connection open for 5 s")
			}
			if elapsed < c.want-c.want/8-20*time.Millisecond || elapsed > c.want*3/2 {
				t.Errorf("closed after %s, want about %s", elapsed, c.want)
			}
			if len(got) > 0 {
				t.Errorf("the server sent %q", got)
			}
		})
	}
}

func TestFastServerShutdown(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := &FastServer{Site: srv, Fallback: &http.Server{Handler: srv}}
	done := make(chan error, 1)
	go func() { done <- fs.Serve(ln) }()

	// One connection idle on the fast path, one handed to net/http.
	var conns []net.Conn
	for _, target := range []string{"/", "/nulla"} {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target)
		br := bufio.NewReader(conn)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		if br.Buffered() > 0 {
			t.Fatalf("%s: more than one answer", target)
		}
		conns = append(conns, conn)
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := fs.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Shutdown took %s with only idle connections", d)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
	}
	for i, conn := range conns {
		if n, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("idle connection %d still open after Shutdown (read %d bytes, %v)", i, n, err)
		}
	}
	if conn, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		conn.Close()
		t.Errorf("the listener still accepts connections")
	}
}

func TestFastServerLeavesTLSToNetHTTP(t *testing.T) {
	_, srv := liveServer(t, basicSite, ServerOptions{})
	withCert := httptest.NewTLSServer(http.NotFoundHandler())
	cfg, client := withCert.TLS, withCert.Client()
	withCert.Close()

	var viaFallback atomic.Int64
	fallback := &http.Server{TLSConfig: cfg, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		viaFallback.Add(1)
		srv.ServeHTTP(w, r)
	})}
	fs := &FastServer{Site: srv, Fallback: fallback}
	addr := serveOn(t, func(ln net.Listener) error { return fs.Serve(tls.NewListener(ln, cfg)) }, func() { fs.Close() })
	res, err := client.Get("https://" + addr + "/multe/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") == "" || viaFallback.Load() != 1 {
		t.Errorf("HTTPS answer %d, HSTS %q, %d requests through net/http; want 200 from net/http with HSTS",
			res.StatusCode, res.Header.Get("Strict-Transport-Security"), viaFallback.Load())
	}
}

// TestFastPathForcedRules: a forced rule hands over the requests for the
// paths it may apply to, whatever its other conditions, and only those.
func TestFastPathForcedRules(t *testing.T) {
	s := openStore(t)
	d := mustCreate(t, s, map[string]string{
		"index.html":          "<h1>Polizia Municipale</h1>",
		"multe/index.html":    "<h1>Multe</h1>",
		"vecchio/pagina.html": "<h1>Vecchia pagina</h1>",
		"css/main.css":        bigCSS,
		"_redirects": "/multe/ /index.html 200!\n" +
			"/vecchio/* /multe/ 301!\n" +
			"/css/* /index.html 200! Language=en\n",
	})
	if err := s.Publish(d.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{})
	for _, tt := range []struct {
		target string
		// fallback is whether the request reaches net/http.
		fallback bool
	}{
		{"/", false},
		{"/multe/index.html", false},
		{"/multe/", true},              // rewritten to the home page
		{"/vecchio/pagina.html", true}, // redirected although the file exists
		{"/vecchio/pagina", true},
		{"/css/main.css", true}, // the rule asks for English: served, by net/http
	} {
		t.Run(tt.target, func(t *testing.T) {
			p := newFastPair(t, srv, nil)
			script := [][]string{{lastRequest(rawGet(tt.target))}}
			want := exchange(t, p.plain, script)
			got := exchange(t, p.fast, script)
			if dateLine.ReplaceAllString(got, "Date: -\r") != dateLine.ReplaceAllString(want, "Date: -\r") {
				t.Errorf("through the fast path:\n%s\nthrough net/http:\n%s", got, want)
			}
			if n := p.viaFallback.Load(); (n == 1) != tt.fallback || n > 1 {
				t.Errorf("%d requests reached net/http, want fallback %v", n, tt.fallback)
			}
		})
	}
}
