package deploy

// rules are a deploy's _redirects, _headers and netlify.toml, parsed.
type rules struct {
	redirects []*redirectRule
	headers   []*headerRule
	// anyForced lets the common request (a file that exists) skip the
	// redirect rules entirely when none of them can shadow a file.
	anyForced bool
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
	for _, red := range r.redirects {
		if red.force {
			r.anyForced = true
		}
	}
	return r, nil
}
