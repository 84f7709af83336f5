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

// planWithVerbale stores a verbale and a proposal on it.
func planWithVerbale(t *testing.T, db *store.DB) store.Plan {
	t.Helper()
	ctx := context.Background()
	nav := func(seq int64) (string, error) { return "30100000000000000" + string(rune('0'+seq%10)), nil }
	if _, err := db.UpsertVerbali(ctx, []store.VerbaleRow{{Numero: "V1", Versione: 1, Stato: "notificato",
		TrasgressoreCF: "RSSMRA80A01L219M", Record: []byte(`{}`)}}, nav); err != nil {
		t.Fatal(err)
	}
	id, err := db.CreatePlan(ctx, store.Plan{CodiceFiscale: "RSSMRA80A01L219M", Verbali: []string{"V1"}, Rate: 2,
		TotaleCent: 50000, ProposedAt: time.Now()}, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Plan(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlanChangeIsAuditedWithEverythingItCauses(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	p := planWithVerbale(t, db)
	after := p
	after.Stato, after.Motivo = store.PlanRejected, "Reddito non documentato."
	at := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	c := store.PlanChange{Actor: "vigile.rossi", Role: "operatore", Action: "respingi", Note: after.Motivo, At: at, Audit: true,
		EventType: "rateizzazione_respinta", Event: map[string]any{"stato": "respinta"},
		Emails: []store.Email{{DedupKey: "k1", Kind: "rateizzazione_respinta", To: "mario@example.org", Subject: "Respinta"}}}
	if err := db.UpdatePlan(ctx, p, after, c); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdatePlan(ctx, p, after, c); !errors.Is(err, store.ErrPlanDecided) {
		t.Errorf("a change on a stale version: %v", err)
	}
	audit, err := db.AuditLog(ctx, store.AuditFilter{Username: "vigile.rossi", Action: "rateizzazione."})
	if err != nil || len(audit) != 1 {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	a := audit[0]
	if a.Role != "operatore" || a.Action != "rateizzazione.respingi" || !a.At.Equal(at) || a.Before["stato"] != "proposta" ||
		a.After["stato"] != "respinta" || a.After["nota"] != "Reddito non documentato." {
		t.Errorf("audit row: %+v", a)
	}
	if got, _ := db.AuditLog(ctx, store.AuditFilter{From: at.Add(time.Second)}); len(got) != 0 {
		t.Errorf("filter by date: %+v", got)
	}
	history, _ := db.PlanHistory(ctx, p.ID)
	if len(history) != 2 || history[0].Action != "proponi" || history[1].Actor != "vigile.rossi" {
		t.Errorf("history: %+v", history)
	}
	if e, err := db.EmailDeliveryByKey(ctx, "k1"); err != nil || e.Kind != "rateizzazione_respinta" {
		t.Errorf("email: %+v %v", e, err)
	}
	if users, _ := db.AuditUsernames(ctx); len(users) != 1 || users[0] != "vigile.rossi" {
		t.Errorf("usernames: %v", users)
	}
}

// A change that fails leaves nothing behind: no audit, no history, no event.
func TestFailedPlanChangeWritesNothing(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	p := planWithVerbale(t, db)
	after := p
	after.Stato = store.PlanApproved
	after.Instalments = []store.Instalment{{Numero: 1, Scadenza: "2026-04-15", ImportoCent: 25000}}
	err := db.UpdatePlan(ctx, p, after, store.PlanChange{Actor: "vigile.rossi", Role: "operatore", Action: "approva", At: time.Now(),
		Audit: true, EventType: "rateizzazione_approvata", NAV: func(int64) (string, error) { return "", sql.ErrConnDone }})
	if err == nil {
		t.Fatal("a notice number failure was not reported")
	}
	if got, _ := db.Plan(ctx, p.ID); got.Stato != store.PlanProposed || len(got.Instalments) != 0 {
		t.Errorf("plan after a failed approval: %+v", got)
	}
	if audit, _ := db.AuditLog(ctx, store.AuditFilter{}); len(audit) != 0 {
		t.Errorf("audit after a failed approval: %+v", audit)
	}
	if events, _ := db.EventsAfter(ctx, 0, 10); len(events) != 1 {
		t.Errorf("events after a failed approval: %d", len(events))
	}
}

func TestPlanAttachmentsAreLimited(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	p := planWithVerbale(t, db)
	for i := range store.MaxPlanAttachments {
		if _, err := db.AddPlanAttachment(ctx, store.PlanAttachment{PlanID: p.ID, Name: "a.pdf", ContentType: "application/pdf",
			Data: []byte{byte(i)}, UploadedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddPlanAttachment(ctx, store.PlanAttachment{PlanID: p.ID, Data: []byte{1}, UploadedAt: time.Now()}); !errors.Is(err, store.ErrTooManyAttachments) {
		t.Errorf("sixth attachment: %v", err)
	}
	got, _ := db.Plan(ctx, p.ID)
	if len(got.Attachments) != store.MaxPlanAttachments || got.Attachments[0].Data != nil || got.Attachments[0].Size != 1 {
		t.Errorf("attachments listed: %+v", got.Attachments)
	}
	a, err := db.PlanAttachment(ctx, p.ID, got.Attachments[2].ID)
	if err != nil || len(a.Data) != 1 || a.Data[0] != 2 {
		t.Errorf("attachment: %+v %v", a, err)
	}
	if _, err := db.PlanAttachment(ctx, p.ID+1, got.Attachments[2].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another plan's attachment: %v", err)
	}
}
