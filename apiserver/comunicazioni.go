package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/calcolo"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/store"
)

func (s *Server) comunicazioni() *comunicazioni.Service {
	return &comunicazioni.Service{Store: s.cfg.DB, Rules: s.cfg.Rules, Ente: s.cfg.Ente.Nome}
}

// fileJSON describes a file of a communication, without its content.
type fileJSON struct {
	ID          int64  `json:"id"`
	Ruolo       string `json:"ruolo"`
	Nome        string `json:"nome"`
	ContentType string `json:"content_type"`
	Dimensione  int    `json:"dimensione"`
}

// comunicazioneJSON is a communication as the API answers it.
type comunicazioneJSON struct {
	ID                   int64           `json:"id"`
	Protocollo           string          `json:"protocollo"`
	Tipo                 string          `json:"tipo"`
	Sottotipo            string          `json:"sottotipo,omitempty"`
	Stato                string          `json:"stato"`
	Ruolo                string          `json:"ruolo,omitempty"`
	Numero               string          `json:"numero,omitempty"`
	Dati                 json.RawMessage `json:"dati"`
	CreataIl             time.Time       `json:"creata_il"`
	ConfermataIl         *time.Time      `json:"confermata_il"`
	DecisaIl             *time.Time      `json:"decisa_il"`
	Risposta             string          `json:"risposta,omitempty"`
	File                 []fileJSON      `json:"file"`
	DocumentoDisponibile bool            `json:"documento_disponibile"`
	Mittente             string          `json:"mittente,omitempty"`  // staff only
	DecisaDa             string          `json:"decisa_da,omitempty"` // staff only
}

// comunicazioneOut shapes c for ruolo (mittente or conducente), or for the
// office when ruolo is "". The named driver sees neither the sender's files
// nor their identity.
func comunicazioneOut(c store.Comunicazione, ruolo string) comunicazioneJSON {
	out := comunicazioneJSON{ID: c.ID, Protocollo: c.Protocollo, Tipo: c.Tipo, Sottotipo: c.Sottotipo, Stato: c.Stato,
		Ruolo: ruolo, Numero: c.Numero, Dati: json.RawMessage(c.Dati), CreataIl: c.CreataIl, Risposta: c.Risposta,
		File: []fileJSON{}}
	if !c.ConfermataIl.IsZero() {
		at := c.ConfermataIl
		out.ConfermataIl = &at
	}
	if !c.DecisaIl.IsZero() && (c.Stato == store.ComAccolta || c.Stato == store.ComRespinta || ruolo == "") {
		at := c.DecisaIl
		out.DecisaIl = &at
	}
	for _, f := range c.File {
		if f.Ruolo == store.FileDocumento {
			out.DocumentoDisponibile = true
		}
		if ruolo == comunicazioni.RuoloConducente {
			continue
		}
		out.File = append(out.File, fileJSON{ID: f.ID, Ruolo: f.Ruolo, Nome: f.Nome, ContentType: f.ContentType, Dimensione: f.Size})
	}
	if ruolo == "" {
		out.Mittente, out.DecisaDa = c.Mittente, c.DecisaDa
	}
	return out
}

func comunicazioniOut(list []store.Comunicazione, ruoloOf func(store.Comunicazione) string) map[string][]comunicazioneJSON {
	out := make([]comunicazioneJSON, len(list))
	for i, c := range list {
		out[i] = comunicazioneOut(c, ruoloOf(c))
	}
	return map[string][]comunicazioneJSON{"comunicazioni": out}
}

// comError answers a refused request with its code and message.
func comError(err error) error {
	var e *comunicazioni.Error
	if !errors.As(err, &e) {
		return err
	}
	status := http.StatusBadRequest
	switch e.Kind {
	case comunicazioni.NotFound:
		status = http.StatusNotFound
	case comunicazioni.Conflict:
		status = http.StatusConflict
	case comunicazioni.TooLarge:
		status = http.StatusRequestEntityTooLarge
	}
	return &Error{Status: status, Codice: e.Codice, Messaggio: e.Messaggio}
}

