package deploy

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestPublishUnderLoad publishes two deploys back and forth while clients
// fetch a page, a 40 KB file held in memory and a file too big for memory:
// every response must be wholly one deploy's content, and never come with
// the other deploy's headers. It runs through net/http alone and through
// the fast path, which answers the first two itself.
func TestPublishUnderLoad(t *testing.T) {
	t.Run("net/http", func(t *testing.T) {
		testPublishUnderLoad(t, func(srv *Server) string {
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			return ts.URL
		})
	})
	t.Run("fast path", func(t *testing.T) {
		testPublishUnderLoad(t, func(srv *Server) string {
			fs := &FastServer{Site: srv, Fallback: &http.Server{Handler: srv}}
			return "http://" + serveOn(t, fs.Serve, func() { fs.Close() })
		})
	})
}

func testPublishUnderLoad(t *testing.T, serve func(*Server) string) {
	s := openStore(t)
	pageA := strings.Repeat("A", 3000)
	pageB := strings.Repeat("B", 5000)
	big := make([]byte, 200<<10)
	rand.Read(big)
	midA, midB := big[:40<<10], big[50<<10:80<<10]
	a := mustCreate(t, s, map[string]string{"index.html": pageA, "big.bin": string(big), "mid.bin": string(midA), "_headers": "/*\n  X-Deploy: A\n"})
	b := mustCreate(t, s, map[string]string{"index.html": pageB, "big.bin": string(big[:100<<10]), "mid.bin": string(midB), "_headers": "/*\n  X-Deploy: B\n"})
	if err := s.Publish(a.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{MemoryFileLimit: 64 << 10})
	url := serve(srv)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var seenA, seenB atomic.Int64
	errs := make(chan error, 100)
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				for _, p := range []string{"/", "/mid.bin", "/big.bin"} {
					res, err := http.Get(url + p)
					if err != nil {
						errs <- err
						return
					}
					body, err := io.ReadAll(res.Body)
					res.Body.Close()
					if err != nil {
						errs <- err
						return
					}
					tag := res.Header.Get("X-Deploy")
					var want []byte
					switch {
					case p == "/" && tag == "A":
						want = []byte(pageA)
					case p == "/" && tag == "B":
						want = []byte(pageB)
					case p == "/mid.bin" && tag == "A":
						want = midA
					case p == "/mid.bin" && tag == "B":
						want = midB
					case tag == "A":
						want = big
					case tag == "B":
						want = big[:100<<10]
					default:
						errs <- fmt.Errorf("%s: status %d, X-Deploy %q", p, res.StatusCode, tag)
						return
					}
					if !bytes.Equal(body, want) {
						errs <- fmt.Errorf("%s: deploy %s header with %d bytes of other content", p, tag, len(body))
						return
					}
					if tag == "A" {
						seenA.Add(1)
					} else {
						seenB.Add(1)
					}
				}
			}
		})
	}
	for i := range 40 {
		id := b.ID
		if i%2 == 1 {
			id = a.ID
		}
		if err := s.Publish(id); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if seenA.Load() == 0 || seenB.Load() == 0 {
		t.Errorf("clients saw %d responses of A and %d of B; want both", seenA.Load(), seenB.Load())
	}
}

// TestRollbackRestoresBytes checks that publishing an older deploy serves
// exactly its bytes again, without a rebuild.
func TestRollbackRestoresBytes(t *testing.T) {
	s := openStore(t)
	v1 := map[string]string{"index.html": "<p>versione 1</p>", "css/a.css": bigCSS, "removed.html": "solo in v1"}
	v2 := map[string]string{"index.html": "<p>versione 2</p>", "css/a.css": bigCSS + "p{}"}
	d1, d2 := mustCreate(t, s, v1), mustCreate(t, s, v2)
	srv := NewServer(s, ServerOptions{})
	check := func(files map[string]string, gone string) {
		t.Helper()
		for name, want := range files {
			if r := get(t, srv, "GET", "/"+name); r.status != 200 || r.body != want {
				t.Errorf("/%s = %d %q, want %q", name, r.status, r.body, want)
			}
		}
		if gone != "" {
			if r := get(t, srv, "GET", gone); r.status != 404 {
				t.Errorf("%s = %d, want 404", gone, r.status)
			}
		}
	}
	for _, step := range []struct {
		id    string
		files map[string]string
		gone  string
	}{{d1.ID, v1, ""}, {d2.ID, v2, "/removed.html"}, {d1.ID, v1, ""}} {
		if err := s.Publish(step.id); err != nil {
			t.Fatal(err)
		}
		check(step.files, step.gone)
	}
}

