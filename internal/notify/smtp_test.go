package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/demomail"
	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

func get(t *testing.T, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Result().Header, string(body)
}

// The whole path a receipt takes: queued by ReceiptEmail, sent by the worker
// through go-mail over a real SMTP connection to the demo sink on loopback,
// and shown in the demo's web mailbox.
func TestReceiptReachesTheDemoMailbox(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	sink, err := demomail.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	mailer, err := notify.NewSMTPMailer(sink.Config(config.SMTP{From: "Polizia Municipale <noreply@comune.example.org>"}))
	if err != nil {
		t.Fatal(err)
	}
	nav := paidVerbale(t, db, "2026/PM/000102", mario("mario.rossi@example.org"), nil)
	if _, err := notify.ReceiptEmail(ctx, db, site, "2026/PM/000102", pdf); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(db, mailer, nil)
	if n, err := w.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("sent %d, %v", n, err)
	}
	if d, _ := db.EmailDeliveryByKey(ctx, notify.ReceiptDedupKey(nav)); d.Status != store.EmailSent {
		t.Fatalf("delivery = %+v", d)
	}

	mailbox := sink.Handler()
	code, _, list := get(t, mailbox, "/demo-mail/")
	subject := "Ricevuta di pagamento del verbale n. 2026/PM/000102 / Payment receipt"
	if code != http.StatusOK || !strings.Contains(list, subject) || !strings.Contains(list, "mario.rossi@example.org") ||
		!strings.Contains(list, "Ambiente di prova") {
		t.Fatalf("mailbox list (%d) lacks the receipt:\n%s", code, list)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink holds %d messages", len(msgs))
	}
	m := msgs[0]
	if !strings.Contains(m.Text, "Importo pagato:      123,45 €") || !strings.Contains(m.HTML, "<strong>123,45 €</strong>") {
		t.Errorf("bodies did not survive the trip:\ntext %q\nhtml %q", m.Text, m.HTML)
	}
	if !strings.Contains(string(m.Raw), "Auto-Submitted: auto-generated") || !strings.Contains(string(m.Raw), "@comune.example.org>") {
		t.Errorf("headers:\n%s", m.Raw[:min(len(m.Raw), 800)])
	}

	code, _, page := get(t, mailbox, "/demo-mail/1")
	if code != http.StatusOK || !strings.Contains(page, "Importo pagato:      123,45 €") ||
		!strings.Contains(page, `<iframe sandbox title="Versione HTML del messaggio" srcdoc="`) ||
		!strings.Contains(page, `href="/demo-mail/1/allegati/0"`) || !strings.Contains(page, "quietanza.pdf") {
		t.Fatalf("message page (%d):\n%s", code, page)
	}
	code, h, file := get(t, mailbox, "/demo-mail/1/allegati/0")
	if code != http.StatusOK || file != "%PDF-1.7 quietanza" || h.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(h.Get("Content-Disposition"), "quietanza.pdf") {
		t.Fatalf("attachment: %d %v %q", code, h, file)
	}
}

func TestSMTPRefusedRecipientIsPermanent(t *testing.T) {
	sink, err := demomail.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	mailer, err := notify.NewSMTPMailer(sink.Config(config.SMTP{}))
	if err != nil {
		t.Fatal(err)
	}
	err = mailer.Send(context.Background(), notify.Message{To: "not an address", Subject: "x", Text: "x"})
	var p *notify.PermanentError
	if !errors.As(err, &p) {
		t.Fatalf("err = %v, want a PermanentError", err)
	}
}

func TestSMTPServerDownIsTemporary(t *testing.T) {
	sink, err := demomail.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := sink.Config(config.SMTP{})
	sink.Close()
	mailer, err := notify.NewSMTPMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = mailer.Send(context.Background(), notify.Message{To: "mario@example.org", Subject: "x", Text: "x"})
	var p *notify.PermanentError
	if err == nil || errors.As(err, &p) {
		t.Fatalf("err = %v, want a temporary error", err)
	}
}

func TestNewSMTPMailerChecksConfig(t *testing.T) {
	cases := map[string]config.SMTP{
		"no host":   {Port: 587, TLS: config.SMTPStartTLS, From: "pm@example.org"},
		"no sender": {Host: "smtp.example.org", Port: 587, TLS: config.SMTPStartTLS},
		"bad tls":   {Host: "smtp.example.org", Port: 587, TLS: "ssl", From: "pm@example.org"},
	}
	for name, cfg := range cases {
		if _, err := notify.NewSMTPMailer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
