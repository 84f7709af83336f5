package gpd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/gpd/gpdfake"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

var testCreditor = Creditor{FiscalCode: testOrg, Name: "Città di Torino", OfficeName: "Polizia Municipale",
	IBAN: "IT60X0542811101000000123456", Category: "9/0101100IM/"}

func importRecords(t *testing.T, db *store.DB, records ...verbali.Record) {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range records {
		json.NewEncoder(&buf).Encode(r)
	}
	sum, err := verbali.Import(context.Background(), &buf, db, verbali.ImportOptions{Rules: cds.DefaultConfig(),
		NAV: func(seq int64) (string, error) {
			n, err := pagopa.NoticeNumberFromSequence("01", seq)
			return n.String(), err
		}})
	if err != nil || sum.Scartati > 0 {
		t.Fatalf("import: %v %+v", err, sum.Errori)
	}
}

// noonOf is the fake's clock on a simulated day.
func noonOf(d civil.Date) func() time.Time {
	return func() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, civil.Rome) }
}

// The demo's verbali go to GPD with the amount due each day: published
// once, left alone while nothing changes, republished when the phase
// changes, invalidated when cancelled; a payment made through GPD is
// recorded once, as a SOAP receipt would be.
func TestSyncFollowsTheVerbali(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	today := civil.FromTime(time.Now())
	records := demo.Verbali(today)
	importRecords(t, db, records...)
	positions := &pagamenti.Positions{Store: db, Rules: cds.DefaultConfig()}
	fake, client := newFake(t)
	fake.Now = noonOf(today)
	pub := &Publisher{Client: client, Positions: positions, Creditor: testCreditor}

	// What the SOAP interface would answer today, notice by notice.
	lookup := func(day civil.Date) map[string]pagopa.Position {
		out := map[string]pagopa.Position{}
		db.UnpaidNotices(ctx, func(nav string) error {
			p, err := positions.Lookup(ctx, pagopa.MustParseNoticeNumber(nav), day)
			if err != nil {
				t.Fatal(err)
			}
			out[nav] = p
			return nil
		})
		return out
	}
	expect := lookup(today)
	open := 0
	for _, p := range expect {
		if p.Status == pagopa.PositionOpen {
			open++
		}
	}
	if open < 5 {
		t.Fatalf("the demo has %d payable verbali, want at least 5", open)
	}

	r, err := pub.Sync(ctx, db, today)
	if err != nil || r.Created != open || r.Skipped != len(expect)-open || r.Failed != 0 || r.Updated+r.Unchanged+r.Paid != 0 {
		t.Fatalf("first sync: %v, %v (open %d of %d)", r, err, open, len(expect))
	}
	for nav, p := range expect {
		state, err := client.Get(ctx, testCreditor.IUPD(p.Notice))
		if p.Status != pagopa.PositionOpen {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s is not payable but GPD has it: %v", nav, err)
			}
			continue
		}
		opt, ok := state.Option(p.Notice.IUV())
		if err != nil || !ok || state.Status != StatusValid || opt.Amount != p.Amount || opt.NAV != nav ||
			civil.FromTime(opt.DueDate.Time) != p.DueDate || opt.Description != p.Description {
			t.Errorf("%s: GPD has %+v (%v), the portal says %d cents due %s", nav, state, err, p.Amount, p.DueDate)
		}
	}

	if r, err := pub.Sync(ctx, db, today); err != nil || r.Unchanged != open || r.Created+r.Updated+r.Failed != 0 {
		t.Errorf("second sync on the same day: %v, %v", r, err)
	}

	// The 30 % reduction of Mario's verbale 101 ends: the next day GPD
	// must ask the misura ridotta.
	reduced := navOf(t, db, records[0].Numero)
	was := expect[reduced]
	next := was.DueDate.AddDays(1)
	fake.Now = noonOf(next)
	r, err = pub.Sync(ctx, db, next)
	if err != nil || r.Updated == 0 || r.Failed != 0 {
		t.Fatalf("sync after the phase boundary: %v, %v", r, err)
	}
	now := lookup(next)[reduced]
	state, _ := client.Get(ctx, testCreditor.IUPD(now.Notice))
	if opt, _ := state.Option(now.Notice.IUV()); opt.Amount != now.Amount || opt.Amount <= was.Amount || state.Status != StatusValid {
		t.Errorf("after the 30 %% phase GPD asks %d cents (%s), want %d (was %d)", opt.Amount, state.Status, now.Amount, was.Amount)
	}

	// Paid through pagoPA: recorded once, then out of the sync.
	paidAt := noonOf(next)()
	if err := fake.Pay(reduced, gpdfake.Payment{ReceiptID: "RCPT-GPD-1", PSPCompany: "PSP di prova", PaymentMethod: "CP", At: paidAt}); err != nil {
		t.Fatal(err)
	}
	if r, err := pub.Sync(ctx, db, next); err != nil || r.Paid != 1 || r.Failed != 0 {
		t.Fatalf("sync after a payment: %v, %v", r, err)
	}
	pay, err := db.PaymentOf(ctx, reduced)
	if err != nil || pay.ReceiptID != "RCPT-GPD-1" || pay.AmountCents != int64(now.Amount) || !pay.PaidAt.Equal(paidAt) || pay.PSP != "PSP di prova" {
		t.Errorf("recorded payment = %+v, %v", pay, err)
	}
	if r, err := pub.Sync(ctx, db, next); err != nil || r.Paid != 0 || r.Created+r.Updated+r.Failed != 0 {
		t.Errorf("sync after the payment was recorded: %v, %v", r, err)
	}

	// Cancelled by the gestionale: withdrawn from GPD.
	cancelled := records[1]
	cancelled.Versione, cancelled.Stato = 2, verbali.StatoArchiviato
	importRecords(t, db, cancelled)
	if r, err := pub.Sync(ctx, db, next); err != nil || r.Invalidated != 1 || r.Failed != 0 {
		t.Fatalf("sync after a cancellation: %v, %v", r, err)
	}
	state, _ = client.Get(ctx, testCreditor.IUPD(pagopa.MustParseNoticeNumber(navOf(t, db, cancelled.Numero))))
	if state.Status != StatusInvalid {
		t.Errorf("the cancelled verbale is %s on GPD", state.Status)
	}
}

