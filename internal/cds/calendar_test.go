package cds

import (
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

func TestEaster(t *testing.T) {
	// Dates of Easter Sunday from the Gregorian computus, checked against
	// the published calendar.
	for year, want := range map[int]string{
		2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2038: "2038-04-25", 2285: "2285-03-22", 2000: "2000-04-23",
	} {
		if got := Easter(year); got != date(want) {
			t.Errorf("Easter(%d) = %v, want %s", year, got, want)
		}
	}
}

// TestDeadline: art. 202 and the municipal guidance in RULES.md (Comune di
// Maranello): count from the day after, move a Sunday or holiday to the
// next working day.
func TestDeadline(t *testing.T) {
	noLocal := DefaultConfig()
	noLocal.LocalHolidays = nil
	noOct4 := DefaultConfig()
	noOct4.Oct4HolidayFrom = 0
	tests := map[string]struct {
		cfg        Config
		from, want string
		days       int
	}{
		"5 days ending on a Sunday move to Monday":        {DefaultConfig(), "2026-03-10", "2026-03-16", 5},
		"60 days ending on a Saturday stay":               {DefaultConfig(), "2026-03-10", "2026-05-09", 60},
		"ending on Easter Sunday skip Easter Monday":      {DefaultConfig(), "2026-03-31", "2026-04-07", 5},
		"Easter Monday 2027 (29 March)":                   {DefaultConfig(), "2027-03-24", "2027-03-30", 5},
		"Christmas, Santo Stefano, Sunday":                {DefaultConfig(), "2026-12-20", "2026-12-28", 5},
		"Turin: 24 June, San Giovanni":                    {DefaultConfig(), "2026-06-19", "2026-06-25", 5},
		"without local holidays 24 June is a working day": {noLocal, "2026-06-19", "2026-06-24", 5},
		"4 October national holiday again (L. 151/2025)":  {DefaultConfig(), "2027-09-29", "2027-10-05", 5},
		"4 October as a working day when configured off":  {noOct4, "2027-09-29", "2027-10-04", 5},
		"Liberazione 25 April 2029 (Wednesday)":           {DefaultConfig(), "2029-04-20", "2029-04-26", 5},
		"Capodanno and Epifania":                          {DefaultConfig(), "2026-12-27", "2027-01-02", 5},
		"a Saturday is a working day":                     {DefaultConfig(), "2026-03-02", "2026-03-07", 5},
		"Ferragosto 2025 (Friday) moves to Saturday":      {DefaultConfig(), "2025-08-10", "2025-08-16", 5},
		"Festa della Repubblica 2026 (Tuesday)":           {DefaultConfig(), "2026-05-28", "2026-06-03", 5},
		"Immacolata 2026 (Tuesday)":                       {DefaultConfig(), "2026-12-03", "2026-12-09", 5},
		"Ognissanti 2026 is a Sunday: Monday 2 November":  {DefaultConfig(), "2026-10-27", "2026-11-02", 5},
		"Festa del lavoro 2026 (Friday)":                  {DefaultConfig(), "2026-04-26", "2026-05-02", 5},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.cfg.Deadline(date(tc.from), tc.days); got != date(tc.want) {
				t.Errorf("Deadline(%s, %d) = %v (%v), want %s", tc.from, tc.days, got, got.Weekday(), tc.want)
			}
		})
	}
}

// FuzzDeadline checks the properties of the holiday shift on any date: the
// result is a working day, not before the plain sum, and every day skipped
// was a Sunday or holiday.
func FuzzDeadline(f *testing.F) {
	f.Add(2026, 3, 10, 5)
	f.Add(2026, 12, 20, 5)
	f.Add(2026, 3, 31, 60)
	f.Add(2027, 9, 29, 5)
	f.Fuzz(func(t *testing.T, y, m, d, days int) {
		from := civil.New(1900+mod(y, 300), time.Month(m), d)
		days = mod(days, 400)
		if !from.IsValid() {
			return
		}
		cfg := DefaultConfig()
		got := cfg.Deadline(from, days)
		plain := from.AddDays(days)
		if got.Before(plain) || !cfg.IsWorkingDay(got) {
			t.Fatalf("Deadline(%v, %d) = %v", from, days, got)
		}
		for d := plain; d.Before(got); d = d.AddDays(1) {
			if cfg.IsWorkingDay(d) {
				t.Fatalf("Deadline(%v, %d) = %v skips working day %v", from, days, got, d)
			}
		}
		if got.DaysSince(plain) > 4 {
			t.Fatalf("Deadline(%v, %d) = %v: more than 4 days of holidays in a row", from, days, got)
		}
	})
}

// mod is n modulo m, never negative, for fuzz inputs of any sign.
func mod(n, m int) int { return (n%m + m) % m }
