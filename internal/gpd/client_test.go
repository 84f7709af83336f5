package gpd

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/gpd/gpdfake"
	"github.com/comune-torino/portale/internal/money"
)

const (
	testOrg = "00514490010"
	testKey = "chiave-di-prova"
)

// newFake serves a fake GPD over real HTTP and returns a client of it.
func newFake(t *testing.T) (*gpdfake.Server, *Client) {
	t.Helper()
	fake := gpdfake.New(testOrg, testKey)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, &Client{BaseURL: srv.URL + "/", SubscriptionKey: testKey, Organization: testOrg, HTTPClient: srv.Client()}
}

func testPosition(iupd, iuv string, amount money.Cents) Position {
	return Position{
		IUPD: iupd, Type: Person, FiscalCode: "RSSMRA80A01L219M", FullName: "Mario Rossi", CompanyName: "Città di Torino",
		OfficeName: "Polizia Municipale",
		PaymentOptions: []PaymentOption{{
			NAV: "3" + iuv, IUV: iuv, Amount: amount, Description: "Verbale n. 2026/PM/000001 - art. 7 CdS",
			DueDate: Time{time.Now().Add(48 * time.Hour).Truncate(time.Second)},
			Transfers: []Transfer{{ID: "1", Amount: amount, OrganizationFiscalCode: testOrg, RemittanceInformation: "Verbale n. 2026/PM/000001",
				Category: "9/0101100IM/", IBAN: "IT60X0542811101000000123456"}},
		}},
	}
}

// A position goes through GPD's life: created as a draft, published,
// updated with a new amount, paid by the node, then frozen.
func TestPositionLifecycle(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	p := testPosition("00514490010-01000000000000173", "01000000000000173", 4200)

	got, err := c.Create(ctx, p, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusDraft || got.PaymentOptions[0].NAV != "301000000000000173" || got.PaymentOptions[0].Amount != 4200 {
		t.Errorf("created = %+v", got)
	}
	if got, err = c.Publish(ctx, p.IUPD); err != nil || got.Status != StatusValid {
		t.Fatalf("publish: %v %v", got.Status, err)
	}
	if _, err := c.Publish(ctx, p.IUPD); !errors.Is(err, ErrConflict) {
		t.Errorf("publishing twice: %v, want ErrConflict", err)
	}

	p.PaymentOptions[0].Amount, p.PaymentOptions[0].Transfers[0].Amount = 6000, 6000
	if got, err = c.Update(ctx, p, true); err != nil || got.Status != StatusValid {
		t.Fatalf("update: %v %v", got.Status, err)
	}
	state, err := c.Get(ctx, p.IUPD)
	if err != nil {
		t.Fatal(err)
	}
	opt, ok := state.Option("01000000000000173")
	if !ok || state.Status != StatusValid || opt.Amount != 6000 || opt.Status != OptionUnpaid || opt.Status.Paid() ||
		!opt.DueDate.Equal(p.PaymentOptions[0].DueDate.Time) || state.OrganizationFiscalCode != testOrg {
		t.Errorf("after the update GPD reads %+v", state)
	}

	paidAt := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
	if err := fake.Pay("301000000000000173", gpdfake.Payment{ReceiptID: "RCPT-1", PSPCompany: "PSP di prova", PaymentMethod: "CP", At: paidAt}); err != nil {
		t.Fatal(err)
	}
	state, err = c.Get(ctx, p.IUPD)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ = state.Option("01000000000000173")
	if !state.Status.Paid() || !opt.Status.Paid() || opt.IDReceipt != "RCPT-1" || opt.PSPCompany != "PSP di prova" ||
		!opt.PaymentDate.Equal(paidAt) || !state.PaymentDate.Equal(paidAt) {
		t.Errorf("after payment GPD reads %+v", state)
	}
	if _, err := c.Update(ctx, p, true); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "existing related payment") {
		t.Errorf("updating a paid position: %v", err)
	}
	if _, err := c.Invalidate(ctx, p.IUPD); !errors.Is(err, ErrConflict) {
		t.Errorf("invalidating a paid position: %v", err)
	}
}

