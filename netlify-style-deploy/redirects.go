package deploy

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// redirectRule is one line of _redirects or one [[redirects]] table.
type redirectRule struct {
	source  string // "_redirects:12", for messages
	host    string // for domain-level rules ("https://old.example.it/*"), else ""
	from    pathPattern
	query   []queryCondition
	to      string
	status  int
	force   bool
	langs   []string // Language condition: primary tags from Accept-Language
	cookies []string // Cookie condition: the rule applies when one is present
}

// queryCondition requires a query parameter: with Bind set its value is
// captured as :Bind, otherwise it must equal Value.
type queryCondition struct {
	Key, Value, Bind string
}

// A rule's status, as Netlify understands it: 3xx redirect, 200 rewrite, or
// an error status served with the content of the destination.
var allowedStatus = map[int]bool{200: true, 301: true, 302: true, 303: true, 307: true, 308: true, 404: true, 410: true, 451: true}

func isExternal(to string) bool {
	return strings.HasPrefix(to, "http://") || strings.HasPrefix(to, "https://")
}

// parseRedirectsFile reads Netlify's _redirects format: one rule a line,
//
//	from [param=value …] to [status[!]] [Language=it,en] [Cookie=name]
//
// with # comments and blank lines ignored.
func parseRedirectsFile(name string, data []byte) ([]*redirectRule, error) {
	var out []*redirectRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		r, err := parseRedirectLine(strings.Fields(text))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		r.source = fmt.Sprintf("%s:%d", name, line)
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}

func parseRedirectLine(f []string) (*redirectRule, error) {
	if len(f) < 2 {
		return nil, fmt.Errorf("a rule needs at least a source and a destination: from [param=value …] to [status[!]] [conditions]")
	}
	from := f[0]
	i := 1
	var query map[string]string
	for i < len(f) && !strings.HasPrefix(f[i], "/") && !isExternal(f[i]) && strings.Contains(f[i], "=") {
		k, v, _ := strings.Cut(f[i], "=")
		if query == nil {
			query = map[string]string{}
		}
		query[k] = v
		i++
	}
	if i == len(f) {
		return nil, fmt.Errorf("rule for %s has no destination", from)
	}
	to := f[i]
	i++
	status, force := 301, false
	if i < len(f) && len(f[i]) >= 3 && isDigit(f[i][0]) {
		code, bang := strings.CutSuffix(f[i], "!")
		n, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("%q is not a status code", f[i])
		}
		status, force = n, bang
		i++
	}
	conditions := map[string][]string{}
	for ; i < len(f); i++ {
		k, v, ok := strings.Cut(f[i], "=")
		if !ok {
			return nil, fmt.Errorf("unexpected %q after the status: conditions are written Key=value", f[i])
		}
		conditions[k] = strings.Split(v, ",")
	}
	return newRedirectRule(from, to, status, force, query, conditions)
}

func newRedirectRule(from, to string, status int, force bool, query map[string]string, conditions map[string][]string) (*redirectRule, error) {
	r := &redirectRule{to: to, status: status, force: force}
	if !allowedStatus[status] {
		return nil, fmt.Errorf("status %d is not supported: use 200, 301, 302, 303, 307, 308, 404, 410 or 451", status)
	}
	if isExternal(from) {
		u, err := url.Parse(from)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("source %q is not a valid URL", from)
		}
		r.host = strings.ToLower(u.Host)
		from = u.Path
		if from == "" {
			from = "/"
		}
	}
	p, err := compilePattern(from)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	r.from = p
	if to == "" {
		return nil, fmt.Errorf("rule for %s has no destination", from)
	}
	if !strings.HasPrefix(to, "/") && !isExternal(to) {
		return nil, fmt.Errorf("destination %q must be a path starting with / or an http(s) URL", to)
	}
	if isExternal(to) && (status == 200 || status >= 400) {
		return nil, fmt.Errorf("destination %q: proxying to another site (status %d with a URL) is not supported; redirect with 301 or 302 instead", to, status)
	}
	for k, v := range query {
		c := queryCondition{Key: k}
		if placeholderName.MatchString(v) {
			c.Bind = v[1:]
		} else {
			c.Value = v
		}
		r.query = append(r.query, c)
	}
	for k, vals := range conditions {
		switch strings.ToLower(k) {
		case "language":
			for _, v := range vals {
				r.langs = append(r.langs, strings.ToLower(strings.TrimSpace(v)))
			}
		case "cookie":
			r.cookies = append(r.cookies, vals...)
		default:
			return nil, fmt.Errorf("condition %s is not supported by this server (only Language and Cookie are)", k)
		}
	}
	return r, nil
}

// match reports whether the rule applies to the request, filling params with
// the placeholders, splat and query values it captured.
func (r *redirectRule) match(req *http.Request, path string, params map[string]string) bool {
	if r.host != "" && !strings.EqualFold(hostOnly(req.Host), hostOnly(r.host)) {
		return false
	}
	if len(r.query) > 0 {
		q := req.URL.Query()
		for _, c := range r.query {
			v, ok := q[c.Key]
			if !ok {
				return false
			}
			if c.Bind == "" && (len(v) == 0 || v[0] != c.Value) {
				return false
			}
		}
	}
	if len(r.langs) > 0 && !acceptsLanguage(req.Header.Get("Accept-Language"), r.langs) {
		return false
	}
	if len(r.cookies) > 0 && !hasCookie(req, r.cookies) {
		return false
	}
	if !r.from.match(path, params) {
		return false
	}
	if len(r.query) > 0 {
		q := req.URL.Query()
		for _, c := range r.query {
			if c.Bind != "" {
				params[c.Bind] = q.Get(c.Key)
			}
		}
	}
	return true
}

// location builds the redirect target. The request's query string is passed
// on, as Netlify does, unless the rule matched on query parameters or its
// destination sets a query of its own.
func (r *redirectRule) location(req *http.Request, params map[string]string) string {
	to := expand(r.to, params)
	if req.URL.RawQuery != "" && len(r.query) == 0 && !strings.Contains(to, "?") {
		to += "?" + req.URL.RawQuery
	}
	return to
}

func hostOnly(hostport string) string {
	if h, _, ok := strings.Cut(hostport, ":"); ok && !strings.Contains(h, "[") {
		return h
	}
	return hostport
}

func acceptsLanguage(header string, langs []string) bool {
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") && !strings.Contains(params, "q=0.") {
			continue
		}
		tag = strings.ToLower(tag)
		primary, _, _ := strings.Cut(tag, "-")
		for _, l := range langs {
			if l == tag || l == primary {
				return true
			}
		}
	}
	return false
}

func hasCookie(req *http.Request, names []string) bool {
	for _, n := range names {
		if _, err := req.Cookie(n); err == nil {
			return true
		}
	}
	return false
}
