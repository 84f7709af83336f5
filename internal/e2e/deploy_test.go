package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// waitBody polls url until its body contains want: a publish by another
// process reaches a running server within its reload interval.
func waitBody(t *testing.T, url, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		resp, body := get(t, url)
		if resp.StatusCode == http.StatusOK && strings.Contains(body, want) {
			return
		}
		last = body
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never showed %q; last body %.200q", url, want, last)
}

func TestDeployCreatePublishRollbackAndPrune(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	s := start(t, "serve", "--data", data)

	v1 := writeSite(t, map[string]string{"index.html": "<h1>versione uno</h1>"})
	v2 := writeSite(t, map[string]string{"index.html": "<h1>versione due</h1>", "_redirects": "/vecchia /  301\n"})

	r1 := portale(t, "deploy", "create", "--data", data, "--from", v1)
	if r1.code != 0 {
		t.Fatalf("create v1: %s", r1.stderr)
	}
	id1 := strings.TrimSpace(r1.stdout)
	waitBody(t, s.url+"/", "versione uno")

	r2 := portale(t, "deploy", "create", "--data", data, "--from", v2)
	if r2.code != 0 {
		t.Fatalf("create v2: %s", r2.stderr)
	}
	id2 := strings.TrimSpace(r2.stdout)
	if id1 == "" || id2 == "" || id1 == id2 {
		t.Fatalf("deploy ids %q and %q", id1, id2)
	}
	waitBody(t, s.url+"/", "versione due")

	list := portale(t, "deploy", "list", "--data", data)
	if !strings.Contains(list.stdout, "*  "+id2) || strings.Contains(list.stdout, "*  "+id1) {
		t.Errorf("list does not mark %s as live:\n%s", id2, list.stdout)
	}

	if res := portale(t, "deploy", "publish", "--data", data, id1); res.code != 0 {
		t.Fatalf("rollback: %s", res.stderr)
	}
	waitBody(t, s.url+"/", "versione uno")

	pv := writeSite(t, map[string]string{"index.html": "<h1>bozza</h1>"})
	if res := portale(t, "deploy", "create", "--data", data, "--from", pv, "--preview", "bozza"); res.code != 0 {
		t.Fatalf("preview: %s", res.stderr)
	}
	waitBody(t, s.url+"/_preview/bozza/", "bozza")
	if _, body := get(t, s.url+"/"); !strings.Contains(body, "versione uno") {
		t.Errorf("a preview changed the live site: %q", body)
	}

	prune := portale(t, "deploy", "prune", "--data", data, "--keep", "0")
	if prune.code != 0 || !strings.Contains(prune.stdout, "Eliminati 1 deploy") {
		t.Errorf("prune = %d %q, want the one unreferenced deploy removed", prune.code, prune.stdout)
	}
	if _, body := get(t, s.url+"/"); !strings.Contains(body, "versione uno") {
		t.Errorf("prune broke the live site")
	}

	// A city serving static files from a bucket copies the live deploy there.
	bucket := t.TempDir()
	res := portale(t, "deploy", "push", "--data", data, "--to", "file://"+bucket)
	if res.code != 0 || !strings.Contains(res.stdout, "copiato") {
		t.Fatalf("push = %d %q %q", res.code, res.stdout, res.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(bucket, "index.html")); err != nil || !strings.Contains(string(b), "versione uno") {
		t.Errorf("the bucket does not hold the live index.html: %q %v", b, err)
	}
	if again := portale(t, "deploy", "push", "--data", data, "--to", "file://"+bucket); !strings.Contains(again.stdout, "0 file caricati") {
		t.Errorf("a second push uploaded again: %q", again.stdout)
	}

	if res := portale(t, "deploy", "publish", "--data", data, "inesistente"); res.code != 1 || !strings.Contains(res.stderr, "non esiste") {
		t.Errorf("publishing an unknown deploy = %d %q", res.code, res.stderr)
	}
}
