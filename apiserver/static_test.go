package apiserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	deploy "github.com/comune-torino/portale/netlify-style-deploy"
)

func TestReachesStaticAgreesWithTheRouter(t *testing.T) {
	other := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := New(Config{
		Static: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Static", "1") }),
		CMS:    other, Backoffice: other, Azienda: other, DemoIdP: other, DemoMail: other, DemoCheckout: other, PagoPA: other,
	})
	paths := []string{
		"/", "/multe/", "/index.html", "/css/main.css", "/en/",
		"/api", "/api/", "/api/v1", "/api/v1/", "/api/v1/health", "/api/v1/nope", "/api/v1/me/verbali/1", "/api/v2/x", "/apix",
		"/auth", "/auth/", "/auth/login", "/authx",
		"/cms", "/cms/", "/cms/index.html", "/cmsx",
		"/backoffice", "/backoffice/", "/backoffice/storico", "/backoffice/storico/x", "/azienda", "/azienda/verbali",
		"/pagopa", "/pagopa/paForNode", "/demo-idp", "/demo-idp/x", "/demo-mail", "/demo-checkout", "/demo-checkout/x",
	}
	for _, method := range []string{"GET", "HEAD", "POST"} {
		for _, p := range paths {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(method, p, nil))
			static := rec.Header().Get("X-Static") == "1"
			if got := srv.ReachesStatic(method, p); got != static {
				t.Errorf("ReachesStatic(%s, %s) = %v, but the router gives it to the static site: %v", method, p, got, static)
			}
		}
	}
}

// TestStaticFastPathAnswersAsTheRouter serves a deploy through the portal's
// handler twice, with net/http alone and with deploy.FastServer in front,
// and checks that clients get the same bytes and the log the same lines.
func TestStaticFastPathAnswersAsTheRouter(t *testing.T) {
	site := t.TempDir()
	for name, content := range map[string]string{
		"index.html":        "<h1>Polizia Municipale</h1>",
		"multe/index.html":  "<h1>Multe</h1>",
		"css/main.css":      strings.Repeat("body { margin: 0; color: #1a1a1a; }\n", 40),
		"api/v2/index.html": "<p>una pagina sotto /api/</p>",
	} {
		p := filepath.Join(site, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	store, err := deploy.Open(filepath.Join(t.TempDir(), "deploys"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := store.Create(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Publish(d.ID); err != nil {
		t.Fatal(err)
	}
	static := deploy.NewServer(store, deploy.ServerOptions{})

	script := []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /multe/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /css/main.css?v=1 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
		"GET /api/v2/ HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	}
	var viaNetHTTP atomic.Int64
	run := func(fast bool) (answers, logs string) {
		var log syncBuffer
		api := New(Config{Static: static, Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey || a.Key == "ms" {
					return slog.Attr{}
				}
				return a
			},
		}))})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		plain := &http.Server{Handler: api}
		serve, stop := plain.Serve, plain.Close
		if fast {
			plain.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				viaNetHTTP.Add(1)
				api.ServeHTTP(w, r)
			})
			fs := &deploy.FastServer{Site: static, Fallback: plain, Reaches: api.ReachesStatic, Log: api.LogStatic}
			serve, stop = fs.Serve, fs.Close
		}
		done := make(chan error, 1)
		go func() { done <- serve(ln) }()
		defer func() {
			stop()
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		}()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		var raw bytes.Buffer
		br := bufio.NewReader(io.TeeReader(conn, &raw))
		for _, req := range script {
			io.WriteString(conn, req)
			res, err := http.ReadResponse(br, &http.Request{Method: strings.Fields(req)[0]})
			if err != nil {
				t.Fatalf("%q: %v", req, err)
			}
			io.Copy(io.Discard, res.Body)
		}
		io.Copy(io.Discard, br)
		return dateLine.ReplaceAllString(raw.String(), "Date: -"), log.String()
	}
	wantAnswers, wantLogs := run(false)
	gotAnswers, gotLogs := run(true)
	if gotAnswers != wantAnswers {
		t.Errorf("answers through the fast path:\n%s\nthrough net/http:\n%s", gotAnswers, wantAnswers)
	}
	if gotLogs != wantLogs {
		t.Errorf("log through the fast path:\n%s\nthrough net/http:\n%s", gotLogs, wantLogs)
	}
	// The API's 404 is net/http's, and so is what follows it on the connection.
	if n := viaNetHTTP.Load(); n != 2 {
		t.Errorf("%d requests reached net/http under the fast path, want 2", n)
	}
	if strings.Count(wantLogs, "msg=request") != len(script) {
		t.Errorf("the log has not a line per request:\n%s", wantLogs)
	}
}

var dateLine = regexp.MustCompile(`Date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT`)

// syncBuffer is a bytes.Buffer that a server's goroutines may write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
