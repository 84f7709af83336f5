package deploy

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"slices"
	"testing"

	"golang.org/x/net/http/httpguts"
)

func TestParseHead(t *testing.T) {
	cases := map[string]struct {
		head  string
		state headState
	}{
		"GET":                     {"GET /a/b.css?v=1 HTTP/1.1\r\nHost: x\r\n\r\n", headFast},
		"HEAD":                    {"HEAD / HTTP/1.1\r\nhost: x:8080\r\n\r\n", headFast},
		"headers ignored":         {"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\nUser-Agent: curl/8\r\n\r\n", headFast},
		"Content-Length 0":        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", headFast},
		"connection list":         {"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n", headFast},
		"half a request line":     {"GET /a/b", headIncomplete},
		"half a method":           {"HEA", headIncomplete},
		"half a header":           {"GET / HTTP/1.1\r\nHost: x\r\nAccept-Enc", headIncomplete},
		"no blank line yet":       {"GET / HTTP/1.1\r\nHost: x\r\n", headIncomplete},
		"half a blank line":       {"GET / HTTP/1.1\r\nHost: x\r\n\r", headIncomplete},
		"POST":                    {"POST / HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"lower-case method":       {"get / HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"HTTP/1.0":                {"GET / HTTP/1.0\r\nHost: x\r\n\r\n", headSlow},
		"HTTP/2 preface":          {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", headSlow},
		"absolute-form":           {"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"percent in the path":     {"GET /a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"dot segment":             {"GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"double slash":            {"GET //a HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"fragment":                {"GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"semicolon in the query":  {"GET /a?b;c HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"two spaces":              {"GET /  HTTP/1.1\r\nHost: x\r\n\r\n", headSlow},
		"bare LF":                 {"GET / HTTP/1.1\nHost: x\n\n", headSlow},
		"bare LF in headers":      {"GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n", headSlow},
		"bare CR in a value":      {"GET / HTTP/1.1\r\nHost: x\rA: b\r\n\r\n", headSlow},
		"obs-fold":                {"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n", headSlow},
		"space before the colon":  {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", headSlow},
		"no Host":                 {"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", headSlow},
		"two Hosts":               {"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", headSlow},
		"empty Host":              {"GET / HTTP/1.1\r\nHost: \r\n\r\n", headSlow},
		"Host with a slash":       {"GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", headSlow},
		"a body":                  {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", headSlow},
		"chunked":                 {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", headSlow},
		"Expect":                  {"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", headSlow},
		"Upgrade":                 {"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n", headSlow},
		"Range":                   {"GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n", headSlow},
		"If-Match":                {"GET / HTTP/1.1\r\nHost: x\r\nif-match: *\r\n\r\n", headSlow},
		"Connection: upgrade":     {"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n\r\n", headSlow},
		"a control byte":          {"GET / HTTP/1.1\r\nHost: x\r\nA: b\x00c\r\n\r\n", headSlow},
		"a non-ASCII byte":        {"GET / HTTP/1.1\r\nHost: x\r\nA: caff\xe8\r\n\r\n", headSlow},
		"many Accept-Encoding":    {"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: a\r\nAccept-Encoding: a\r\nAccept-Encoding: a\r\nAccept-Encoding: a\r\nAccept-Encoding: a\r\n\r\n", headSlow},
		"slow before it is whole": {"GET /%", headSlow},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var req fastRequest
			state, n := parseHead([]byte(c.head), &req)
			if state != c.state {
				t.Fatalf("state = %d, want %d", state, c.state)
			}
			if state == headFast && n != len(c.head) {
				t.Errorf("head length = %d, want %d", n, len(c.head))
			}
		})
	}
}

func TestParseHeadKeepsWhatTheAnswerNeeds(t *testing.T) {
	head := "HEAD /css/main.css?v=2 HTTP/1.1\r\nHost: multe.example.it\r\nAccept-Encoding:  gzip, br \r\n" +
		"If-None-Match: \"a\"\r\nIf-None-Match: W/\"b\"\r\nIf-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\n" +
		"If-Modified-Since: ieri\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n"
	var req fastRequest
	state, n := parseHead([]byte(head), &req)
	if state != headFast || head[n:] != "GET / HTTP/1.1\r\n" {
		t.Fatalf("state %d, rest %q", state, head[n:])
	}
	got := []string{req.method(), string(req.path), string(req.host), string(req.accept[0]), string(req.inm[0]), string(req.inm[1]), string(req.ims)}
	want := []string{"HEAD", "/css/main.css", "multe.example.it", "gzip, br", `"a"`, `W/"b"`, "Mon, 02 Jan 2006 15:04:05 GMT"}
	if !slices.Equal(got, want) || req.nAccept != 1 || req.nINM != 2 || !req.close {
		t.Errorf("parsed %q (%d Accept-Encoding, %d If-None-Match, close %v), want %q", got, req.nAccept, req.nINM, req.close, want)
	}
}

// FuzzParseHead checks that the fast path never takes a request net/http
// would read differently or refuse: whenever parseHead accepts a head,
// http.ReadRequest reads the same method, path, Host and headers from it,
// the server's own checks pass, and every shorter prefix of the head asks
// for more bytes rather than being taken or refused.
func FuzzParseHead(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /a/b.css?v=1 HTTP/1.1\r\nHost: multe.example.it:8080\r\nAccept-Encoding: gzip, br\r\n\r\n",
		"GET /multe/ HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"abc\", W/\"d\"\r\nIf-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br;q=0.5\r\nX-Forwarded-Proto: https\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n",
		"GET /a%20b HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx",
		"GET / HTTP/1.1\nHost: x\n\n",
		"GET /?a=%zz&b=\x7f HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req fastRequest
		state, n := parseHead(data, &req)
		if state != headFast {
			return
		}
		for k := range n {
			var prefix fastRequest
			if s, _ := parseHead(data[:k], &prefix); s != headIncomplete {
				t.Fatalf("the prefix %q of a fast head is %d, want incomplete", data[:k], s)
			}
		}
		br := bufio.NewReader(bytes.NewReader(data))
		r, err := http.ReadRequest(br)
		if err != nil {
			t.Fatalf("parseHead took %q, http.ReadRequest refuses it: %v", data[:n], err)
		}
		rest, _ := io.ReadAll(br)
		if !bytes.Equal(rest, data[n:]) {
			t.Fatalf("parseHead ends the head of %q at %d, net/http leaves %q", data, n, rest)
		}
		if r.Method != req.method() || r.URL.Path != string(req.path) || r.URL.RawPath != "" || r.Host != string(req.host) || r.ProtoMinor != 1 {
			t.Fatalf("%q: net/http reads %s %q (raw %q) Host %q HTTP/1.%d, parseHead %s %q Host %q",
				data[:n], r.Method, r.URL.Path, r.URL.RawPath, r.Host, r.ProtoMinor, req.method(), req.path, req.host)
		}
		if !httpguts.ValidHostHeader(r.Host) {
			t.Fatalf("%q: net/http's server refuses the Host", data[:n])
		}
		for name, values := range r.Header {
			if !httpguts.ValidHeaderFieldName(name) {
				t.Fatalf("%q: net/http's server refuses the header name %q", data[:n], name)
			}
			for _, v := range values {
				if !httpguts.ValidHeaderFieldValue(v) {
					t.Fatalf("%q: net/http's server refuses the value %q", data[:n], v)
				}
			}
		}
		var accept, inm []string
		for _, b := range req.accept[:req.nAccept] {
			accept = append(accept, string(b))
		}
		for _, b := range req.inm[:req.nINM] {
			inm = append(inm, string(b))
		}
		if !slices.Equal(accept, r.Header["Accept-Encoding"]) || !slices.Equal(inm, r.Header["If-None-Match"]) ||
			string(req.ims) != r.Header.Get("If-Modified-Since") {
			t.Fatalf("%q: net/http reads Accept-Encoding %q, If-None-Match %q, If-Modified-Since %q; parseHead %q, %q, %q",
				data[:n], r.Header["Accept-Encoding"], r.Header["If-None-Match"], r.Header.Get("If-Modified-Since"), accept, inm, req.ims)
		}
		if r.Close != req.close || r.ContentLength != 0 || len(r.TransferEncoding) != 0 || (r.Header["X-Forwarded-Proto"] != nil) != req.proto {
			t.Fatalf("%q: net/http reads Close %v, Content-Length %d, Transfer-Encoding %q; parseHead close %v",
				data[:n], r.Close, r.ContentLength, r.TransferEncoding, req.close)
		}
		for _, h := range []string{"Range", "If-Range", "If-Match", "If-Unmodified-Since", "Expect", "Upgrade"} {
			if r.Header[h] != nil {
				t.Fatalf("%q: parseHead took a request with %s", data[:n], h)
			}
		}
	})
}
