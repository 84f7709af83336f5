package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

func queue(t *testing.T, db *store.DB, at time.Time) int64 {
	t.Helper()
	id, _, err := db.EnqueueEmail(context.Background(), store.Email{Kind: "ricevuta", To: "mario.rossi@example.org",
		Subject: "Ricevuta di pagamento", Text: "testo", HTML: "<p>testo</p>"}, at)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	clk := &clock{now: paidAt}
	id := queue(t, db, clk.Now())
	down := true
	mailer := &fakeMailer{fail: func() error {
		if down {
			return errors.New("dial tcp: connection refused")
		}
		return nil
	}}
	var logs bytes.Buffer
	w := notify.NewWorker(db, mailer, slog.New(slog.NewTextHandler(&logs, nil)))
	w.Now = clk.Now

	wantStatus := func(want store.EmailStatus, attempts int) {
		t.Helper()
		d, err := db.EmailDelivery(ctx, id)
		if err != nil || d.Status != want || d.Attempts != attempts {
			t.Fatalf("delivery = %+v, %v; want %s after %d attempts", d, err, want, attempts)
		}
	}
	for i, wait := range store.OutboxBackoff[:3] {
		if n, err := w.SendDue(ctx); n != 0 || err != nil {
			t.Fatalf("attempt %d with the server down: sent %d, %v", i+1, n, err)
		}
		wantStatus(store.EmailRetrying, i+1)
		clk.Add(wait - time.Second)
		if n, _ := w.SendDue(ctx); n != 0 || len(mailer.Sent()) != 0 {
			t.Fatalf("attempt %d: retried before its backoff", i+1)
		}
		clk.Add(time.Second)
	}
	down = false
	if n, err := w.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("with the server back: sent %d, %v", n, err)
	}
	wantStatus(store.EmailSent, 4)
	if n, _ := w.SendDue(ctx); n != 0 || len(mailer.Sent()) != 1 {
		t.Fatal("a sent email was sent again")
	}
	if strings.Contains(logs.String(), "mario.rossi@example.org") || !strings.Contains(logs.String(), "m***@example.org") {
		t.Errorf("the log must mask the address:\n%s", logs.String())
	}
}

func TestWorkerGivesUpOnPermanentRefusal(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id := queue(t, db, paidAt)
	mailer := &fakeMailer{fail: func() error {
		return notify.Permanent(errors.New("550 5.1.1 <mario.rossi@example.org>: no such user"))
	}}
	var logs bytes.Buffer
	w := notify.NewWorker(db, mailer, slog.New(slog.NewTextHandler(&logs, nil)))
	w.Now = func() time.Time { return paidAt }
	w.SendDue(ctx)
	d, _ := db.EmailDelivery(ctx, id)
	if d.Status != store.EmailFailed || d.Attempts != 1 {
		t.Fatalf("delivery = %+v, want %s after one attempt", d, store.EmailFailed)
	}
	if strings.Contains(logs.String(), "mario.rossi@") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("want an ERROR without the address:\n%s", logs.String())
	}
}

// A sender that claimed a message and died before recording the outcome
// (the process was killed) must not lose it: once the lease runs out another
// sender delivers it.
func TestClaimedButUnackedMessageIsRedelivered(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	clk := &clock{now: paidAt}
	id := queue(t, db, clk.Now())
	const lease = 10 * time.Minute
	dead, err := db.ClaimEmails(ctx, clk.Now(), lease, 10)
	if err != nil || len(dead) != 1 {
		t.Fatalf("the dying sender's claim: %v, %v", dead, err)
	}

	mailer := &fakeMailer{}
	w := notify.NewWorker(db, mailer, nil)
	w.Now = clk.Now
	clk.Add(lease - time.Second)
	if n, _ := w.SendDue(ctx); n != 0 {
		t.Fatal("sent while the first sender's lease holds")
	}
	clk.Add(time.Second)
	if n, err := w.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("after the lease: sent %d, %v", n, err)
	}
	sent := mailer.Sent()
	if len(sent) != 1 || sent[0].ID != dead[0].MessageID {
		t.Fatalf("sent %+v; want the message with Message-ID %s", sent, dead[0].MessageID)
	}
	if d, _ := db.EmailDelivery(ctx, id); d.Status != store.EmailSent || d.Attempts != 2 {
		t.Fatalf("delivery = %+v", d)
	}
}

func TestRunSendsOnWake(t *testing.T) {
	db := storetest.New(t)
	mailer := &fakeMailer{}
	w := notify.NewWorker(db, mailer, nil)
	w.Poll = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	queue(t, db, time.Now())
	w.Wake()
	deadline := time.Now().Add(5 * time.Second)
	for len(mailer.Sent()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Wake did not send the queued email")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMaskEmail(t *testing.T) {
	cases := map[string]string{
		"mario.rossi@example.org": "m***@example.org",
		"è@example.org":           "è***@example.org",
		"not-an-address":          "***",
		"":                        "***",
	}
	for in, want := range cases {
		if got := notify.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
