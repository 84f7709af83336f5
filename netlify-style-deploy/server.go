package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultContentSecurityPolicy lets pages load scripts, styles, images, fonts
// and API calls from their own origin only (the islands call /api/v1 on the
// same origin), plus data: images, which Bootstrap Italia's CSS uses, and
// WebAssembly, which the site search (pagefind) runs; 'wasm-unsafe-eval'
// allows compiling WebAssembly only, not eval of JavaScript.
const DefaultContentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// DefaultHSTS is sent on TLS responses only: a year, without includeSubDomains,
// because a city domain has subdomains this server does not control.
const DefaultHSTS = "max-age=31536000"

// ServerOptions tune a Server; the zero value is ready to use.
type ServerOptions struct {
	// PreviewDomain, when set, serves preview <name> at <name>.<PreviewDomain>
	// in addition to /_preview/<name>/.
	PreviewDomain string
	// ContentSecurityPolicy replaces DefaultContentSecurityPolicy; "-" sends
	// none. A site's _headers can still set its own per path.
	ContentSecurityPolicy string
	// HSTS replaces DefaultHSTS; "-" sends none.
	HSTS string
	// TrustForwardedProto treats X-Forwarded-Proto: https as TLS, for a
	// server behind a TLS-terminating proxy. Leave it off when clients reach
	// the server directly: they could forge the header.
	TrustForwardedProto bool
	// MemoryFileLimit is the largest file held in memory (default 1 MiB);
	// larger ones are streamed from disk with sendfile.
	MemoryFileLimit int64
	// MemoryBudget caps the bytes held in memory across the live deploy and
	// the previews (default 256 MiB); files beyond it are served from disk.
	MemoryBudget int64
	// Logger receives errors that cannot be shown to the client; default
	// slog.Default().
	Logger *slog.Logger
}

// Server serves the live deploy of a Store, and its previews under
// /_preview/<name>/. It is an http.Handler.
type Server struct {
	store    *Store
	opts     ServerOptions
	security []headerField
	hsts     []string

	mu     sync.Mutex // serialises Reload
	memory map[string][]byte
	state  atomic.Pointer[serverState]
}

// serverState is swapped as a whole: a request reads it once and serves from
// that snapshot to the end, so it never mixes two deploys.
type serverState struct {
	live     *site
	livePtr  pointer
	previews map[string]*site
	ptrs     map[string]pointer
}

