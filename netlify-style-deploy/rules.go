package deploy

// rules are a deploy's _redirects, _headers and netlify.toml, parsed.
type rules struct {
	redirects []*redirectRule
	headers   []*headerRule
}

// parseRules parses the config files by name. Netlify applies _redirects
// before netlify.toml, and _headers before netlify.toml's [[headers]].
func parseRules(config map[string][]byte) (*rules, error) {
	r := &rules{}
	if data, ok := config["_redirects"]; ok {
		red, err := parseRedirectsFile("_redirects", data)
		if err != nil {
			return nil, err
		}
		r.redirects = append(r.redirects, red...)
	}
	if data, ok := config["_headers"]; ok {
		h, err := parseHeadersFile("_headers", data)
		if err != nil {
			return nil, err
		}
		r.headers = append(r.headers, h...)
	}
	if data, ok := config["netlify.toml"]; ok {
		red, h, err := parseNetlifyTOML("netlify.toml", data)
		if err != nil {
			return nil, err
		}
		r.redirects = append(r.redirects, red...)
		r.headers = append(r.headers, h...)
	}
	return r, nil
}

// mayShadow reports whether a forced rule could apply to a request for
// path: only then is a file at path not simply served. The path is the
// only condition every rule has; the others (host, query, language,
// cookie) are checked at request time.
func (r *rules) mayShadow(path string) bool {
	for _, red := range r.redirects {
		if red.force && red.from.match(path, nil) {
			return true
		}
	}
	return false
}
