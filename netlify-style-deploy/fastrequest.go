package deploy

import (
	"bytes"
	"net/http"
	"time"
)

// headState is what parseHead makes of the bytes read so far.
type headState int

const (
	// headIncomplete: the bytes are the start of a request the fast path
	// may take; read more.
	headIncomplete headState = iota
	// headSlow: not a request for the fast path; net/http gets it.
	headSlow
	// headFast: a complete request head the fast path understands.
	headFast
)

// maxRepeated bounds the lines of one header the fast path keeps; a
// request repeating Accept-Encoding or If-None-Match more goes to net/http.
const maxRepeated = 4

// fastRequest is a request head as the fast path reads it: only what the
// answer of a static file depends on. The slices point into the
// connection's buffer and are valid until the next read.
type fastRequest struct {
	head     bool   // HEAD rather than GET
	path     []byte // origin-form path, without the query
	host     []byte
	accept   [maxRepeated][]byte // Accept-Encoding lines
	nAccept  int
	inm      [maxRepeated][]byte // If-None-Match lines
	nINM     int
	ims      []byte // the first If-Modified-Since line
	seenIMS  bool
	seenCL   bool
	proto    bool // X-Forwarded-Proto is present
	close    bool // Connection: close
	hostSeen bool
}

func (req *fastRequest) method() string {
	if req.head {
		return http.MethodHead
	}
	return http.MethodGet
}

// parseHead reads the request head at the start of b strictly: GET or HEAD
// of an origin-form target with plain characters, HTTP/1.1, CRLF line
// endings, well-formed header lines, exactly one Host, and no body. It
// returns headFast and the length of the head when b starts with such a
// head; headSlow as soon as b cannot be one, whatever follows, which is
// always safe since net/http then reads the same bytes. The rules are
// narrower than HTTP's on purpose: anything unusual is net/http's.
func parseHead(b []byte, req *fastRequest) (headState, int) {
	*req = fastRequest{}
	var i int
	switch {
	case bytes.HasPrefix(b, []byte("GET ")):
		i = 4
	case bytes.HasPrefix(b, []byte("HEAD ")):
		i, req.head = 5, true
	case isPrefix(b, "GET ") || isPrefix(b, "HEAD "):
		return headIncomplete, 0
	default:
		return headSlow, 0
	}

	start, pathEnd := i, -1
	for ; i < len(b) && b[i] != ' '; i++ {
		c := b[i]
		switch {
		case i == start && c != '/':
			return headSlow, 0
		case pathEnd < 0 && c == '?':
			pathEnd = i
		case pathEnd < 0 && !isPathByte(c), pathEnd >= 0 && !isQueryByte(c):
			return headSlow, 0
		}
	}
	if i == len(b) {
		return headIncomplete, 0
	}
	if pathEnd < 0 {
		pathEnd = i
	}
	req.path = b[start:pathEnd]
	// Such paths are cleaned by the server before lookup: net/http's.
	if len(req.path) == 0 || bytes.Contains(req.path, []byte("//")) || bytes.Contains(req.path, []byte("/.")) {
		return headSlow, 0
	}
	i++
	const proto = "HTTP/1.1\r\n"
	if rest := b[i:]; len(rest) < len(proto) {
		if isPrefix(rest, proto) {
			return headIncomplete, 0
		}
		return headSlow, 0
	} else if string(rest[:len(proto)]) != proto {
		return headSlow, 0
	}
	i += len(proto)

	for {
		if i+1 >= len(b) {
			if i == len(b) || b[i] == '\r' {
				return headIncomplete, 0
			}
		}
		if b[i] == '\r' {
			if b[i+1] != '\n' {
				return headSlow, 0
			}
			if !req.hostSeen {
				return headSlow, 0
			}
			return headFast, i + 2
		}
		nameStart := i
		for i < len(b) && isTokenByte(b[i]) {
			i++
		}
		if i == len(b) {
			return headIncomplete, 0
		}
		if b[i] != ':' || i == nameStart {
			return headSlow, 0
		}
		name := b[nameStart:i]
		i++
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		valueStart := i
		for i < len(b) && b[i] != '\r' {
			if !isValueByte(b[i]) {
				return headSlow, 0
			}
			i++
		}
		if i+1 >= len(b) {
			return headIncomplete, 0
		}
		if b[i+1] != '\n' {
			return headSlow, 0
		}
		value := bytes.TrimRight(b[valueStart:i], " \t")
		i += 2
		if !req.header(name, value) {
			return headSlow, 0
		}
	}
}

