package gitcms

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"path"
	"strings"
)

// errSymlink refuses a path that is, or passes through, a symbolic link.
var errSymlink = forbidden("Il percorso passa per un collegamento simbolico: non è consentito.")

// mediaTypes are the media accepted, by extension, with the content type
// their bytes must show. SVG is not among them: it can carry scripts.
var mediaTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".pdf": "application/pdf",
}

// cleanPath accepts only a plain relative path: no "..", no ".", no hidden
// or empty segments, no backslashes or control characters.
func cleanPath(p string) error {
	if p == "" || len(p) > 512 || strings.HasPrefix(p, "/") || path.Clean(p) != p {
		return forbidden("Percorso %q non consentito.", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") {
			return forbidden("Percorso %q non consentito.", p)
		}
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || r == ':' {
			return forbidden("Percorso %q non consentito.", p)
		}
	}
	return nil
}

// checkContentFolder accepts content/ and its folders.
func checkContentFolder(p string) error {
	if err := cleanPath(p); err != nil {
		return err
	}
	if p != contentFolder && !strings.HasPrefix(p, contentFolder+"/") {
		return forbidden("Il CMS lavora solo nella cartella %s/: %q non è consentito.", contentFolder, p)
	}
	return nil
}

// checkContentFile accepts Markdown files under content/.
func checkContentFile(p string) error {
	if err := cleanPath(p); err != nil {
		return err
	}
	if !strings.HasPrefix(p, contentFolder+"/") || !strings.HasSuffix(p, ".md") {
		return forbidden("Il CMS modifica solo le pagine in %s/: %q non è consentito.", contentFolder, p)
	}
	return nil
}

// checkMediaPath accepts a file of an allowed type directly in the media
// folder.
func checkMediaPath(p string) error {
	if err := cleanPath(p); err != nil {
		return err
	}
	if path.Dir(p) != mediaFolder {
		return forbidden("I file multimediali stanno solo in %s/: %q non è consentito.", mediaFolder, p)
	}
	if _, ok := mediaTypes[strings.ToLower(path.Ext(p))]; !ok {
		return badRequest("Tipo di file non ammesso: carica immagini JPEG, PNG, GIF o WebP, oppure documenti PDF.")
	}
	return nil
}

// mediaChange checks an uploaded asset (path, size, type) and decodes it.
func (h *Handler) mediaChange(a asset) (change, error) {
	if err := checkMediaPath(a.Path); err != nil {
		return change{}, err
	}
	if a.Encoding != "base64" {
		return change{}, badRequest("Codifica %q non supportata.", a.Encoding)
	}
	data, err := base64.StdEncoding.DecodeString(a.Content)
	if err != nil {
		return change{}, badRequest("Il file %s non è arrivato integro: riprova.", path.Base(a.Path))
	}
	if int64(len(data)) > h.cfg.MaxMediaBytes {
		return change{}, &apiError{status: http.StatusRequestEntityTooLarge, outcome: "rifiutata",
			message: "Il file " + path.Base(a.Path) + " è troppo grande: il massimo è " + megabytes(h.cfg.MaxMediaBytes) + "."}
	}
	want := mediaTypes[strings.ToLower(path.Ext(a.Path))]
	if got := http.DetectContentType(data); !strings.HasPrefix(got, want) {
		return change{}, badRequest("Il contenuto di %s non corrisponde alla sua estensione.", path.Base(a.Path))
	}
	return change{path: a.Path, content: data}, nil
}

func megabytes(n int64) string { return fmt.Sprintf("%d MB", n>>20) }
