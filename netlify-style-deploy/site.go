package deploy

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// site is a deploy loaded for serving: every URL it answers without rules is
// a key of routes, with the response headers worked out in advance, so the
// common request costs one map lookup and no filesystem access.
type site struct {
	id      string
	preview bool
	rules   *rules
	routes  map[string]*route
	// notFound holds 404.html by first path segment ("en" for en/404.html)
	// and "" for the site-wide one.
	notFound     map[string]*asset
	lastModified time.Time
	lastModVals  []string
	security     []headerField
}

type route struct {
	asset *asset
	// addSlash marks "/dir" when "dir/index.html" exists: it redirects to
	// "/dir/" so relative links in the page resolve.
	addSlash bool
	// shadowed marks a path a forced rule may apply to, so the rules are
	// tried before the file is served.
	shadowed bool
	header   []headerValues
	// fast holds the answers' heads for the fast path, made on first use.
	fast atomic.Pointer[fastHeads]
}

// asset is one file of the deploy with its stored variants.
type asset struct {
	name     string
	typ      string
	identity *variant
	brotli   *variant // nil when no brotli variant was stored
	gzip     *variant // nil when no gzip variant was stored
}

type variant struct {
	data     []byte // the content when held in memory, else nil
	path     string // the blob on disk
	size     int64
	etag     string
	etagVals []string
	lenVals  []string
	encVals  []string // Content-Encoding, nil for the identity variant
}

// headerValues is a header ready to be assigned into an http.Header. The
// value slice is shared by every response, so its capacity equals its length:
// a handler that appends to it gets a copy instead of changing ours.
type headerValues struct {
	key  string
	vals []string
}

func oneValue(v string) []string { return []string{v}[:1:1] }

// memoryPlan decides which blobs are held in memory: files up to limit bytes,
// smallest first, until budget is spent. Blobs already loaded by the previous
// state are reused, so a reload reads only what is new.
type memoryPlan struct {
	limit, budget int64
	prev, next    map[string][]byte
}

func (mp *memoryPlan) load(blob string, size int64) ([]byte, error) {
	if size > mp.limit || size > mp.budget {
		return nil, nil
	}
	data, ok := mp.next[blob]
	if !ok {
		data, ok = mp.prev[blob]
	}
	if !ok {
		var err error
		data, err = os.ReadFile(blob)
		if err != nil {
			return nil, err
		}
		if int64(len(data)) != size {
			return nil, fmt.Errorf("blob %s has %d bytes, the manifest says %d: the store is damaged", blob, len(data), size)
		}
	}
	if _, shared := mp.next[blob]; !shared {
		mp.budget -= size
		mp.next[blob] = data
	}
	return data, nil
}

func (srv *Server) loadSite(p pointer, preview bool, mp *memoryPlan) (*site, error) {
	m, err := srv.store.readManifest(p.id)
	if err != nil {
		return nil, err
	}
	config := map[string][]byte{}
	for name, e := range m.Config {
		data, err := os.ReadFile(srv.store.blobPath(e.Digest))
		if err != nil {
			return nil, fmt.Errorf("deploy %s: %s: %w", p.id, name, err)
		}
		config[name] = data
	}
	rules, err := parseRules(config)
	if err != nil {
		return nil, fmt.Errorf("deploy %s: %w", p.id, err)
	}
	lm := p.set.UTC().Truncate(time.Second)
	st := &site{
		id:           p.id,
		preview:      preview,
		rules:        rules,
		routes:       make(map[string]*route, len(m.Files)*2),
		notFound:     map[string]*asset{},
		lastModified: lm,
		lastModVals:  oneValue(lm.Format(http.TimeFormat)),
		security:     srv.security,
	}

	names := make([]string, 0, len(m.Files))
	for name := range m.Files {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := m.Files[a].Size - m.Files[b].Size; d != 0 {
			return int(min(max(d, -1), 1))
		}
		return strings.Compare(a, b)
	})
	assets := make(map[string]*asset, len(names))
	for _, name := range names {
		e := m.Files[name]
		a, err := srv.newAsset(name, e, mp)
		if err != nil {
			return nil, fmt.Errorf("deploy %s: %s: %w", p.id, name, err)
		}
		assets[name] = a
	}

	// Exact names first, then directory indexes, then pretty URLs
	// ("/about" for about.html), each never overriding an earlier route.
	slices.Sort(names)
	for _, name := range names {
		st.addRoute("/"+name, &route{asset: assets[name]})
	}
	for _, name := range names {
		if dir, ok := strings.CutSuffix(name, "index.html"); ok && (dir == "" || strings.HasSuffix(dir, "/")) {
			st.addRoute("/"+dir, &route{asset: assets[name]})
			if dir != "" {
				st.addRoute("/"+strings.TrimSuffix(dir, "/"), &route{asset: assets[name], addSlash: true})
			}
		}
	}
	for _, name := range names {
		if stem, ok := strings.CutSuffix(name, ".html"); ok && path.Base(stem) != "index" {
			st.addRoute("/"+stem, &route{asset: assets[name]})
		}
		if base := path.Base(name); base == "404.html" {
			dir := path.Dir(name)
			if dir == "." {
				st.notFound[""] = assets[name]
			} else if !strings.Contains(dir, "/") {
				st.notFound[dir] = assets[name]
			}
		}
	}
	for p, rt := range st.routes {
		rt.shadowed = rules.mayShadow(p)
		if !rt.addSlash {
			rt.header = st.headersFor(rt.asset, p)
		}
	}
	return st, nil
}

