package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	mario := store.Session{IDHash: "h-mario", CodiceFiscale: "RSSMRA80A01L219M", Nome: "Mario", Cognome: "Rossi",
		IDToken: "tok", CreatedAt: t0, LastSeenAt: t0}
	laura := store.Session{IDHash: "h-laura", CodiceFiscale: "BNCLRA85M41L219R", Nome: "Laura", Cognome: "Bianchi",
		CreatedAt: t0.Add(time.Hour), LastSeenAt: t0.Add(time.Hour)}
	for _, s := range []store.Session{mario, laura} {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateSession(ctx, mario); err == nil {
		t.Errorf("a second session with the same id was accepted")
	}
	got, err := db.Session(ctx, "h-mario")
	if err != nil || got != mario {
		t.Fatalf("Session = %+v, %v; want %+v", got, err, mario)
	}
	if err := db.TouchSession(ctx, "h-mario", t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Session(ctx, "h-mario"); !got.LastSeenAt.Equal(t0.Add(10*time.Minute)) || !got.CreatedAt.Equal(t0) {
		t.Errorf("after touch = %+v", got)
	}

	n, err := db.DeleteExpiredSessions(ctx, t0.Add(30*time.Minute), t0.Add(-12*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want the idle one only", n, err)
	}
	if _, err := db.Session(ctx, "h-mario"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("idle session still there: %v", err)
	}
	if n, _ := db.DeleteExpiredSessions(ctx, t0, t0.Add(2*time.Hour)); n != 1 {
		t.Errorf("session past its absolute limit not deleted (%d)", n)
	}

	if err := db.CreateSession(ctx, laura); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := db.DeleteSession(ctx, "h-laura"); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
	}
	if _, err := db.Session(ctx, "h-laura"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session still there: %v", err)
	}
}

func TestConsentHistory(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	const mario, laura = "RSSMRA80A01L219M", "BNCLRA85M41L219R"
	steps := []struct {
		name string
		do   func() error
		want store.Consent
		err  error
	}{
		{"never given", func() error { return nil }, store.Consent{}, store.ErrNotFound},
		{"given", func() error { return db.GiveConsent(ctx, mario, "1", t0) }, store.Consent{Version: "1", GivenAt: t0}, nil},
		{"given again keeps the first time", func() error { return db.GiveConsent(ctx, mario, "1", t0.Add(time.Hour)) },
			store.Consent{Version: "1", GivenAt: t0}, nil},
		{"withdrawn", func() error { return db.WithdrawConsent(ctx, mario, t0.Add(2*time.Hour)) },
			store.Consent{Version: "1", GivenAt: t0, WithdrawnAt: t0.Add(2 * time.Hour)}, nil},
		{"withdrawing twice", func() error {
			if err := db.WithdrawConsent(ctx, mario, t0.Add(3*time.Hour)); !errors.Is(err, store.ErrNotFound) {
				return errors.New("second withdrawal did not report ErrNotFound")
			}
			return nil
		}, store.Consent{Version: "1", GivenAt: t0, WithdrawnAt: t0.Add(2 * time.Hour)}, nil},
		{"given anew", func() error { return db.GiveConsent(ctx, mario, "1", t0.Add(4*time.Hour)) },
			store.Consent{Version: "1", GivenAt: t0.Add(4 * time.Hour)}, nil},
		{"new version", func() error { return db.GiveConsent(ctx, mario, "2", t0.Add(5*time.Hour)) },
			store.Consent{Version: "2", GivenAt: t0.Add(5 * time.Hour)}, nil},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := db.Consent(ctx, mario)
		if got != s.want || !errors.Is(err, s.err) {
			t.Fatalf("%s: Consent = %+v, %v; want %+v, %v", s.name, got, err, s.want, s.err)
		}
	}
	if _, err := db.Consent(ctx, laura); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Laura sees Mario's consent: %v", err)
	}
	var rows int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM privacy_consents WHERE withdrawn_at IS NULL`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("standing consents = %d, %v; want exactly one", rows, err)
	}
}
