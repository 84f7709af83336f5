package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

var queuedAt = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func email(key string) store.Email {
	return store.Email{DedupKey: key, Kind: "ricevuta", To: "mario@example.org", Subject: "Ricevuta",
		Text: "testo", HTML: "<p>testo</p>",
		Attachments: []store.EmailAttachment{{Name: "q.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}}}
}

func TestEnqueueEmailOncePerKey(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id, queued, err := db.EnqueueEmail(ctx, email("ricevuta:1"), queuedAt)
	if err != nil || !queued {
		t.Fatalf("first enqueue: %v, queued %v", err, queued)
	}
	again, queued, err := db.EnqueueEmail(ctx, email("ricevuta:1"), queuedAt)
	if err != nil || queued || again != id {
		t.Fatalf("second enqueue = %d, %v, %v; want %d, not queued", again, queued, err, id)
	}
	if _, queued, err := db.EnqueueEmail(ctx, email(""), queuedAt); err != nil || !queued {
		t.Fatalf("an email without key is always queued: %v, %v", queued, err)
	}
	got, err := db.ClaimEmails(ctx, queuedAt, time.Minute, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("claimed %d, %v; want 2", len(got), err)
	}
	if a := got[0].Attachments; len(a) != 1 || string(a[0].Data) != "%PDF-1.7" || got[0].MessageID == "" {
		t.Errorf("claimed email = %+v", got[0])
	}
}

func TestEnqueueEmailRollsBackWithItsTransaction(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	var id int64
	boom := errors.New("boom")
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, _, err = store.EnqueueEmail(ctx, tx, email("k"), queuedAt); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := db.EmailDelivery(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("email of a rolled-back change: %v, want ErrNotFound", err)
	}
}

func TestEmailBackoffThenFinalFailure(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id, _, err := db.EnqueueEmail(ctx, email("k"), queuedAt)
	if err != nil {
		t.Fatal(err)
	}
	now := queuedAt
	for i, wait := range store.OutboxBackoff {
		got, err := db.ClaimEmails(ctx, now, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].Attempt != i+1 {
			t.Fatalf("attempt %d: claimed %+v, %v", i+1, got, err)
		}
		st, err := db.MarkEmailFailed(ctx, id, got[0].Claim, now, "421 try later", false)
		if err != nil || st != store.EmailRetrying {
			t.Fatalf("attempt %d: status %q, %v", i+1, st, err)
		}
		d, _ := db.EmailDelivery(ctx, id)
		if !d.NextAttemptAt.Equal(now.Add(wait)) || d.LastError != "421 try later" {
			t.Fatalf("attempt %d: next at %v (want %v), error %q", i+1, d.NextAttemptAt, now.Add(wait), d.LastError)
		}
		if early, _ := db.ClaimEmails(ctx, now.Add(wait-time.Second), time.Minute, 10); len(early) != 0 {
			t.Fatalf("attempt %d: claimed before its backoff ran out", i+1)
		}
		now = now.Add(wait)
	}
	got, _ := db.ClaimEmails(ctx, now, time.Minute, 10)
	if len(got) != 1 {
		t.Fatal("the last attempt was not made")
	}
	if st, err := db.MarkEmailFailed(ctx, id, got[0].Claim, now, "421 try later", false); err != nil || st != store.EmailFailed {
		t.Fatalf("after %d attempts: status %q, %v; want %q", len(store.OutboxBackoff)+1, st, err, store.EmailFailed)
	}
	if more, _ := db.ClaimEmails(ctx, now.Add(48*time.Hour), time.Minute, 10); len(more) != 0 {
		t.Fatal("a failed email was claimed again")
	}
}

func TestPermanentFailureGivesUpAtOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id, _, _ := db.EnqueueEmail(ctx, email("k"), queuedAt)
	got, _ := db.ClaimEmails(ctx, queuedAt, time.Minute, 10)
	st, err := db.MarkEmailFailed(ctx, id, got[0].Claim, queuedAt, "550 no such user", true)
	if err != nil || st != store.EmailFailed {
		t.Fatalf("status %q, %v", st, err)
	}
}

func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id, _, _ := db.EnqueueEmail(ctx, email("k"), queuedAt)
	first, _ := db.ClaimEmails(ctx, queuedAt, 5*time.Minute, 10)
	if len(first) != 1 {
		t.Fatal("not claimed")
	}
	if got, _ := db.ClaimEmails(ctx, queuedAt.Add(4*time.Minute), 5*time.Minute, 10); len(got) != 0 {
		t.Fatal("claimed while its lease holds")
	}
	second, _ := db.ClaimEmails(ctx, queuedAt.Add(5*time.Minute), 5*time.Minute, 10)
	if len(second) != 1 || second[0].Attempt != 2 || second[0].MessageID != first[0].MessageID {
		t.Fatalf("after the lease: %+v", second)
	}
	// The first holder comes back late: its failure must not undo the new claim.
	if st, err := db.MarkEmailFailed(ctx, id, first[0].Claim, queuedAt.Add(6*time.Minute), "late", false); err != nil || st != store.EmailQueued {
		t.Fatalf("stale holder's failure: %q, %v", st, err)
	}
	if err := db.MarkEmailSent(ctx, id, queuedAt.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, err := db.EmailDelivery(ctx, id)
	if err != nil || d.Status != store.EmailSent || d.Attempts != 2 || !d.SentAt.Equal(queuedAt.Add(6*time.Minute)) {
		t.Fatalf("delivery = %+v, %v", d, err)
	}
}

func TestSenderDyingEveryTimeEndsInFailure(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	id, _, _ := db.EnqueueEmail(ctx, email("k"), queuedAt)
	now := queuedAt
	for range len(store.OutboxBackoff) + 1 {
		if got, _ := db.ClaimEmails(ctx, now, time.Minute, 10); len(got) != 1 {
			t.Fatalf("at %v: not claimed", now)
		}
		now = now.Add(time.Minute)
	}
	if got, _ := db.ClaimEmails(ctx, now, time.Minute, 10); len(got) != 0 {
		t.Fatal("claimed after every attempt was used")
	}
	if d, _ := db.EmailDelivery(ctx, id); d.Status != store.EmailFailed {
		t.Fatalf("status = %q, want %q", d.Status, store.EmailFailed)
	}
}