// NewServer returns a Server for s, loaded with what is published now. Errors
// loading it are logged; call Reload to get them as a value.
func NewServer(s *Store, opts ServerOptions) *Server {
	if opts.MemoryFileLimit <= 0 {
		opts.MemoryFileLimit = 1 << 20
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = 256 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	srv := &Server{store: s, opts: opts}
	csp := opts.ContentSecurityPolicy
	if csp == "" {
		csp = DefaultContentSecurityPolicy
	}
	if csp != "-" {
		srv.security = append(srv.security, headerField{"Content-Security-Policy", csp})
	}
	srv.security = append(srv.security,
		headerField{"X-Content-Type-Options", "nosniff"},
		headerField{"X-Frame-Options", "SAMEORIGIN"},
		headerField{"Referrer-Policy", "strict-origin-when-cross-origin"},
		headerField{"Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), browsing-topics=()"},
	)
	hsts := opts.HSTS
	if hsts == "" {
		hsts = DefaultHSTS
	}
	if hsts != "-" {
		srv.hsts = oneValue(hsts)
	}
	srv.state.Store(&serverState{})
	if err := srv.Reload(); err != nil {
		opts.Logger.Error("deploy server: loading the published deploys failed", "err", err)
	}
	s.register(srv)
	return srv
}

// Reload reads the live and preview pointers again and switches to them.
// Deploys whose pointer did not change are kept as they are. When the new live
// deploy cannot be loaded, the server keeps serving the previous one.
func (srv *Server) Reload() error {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	old := srv.state.Load()
	live, err := srv.store.livePointer()
	if err != nil && !errors.Is(err, ErrNoLiveDeploy) {
		return fmt.Errorf("reload: %w", err)
	}
	ptrs, err := srv.store.previewPointers()
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	if old.unchanged(live, ptrs) {
		return nil
	}
	next := &serverState{livePtr: live, previews: map[string]*site{}, ptrs: ptrs}
	mp := &memoryPlan{limit: srv.opts.MemoryFileLimit, budget: srv.opts.MemoryBudget, prev: srv.memory, next: map[string][]byte{}}
	var errs []error
	if live.id != "" {
		if old.live != nil && old.livePtr.same(live) {
			next.live = old.live
			mp.keep(old.live)
		} else if next.live, err = srv.loadSite(live, false, mp); err != nil {
			errs = append(errs, fmt.Errorf("live deploy: %w", err))
			next.live, next.livePtr = old.live, old.livePtr
			if old.live != nil {
				mp.keep(old.live)
			}
		}
	}
	for name, p := range ptrs {
		if prev := old.previews[name]; prev != nil && old.ptrs[name].same(p) {
			next.previews[name] = prev
			mp.keep(prev)
			continue
		}
		st, err := srv.loadSite(p, true, mp)
		if err != nil {
			errs = append(errs, fmt.Errorf("preview %s: %w", name, err))
			continue
		}
		next.previews[name] = st
	}
	srv.memory = mp.next
	srv.state.Store(next)
	return errors.Join(errs...)
}

// unchanged reports whether the pointers are those the state was loaded
// from, so a periodic Reload costs a few small reads and nothing else.
func (st *serverState) unchanged(live pointer, ptrs map[string]pointer) bool {
	if (st.live == nil) != (live.id == "") || !st.livePtr.same(live) || len(ptrs) != len(st.previews) {
		return false
	}
	for name, p := range ptrs {
		if st.previews[name] == nil || !st.ptrs[name].same(p) {
			return false
		}
	}
	return true
}

// Watch calls Reload every interval until ctx ends, so a server picks up
// what another process (the portale deploy CLI, say) publishes. A Reload that
// finds nothing changed reads only the pointer files.
func (srv *Server) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := srv.Reload(); err != nil {
				srv.opts.Logger.Error("deploy server: reload failed; still serving the previous deploy", "err", err)
			}
		}
	}
}

// keep records the in-memory blobs of a site carried over unchanged, so they
// count against the budget and stay shared with deploys loaded after it.
func (mp *memoryPlan) keep(st *site) {
	for _, rt := range st.routes {
		for _, v := range []*variant{rt.asset.identity, rt.asset.brotli, rt.asset.gzip} {
			if v != nil && v.data != nil {
				if _, ok := mp.next[v.path]; !ok {
					mp.next[v.path] = v.data
					mp.budget -= v.size
				}
			}
		}
	}
}

const previewPrefix = "/_preview/"

func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		srv.plain(w, r, nil, http.StatusMethodNotAllowed, "Metodo non consentito / Method not allowed")
		return
	}
	state := srv.state.Load()
	p := r.URL.Path
	if d := srv.opts.PreviewDomain; d != "" {
		if name, ok := strings.CutSuffix(hostOnly(r.Host), "."+d); ok {
			srv.servePreview(w, r, state, name, p, "")
			return
		}
	}
	if rest, ok := strings.CutPrefix(p, previewPrefix); ok {
		name, sub, slash := strings.Cut(rest, "/")
		if !slash {
			st := state.previews[name]
			if st == nil {
				srv.plain(w, r, nil, http.StatusNotFound, "Anteprima inesistente / No such preview")
				return
			}
			srv.redirect(w, r, st, previewPrefix+name+"/"+query(r), http.StatusMovedPermanently)
			return
		}
		srv.servePreview(w, r, state, name, "/"+sub, previewPrefix+name)
		return
	}
	if state.live == nil {
		srv.plain(w, r, nil, http.StatusServiceUnavailable, "Il sito non è ancora stato pubblicato / The site has not been published yet")
		return
	}
	srv.serveSite(w, r, state.live, p, "")
}

func (srv *Server) servePreview(w http.ResponseWriter, r *http.Request, state *serverState, name, p, prefix string) {
	st := state.previews[name]
	if st == nil {
		w.Header().Set("X-Robots-Tag", "noindex")
		srv.plain(w, r, nil, http.StatusNotFound, "Anteprima inesistente / No such preview")
		return
	}
	srv.serveSite(w, r, st, p, prefix)
}