func navOf(t *testing.T, db *store.DB, numero string) string {
	t.Helper()
	row, err := db.VerbaleByNumero(context.Background(), numero)
	if err != nil {
		t.Fatal(err)
	}
	return row.NAV
}

// A refused key stops the sync at the first call: every other call would
// be refused too.
func TestSyncStopsOnARefusedKey(t *testing.T) {
	db := storetest.New(t)
	today := civil.FromTime(time.Now())
	importRecords(t, db, demo.Verbali(today)...)
	_, client := newFake(t)
	client.SubscriptionKey = "sbagliata"
	pub := &Publisher{Client: client, Positions: &pagamenti.Positions{Store: db, Rules: cds.DefaultConfig()}, Creditor: testCreditor}
	r, err := pub.Sync(context.Background(), db, today)
	if !errors.Is(err, ErrUnauthorized) || r.Created+r.Failed != 0 {
		t.Errorf("sync with a wrong key: %v, %v", r, err)
	}
}

// An unknown debtor (a pre-notice) is published as ANONIMO; a company by
// its 11-digit code.
func TestPositionDebtor(t *testing.T) {
	n := pagopa.MustParseNoticeNumber("301000000000012373")
	for debtor, want := range map[pagopa.Subject][3]string{
		{}: {"F", "ANONIMO", "ANONIMO"},
		{FiscalCode: "RSSMRA80A01L219M", Name: "Mario Rossi"}: {"F", "RSSMRA80A01L219M", "Mario Rossi"},
		{FiscalCode: "01234567890", Name: "Trasporti Srl"}:    {"G", "01234567890", "Trasporti Srl"},
	} {
		p := testCreditor.Position(pagopa.Position{Notice: n, Status: pagopa.PositionOpen, Amount: 100,
			DueDate: civil.New(2026, 12, 1), Description: "Verbale", Debtor: debtor})
		if got := [3]string{string(p.Type), p.FiscalCode, p.FullName}; got != want {
			t.Errorf("%+v: %v, want %v", debtor, got, want)
		}
		if p.IUPD != "00514490010-01000000000012373" || p.PaymentOptions[0].IUV != "01000000000012373" ||
			!p.PaymentOptions[0].DueDate.Equal(time.Date(2026, 12, 1, 23, 59, 59, 0, civil.Rome)) {
			t.Errorf("position = %+v", p)
		}
	}
}
