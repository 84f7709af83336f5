package deploy

import (
	"strings"
	"testing"
)

var headerSite = map[string]string{
	"index.html":                "home",
	"404.html":                  "non trovata",
	"multe/index.html":          "multe",
	"multe/2024/index.html":     "multe 2024",
	"css/main.css":              bigCSS,
	"css/main.1a2b3c4d5e6f.css": "a{}",
	"embed/mappa.html":          "mappa",
	"news/2024/ztl/index.html":  "ztl",
	"docs/guida.pdf":            "%PDF",
	"_headers": `# Netlify _headers
/*
  X-Site: portale
  Link: </css/main.css>; rel=preload; as=style

/multe/*
  X-Sezione: multe
  Link: </js/multe.js>; rel=preload; as=script

/multe/*
  X-Sezione: sanzioni

/embed/*
  X-Frame-Options: ALLOW-FROM https://www.comune.torino.it
  Content-Security-Policy: frame-ancestors https://www.comune.torino.it

/news/:year/:slug/
  X-Anno: si

/*.pdf
  Content-Disposition: attachment

/css/*
  Cache-Control: public, max-age=600
`,
	"netlify.toml": `
[[headers]]
  for = "/multe/*"
  [headers.values]
    X-Toml = "uno"
    Link = ["</img/a.png>; rel=preload", "</img/b.png>; rel=preload"]

[[headers]]
  for = "/embed/*"
  [headers.values]
    Permissions-Policy = """
      camera=(),
      geolocation=()"""
`,
}

func TestHeaders(t *testing.T) {
	_, srv := liveServer(t, headerSite, ServerOptions{})
	tests := []struct {
		name, path, header, want string
	}{
		{"splat on every path", "/", "X-Site", "portale"},
		{"splat on a 404", "/nulla", "X-Site", "portale"},
		{"prefix splat", "/multe/", "X-Site", "portale"},
		{"prefix splat matches the prefix itself", "/multe/", "X-Sezione", "multe, sanzioni"},
		{"repeated names join across blocks", "/multe/2024/", "X-Sezione", "multe, sanzioni"},
		{"repeated names join across files", "/multe/2024/", "Link",
			"</css/main.css>; rel=preload; as=style, </js/multe.js>; rel=preload; as=script, </img/a.png>; rel=preload, </img/b.png>; rel=preload"},
		{"not under the prefix", "/", "X-Sezione", ""},
		{"overrides a security default", "/embed/mappa.html", "Content-Security-Policy", "frame-ancestors https://www.comune.torino.it"},
		{"default kept elsewhere", "/", "Content-Security-Policy", DefaultContentSecurityPolicy},
		{"overrides X-Frame-Options", "/embed/mappa.html", "X-Frame-Options", "ALLOW-FROM https://www.comune.torino.it"},
		{"toml multi-line value joined", "/embed/mappa.html", "Permissions-Policy", "camera=(), geolocation=()"},
		{"toml header", "/multe/", "X-Toml", "uno"},
		{"placeholders", "/news/2024/ztl/", "X-Anno", "si"},
		{"placeholders need every segment", "/news/2024/", "X-Anno", ""},
		{"star inside a segment", "/docs/guida.pdf", "Content-Disposition", "attachment"},
		{"overrides Cache-Control", "/css/main.css", "Cache-Control", "public, max-age=600"},
		{"fingerprinted file overridden too", "/css/main.1a2b3c4d5e6f.css", "Cache-Control", "public, max-age=600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, "GET", tt.path)
			if got := strings.Join(r.header.Values(tt.header), " | "); got != tt.want {
				t.Errorf("%s %s = %q, want %q", tt.path, tt.header, got, tt.want)
			}
		})
	}
	// A 304 carries the custom headers too (RFC 9110 asks for Cache-Control).
	etag := get(t, srv, "GET", "/css/main.css").header.Get("ETag")
	r := get(t, srv, "GET", "/css/main.css", "If-None-Match", etag)
	if r.status != 304 || r.header.Get("Cache-Control") != "public, max-age=600" {
		t.Errorf("304: %d Cache-Control %q", r.status, r.header.Get("Cache-Control"))
	}
}

func TestParseHeadersErrors(t *testing.T) {
	tests := map[string]struct {
		text, want string
	}{
		"header before a path": {"X-A: b\n", "_headers:1: header \"X-A: b\" comes before any path"},
		"no colon":             {"/*\n  X-A b\n", "_headers:2: expected \"Header-Name: value\""},
		"bad name":             {"/*\n  X A: b\n", "_headers:2: \"X A\" is not a valid header name"},
		"empty value":          {"/*\n\n  X-A:\n", "_headers:3: header X-A has no value"},
		"repeated placeholder": {"/:a/:a\n  X-A: b\n", "_headers:1: placeholder :a appears twice"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseHeadersFile("_headers", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseNetlifyTOMLErrors(t *testing.T) {
	tests := map[string]struct {
		text, want string
	}{
		"syntax":          {"[build]\npublish = \"public\"\n[[redirects]\n", "netlify.toml:3:"},
		"wrong type":      {"\n[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = \"301\"\n", "netlify.toml:5:"},
		"missing from":    {"[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\n\n[[redirects]]\nto = \"/c\"\n", "netlify.toml:5: [[redirects]] needs a from"},
		"bad status":      {"[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = 999\n", "netlify.toml:1: status 999"},
		"proxy headers":   {"[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nheaders = {X = \"y\"}\n", "netlify.toml:1: headers and signed"},
		"headers no for":  {"[[headers]]\n[headers.values]\nX-A = \"b\"\n", "netlify.toml:1: [[headers]] needs a for"},
		"header not text": {"[[headers]]\nfor = \"/*\"\n[headers.values]\nX-A = 3\n", "netlify.toml:1: header X-A: the value must be a string"},
		"bad header name": {"[[headers]]\nfor = \"/*\"\n[headers.values]\n\"X A\" = \"b\"\n", "not a valid header name"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := parseNetlifyTOML("netlify.toml", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestFingerprinted(t *testing.T) {
	tests := map[string]bool{
		"css/main.3f2a9c8b1d4e.css":      true,
		"js/app-5d41402abc4b2a76.js":     true,
		"main.min.css":                   false,
		"bootstrap-italia.bundle.min.js": false,
		"img/logo-2024.png":              false,
		"fonts/deadbeef.woff2":           false,
		"a.12345678.js":                  true,
		"index.3f2a9c8b1d4e.html":        true,
	}
	for name, want := range tests {
		if got := isFingerprinted(name); got != want {
			t.Errorf("isFingerprinted(%q) = %v, want %v", name, got, want)
		}
	}
}
