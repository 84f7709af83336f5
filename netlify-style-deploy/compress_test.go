package deploy

import (
	"testing"

	"github.com/andybalholm/brotli"
)

// Documents, which change with every publish, are compressed fast; assets,
// compressed once and cached for a year, as small as brotli can.
func TestBrotliLevelByType(t *testing.T) {
	for typ, want := range map[string]int{
		"text/html; charset=utf-8":           5,
		"application/json":                   5,
		"application/xml":                    5,
		"application/rss+xml; charset=utf-8": 5,
		"application/manifest+json":          5,
		"text/plain; charset=utf-8":          5,
		"text/css; charset=utf-8":            brotli.BestCompression,
		"text/javascript; charset=utf-8":     brotli.BestCompression,
		"application/wasm":                   brotli.BestCompression,
		"image/svg+xml":                      5,
		"font/ttf":                           brotli.BestCompression,
	} {
		if got := brotliLevel(typ); got != want {
			t.Errorf("brotliLevel(%q) = %d, want %d", typ, got, want)
		}
	}
}
