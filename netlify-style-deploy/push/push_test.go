package push

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	deploy "github.com/comune-torino/portale/netlify-style-deploy"
	"gocloud.dev/blob"
)

func create(t *testing.T, s *deploy.Store, files map[string]string) string {
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
	d, err := s.Create(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func TestPush(t *testing.T) {
	ctx := context.Background()
	s, err := deploy.Open(filepath.Join(t.TempDir(), "deploys"))
	if err != nil {
		t.Fatal(err)
	}
	bucketDir := t.TempDir()
	url := "file://" + filepath.ToSlash(bucketDir)

	d1 := create(t, s, map[string]string{
		"index.html":                    "<h1>uno</h1>",
		"css/main.5d41402abc4b2a76.css": "body{}",
		"vecchia.html":                  "da togliere",
		"_redirects":                    "/a /b\n",
	})
	res, err := Push(ctx, s, d1, url)
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 3 || res.Unchanged != 0 || res.Deleted != 0 || len(res.RulesIgnored) != 1 {
		t.Errorf("first push: %+v", res)
	}

	d2 := create(t, s, map[string]string{
		"index.html":                    "<h1>due</h1>",
		"css/main.5d41402abc4b2a76.css": "body{}",
	})
	res, err = Push(ctx, s, d2, url)
	if err != nil {
		t.Fatal(err)
	}
	if res.Uploaded != 1 || res.Unchanged != 1 || res.Deleted != 1 || res.Bytes != int64(len("<h1>due</h1>")) || len(res.RulesIgnored) != 0 {
		t.Errorf("second push: %+v", res)
	}

	bucket, err := blob.OpenBucket(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	tests := []struct {
		key, body, typ, cache string
	}{
		{"index.html", "<h1>due</h1>", "text/html; charset=utf-8", "public, max-age=0, must-revalidate"},
		{"css/main.5d41402abc4b2a76.css", "body{}", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
	}
	for _, tt := range tests {
		body, err := bucket.ReadAll(ctx, tt.key)
		if err != nil || string(body) != tt.body {
			t.Errorf("%s = %q, %v", tt.key, body, err)
		}
		attrs, err := bucket.Attributes(ctx, tt.key)
		if err != nil {
			t.Fatal(err)
		}
		if attrs.ContentType != tt.typ || attrs.CacheControl != tt.cache {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", tt.key, attrs.ContentType, attrs.CacheControl)
		}
	}
	for _, gone := range []string{"vecchia.html", "_redirects"} {
		if ok, _ := bucket.Exists(ctx, gone); ok {
			t.Errorf("%s is in the bucket", gone)
		}
	}

	if _, err := Push(ctx, s, "20200101T000000000000-abcdef", url); err == nil {
		t.Error("push of an unknown deploy succeeded")
	}
}