// serveSite answers a request for path p of st. prefix is what precedes the
// site in the URL ("/_preview/<name>" for previews) and is put back in front
// of the site's own redirect targets.
func (srv *Server) serveSite(w http.ResponseWriter, r *http.Request, st *site, p, prefix string) {
	p = cleanPath(p)
	if rt := st.routes[p]; rt != nil {
		// A file shadows the rules that match its path, except forced ones.
		if rt.shadowed && srv.applyRules(w, r, st, p, prefix, true) {
			return
		}
		if rt.addSlash {
			srv.redirect(w, r, st, prefix+p+"/"+query(r), http.StatusMovedPermanently)
			return
		}
		srv.serveAsset(w, r, st, rt.asset, rt.header, http.StatusOK)
		return
	}
	if len(st.rules.redirects) > 0 && srv.applyRules(w, r, st, p, prefix, false) {
		return
	}
	srv.notFound(w, r, st, p)
}

// applyRules applies the first matching redirect rule (only forced ones when
// forcedOnly) and reports whether one matched.
func (srv *Server) applyRules(w http.ResponseWriter, r *http.Request, st *site, p, prefix string, forcedOnly bool) bool {
	var params map[string]string
	for _, rule := range st.rules.redirects {
		if forcedOnly && !rule.force {
			continue
		}
		if params == nil {
			params = map[string]string{}
		}
		if !rule.match(r, p, params) {
			continue
		}
		if rule.status >= 300 && rule.status < 400 {
			loc := rule.location(r, params)
			if strings.HasPrefix(loc, "/") {
				// "/:splat" with a splat of "/evil.example" or "\evil.example"
				// would give a Location that browsers read as another host.
				loc = prefix + "/" + strings.TrimLeft(loc, "/\\")
			}
			srv.redirect(w, r, st, loc, rule.status)
			return true
		}
		target, _, _ := strings.Cut(expand(rule.to, params), "?")
		rt := st.routes[cleanPath(target)]
		if rt == nil {
			if rule.status == http.StatusOK {
				srv.notFound(w, r, st, p)
			} else {
				srv.plain(w, r, st, rule.status, http.StatusText(rule.status))
			}
			return true
		}
		srv.serveAsset(w, r, st, rt.asset, st.headersFor(rt.asset, p), rule.status)
		return true
	}
	return false
}

// notFound serves the 404.html of the request's language section
// (/en/404.html for /en/…) when there is one, else the site's 404.html.
func (srv *Server) notFound(w http.ResponseWriter, r *http.Request, st *site, p string) {
	section, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	a := st.notFound[section]
	if a == nil {
		a = st.notFound[""]
	}
	if a == nil {
		srv.plain(w, r, st, http.StatusNotFound, "Pagina non trovata / Page not found")
		return
	}
	srv.serveAsset(w, r, st, a, st.headersFor(a, p), http.StatusNotFound)
}

