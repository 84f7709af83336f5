package deploy

import (
	"net/http/httptest"
	"strings"
	"testing"
)

var redirectSite = map[string]string{
	"index.html":           "home",
	"404.html":             "non trovata",
	"nuova/index.html":     "nuova",
	"news/index.html":      "indice news",
	"esiste.html":          "file esistente",
	"app/index.html":       "app shell",
	"store-closed.html":    "negozio chiuso",
	"blog/12.html":         "post 12",
	"en/index.html":        "english",
	"it/index.html":        "italiano",
	"en/404.html":          "english 404",
	"forced/index.html":    "forced target",
	"shadowed/index.html":  "shadowed file",
	"blog-2024-03-01.html": "post del giorno",
	"ordinanze/index.html": "ordinanze",
	"riservata/index.html": "riservata",
	"anteprima/index.html": "anteprima",
	"_redirects": `# Netlify _redirects, one rule per line
/vecchia            /nuova/
/temporanea         /nuova/            302
/esiste             /nuova/
/forzata/esiste     /nuova/            301!
/esiste-forzato     /nuova/            302!
/news/*             /blog/:splat
/articoli/*         /blog/:splat       302
/vai/*              /:splat            302
/giorno/:year/:month/:day  /blog-:year-:month-:day.html 200
/ecommerce/*        /store-closed      404
/app/*              /app/index.html    200
/spa                /app/              200
/store id=:id       /blog/:id          301
/cerca q=multe      /ordinanze/        302
/lista page=:p sort=:s /ordinanze/?p=:p&s=:s 302
/esterno            https://www.comune.torino.it/ 301
/esterno/*          https://www.comune.torino.it/:splat 302
/primo              /nuova/            301
/primo              /ordinanze/        301
/lang               /en/               302  Language=en
/lang               /it/               302
/riservata          /anteprima/        302! Cookie=nf_jwt
/forced/            /ordinanze/        200!
/sparita            /sparita-anche-qui 200
/esplicita          /ordinanze/?da=regola 301
/gone               /nulla             410
/ancora             /nuova/            307
/ancora-perm        /nuova/            308
/altro              /nuova/            303
`,
	"netlify.toml": `
[build]
  publish = "public"

[[redirects]]
  from = "/toml-vecchia"
  to = "/nuova/"

[[redirects]]
  from = "/toml-forzata"
  to = "/ordinanze/"
  status = 302
  force = true

[[redirects]]
  from = "/toml-query"
  to = "/blog/:id"
  query = {id = ":id"}

[[redirects]]
  from = "/toml-lingua"
  to = "/en/"
  status = 302
  conditions = {Language = ["en", "de"]}

[[redirects]]
  from = "/primo"
  to = "/anteprima/"
`,
}