var (
	errComunicazioneNotFound = &Error{Status: http.StatusNotFound, Codice: "COMUNICAZIONE_NON_TROVATA",
		Messaggio: "Questa comunicazione non esiste."}
	errMultipartRequired = &Error{Status: http.StatusUnsupportedMediaType, Codice: "FORMATO_NON_SUPPORTATO",
		Messaggio: "Invia il modulo come multipart/form-data, con i file nei campi indicati."}
	errFileMissing = &Error{Status: http.StatusBadRequest, Codice: "FILE_MANCANTE",
		Messaggio: "Manca il file: allegalo nel campo indicato (PDF, PNG o JPEG, al massimo 5 MB)."}
	errUploadTooLarge = &Error{Status: http.StatusRequestEntityTooLarge, Codice: "RICHIESTA_TROPPO_GRANDE",
		Messaggio: "Il modulo supera la dimensione massima: al massimo 5 file di 5 MB ciascuno."}
)

func comunicazioneID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errComunicazioneNotFound
	}
	return id, nil
}

// numeroParam reads {numero}: numbers hold slashes, sent as %2F.
func numeroParam(r *http.Request) (string, error) {
	n, err := url.PathUnescape(chi.URLParam(r, "numero"))
	if err != nil {
		return "", errVerbaleNotFound
	}
	return n, nil
}

// form is a multipart request as read: its text fields and its files.
type form struct {
	fields map[string]string
	files  map[string][]comunicazioni.Upload
}

// maxUploadBody bounds a multipart request: the files allowed and some text.
const maxUploadBody = comunicazioni.MaxFiles*(comunicazioni.MaxFileSize+4<<10) + 64<<10

// readForm streams a multipart/form-data body. A file is read up to one byte
// past the limit, so that a larger one is refused by its size with its name
// rather than by the whole request's.
func readForm(w http.ResponseWriter, r *http.Request) (form, error) {
	f := form{fields: map[string]string{}, files: map[string][]comunicazioni.Upload{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return f, errMultipartRequired
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return f, errMultipartRequired
	}
	count := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return f, errUploadTooLarge
			}
			return f, &Error{Status: http.StatusBadRequest, Codice: "MODULO_NON_VALIDO",
				Messaggio: "Il modulo inviato non è leggibile: riprova."}
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				return f, errUploadTooLarge
			}
			f.fields[name] = string(b)
			continue
		}
		if count++; count > comunicazioni.MaxFiles {
			return f, &Error{Status: http.StatusBadRequest, Codice: "TROPPI_ALLEGATI",
				Messaggio: fmt.Sprintf("Puoi allegare al massimo %d file.", comunicazioni.MaxFiles)}
		}
		b, err := io.ReadAll(io.LimitReader(part, comunicazioni.MaxFileSize+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return f, errUploadTooLarge
			}
			return f, err
		}
		f.files[name] = append(f.files[name], comunicazioni.Upload{Nome: part.FileName(), Dati: b})
	}
}

// one returns the single file of field, or errFileMissing.
func (f form) one(field string) (comunicazioni.Upload, error) {
	if len(f.files[field]) != 1 {
		return comunicazioni.Upload{}, errFileMissing
	}
	return f.files[field][0], nil
}

// nameDriver answers POST /api/v1/me/verbali/{numero}/conducente (A6) and
// POST /api/v1/azienda/verbali/{numero}/conducente: the owner — the citizen
// or the company, as sender tells — names the driver of one fine; the
// driver confirms next.
func (s *Server) nameDriver(sender func(*http.Request) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		numero, err := numeroParam(r)
		if err != nil {
			return err
		}
		var d comunicazioni.Conducente
		if err := decodeProfilo(w, r, &d); err != nil {
			return err
		}
		c, err := s.comunicazioni().NameDriver(r.Context(), sender(r), numero, d, s.cfg.Now())
		if err != nil {
			return comError(err)
		}
		writeJSON(w, http.StatusCreated, comunicazioneOut(c, comunicazioni.RuoloMittente))
		return nil
	}
}

