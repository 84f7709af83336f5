package notify_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var site = notify.Site{Ente: "Città di Torino", PublicURL: "https://multe.example.org"}

func pdf(string) (*notify.Attachment, error) {
	return &notify.Attachment{Name: "quietanza.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7 quietanza")}, nil
}

// claimOne returns the one email waiting in the outbox.
func claimOne(t *testing.T, db *store.DB) store.ClaimedEmail {
	t.Helper()
	got, err := db.ClaimEmails(context.Background(), time.Now(), time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("outbox holds %d emails (%v), want 1", len(got), err)
	}
	return got[0]
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestReceiptEmail(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	nav := paidVerbale(t, db, "2026/PM/000102", nil, mario("mario.rossi@example.org"))

	queued, err := notify.ReceiptEmail(ctx, db, site, "2026/PM/000102", pdf)
	if err != nil || !queued {
		t.Fatalf("ReceiptEmail = %v, %v", queued, err)
	}
	e := claimOne(t, db)
	if e.To != "mario.rossi@example.org" || e.Subject != "Ricevuta di pagamento del verbale n. 2026/PM/000102 / Payment receipt" {
		t.Errorf("to %q, subject %q", e.To, e.Subject)
	}
	if len(e.Attachments) != 1 || e.Attachments[0].Name != "quietanza.pdf" {
		t.Errorf("attachments = %+v", e.Attachments)
	}
	for _, want := range []string{"123,45 €", "26/11/2026 10:15", "2026/PM/000102", nav[1:], "In allegato trovi la quietanza",
		"https://multe.example.org/area-personale/", "Dear Mario Rossi"} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	golden(t, "ricevuta.txt", e.Text)
	golden(t, "ricevuta.html", e.HTML)

	if queued, err := notify.ReceiptEmail(ctx, db, site, "2026/PM/000102", pdf); err != nil || queued {
		t.Errorf("a second call queued again: %v, %v", queued, err)
	}
	if d, err := db.EmailDeliveryByKey(ctx, notify.ReceiptDedupKey(nav)); err != nil || d.Kind != "ricevuta" {
		t.Errorf("delivery by key = %+v, %v", d, err)
	}
}

func TestReceiptEmailRecipient(t *testing.T) {
	owner := &verbali.Persona{CodiceFiscale: "BNCLRA85M41L219R", Nome: "Laura", Cognome: "Bianchi", Email: "laura@example.org"}
	cases := map[string]struct {
		offender, owner *verbali.Persona
		want            string
	}{
		"the offender first":                   {mario("mario@example.org"), owner, "mario@example.org"},
		"the owner when the offender has none": {mario(""), owner, "laura@example.org"},
		"the owner alone":                      {nil, owner, "laura@example.org"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			db := storetest.New(t)
			paidVerbale(t, db, "2026/PM/000001", c.offender, c.owner)
			if _, err := notify.ReceiptEmail(context.Background(), db, site, "2026/PM/000001", nil); err != nil {
				t.Fatal(err)
			}
			if e := claimOne(t, db); e.To != c.want || len(e.Attachments) != 0 || strings.Contains(e.Text, "In allegato") {
				t.Errorf("to %q with %d attachments, want %q with none", e.To, len(e.Attachments), c.want)
			}
		})
	}
}

func TestReceiptEmailWithoutAddress(t *testing.T) {
	db := storetest.New(t)
	paidVerbale(t, db, "2026/PM/000001", mario(""), nil)
	if _, err := notify.ReceiptEmail(context.Background(), db, site, "2026/PM/000001", pdf); !errors.Is(err, notify.ErrNoRecipient) {
		t.Fatalf("err = %v, want ErrNoRecipient", err)
	}
}

func TestReceiptEmailWhenThePDFFails(t *testing.T) {
	db := storetest.New(t)
	paidVerbale(t, db, "2026/PM/000001", mario("mario@example.org"), nil)
	broken := func(string) (*notify.Attachment, error) { return nil, errors.New("pdf: font missing") }
	queued, err := notify.ReceiptEmail(context.Background(), db, site, "2026/PM/000001", broken)
	var ae *notify.AttachmentError
	if !queued || !errors.As(err, &ae) {
		t.Fatalf("queued %v, err %v; want queued with an AttachmentError", queued, err)
	}
	if e := claimOne(t, db); len(e.Attachments) != 0 || !strings.Contains(e.Text, "Conserva questa email") {
		t.Errorf("email without the PDF: %+v", e)
	}
}

func TestPaidHookWakesTheSender(t *testing.T) {
	db := storetest.New(t)
	paidVerbale(t, db, "2026/PM/000001", mario("mario@example.org"), nil)
	woken := 0
	hook := notify.PaidHook(db, site, nil, func() { woken++ }, nil)
	hook(context.Background(), "2026/PM/000001")
	hook(context.Background(), "2026/PM/000001")
	if woken != 1 {
		t.Errorf("woken %d times, want once (the second call queues nothing)", woken)
	}
	claimOne(t, db)
}

func TestCatchUpReceiptsQueuesWhatACrashLeftBehind(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	since := time.Now().Add(-time.Hour)
	paidVerbale(t, db, "2026/PM/000001", mario("mario@example.org"), nil)
	paidVerbale(t, db, "2026/PM/000002", mario("mario@example.org"), nil)
	paidVerbale(t, db, "2026/PM/000003", mario(""), nil)
	if _, err := notify.ReceiptEmail(ctx, db, site, "2026/PM/000001", nil); err != nil {
		t.Fatal(err)
	}
	if n, err := notify.CatchUpReceipts(ctx, db, site, nil, time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("queued %d payments older than since (%v)", n, err)
	}
	n, err := notify.CatchUpReceipts(ctx, db, site, nil, since)
	if err != nil || n != 1 {
		t.Fatalf("caught up %d, %v; want 1 (000002: 000001 was queued, 000003 has no address)", n, err)
	}
	if n, err := notify.CatchUpReceipts(ctx, db, site, nil, since); err != nil || n != 0 {
		t.Fatalf("second catch-up queued %d, %v", n, err)
	}
}
