package deploy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// writeSite writes files (slash paths → content) into a fresh directory.
func writeSite(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "deploys"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustCreate(t testing.TB, s *Store, files map[string]string) Deploy {
	t.Helper()
	d, err := s.Create(context.Background(), writeSite(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// liveServer creates a deploy of files, publishes it and returns a Server.
func liveServer(t testing.TB, files map[string]string, opts ServerOptions) (*Store, *Server) {
	t.Helper()
	s := openStore(t)
	d := mustCreate(t, s, files)
	if err := s.Publish(d.ID); err != nil {
		t.Fatal(err)
	}
	srv := NewServer(s, opts)
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	return s, srv
}

type response struct {
	status int
	header http.Header
	body   string
}

// get sends a request through the handler; header pairs are name, value, ….
func get(t testing.TB, h http.Handler, method, target string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}