func (srv *Server) serveAsset(w http.ResponseWriter, r *http.Request, st *site, a *asset, header []headerValues, status int) {
	v := a.identity
	_, ranged := r.Header["Range"]
	if (a.brotli != nil || a.gzip != nil) && !ranged {
		v = a.negotiate(r.Header["Accept-Encoding"])
	}
	h := w.Header()
	for _, f := range header {
		h[f.key] = f.vals
	}
	if srv.hsts != nil && srv.isTLS(r) {
		h["Strict-Transport-Security"] = srv.hsts
	}
	if status == http.StatusOK {
		h["Etag"] = v.etagVals
		if notModified(r, v.etag, st.lastModified) {
			delete(h, "Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if ranged || r.Header["If-Match"] != nil || r.Header["If-Unmodified-Since"] != nil {
			srv.serveContent(w, r, st, v)
			return
		}
	}
	var f *os.File
	if v.data == nil && r.Method != http.MethodHead {
		var err error
		if f, err = os.Open(v.path); err != nil {
			srv.fail(w, r, a, err)
			return
		}
		defer f.Close()
	}
	h["Content-Length"] = v.lenVals
	if v.encVals != nil {
		h["Content-Encoding"] = v.encVals
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if f == nil {
		w.Write(v.data)
		return
	}
	// *os.File to the ResponseWriter goes through sendfile.
	io.Copy(w, f)
}

// serveContent hands range and precondition requests to net/http, which
// implements their corner cases (multiple ranges, If-Range, 412, 416).
func (srv *Server) serveContent(w http.ResponseWriter, r *http.Request, st *site, v *variant) {
	var content io.ReadSeeker
	if v.data != nil {
		content = bytes.NewReader(v.data)
	} else {
		f, err := os.Open(v.path)
		if err != nil {
			srv.fail(w, r, nil, err)
			return
		}
		defer f.Close()
		content = f
	}
	if v.encVals != nil {
		w.Header()["Content-Encoding"] = v.encVals
	}
	delete(w.Header(), "Last-Modified")
	http.ServeContent(w, r, "", st.lastModified, content)
}

func (srv *Server) fail(w http.ResponseWriter, r *http.Request, a *asset, err error) {
	name := ""
	if a != nil {
		name = a.name
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("blob missing (pruned while still served? call Reload after Publish): %w", err)
	}
	srv.opts.Logger.Error("deploy server: cannot read file", "file", name, "err", err)
	for k := range w.Header() {
		delete(w.Header(), k)
	}
	srv.plain(w, r, nil, http.StatusInternalServerError, "Errore interno / Internal error")
}

func (srv *Server) redirect(w http.ResponseWriter, r *http.Request, st *site, loc string, status int) {
	h := w.Header()
	srv.setSecurity(h, r, st)
	h.Set("Location", loc)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	w.WriteHeader(status)
}

// plain writes a short text response for what has no page of its own.
func (srv *Server) plain(w http.ResponseWriter, r *http.Request, st *site, status int, msg string) {
	h := w.Header()
	srv.setSecurity(h, r, st)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.WriteString(w, msg+"\n")
	}
}

func (srv *Server) setSecurity(h http.Header, r *http.Request, st *site) {
	for _, f := range srv.security {
		h.Set(f.name, f.value)
	}
	if srv.hsts != nil && srv.isTLS(r) {
		h["Strict-Transport-Security"] = srv.hsts
	}
	if st != nil && st.preview {
		h.Set("X-Robots-Tag", "noindex")
	}
}

func (srv *Server) isTLS(r *http.Request) bool {
	return r.TLS != nil || (srv.opts.TrustForwardedProto && r.Header.Get("X-Forwarded-Proto") == "https")
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

// cleanPath resolves "//", "." and ".." so they cannot reach outside the
// site or dodge a rule, keeping a trailing slash, which is meaningful.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// notModified evaluates If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110, 13.2.2).
func notModified(r *http.Request, etag string, lastModified time.Time) bool {
	if inm := r.Header["If-None-Match"]; inm != nil {
		for _, line := range inm {
			for _, tag := range strings.Split(line, ",") {
				tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
				if tag == etag || tag == "*" {
					return true
				}
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !lastModified.After(t)
	}
	return false
}

// negotiate picks the variant Accept-Encoding asks for: the one with the
// highest quality, brotli on a tie as it is the smaller, the original when
// neither is acceptable ("q=0", or not named and no "*").
func (a *asset) negotiate(accept []string) *variant {
	return a.pick(acceptedQuality(accept))
}

// pick is negotiate given the qualities of br and gzip.
func (a *asset) pick(br, gz int) *variant {
	if a.brotli != nil && br > 0 && (br >= gz || a.gzip == nil) {
		return a.brotli
	}
	if a.gzip != nil && gz > 0 {
		return a.gzip
	}
	return a.identity
}

// acceptedQuality reads the qualities (in thousandths) of br and gzip. It
// walks the header in place: it runs on every request for a text file.
func acceptedQuality(accept []string) (br, gz int) {
	br, gz, star := -1, -1, 0
	for _, line := range accept {
		for line != "" {
			part := line
			if i := strings.IndexByte(line, ','); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				line = ""
			}
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			switch {
			case strings.EqualFold(name, "br"):
				br = quality(params)
			case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
				gz = quality(params)
			case name == "*":
				star = quality(params)
			}
		}
	}
	if br < 0 {
		br = star
	}
	if gz < 0 {
		gz = star
	}
	return br, gz
}

// quality parses a "q=0.5" parameter into thousandths; 1000 when absent.
func quality(params string) int {
	for params != "" {
		p := params
		if i := strings.IndexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			params = ""
		}
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 {
			return 0
		}
		return int(min(f, 1) * 1000)
	}
	return 1000
}