// TestReloadSeesOtherProcess publishes through a second Store handle, as the
// CLI does in another process: the server switches on Reload.
func TestReloadSeesOtherProcess(t *testing.T) {
	s := openStore(t)
	d1 := mustCreate(t, s, map[string]string{"index.html": "uno"})
	if err := s.Publish(d1.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{})
	other, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	d2 := mustCreate(t, other, map[string]string{"index.html": "due"})
	if err := other.Publish(d2.ID); err != nil {
		t.Fatal(err)
	}
	if r := get(t, srv, "GET", "/"); r.body != "uno" {
		t.Fatalf("switched before Reload: %q", r.body)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if r := get(t, srv, "GET", "/"); r.body != "due" {
		t.Errorf("after Reload: %q, want due", r.body)
	}
	if err := other.PublishPreview("bozza", d1.ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if r := get(t, srv, "GET", "/_preview/bozza/"); r.body != "uno" {
		t.Errorf("preview after Reload: %q, want uno", r.body)
	}
}

func TestPreviews(t *testing.T) {
	s := openStore(t)
	live := mustCreate(t, s, map[string]string{"index.html": "live"})
	draft := mustCreate(t, s, map[string]string{
		"index.html":       "bozza",
		"multe/index.html": "multe in bozza",
		"_redirects":       "/vecchia /multe/ 301\n",
	})
	if err := s.Publish(live.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.PublishPreview("ztl", draft.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{PreviewDomain: "anteprima.comune.example"})
	tests := []struct {
		host, path string
		status     int
		body       string
		location   string
	}{
		{"", "/_preview/ztl/", 200, "bozza", ""},
		{"", "/_preview/ztl", 301, "", "/_preview/ztl/"},
		{"", "/_preview/ztl/multe", 301, "", "/_preview/ztl/multe/"},
		{"", "/_preview/ztl/multe/", 200, "multe in bozza", ""},
		{"", "/_preview/ztl/vecchia", 301, "", "/_preview/ztl/multe/"},
		{"", "/_preview/altro/", 404, "", ""},
		{"ztl.anteprima.comune.example", "/", 200, "bozza", ""},
		{"ztl.anteprima.comune.example", "/vecchia", 301, "", "/multe/"},
		{"", "/", 200, "live", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host+tt.path, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.host != "" {
				req.Host = tt.host
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d", rec.Code, tt.status)
			}
			if tt.body != "" && rec.Body.String() != tt.body {
				t.Errorf("body = %q, want %q", rec.Body.String(), tt.body)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			isPreview := tt.host != "" || strings.HasPrefix(tt.path, "/_preview/")
			if got := rec.Header().Get("X-Robots-Tag"); isPreview != (got == "noindex") {
				t.Errorf("X-Robots-Tag = %q on %s", got, tt.path)
			}
		})
	}
	if err := s.RemovePreview("ztl"); err != nil {
		t.Fatal(err)
	}
	if r := get(t, srv, "GET", "/_preview/ztl/"); r.status != 404 {
		t.Errorf("removed preview still served: %d", r.status)
	}
}

func TestWatch(t *testing.T) {
	s := openStore(t)
	d1 := mustCreate(t, s, map[string]string{"index.html": "uno"})
	if err := s.Publish(d1.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Watch(ctx, 5*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()

	other, _ := Open(s.Dir())
	d2 := mustCreate(t, other, map[string]string{"index.html": "due"})
	if err := other.Publish(d2.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for get(t, srv, "GET", "/").body != "due" {
		if time.Now().After(deadline) {
			t.Fatal("Watch did not pick up the publish of another process")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