func TestInvalidate(t *testing.T) {
	fake, c := newFake(t)
	ctx := context.Background()
	p := testPosition("00514490010-01000000000000270", "01000000000000270", 4200)
	if _, err := c.Create(ctx, p, true); err != nil {
		t.Fatal(err)
	}
	got, err := c.Invalidate(ctx, p.IUPD)
	if err != nil || got.Status != StatusInvalid {
		t.Fatalf("invalidate: %v %v", got.Status, err)
	}
	if err := fake.Pay("301000000000000270", gpdfake.Payment{}); !errors.Is(err, gpdfake.ErrNotPayable) {
		t.Errorf("paying an invalid position: %v", err)
	}
	if _, err := c.Update(ctx, p, true); !errors.Is(err, ErrConflict) {
		t.Errorf("updating an invalid position: %v", err)
	}
}

func TestErrors(t *testing.T) {
	_, c := newFake(t)
	ctx := context.Background()
	p := testPosition("00514490010-01000000000000367", "01000000000000367", 4200)
	if _, err := c.Create(ctx, p, true); err != nil {
		t.Fatal(err)
	}
	wrongKey, otherOrg := *c, *c
	wrongKey.SubscriptionKey = "sbagliata"
	otherOrg.Organization = "80016350821"
	bad := testPosition("00514490010-01000000000000464", "01000000000000464", 4200)
	bad.PaymentOptions[0].Transfers[0].Amount = 4000

	cases := map[string]struct {
		call   func() error
		is     error
		status int
		detail string
	}{
		"wrong key":        {func() error { _, err := wrongKey.Get(ctx, p.IUPD); return err }, ErrUnauthorized, 401, ""},
		"other creditor":   {func() error { _, err := otherOrg.Get(ctx, p.IUPD); return err }, ErrUnauthorized, 403, "not allowed"},
		"unknown position": {func() error { _, err := c.Get(ctx, "00514490010-nessuna"); return err }, ErrNotFound, 404, "No debt position"},
		"same IUPD again":  {func() error { _, err := c.Create(ctx, p, true); return err }, ErrConflict, 409, "duplicate"},
		"transfers short":  {func() error { _, err := c.Create(ctx, bad, true); return err }, nil, 400, "add up to 4000"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != tc.status || !strings.Contains(e.Detail, tc.detail) || e.RequestID == "" {
				t.Fatalf("err = %#v, want HTTP %d with %q", err, tc.status, tc.detail)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
		})
	}
}

// The request leaves out what is not set, and writes dates with their zone.
func TestRequestJSON(t *testing.T) {
	p := testPosition("X", "01000000000000173", 4200)
	p.OfficeName = ""
	p.PaymentOptions[0].DueDate = Time{time.Date(2026, 12, 1, 23, 59, 59, 0, time.FixedZone("CET", 3600))}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, absent := range []string{"officeName", "validityDate", "status", "email", "postalIban"} {
		if strings.Contains(s, `"`+absent+`"`) {
			t.Errorf("%s is sent while unset: %s", absent, s)
		}
	}
	if !strings.Contains(s, `"dueDate":"2026-12-01T23:59:59+01:00"`) || !strings.Contains(s, `"switchToExpired":false`) {
		t.Errorf("request = %s", s)
	}
}

func TestTimeReadsGPDDates(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"2026-12-01T23:59:59.999Z"`:   time.Date(2026, 12, 1, 23, 59, 59, 999e6, time.UTC),
		`"2026-12-01T23:59:59+01:00"`:  time.Date(2026, 12, 1, 22, 59, 59, 0, time.UTC),
		`"2026-12-01T10:00:00.123456"`: time.Date(2026, 12, 1, 10, 0, 0, 123456e3, time.UTC),
		`null`:                         {},
	} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(want) {
			t.Errorf("%s = %v, %v; want %v", in, got, err, want)
		}
	}
	var got Time
	if err := json.Unmarshal([]byte(`"1 dicembre"`), &got); err == nil {
		t.Errorf("a date that is not a date-time was read as %v", got)
	}
}
