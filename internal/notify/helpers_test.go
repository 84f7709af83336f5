package notify_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// paidAt is when the test payments were made: 10:15 in Rome.
var paidAt = time.Date(2026, 11, 26, 9, 15, 0, 0, time.UTC)

// paidVerbale stores verbale numero, naming offender and owner, and records
// its payment of 12345 cents; it returns the verbale's NAV.
func paidVerbale(t *testing.T, db *store.DB, numero string, offender, owner *verbali.Persona) string {
	t.Helper()
	ctx := context.Background()
	rec := verbali.Record{Numero: numero, Versione: 1, Stato: verbali.StatoNotificato, DataOra: "2026-11-01T09:12:00+01:00",
		Luogo: "Via Garibaldi, Torino", Targa: "AB123CD", Violazioni: []verbali.Violazione{{Articolo: "7", Comma: "14/2"}},
		Trasgressore: offender, Obbligato: owner, DataNotifica: "2026-11-10"}
	body, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	if _, err := db.UpsertVerbali(ctx, []store.VerbaleRow{{Numero: numero, Versione: 1, Stato: string(rec.Stato),
		Targa: rec.Targa, Record: body}}, nav); err != nil {
		t.Fatal(err)
	}
	row, err := db.VerbaleByNumero(ctx, numero)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordPayment(ctx, store.Payment{ReceiptID: "rt-" + row.NAV, NAV: row.NAV, Numero: numero,
		AmountCents: 12345, PaidAt: paidAt, PSP: "Banca di prova", Receipt: "<rt/>"}, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	return row.NAV
}

func mario(email string) *verbali.Persona {
	return &verbali.Persona{CodiceFiscale: "RSSMRA80A01L219M", Nome: "Mario", Cognome: "Rossi", Email: email}
}

// clock is a fake clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeMailer records what it sends and fails while fail returns an error.
type fakeMailer struct {
	mu   sync.Mutex
	sent []notify.Message
	fail func() error
}

func (f *fakeMailer) Send(_ context.Context, m notify.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		if err := f.fail(); err != nil {
			return err
		}
	}
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeMailer) Sent() []notify.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]notify.Message(nil), f.sent...)
}
