package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// netlifyConfig is the part of netlify.toml this server acts on; build
// settings, plugins and the like are Netlify's business and are ignored.
type netlifyConfig struct {
	Redirects []struct {
		From       string              `toml:"from"`
		To         string              `toml:"to"`
		Status     int                 `toml:"status"`
		Force      bool                `toml:"force"`
		Query      map[string]string   `toml:"query"`
		Conditions map[string][]string `toml:"conditions"`
		Headers    map[string]string   `toml:"headers"`
		Signed     string              `toml:"signed"`
	} `toml:"redirects"`
	Headers []struct {
		For    string         `toml:"for"`
		Values map[string]any `toml:"values"`
	} `toml:"headers"`
}

func parseNetlifyTOML(name string, data []byte) ([]*redirectRule, []*headerRule, error) {
	var cfg netlifyConfig
	if err := toml.Unmarshal(data, &cfg); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, nil, fmt.Errorf("%s:%d:%d: %s", name, row, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	redirectLines := tableLines(data, "redirects")
	headerLines := tableLines(data, "headers")
	var redirects []*redirectRule
	for i, t := range cfg.Redirects {
		at := fmt.Sprintf("%s:%d", name, lineOf(redirectLines, i))
		if t.Headers != nil || t.Signed != "" {
			return nil, nil, fmt.Errorf("%s: headers and signed apply to proxy rules, which this server does not support", at)
		}
		if t.From == "" {
			return nil, nil, fmt.Errorf("%s: [[redirects]] needs a from", at)
		}
		status := t.Status
		if status == 0 {
			status = 301
		}
		r, err := newRedirectRule(t.From, t.To, status, t.Force, t.Query, t.Conditions)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", at, err)
		}
		r.source = at
		redirects = append(redirects, r)
	}
	var headers []*headerRule
	for i, t := range cfg.Headers {
		at := fmt.Sprintf("%s:%d", name, lineOf(headerLines, i))
		if t.For == "" {
			return nil, nil, fmt.Errorf("%s: [[headers]] needs a for", at)
		}
		p, err := compilePattern(t.For)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", at, err)
		}
		r := &headerRule{source: at, path: p}
		// TOML tables have no order; sorting keeps the response stable.
		keys := make([]string, 0, len(t.Values))
		for k := range t.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			var values []string
			switch v := t.Values[k].(type) {
			case string:
				values = []string{v}
			case []any:
				for _, item := range v {
					s, ok := item.(string)
					if !ok {
						return nil, nil, fmt.Errorf("%s: header %s: every value must be a string", at, k)
					}
					values = append(values, s)
				}
			default:
				return nil, nil, fmt.Errorf("%s: header %s: the value must be a string or a list of strings", at, k)
			}
			for _, v := range values {
				f, err := newHeaderField(k, v)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", at, err)
				}
				r.fields = append(r.fields, f)
			}
		}
		headers = append(headers, r)
	}
	return redirects, headers, nil
}

// tableLines finds the line numbers of the [[name]] headers, so a mistake in
// the n-th table can name its line even though the decoder has none to give.
func tableLines(data []byte, name string) []int {
	re := regexp.MustCompile(`^\s*\[\[\s*` + name + `\s*\]\]`)
	var lines []int
	for i, l := range strings.Split(string(data), "\n") {
		if re.MatchString(l) {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func lineOf(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}
