package deploy

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strings"
)

// headerRule is one path block of _headers or one [[headers]] table.
type headerRule struct {
	source string
	path   pathPattern
	fields []headerField
}

type headerField struct {
	name  string // canonical form
	value string
}

// parseHeadersFile reads Netlify's _headers format:
//
//	/path/*
//	  Header-Name: value
//
// A line starting with / opens a block; the indented "Name: value" lines
// under it apply to every path the block matches.
func parseHeadersFile(name string, data []byte) ([]*headerRule, error) {
	var out []*headerRule
	var cur *headerRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "/") {
			p, err := compilePattern(text)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			cur = &headerRule{source: fmt.Sprintf("%s:%d", name, line), path: p}
			out = append(out, cur)
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: header %q comes before any path: start a block with a line such as /*", name, line, text)
		}
		k, v, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected \"Header-Name: value\" or a path starting with /, found %q", name, line, text)
		}
		f, err := newHeaderField(k, v)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		cur.fields = append(cur.fields, f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return out, nil
}

func newHeaderField(name, value string) (headerField, error) {
	name = strings.TrimSpace(name)
	// Multi-line TOML strings are common for long policies; a header value
	// cannot hold a newline, so the lines are joined with spaces.
	value = strings.Join(strings.Fields(value), " ")
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !isTokenChar(r) }) >= 0 {
		return headerField{}, fmt.Errorf("%q is not a valid header name", name)
	}
	if value == "" {
		return headerField{}, fmt.Errorf("header %s has no value", name)
	}
	return headerField{name: http.CanonicalHeaderKey(name), value: value}, nil
}

func isTokenChar(r rune) bool {
	return r < 127 && (isAlnum(byte(r)) || strings.ContainsRune("!#$%&'*+-.^_`|~", r))
}

// customHeaders returns the headers every matching rule sets for path, in
// rule order; a name set more than once gets its values joined with ", ".
func customHeaders(rules []*headerRule, path string) []headerField {
	var out []headerField
	for _, r := range rules {
		if !r.path.match(path, nil) {
			continue
		}
	fields:
		for _, f := range r.fields {
			for i := range out {
				if out[i].name == f.name {
					out[i].value += ", " + f.value
					continue fields
				}
			}
			out = append(out, f)
		}
	}
	return out
}
