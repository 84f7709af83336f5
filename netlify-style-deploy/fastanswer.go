package deploy

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// fastAnswer is what the fast path writes for a request: head, then the
// Date line (and Connection: close), then body.
type fastAnswer struct {
	head, body []byte
	status     int
}

// answer finds the answer to the request c has just read when it is a 200
// or a 304 of a file of the live deploy held in memory, exactly as
// Server.ServeHTTP behind net/http would give it; ok is false for any other
// request, which goes to net/http.
func (fs *FastServer) answer(c *fastConn) (a fastAnswer, ok bool) {
	req, srv := &c.req, fs.Site
	st := srv.state.Load().live
	switch {
	case st == nil, req.proto && srv.opts.TrustForwardedProto,
		bytes.HasPrefix(req.path, []byte(previewPrefix)), srv.isPreviewHost(req.host):
		return a, false
	}
	rt := st.routes[string(req.path)]
	if rt == nil || rt.addSlash || rt.shadowed || !fs.reachable(st, req) {
		return a, false
	}
	heads := rt.heads()
	if heads.none {
		return a, false
	}
	v, i := rt.asset.identity, identityVariant
	if rt.asset.gzip != nil || rt.asset.brotli != nil {
		v = rt.asset.pick(c.qualities())
		switch v {
		case rt.asset.gzip:
			i = gzipVariant
		case rt.asset.brotli:
			i = brotliVariant
		}
	}
	if v.data == nil {
		return a, false
	}
	if req.notModified(v.etag, st.lastModified) {
		return fastAnswer{head: heads.head(rt, v, i, http.StatusNotModified), status: http.StatusNotModified}, true
	}
	a = fastAnswer{head: heads.head(rt, v, i, http.StatusOK), status: http.StatusOK}
	if !req.head {
		a.body = v.data
	}
	return a, true
}

// isPreviewHost reports whether ServeHTTP would serve a preview for a
// request to host, by ServerOptions.PreviewDomain.
func (srv *Server) isPreviewHost(host []byte) bool {
	d := srv.opts.PreviewDomain
	if d == "" {
		return false
	}
	if i := bytes.IndexByte(host, ':'); i >= 0 && bytes.IndexByte(host[:i], '[') < 0 {
		host = host[:i]
	}
	return len(host) > len(d) && host[len(host)-len(d)-1] == '.' && string(host[len(host)-len(d):]) == d
}

const (
	identityVariant = iota
	gzipVariant
	brotliVariant
)

// fastHeads are the heads of a route's answers as net/http writes them for
// Server.ServeHTTP: the status line and every header but Connection and
// Date, which depend on the request and the moment. Each is made when first
// needed: most routes are only ever asked for one or two of the six.
type fastHeads struct {
	ok, notModified [3]atomic.Pointer[[]byte] // by variant
	// none marks a route whose _headers set a header that net/http itself
	// writes or acts on: the fast path leaves it to net/http.
	none bool
}

func (rt *route) heads() *fastHeads {
	if h := rt.fast.Load(); h != nil {
		return h
	}
	h := &fastHeads{}
	for _, f := range rt.header {
		switch f.key {
		case "Connection", "Date", "Trailer", "Transfer-Encoding":
			h.none = true
		}
	}
	rt.fast.Store(h)
	return h
}

// head returns the head of the answer with status (200 or 304) serving
// variant v, the i-th of the route.
func (fh *fastHeads) head(rt *route, v *variant, i, status int) []byte {
	slot := &fh.ok[i]
	if status == http.StatusNotModified {
		slot = &fh.notModified[i]
	}
	if b := slot.Load(); b != nil {
		return *b
	}
	h := make(http.Header, len(rt.header)+3)
	for _, f := range rt.header {
		h[f.key] = f.vals
	}
	h["Etag"] = v.etagVals
	if status == http.StatusOK {
		// What serveAsset sets for a 200…
		h["Content-Length"] = v.lenVals
		if v.encVals != nil {
			h["Content-Encoding"] = v.encVals
		}
	} else {
		// …and for a 304, less what net/http drops from one.
		for _, k := range []string{"Content-Type", "Content-Length", "Transfer-Encoding"} {
			delete(h, k)
		}
	}
	b := statusAndHeader(status, h)
	slot.Store(&b)
	return b
}

// statusAndHeader writes a status line and h as net/http does: names
// sorted, values cleaned by http.Header.Write.
func statusAndHeader(status int, h http.Header) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Write(&b)
	return b.Bytes()
}

// dateLines end an answer's head: the Date line net/http writes, made once
// a second, and the blank line.
type dateLines struct {
	unix int64
	// keep is "Date: …\r\n\r\n"; close has "Connection: close\r\n" after
	// the Date line, where net/http writes it.
	keep, close []byte
}

func (fs *FastServer) endOfHead(now time.Time, close bool) []byte {
	d := fs.date.Load()
	if d == nil || d.unix != now.Unix() {
		line := now.UTC().AppendFormat([]byte("Date: "), http.TimeFormat)
		line = append(line, "\r\n"...)
		d = &dateLines{unix: now.Unix(),
			keep:  append(line[:len(line):len(line)], "\r\n"...),
			close: append(line[:len(line):len(line)], "Connection: close\r\n\r\n"...)}
		fs.date.Store(d)
	}
	if close {
		return d.close
	}
	return d.keep
}

// reachTable lists the paths of a live deploy that the application in
// front of the Server routes elsewhere.
type reachTable struct {
	live *site
	away map[string]uint8 // path → awayGet|awayHead
}

const (
	awayGet uint8 = 1 << iota
	awayHead
)

// reachable reports whether the application would hand req to the Server:
// FastServer.Reaches, asked once per path of each live deploy.
func (fs *FastServer) reachable(st *site, req *fastRequest) bool {
	if fs.Reaches == nil {
		return true
	}
	t := fs.reach.Load()
	if t == nil || t.live != st {
		t = fs.newReachTable(st)
	}
	bit := awayGet
	if req.head {
		bit = awayHead
	}
	return t.away[string(req.path)]&bit == 0
}

func (fs *FastServer) newReachTable(st *site) *reachTable {
	fs.reachMu.Lock()
	defer fs.reachMu.Unlock()
	if t := fs.reach.Load(); t != nil && t.live == st {
		return t
	}
	t := &reachTable{live: st, away: map[string]uint8{}}
	for p := range st.routes {
		if !fs.Reaches(http.MethodGet, p) {
			t.away[p] |= awayGet
		}
		if !fs.Reaches(http.MethodHead, p) {
			t.away[p] |= awayHead
		}
	}
	fs.reach.Store(t)
	return t
}