func TestRedirects(t *testing.T) {
	_, srv := liveServer(t, redirectSite, ServerOptions{})
	tests := []struct {
		name     string
		target   string
		header   []string
		status   int
		location string
		body     string
	}{
		{"301 is the default", "/vecchia", nil, 301, "/nuova/", ""},
		{"trailing slash is ignored when matching", "/vecchia/", nil, 301, "/nuova/", ""},
		{"302", "/temporanea", nil, 302, "/nuova/", ""},
		{"303", "/altro", nil, 303, "/nuova/", ""},
		{"307", "/ancora", nil, 307, "/nuova/", ""},
		{"308", "/ancora-perm", nil, 308, "/nuova/", ""},
		{"query string passes through", "/vecchia?utm=x&a=b", nil, 301, "/nuova/?utm=x&a=b", ""},
		{"an existing file shadows the rule", "/esiste", nil, 200, "", "file esistente"},
		{"a forced rule beats an existing file", "/esiste-forzato", nil, 302, "/nuova/", ""},
		{"a forced rule still needs a match", "/forzata/esiste", nil, 301, "/nuova/", ""},
		{"a forced rewrite replaces an existing page", "/forced/", nil, 200, "", "ordinanze"},
		{"splat", "/news/2024/multe", nil, 301, "/blog/2024/multe", ""},
		{"splat shadowed by the index of /news/", "/news/", nil, 200, "", "indice news"},
		{"splat with 302", "/articoli/a/b", nil, 302, "/blog/a/b", ""},
		{"splat matches the bare prefix", "/articoli", nil, 302, "/blog/", ""},
		{"placeholders and 200 rewrite", "/giorno/2024/03/01", nil, 200, "", "post del giorno"},
		{"placeholders need every segment", "/giorno/2024/03", nil, 404, "", "non trovata"},
		{"404 rule serves content with 404", "/ecommerce/scarpe", nil, 404, "", "negozio chiuso"},
		{"SPA rewrite", "/app/impostazioni/profilo", nil, 200, "", "app shell"},
		{"rewrite to a directory", "/spa", nil, 200, "", "app shell"},
		{"query placeholder", "/store?id=12", nil, 301, "/blog/12", ""},
		{"query placeholder required", "/store", nil, 404, "", "non trovata"},
		{"literal query value", "/cerca?q=multe", nil, 302, "/ordinanze/", ""},
		{"literal query value differs", "/cerca?q=ztl", nil, 404, "", ""},
		{"two query placeholders", "/lista?sort=data&page=2", nil, 302, "/ordinanze/?p=2&s=data", ""},
		{"destination query replaces the request's", "/esplicita?x=1", nil, 301, "/ordinanze/?da=regola", ""},
		{"external destination", "/esterno?a=1", nil, 301, "https://www.comune.torino.it/?a=1", ""},
		{"external with splat", "/esterno/uffici/vigili", nil, 302, "https://www.comune.torino.it/uffici/vigili", ""},
		{"first match wins", "/primo", nil, 301, "/nuova/", ""},
		{"language condition", "/lang", []string{"Accept-Language", "en-GB,en;q=0.9"}, 302, "/en/", ""},
		{"language condition falls through", "/lang", []string{"Accept-Language", "it-IT"}, 302, "/it/", ""},
		{"language with q=0 is refused", "/lang", []string{"Accept-Language", "en;q=0, it"}, 302, "/it/", ""},
		{"cookie condition", "/riservata", []string{"Cookie", "nf_jwt=abc"}, 302, "/anteprima/", ""},
		{"cookie absent: the file is served", "/riservata", nil, 301, "/riservata/", ""},
		{"rewrite to a missing file is a 404", "/sparita", nil, 404, "", "non trovata"},
		{"410 without content", "/gone", nil, 410, "", "Gone\n"},
		{"toml default 301", "/toml-vecchia", nil, 301, "/nuova/", ""},
		{"toml force", "/toml-forzata", nil, 302, "/ordinanze/", ""},
		{"toml query", "/toml-query?id=12", nil, 301, "/blog/12", ""},
		{"toml language list", "/toml-lingua", []string{"Accept-Language", "de-CH"}, 302, "/en/", ""},
		{"language 404 after no rule matched", "/en/nulla", nil, 404, "", "english 404"},
		{"a splat cannot point to another host", "/vai/%5C%5Cevil.example", nil, 302, "/evil.example", ""},
		{"nor can an encoded slash", "/vai/%2F%2Fevil.example", nil, 302, "/evil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, srv, "GET", tt.target, tt.header...)
			if r.status != tt.status {
				t.Fatalf("%s: status = %d, want %d (Location %q, body %q)", tt.target, r.status, tt.status, r.header.Get("Location"), r.body)
			}
			if got := r.header.Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if tt.body != "" && r.body != tt.body {
				t.Errorf("body = %q, want %q", r.body, tt.body)
			}
		})
	}
}

func TestRedirectDomainRule(t *testing.T) {
	_, srv := liveServer(t, map[string]string{
		"index.html": "home",
		"_redirects": "http://vigili.example.it/* https://www.example.it/polizia/:splat 301!\n",
	}, ServerOptions{})
	req := httptest.NewRequest("GET", "/multe", nil)
	req.Host = "vigili.example.it:8080"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 301 || rec.Header().Get("Location") != "https://www.example.it/polizia/multe" {
		t.Errorf("domain rule: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if r := get(t, srv, "GET", "/"); r.status != 200 {
		t.Errorf("domain rule applied to another host: %d", r.status)
	}
}

func TestParseRedirectsErrors(t *testing.T) {
	tests := map[string]struct {
		line, want string
	}{
		"missing destination":    {"/solo", "at least a source and a destination"},
		"query without dest":     {"/store id=:id", "no destination"},
		"relative source":        {"vecchia /nuova", "must start with /"},
		"relative destination":   {"/vecchia nuova", "must be a path"},
		"unsupported status":     {"/a /b 418", "status 418 is not supported"},
		"not a status":           {"/a /b 30x", "not a status code"},
		"proxy":                  {"/api/* https://api.example.it/:splat 200", "proxying"},
		"unknown condition":      {"/a /b 302 Role=admin", "condition Role"},
		"garbage after status":   {"/a /b 302 oops", "conditions are written"},
		"placeholder used twice": {"/:a/:a /b", "appears twice"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseRedirectsFile("_redirects", []byte("# commento\n\n"+tt.line+"\n"))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "_redirects:3: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want _redirects:3 and %q", err, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	params := map[string]string{"splat": "a/b", "year": "2024", "id": "7"}
	tests := map[string]string{
		"/blog/:splat":                   "/blog/a/b",
		"/y-:year/:id.html":              "/y-2024/7.html",
		"https://host:8443/:splat":       "https://host:8443/a/b",
		"/:unknown/x":                    "/:unknown/x",
		"/plain":                         "/plain",
		"/:year-:id":                     "/2024-7",
		"/q?x=:id":                       "/q?x=7",
		"https://www.example.it/:splat/": "https://www.example.it/a/b/",
	}
	for in, want := range tests {
		if got := expand(in, params); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}
