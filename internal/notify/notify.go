// Package notify sends email to citizens. A message is rendered from a
// template and written to the outbox table (internal/store), possibly in the
// same transaction as the change it reports; a Worker then sends it over
// SMTP, retrying with backoff. Nothing is lost on a crash: a message stays in
// the outbox until the mail server has accepted it, so it is delivered at
// least once.
package notify

import (
	"errors"
	"regexp"
	"strings"

	"github.com/comune-torino/portale/internal/store"
)

// Attachment is a file sent with an email, e.g. the PDF quietanza.
type Attachment struct {
	Name        string // file name the citizen sees, e.g. "quietanza-V2026-123.pdf"
	ContentType string // e.g. "application/pdf"
	Data        []byte
}

// Message is one email as the Mailer sends it.
type Message struct {
	// ID is the stable left part of the Message-ID header: every attempt at
	// the same outbox message carries the same one.
	ID          string
	To          string
	Subject     string
	Text        string
	HTML        string // empty: text only
	Attachments []Attachment
}

// PermanentError marks a failure that retrying cannot fix (the mail server
// refused the recipient, the address is malformed): the message is given up
// at once instead of after every retry.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// MaskEmail hides an address for logs: "mario.rossi@example.org" becomes
// "m***@example.org".
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(addr), "@")
	if !ok || local == "" {
		return "***"
	}
	r := []rune(local)
	return string(r[0]) + "***@" + domain
}

var emailLike = regexp.MustCompile(`[^\s<>"'@,;:()\[\]]+@[A-Za-z0-9.-]+`)

// redact masks every address in s, for error texts (a mail server's refusal
// usually repeats the recipient) that go to the log.
func redact(s string) string {
	return emailLike.ReplaceAllStringFunc(s, MaskEmail)
}

func toStore(as []Attachment) []store.EmailAttachment {
	out := make([]store.EmailAttachment, len(as))
	for i, a := range as {
		out[i] = store.EmailAttachment(a)
	}
	return out
}

func fromStore(as []store.EmailAttachment) []Attachment {
	out := make([]Attachment, len(as))
	for i, a := range as {
		out[i] = Attachment(a)
	}
	return out
}
