package demomail

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"strings"
	"testing"
)

func start(t *testing.T) *Sink {
	t.Helper()
	s, err := Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func send(t *testing.T, s *Sink, to, raw string) {
	t.Helper()
	if err := smtp.SendMail(s.Addr, nil, "noreply@portale.invalid", []string{to}, []byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s *Sink, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

const multipartMail = `From: Polizia Municipale <noreply@portale.invalid>
To: laura@example.org
Subject: =?UTF-8?q?Ricevuta_di_pagamento_=E2=80=93_prova?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="out"

--out
Content-Type: multipart/alternative; boundary="in"

--in
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Importo pagato: 42,00 =E2=82=AC
--in
Content-Type: text/html; charset=utf-8

<p onclick="x()">Importo <script>alert(1)</script></p>
--in--
--out
Content-Type: application/pdf
Content-Disposition: attachment; filename="quietanza.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjc=
--out--
`

func TestSinkReceivesAndShowsAMessage(t *testing.T) {
	s := start(t)
	send(t, s, "laura@example.org", multipartMail)

	res, page := get(t, s, "/demo-mail")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "Ricevuta di pagamento – prova") ||
		!strings.Contains(page, "laura@example.org") || !strings.Contains(page, "Ambiente di prova") {
		t.Fatalf("list (%d):\n%s", res.StatusCode, page)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP = %q, want no scripts at all", csp)
	}

	_, page = get(t, s, "/demo-mail/1")
	for _, want := range []string{
		"Importo pagato: 42,00 €",
		`srcdoc="&lt;p onclick=&#34;x()&#34;&gt;Importo &lt;script&gt;`,
		`href="/demo-mail/1/allegati/0"`,
		"quietanza.pdf",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("message page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "<p onclick") {
		t.Error("the received HTML reached the page unescaped")
	}
	if !strings.Contains(page, "<iframe sandbox ") {
		t.Error("the HTML body is not in a sandboxed iframe")
	}

	res, file := get(t, s, "/demo-mail/1/allegati/0")
	if file != "%PDF-1.7" || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `attachment; filename=quietanza.pdf` {
		t.Errorf("attachment: %q %v", file, res.Header)
	}
	if _, src := get(t, s, "/demo-mail/1/sorgente"); !strings.Contains(src, "boundary=\"out\"") {
		t.Errorf("source:\n%s", src)
	}
}

func TestListIsNewestFirst(t *testing.T) {
	s := start(t)
	for i := 1; i <= 3; i++ {
		send(t, s, "mario@example.org", fmt.Sprintf("Subject: messaggio %d\n\ncorpo %d\n", i, i))
	}
	_, page := get(t, s, "/demo-mail/")
	if a, b := strings.Index(page, "messaggio 3"), strings.Index(page, "messaggio 1"); a < 0 || b < 0 || a > b {
		t.Fatalf("want messaggio 3 before messaggio 1:\n%s", page)
	}
	if m, ok := s.Message(2); !ok || m.Text != "corpo 2\r\n" {
		t.Errorf("plain message = %+v, %v", m, ok)
	}
}

func TestSinkKeepsTheLatest(t *testing.T) {
	s := &Sink{nextID: 1}
	for range Keep + 5 {
		s.add(Message{})
	}
	msgs := s.Messages()
	if len(msgs) != Keep || msgs[0].ID != Keep+5 || msgs[len(msgs)-1].ID != 6 {
		t.Fatalf("kept %d messages, from %d to %d", len(msgs), msgs[len(msgs)-1].ID, msgs[0].ID)
	}
}

func TestUnknownMessage(t *testing.T) {
	s := start(t)
	for _, path := range []string{"/demo-mail/7", "/demo-mail/abc", "/demo-mail/7/allegati/0"} {
		if res, page := get(t, s, path); res.StatusCode != http.StatusNotFound || !strings.Contains(page, "Messaggio non trovato") {
			t.Errorf("%s: %d\n%s", path, res.StatusCode, page)
		}
	}
	if res, page := get(t, s, "/demo-mail/"); !strings.Contains(page, "Nessun messaggio ricevuto") {
		t.Errorf("empty mailbox: %d\n%s", res.StatusCode, page)
	}
}
