package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var templateFiles embed.FS

// Content is a rendered email.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// kinds are the emails the portal sends; each has templates/KIND.txt (text
// template with the blocks "subject" and "text") and templates/KIND.html
// (HTML template with the block "content", set in templates/layout.html).
var kinds = []string{kindRicevuta}

type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var templates = parseTemplates()

func parseTemplates() map[string]kindTemplates {
	layout := htmltemplate.Must(htmltemplate.ParseFS(templateFiles, "templates/layout.html"))
	out := make(map[string]kindTemplates, len(kinds))
	for _, k := range kinds {
		out[k] = kindTemplates{
			text: texttemplate.Must(texttemplate.ParseFS(templateFiles, "templates/"+k+".txt")),
			html: htmltemplate.Must(htmltemplate.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+k+".html")),
		}
	}
	return out
}

// Render fills the templates of kind with data: the subject on one line, the
// plain text, and the HTML alternative.
func Render(kind string, data any) (Content, error) {
	t, ok := templates[kind]
	if !ok {
		return Content{}, fmt.Errorf("notify: no templates for %q", kind)
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Content{}, fmt.Errorf("notify: %s subject: %w", kind, err)
	}
	if err := t.text.ExecuteTemplate(&text, "text", data); err != nil {
		return Content{}, fmt.Errorf("notify: %s text: %w", kind, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", data); err != nil {
		return Content{}, fmt.Errorf("notify: %s html: %w", kind, err)
	}
	return Content{
		Subject: strings.Join(strings.Fields(subject.String()), " "),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}
