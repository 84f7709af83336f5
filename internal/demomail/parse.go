package demomail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

var words = new(mime.WordDecoder)

func decodeHeader(s string) string {
	d, err := words.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// parse reads the headers and the MIME tree of a message into m: the first
// text/plain and text/html bodies, and every other part as an attachment.
func parse(r io.Reader, m *Message) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return fmt.Errorf("not an email: %w", err)
	}
	m.Subject = decodeHeader(msg.Header.Get("Subject"))
	m.Date = msg.Header.Get("Date")
	return walk(textproto.MIMEHeader(msg.Header), msg.Body, m, 0)
}

func walk(h textproto.MIMEHeader, body io.Reader, m *Message, depth int) error {
	if depth > 10 {
		return fmt.Errorf("MIME nested too deep")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("Content-Type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header, p, m, depth+1); err != nil {
				return err
			}
		}
	}
	data, err := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	name := ""
	attached := false
	if cd := h.Get("Content-Disposition"); cd != "" {
		disp, dparams, err := mime.ParseMediaType(cd)
		if err == nil {
			attached = disp == "attachment"
			name = dparams["filename"]
		}
	}
	if name == "" {
		name = params["name"]
	}
	switch {
	case !attached && name == "" && mediaType == "text/plain" && m.Text == "":
		m.Text = string(data)
	case !attached && name == "" && mediaType == "text/html" && m.HTML == "":
		m.HTML = string(data)
	default:
		if name == "" {
			name = fmt.Sprintf("allegato-%d", len(m.Attachments)+1)
		}
		m.Attachments = append(m.Attachments, Attachment{Name: decodeHeader(name), ContentType: mediaType, Data: data})
	}
	return nil
}

func decodeBody(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		raw, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(raw), nil)))
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	default:
		return io.ReadAll(body)
	}
}
