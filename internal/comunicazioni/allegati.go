package comunicazioni

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/comune-torino/portale/internal/store"
)

// Limits on the files of a communication.
const (
	MaxFileSize = 5 << 20 // bytes per file
	MaxFiles    = 5       // attachments per communication
)

// Upload is a file as a person sent it.
type Upload struct {
	Nome string
	Dati []byte
}

// allowed are the types a file may have, told by its content, never by its
// name: a renamed executable stays refused.
var allowed = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
}

// CheckFile checks an upload (type by content, size) and returns it as a
// file of role ruolo.
func CheckFile(u Upload, ruolo string) (store.ComunicazioneFile, error) {
	name := cleanName(u.Nome)
	if len(u.Dati) == 0 {
		return store.ComunicazioneFile{}, &Error{Invalid, "FILE_VUOTO", fmt.Sprintf("Il file «%s» è vuoto.", name)}
	}
	if len(u.Dati) > MaxFileSize {
		return store.ComunicazioneFile{}, &Error{TooLarge, "FILE_TROPPO_GRANDE",
			fmt.Sprintf("Il file «%s» supera 5 MB: riducine la dimensione (per esempio scansionando a 150 dpi) e riprova.", name)}
	}
	ct := http.DetectContentType(u.Dati)
	ext, ok := allowed[ct]
	if !ok {
		return store.ComunicazioneFile{}, &Error{Invalid, "TIPO_FILE_NON_AMMESSO",
			fmt.Sprintf("Il file «%s» non è un PDF, un'immagine PNG o JPEG: allega il documento in uno di questi formati.", name)}
	}
	if !strings.EqualFold(filepath.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(filepath.Ext(name), ".jpeg")) {
		name = strings.TrimSuffix(name, filepath.Ext(name)) + ext
	}
	return store.ComunicazioneFile{Ruolo: ruolo, Nome: name, ContentType: ct, Size: len(u.Dati), Data: u.Dati}, nil
}

// CheckFiles checks up to MaxFiles attachments.
func CheckFiles(us []Upload, ruolo string) ([]store.ComunicazioneFile, error) {
	if len(us) > MaxFiles {
		return nil, &Error{Invalid, "TROPPI_ALLEGATI", fmt.Sprintf("Puoi allegare al massimo %d file.", MaxFiles)}
	}
	out := make([]store.ComunicazioneFile, 0, len(us))
	for _, u := range us {
		f, err := CheckFile(u, ruolo)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// cleanName keeps a file name safe to show and to send back in a
// Content-Disposition header: the base name, printable, at most 100 runes.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || strings.ContainsRune(`"/\;`, r) {
			return '_'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	if name == "" || name == "." {
		name = "allegato"
	}
	return name
}
