package demomail

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

// Path is where the web mailbox is mounted.
const Path = "/demo-mail"

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.In(civil.Rome).Format("02/01/2006 15:04:05") },
	"size": size,
}).ParseFS(templateFiles, "templates/*.html"))

func size(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d byte", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f kB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}

// Handler is the web mailbox, for the paths under Path:
//
//	GET /demo-mail                        the messages, newest first
//	GET /demo-mail/{id}                   one message: text, HTML, attachments
//	GET /demo-mail/{id}/allegati/{n}      download attachment n (from 0)
//	GET /demo-mail/{id}/sorgente          the message as received
func (s *Sink) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, s.showList)
	mux.HandleFunc("GET "+Path+"/{$}", s.showList)
	mux.HandleFunc("GET "+Path+"/{id}", s.showMessage)
	mux.HandleFunc("GET "+Path+"/{id}/allegati/{n}", s.downloadAttachment)
	mux.HandleFunc("GET "+Path+"/{id}/sorgente", s.showSource)
	return mux
}

type listPage struct {
	Messages []Message
	Keep     int
}

func (s *Sink) showList(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, "list.html", listPage{Messages: s.Messages(), Keep: Keep})
}

func (s *Sink) message(w http.ResponseWriter, r *http.Request) (Message, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	m, ok := s.Message(id)
	if err != nil || !ok {
		render(w, http.StatusNotFound, "notfound.html", nil)
		return Message{}, false
	}
	return m, true
}

func (s *Sink) showMessage(w http.ResponseWriter, r *http.Request) {
	if m, ok := s.message(w, r); ok {
		render(w, http.StatusOK, "message.html", m)
	}
}

func (s *Sink) downloadAttachment(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(m.Attachments) {
		render(w, http.StatusNotFound, "notfound.html", nil)
		return
	}
	a := m.Attachments[n]
	h := w.Header()
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	w.Write(a.Data)
}

func (s *Sink) showSource(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	w.Write(m.Raw)
}

// render writes a page. The policy allows no script at all, inline styles
// only, and images only as data: URLs, so a received HTML body (shown in a
// sandboxed iframe) can neither run code nor call home.
func render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "Errore interno della casella di prova. / Internal error of the test mailbox.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
