package deploy

import (
	"fmt"
	"regexp"
	"strings"
)

// pathPattern is a Netlify path pattern compiled to a regular expression:
// "*" matches anything (slashes included) and is captured as "splat",
// ":name" as a whole segment matches one segment and is captured as "name".
// A trailing slash is optional on both sides, as Netlify normalises it away.
type pathPattern struct {
	re    *regexp.Regexp
	names []string
}

var placeholderName = regexp.MustCompile(`^:[A-Za-z_][A-Za-z0-9_]*$`)

func compilePattern(p string) (pathPattern, error) {
	if !strings.HasPrefix(p, "/") {
		return pathPattern{}, fmt.Errorf("path %q must start with /", p)
	}
	trimmed := strings.TrimSuffix(p, "/")
	var b strings.Builder
	b.WriteString("^")
	names := []string{""}
	seen := map[string]bool{}
	segs := strings.Split(trimmed, "/")[1:]
	for i, seg := range segs {
		// "/news/*" also matches "/news" itself: the slash before a final
		// star is optional.
		if seg == "*" && i == len(segs)-1 {
			b.WriteString("(?:/(.*))?")
			names = append(names, "splat")
			continue
		}
		b.WriteString("/")
		if placeholderName.MatchString(seg) {
			name := seg[1:]
			if seen[name] {
				return pathPattern{}, fmt.Errorf("placeholder %s appears twice in %q", seg, p)
			}
			seen[name] = true
			b.WriteString("([^/]+)")
			names = append(names, name)
			continue
		}
		for j, lit := range strings.Split(seg, "*") {
			if j > 0 {
				b.WriteString("(.*)")
				names = append(names, "splat")
			}
			b.WriteString(regexp.QuoteMeta(lit))
		}
	}
	b.WriteString("/?$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return pathPattern{}, fmt.Errorf("path %q: %w", p, err)
	}
	return pathPattern{re: re, names: names}, nil
}

// match reports whether path matches, adding the captured values to params
// (which may be nil when the captures are not needed).
func (p pathPattern) match(path string, params map[string]string) bool {
	if params == nil {
		return p.re.MatchString(path)
	}
	m := p.re.FindStringSubmatch(path)
	if m == nil {
		return false
	}
	for i := 1; i < len(m); i++ {
		params[p.names[i]] = m[i]
	}
	return true
}

// expand replaces :splat and :name in a rule's destination with the values
// captured from the request. Unknown names stay as written, so ports and
// schemes ("https://host:8443") pass through.
func expand(to string, params map[string]string) string {
	if !strings.Contains(to, ":") {
		return to
	}
	var b strings.Builder
	for i := 0; i < len(to); {
		if to[i] != ':' {
			b.WriteByte(to[i])
			i++
			continue
		}
		j := i + 1
		for j < len(to) && (to[j] == '_' || isAlnum(to[j])) {
			j++
		}
		if v, ok := params[to[i+1:j]]; ok && j > i+1 && !isDigit(to[i+1]) {
			b.WriteString(v)
		} else {
			b.WriteString(to[i:j])
		}
		i = j
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