// header records a header line and reports whether the request can still
// take the fast path. Headers a static answer does not depend on are
// ignored, as Server.ServeHTTP ignores them.
func (req *fastRequest) header(name, value []byte) bool {
	switch {
	case equalFold(name, "host"):
		if req.hostSeen || len(value) == 0 {
			return false
		}
		for _, c := range value {
			if !isAlnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']' {
				return false
			}
		}
		req.host, req.hostSeen = value, true
	case equalFold(name, "accept-encoding"):
		if req.nAccept == maxRepeated {
			return false
		}
		req.accept[req.nAccept] = value
		req.nAccept++
	case equalFold(name, "if-none-match"):
		if req.nINM == maxRepeated {
			return false
		}
		req.inm[req.nINM] = value
		req.nINM++
	case equalFold(name, "if-modified-since"):
		if !req.seenIMS {
			req.ims, req.seenIMS = value, true
		}
	case equalFold(name, "connection"):
		for part := range bytes.SplitSeq(value, []byte(",")) {
			switch token := bytes.Trim(part, " \t"); {
			case equalFold(token, "close"):
				req.close = true
			case !equalFold(token, "keep-alive"):
				return false
			}
		}
	case equalFold(name, "content-length"):
		if req.seenCL || string(value) != "0" {
			return false
		}
		req.seenCL = true
	case equalFold(name, "x-forwarded-proto"):
		req.proto = true
	case equalFold(name, "transfer-encoding"), equalFold(name, "expect"), equalFold(name, "upgrade"),
		equalFold(name, "range"), equalFold(name, "if-range"), equalFold(name, "if-match"),
		equalFold(name, "if-unmodified-since"):
		return false
	}
	return true
}

// notModified is notModified (server.go) over the request's own lines.
func (req *fastRequest) notModified(etag string, lastModified time.Time) bool {
	if req.nINM > 0 {
		for _, line := range req.inm[:req.nINM] {
			for tag := range bytes.SplitSeq(line, []byte(",")) {
				tag = bytes.TrimPrefix(bytes.Trim(tag, " \t"), []byte("W/"))
				if string(tag) == etag || string(tag) == "*" {
					return true
				}
			}
		}
		return false
	}
	if len(req.ims) > 0 {
		t, err := http.ParseTime(string(req.ims))
		return err == nil && !lastModified.After(t)
	}
	return false
}

// isPathByte: letters, digits and - . _ ~ / — what a built site's file
// names are made of, and what needs neither decoding nor escaping.
func isPathByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/'
}

// isQueryByte: printable ASCII but '#', and ';', which net/http warns about.
// A file's answer does not depend on the query.
func isQueryByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '#' && c != ';'
}

func isTokenByte(c byte) bool { return tokenBytes[c] }

// tokenBytes is isTokenChar as a table: header names are checked byte by
// byte on every request.
var tokenBytes = func() (t [256]bool) {
	for c := range 0x80 {
		t[c] = isTokenChar(rune(c))
	}
	return t
}()

// isValueByte: visible ASCII, space and tab; control characters and
// non-ASCII bytes are left to net/http.
func isValueByte(c byte) bool {
	return (c >= ' ' && c < 0x7f) || c == '\t'
}

// isPrefix reports whether b is a prefix of s.
func isPrefix(b []byte, s string) bool {
	return len(b) < len(s) && string(b) == s[:len(b)]
}

// equalFold compares b with lower, which is in lower case, ignoring the
// case of ASCII letters.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
