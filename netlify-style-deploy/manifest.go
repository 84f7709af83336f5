package deploy

import "time"

// manifest is the immutable description of a deploy, stored as
// deploys/<id>.json.
type manifest struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Files maps slash-separated paths relative to the site root to their blob.
	Files map[string]fileEntry `json:"files"`
	// Config holds _headers, _redirects and netlify.toml: they steer serving
	// and are never served themselves.
	Config map[string]fileEntry `json:"config,omitempty"`
}

type fileEntry struct {
	Digest string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"type"`
	// Gzip and Brotli are the sizes of the blob's compressed variants, 0
	// when there is none.
	Gzip   int64 `json:"gzip,omitempty"`
	Brotli int64 `json:"br,omitempty"`
}

// configFiles are read from the root of the source directory, in the order
// Netlify applies them: _redirects rules come before netlify.toml rules.
var configFiles = []string{"_redirects", "_headers", "netlify.toml"}

func isConfigFile(rel string) bool {
	for _, name := range configFiles {
		if rel == name {
			return true
		}
	}
	return false
}

func (m *manifest) describe() Deploy {
	d := Deploy{ID: m.ID, Created: m.Created}
	for _, e := range m.Files {
		d.Files++
		d.Bytes += e.Size
	}
	for _, e := range m.Config {
		d.Files++
		d.Bytes += e.Size
	}
	return d
}
