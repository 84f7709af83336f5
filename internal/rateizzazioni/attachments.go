package rateizzazioni

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// MaxAttachmentSize is the largest document a citizen may attach (5 MB).
const MaxAttachmentSize = 5 << 20

// attachmentTypes are the documents accepted, by their content (not by
// their name): PDF, PNG and JPEG.
var attachmentTypes = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

var (
	errAttachmentType = &Error{Invalid, "TIPO_NON_AMMESSO",
		"Il file non è un PDF, un PNG o un JPEG: allega un documento in uno di questi formati."}
	errAttachmentSize = &Error{TooLarge, "FILE_TROPPO_GRANDE",
		"Il file supera i 5 MB: riducilo (per esempio scansionandolo a una risoluzione più bassa) e riprova."}
	errAttachmentEmpty    = &Error{Invalid, "FILE_VUOTO", "Il file è vuoto: scegli il documento da allegare."}
	errTooManyAttachments = &Error{Conflict, "TROPPI_ALLEGATI",
		"Hai già allegato 5 documenti a questa rateizzazione: non se ne possono aggiungere altri."}
	errAttachmentClosed = &Error{Conflict, "RATEIZZAZIONE_GIA_DECISA",
		"Si possono allegare documenti solo a una rateizzazione non ancora decisa."}
	errAttachmentNotFound = &Error{NotFound, "ALLEGATO_NON_TROVATO", "Questo allegato non esiste."}
)

// ErrAttachmentTooLarge is the refusal of a file over MaxAttachmentSize, for
// callers that stop reading at the limit; ErrAttachmentNotFound of an
// attachment that is not there.
var (
	ErrAttachmentTooLarge error = errAttachmentSize
	ErrAttachmentNotFound error = errAttachmentNotFound
)

// Attach stores a document on cf's plan id while it waits for a decision.
// Its type is read from its content; the name is kept for the download,
// with the extension of that type.
func (s *Service) Attach(ctx context.Context, cf string, id int64, name string, data []byte, now time.Time) (store.PlanAttachment, error) {
	p, err := s.Own(ctx, cf, id)
	if err != nil {
		return store.PlanAttachment{}, err
	}
	if p.Stato != store.PlanProposed && p.Stato != store.PlanCounter {
		return store.PlanAttachment{}, errAttachmentClosed
	}
	switch {
	case len(data) == 0:
		return store.PlanAttachment{}, errAttachmentEmpty
	case len(data) > MaxAttachmentSize:
		return store.PlanAttachment{}, errAttachmentSize
	}
	ct := http.DetectContentType(data)
	ext, ok := attachmentTypes[ct]
	if !ok {
		return store.PlanAttachment{}, errAttachmentType
	}
	a := store.PlanAttachment{PlanID: id, Name: cleanName(name, ext), ContentType: ct, Size: int64(len(data)), Data: data, UploadedAt: now}
	a.ID, err = s.Store.AddPlanAttachment(ctx, a)
	if errors.Is(err, store.ErrTooManyAttachments) {
		return store.PlanAttachment{}, errTooManyAttachments
	}
	a.Data = nil
	return a, err
}

// cleanName keeps a file name safe to show and to send back in
// Content-Disposition: its base, printable, at most 100 characters, ending
// in the extension of its real type.
func cleanName(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSuffix(name, path.Ext(name))
	if name == "" || name == "." {
		name = "allegato"
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name + ext
}

// Attachment returns document aid of plan id: any plan's for the staff (cf
// ""), only their own for a citizen.
func (s *Service) Attachment(ctx context.Context, cf string, id, aid int64) (store.PlanAttachment, error) {
	if cf != "" {
		if _, err := s.Own(ctx, cf, id); err != nil {
			return store.PlanAttachment{}, errAttachmentNotFound
		}
	}
	a, err := s.Store.PlanAttachment(ctx, id, aid)
	if errors.Is(err, store.ErrNotFound) {
		return a, errAttachmentNotFound
	}
	return a, err
}

// ServeAttachment writes a as a download.
func ServeAttachment(w http.ResponseWriter, a store.PlanAttachment) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	w.Write(a.Data)
}
