package deploy

import (
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// webTypes fixes the types of the files a static site is made of, so that a
// deploy serves the same Content-Type whatever /etc/mime.types says on the
// machine that created it.
var webTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".xml":         "application/xml",
	".rss":         "application/rss+xml",
	".atom":        "application/atom+xml",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".ics":         "text/calendar; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/vnd.microsoft.icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".eot":         "application/vnd.ms-fontobject",
	".pdf":         "application/pdf",
	".wasm":        "application/wasm",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".mp3":         "audio/mpeg",
	".zip":         "application/zip",
	".docx":        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".odt":         "application/vnd.oasis.opendocument.text",
	".ods":         "application/vnd.oasis.opendocument.spreadsheet",
}

// contentType picks the MIME type from the name, falling back to sniffing the
// first bytes of the content.
func contentType(name string, head []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := webTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return http.DetectContentType(head)
}

// compressible reports whether a type is worth compressed variants: text formats
// shrink a lot, while images, fonts like woff2 and archives are compressed
// already.
func compressible(typ string) bool {
	t, _, _ := strings.Cut(typ, ";")
	switch {
	case strings.HasPrefix(t, "text/"):
		return true
	case strings.HasSuffix(t, "+json"), strings.HasSuffix(t, "+xml"):
		return true
	}
	switch t {
	case "application/json", "application/xml", "application/javascript", "application/wasm",
		"image/vnd.microsoft.icon", "font/ttf", "font/otf", "application/vnd.ms-fontobject":
		return true
	}
	return false
}

// fingerprinted matches names carrying a content hash, such as Hugo's
// "main.3f2a…9c.css" or bundlers' "app-5d41402a.js": their content never
// changes under that name, so browsers may keep them for a year.
var fingerprinted = regexp.MustCompile(`[.-][0-9a-f]*[0-9][0-9a-f]*\.[A-Za-z0-9]+$`)

func isFingerprinted(name string) bool {
	base := path.Base(name)
	loc := fingerprinted.FindStringIndex(base)
	if loc == nil {
		return false
	}
	hash := base[loc[0]+1:]
	hash = hash[:strings.IndexByte(hash, '.')]
	return len(hash) >= 8
}

func isHTML(typ string) bool { return strings.HasPrefix(typ, "text/html") }