// attachLicence answers POST .../verbali/{numero}/conducente/patente, for
// the citizen and for the company: the image of the named driver's licence,
// multipart field "patente".
func (s *Server) attachLicence(sender func(*http.Request) string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		numero, err := numeroParam(r)
		if err != nil {
			return err
		}
		f, err := readForm(w, r)
		if err != nil {
			return err
		}
		u, err := f.one("patente")
		if err != nil {
			return err
		}
		c, err := s.comunicazioni().AttachLicence(r.Context(), sender(r), numero, u, s.cfg.Now())
		if err != nil {
			return comError(err)
		}
		writeJSON(w, http.StatusOK, comunicazioneOut(c, comunicazioni.RuoloMittente))
		return nil
	}
}

// postContestazione answers POST /api/v1/me/contestazioni (A7): JSON, or
// multipart/form-data with the JSON in the field "dati" and the files in
// "allegati".
func (s *Server) postContestazione(w http.ResponseWriter, r *http.Request) error {
	var req comunicazioni.Contestazione
	var uploads []comunicazioni.Upload
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, err := readForm(w, r)
		if err != nil {
			return err
		}
		if err := calcoloError(calcolo.Decode(strings.NewReader(f.fields["dati"]), &req)); err != nil {
			return err
		}
		uploads = f.files["allegati"]
	} else if err := decodeContestazione(w, r, &req); err != nil {
		return err
	}
	c, err := s.comunicazioni().Contest(r.Context(), citizenCF(r), req, uploads, s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusCreated, comunicazioneOut(c, comunicazioni.RuoloMittente))
	return nil
}

// decodeContestazione reads a JSON contestation: larger than the other
// personal-area requests, for the description.
func decodeContestazione(w http.ResponseWriter, r *http.Request, v any) error {
	err := calcolo.Decode(http.MaxBytesReader(w, r.Body, 64<<10), v)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return calcoloError(err)
}

// postRichiestaDocumento answers POST /api/v1/me/richieste-documento (A15).
func (s *Server) postRichiestaDocumento(w http.ResponseWriter, r *http.Request) error {
	var req comunicazioni.RichiestaDocumento
	if err := decodeContestazione(w, r, &req); err != nil {
		return err
	}
	c, err := s.comunicazioni().RequestDocument(r.Context(), citizenCF(r), req, s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusCreated, comunicazioneOut(c, comunicazioni.RuoloMittente))
	return nil
}

// getComunicazioni answers GET /api/v1/me/comunicazioni: what the citizen
// sent and the driver identifications that name them, newest first.
func (s *Server) getComunicazioni(w http.ResponseWriter, r *http.Request) error {
	cf := citizenCF(r)
	list, err := s.comunicazioni().Of(r.Context(), cf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, comunicazioniOut(list, func(c store.Comunicazione) string {
		if c.Mittente == cf {
			return comunicazioni.RuoloMittente
		}
		return comunicazioni.RuoloConducente
	}))
	return nil
}

// getComunicazione answers GET /api/v1/me/comunicazioni/{id}.
func (s *Server) getComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	c, ruolo, err := s.comunicazioni().Get(r.Context(), citizenCF(r), id)
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, ruolo))
	return nil
}

// postConfermaComunicazione answers POST /api/v1/me/comunicazioni/{id}/conferma:
// the named driver confirms, with their own login, that they were driving.
func (s *Server) postConfermaComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	c, err := s.comunicazioni().Confirm(r.Context(), citizenCF(r), id, s.cfg.Now())
	if err != nil {
		return comError(err)
	}
	writeJSON(w, http.StatusOK, comunicazioneOut(c, comunicazioni.RuoloConducente))
	return nil
}

// getDocumentoComunicazione answers GET /api/v1/me/comunicazioni/{id}/documento:
// the document the office delivered for the citizen's request.
func (s *Server) getDocumentoComunicazione(w http.ResponseWriter, r *http.Request) error {
	id, err := comunicazioneID(r)
	if err != nil {
		return err
	}
	f, err := s.comunicazioni().Document(r.Context(), citizenCF(r), id)
	if err != nil {
		return comError(err)
	}
	serveFile(w, f)
	return nil
}

// serveFile sends a stored file as a download.
func serveFile(w http.ResponseWriter, f store.ComunicazioneFile) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Nome}))
	w.WriteHeader(http.StatusOK)
	w.Write(f.Data)
}