func (st *site) addRoute(p string, rt *route) {
	if _, taken := st.routes[p]; !taken {
		st.routes[p] = rt
	}
}

func (srv *Server) newAsset(name string, e fileEntry, mp *memoryPlan) (*asset, error) {
	if len(e.Digest) != 64 {
		return nil, errors.New("the manifest names no valid blob")
	}
	blob := srv.store.blobPath(e.Digest)
	a := &asset{name: name, typ: e.Type}
	tag := `"` + e.Digest[:24] + `"`
	data, err := mp.load(blob, e.Size)
	if err != nil {
		return nil, err
	}
	if data == nil {
		if _, err := os.Stat(blob); err != nil {
			return nil, err
		}
	}
	a.identity = &variant{data: data, path: blob, size: e.Size, etag: tag,
		etagVals: oneValue(tag), lenVals: oneValue(strconv.FormatInt(e.Size, 10))}
	if a.brotli, err = loadVariant(blob, e, ".br", "br", e.Brotli, mp); err != nil {
		return nil, err
	}
	if a.gzip, err = loadVariant(blob, e, ".gz", "gzip", e.Gzip, mp); err != nil {
		return nil, err
	}
	return a, nil
}

// loadVariant returns the compressed variant of a blob, or nil when the
// deploy has none or it has gone missing: serving the original is still right.
func loadVariant(blob string, e fileEntry, suffix, encoding string, size int64, mp *memoryPlan) (*variant, error) {
	if size <= 0 {
		return nil, nil
	}
	path := blob + suffix
	data, err := mp.load(path, size)
	if err == nil && data == nil {
		_, err = os.Stat(path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tag := `"` + e.Digest[:24] + "-" + encoding + `"`
	return &variant{data: data, path: path, size: size, etag: tag, etagVals: oneValue(tag),
		lenVals: oneValue(strconv.FormatInt(size, 10)), encVals: oneValue(encoding)}, nil
}

// cacheControl: fingerprinted names never change content, so browsers keep
// them a year; anything else is revalidated on every use, which is cheap with
// ETags and is what makes a publish or a rollback visible at once.
func cacheControl(name, typ string) string {
	if isFingerprinted(name) && !isHTML(typ) {
		return "public, max-age=31536000, immutable"
	}
	return "public, max-age=0, must-revalidate"
}

// headersFor lists the headers of a response serving a for the request path
// reqPath: security defaults, type and caching, then the site's own
// _headers, which override defaults of the same name.
func (st *site) headersFor(a *asset, reqPath string) []headerValues {
	fields := make([]headerField, 0, len(st.security)+8)
	fields = append(fields, st.security...)
	fields = append(fields,
		headerField{"Content-Type", a.typ},
		headerField{"Cache-Control", cacheControl(a.name, a.typ)},
	)
	if a.gzip != nil || a.brotli != nil {
		fields = append(fields, headerField{"Vary", "Accept-Encoding"})
	}
	fields = overrideFields(fields, customHeaders(st.rules.headers, reqPath))
	if st.preview {
		fields = overrideFields(fields, []headerField{{"X-Robots-Tag", "noindex"}})
	}
	out := make([]headerValues, 0, len(fields)+1)
	for _, f := range fields {
		out = append(out, headerValues{f.name, oneValue(f.value)})
	}
	return append(out, headerValues{"Last-Modified", st.lastModVals})
}

func overrideFields(fields, custom []headerField) []headerField {
next:
	for _, c := range custom {
		for i := range fields {
			if fields[i].name == c.name {
				fields[i] = c
				continue next
			}
		}
		fields = append(fields, c)
	}
	return fields
}
