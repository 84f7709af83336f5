package cds

import (
	"testing"

	"github.com/comune-torino/portale/internal/civil"
)

// TestDeadlines: art. 202 (5 and 60 days), art. 203 (Prefetto, 60), art.
// 204-bis and D.Lgs. 150/2011 art. 7 (Giudice di Pace, 30; 60 abroad),
// art. 126-bis c.2 (driver data, 60), art. 202-bis (instalments, 30).
func TestDeadlines(t *testing.T) {
	cfg := DefaultConfig()
	served := date("2026-03-10") // Tuesday
	got := cfg.Deadlines(served, false)
	want := Deadlines{
		Reduced30:         date("2026-03-16"), // 15 March is a Sunday
		Minimum:           date("2026-05-09"),
		Prefetto:          date("2026-05-09"),
		GiudiceDiPace:     date("2026-04-09"),
		DriverData:        date("2026-05-09"),
		InstalmentRequest: date("2026-04-09"),
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if abroad := cfg.Deadlines(served, true); abroad.GiudiceDiPace != date("2026-05-09") {
		t.Errorf("abroad: Giudice di Pace %v, want 2026-05-09", abroad.GiudiceDiPace)
	}
	// 2026-06-19 + 30 = 19 July 2026, a Sunday.
	if got := cfg.Deadlines(date("2026-06-19"), false).GiudiceDiPace; got != date("2026-07-20") {
		t.Errorf("Giudice di Pace on a Sunday: %v", got)
	}
}

func TestInstalmentRequestOutcome(t *testing.T) {
	cfg := DefaultConfig()
	// Art. 202-bis: silence for 90 days is a rejection; then 30 days to pay.
	silent := cfg.SilentRejection(date("2026-03-20"))
	if silent != date("2026-06-18") {
		t.Errorf("silent rejection on %v", silent)
	}
	// 18 June + 30 = 18 July 2026, a Saturday: stays.
	if got := cfg.InstalmentRejectionDeadline(silent); got != date("2026-07-18") {
		t.Errorf("pay by %v", got)
	}
}

func TestAppealAmounts(t *testing.T) {
	// Art. 204 c.1: at least double the minimum; art. 146 c.3: 167 → 334.
	if got := PrefettoRejectionMinimum(16700); got != 33400 {
		t.Errorf("got %v", got)
	}
	fine, err := DefaultConfig().DriverDataFine(date("2026-03-10"))
	if err != nil || fine.Min != 29100 || fine.Max != 116600 {
		t.Errorf("driver data fine %v–%v, %v; want 291–1.166 (RULES.md)", fine.Min, fine.Max, err)
	}
	if GiudiceDiPaceFee != 4300 {
		t.Error("court fee from € 43 (RULES.md)")
	}
}

// TestNotification: art. 201 c.5 (90 days, 360 abroad) and art. 8 L.
// 890/1982 (compiuta giacenza, 10 days).
func TestNotification(t *testing.T) {
	cfg := DefaultConfig()
	identified := date("2026-01-10")
	// +90 = 10 April 2026, a Friday.
	if cfg.NotificationLapsed(identified, date("2026-04-10"), false) {
		t.Error("day 90 is in time")
	}
	if !cfg.NotificationLapsed(identified, date("2026-04-11"), false) {
		t.Error("day 91 is late")
	}
	if cfg.NotificationLapsed(identified, date("2026-12-30"), true) {
		t.Error("abroad: 360 days")
	}

	deposit, cad := date("2026-03-02"), date("2026-03-04")
	fromDeposit := DefaultConfig()
	fromDeposit.GiacenzaFromDeposit = true
	tests := map[string]struct {
		cfg       Config
		collected civil.Date
		want      civil.Date
	}{
		"never collected: 10 days from the CAD":     {cfg, civil.Date{}, date("2026-03-14")},
		"never collected: 10 days from the deposit": {fromDeposit, civil.Date{}, date("2026-03-12")},
		"collected earlier":                         {cfg, date("2026-03-06"), date("2026-03-06")},
		"collected after the 10 days":               {cfg, date("2026-03-20"), date("2026-03-14")},
	}
	for name, tc := range tests {
		if got := tc.cfg.PostalNotification(deposit, cad, tc.collected); got != tc.want {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
}
