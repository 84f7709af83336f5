package cds

import (
	"errors"
	"testing"

	"github.com/comune-torino/portale/internal/money"
)

// TestInstalmentEligibility: art. 202-bis as summarised in RULES.md
// (comune.veglie.le.it, comune.mentana.rm.it, comune.corbetta.mi.it).
func TestInstalmentEligibility(t *testing.T) {
	tests := map[string]struct {
		total, income money.Cents
		members       int
		reason        Ineligibility
		max           int
		limit         money.Cents
	}{
		"issue 3 example: € 2.500, income € 9.000":   {250000, 900000, 0, Eligible, 24, 1062816},
		"exactly € 200 is not above € 200":           {20000, 900000, 0, TotalTooLow, 0, 1062816},
		"€ 200,01: two instalments of at least €100": {20001, 900000, 0, Eligible, 2, 1062816},
		"€ 800: € 100 minimum limits to 8":           {80000, 900000, 0, Eligible, 8, 1062816},
		"€ 2.000: band of 12":                        {200000, 0, 0, Eligible, 12, 1062816},
		"€ 2.000,01: band of 24, € 100 minimum: 20":  {200001, 0, 0, Eligible, 20, 1062816},
		"€ 5.000: band of 24":                        {500000, 0, 0, Eligible, 24, 1062816},
		"€ 5.000,01: band of 60":                     {500001, 0, 0, Eligible, 50, 1062816},
		"€ 10.000: band of 60":                       {1000000, 0, 0, Eligible, 60, 1062816},
		"income at the limit € 10.628,16":            {250000, 1062816, 0, Eligible, 24, 1062816},
		"income one cent above":                      {250000, 1062817, 0, IncomeTooHigh, 0, 1062816},
		"two cohabiting members raise the limit":     {250000, 1200000, 2, Eligible, 24, 1062816 + 2*103291},
		"household income above the raised limit":    {250000, 1300000, 2, IncomeTooHigh, 0, 1062816 + 2*103291},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := DefaultConfig().InstalmentEligibility(tc.total, tc.income, tc.members)
			if got.Reason != tc.reason || got.MaxInstalments != tc.max || got.IncomeLimit != tc.limit {
				t.Errorf("got %+v, want reason %v max %d limit %v", got, tc.reason, tc.max, tc.limit)
			}
			if got.Eligible() != (tc.reason == Eligible) {
				t.Error("Eligible() disagrees with Reason")
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	cfg := DefaultConfig() // 4,5 % a year
	plan, err := cfg.Schedule(250000, 24, date("2026-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	var principal money.Cents
	for _, r := range plan {
		principal += r.Principal
		if r.Principal < InstalmentMin || r.Amount != r.Principal+r.Interest {
			t.Errorf("instalment %d: %+v", r.Number, r)
		}
		if !cfg.IsWorkingDay(r.Due) {
			t.Errorf("instalment %d due on a holiday: %v", r.Number, r.Due)
		}
	}
	if principal != 250000 || plan[23].Residual != 0 {
		t.Errorf("principal sums to %v, residual %v", principal, plan[23].Residual)
	}
	// 250.000 / 24 = 10.416 rest 16: the first 16 instalments carry a cent more.
	// Interest 1: 2.500,00 € × 4,5 % / 12 = 9,375 → 9,38 (half-up).
	// Interest 2: 2.395,83 € × 4,5 % / 12 = 8,9843… → 8,98.
	want := []Instalment{
		{Number: 1, Due: date("2026-03-31"), Principal: 10417, Interest: 938, Amount: 11355, Residual: 239583},
		{Number: 2, Due: date("2026-04-30"), Principal: 10417, Interest: 898, Amount: 11315, Residual: 229166},
		// 31 May 2026 is a Sunday: due on Monday 1 June.
		{Number: 3, Due: date("2026-06-01"), Principal: 10417, Interest: 859, Amount: 11276, Residual: 218749},
	}
	for i, w := range want {
		if plan[i] != w {
			t.Errorf("instalment %d = %+v, want %+v", i+1, plan[i], w)
		}
	}
	// Months without a 31st clamp: 30 September, then back to 31 October.
	if plan[7].Due != date("2026-10-31") || plan[6].Due != date("2026-09-30") {
		t.Errorf("due dates drift: %v, %v", plan[6].Due, plan[7].Due)
	}
	last := plan[23]
	if last.Principal != 10416 || last.Interest != money.MulDiv(10416, 450, 120000) {
		t.Errorf("last instalment %+v", last)
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, n := range []int{0, -1, 20001} {
		if _, err := DefaultConfig().Schedule(20000, n, date("2026-03-31")); !errors.Is(err, ErrInstalments) {
			t.Errorf("n = %d: err = %v", n, err)
		}
	}
}

// TestPlanLapsed: art. 202-bis c.6 — first instalment, or two later ones;
// some cities write one (RULES.md), hence the configuration.
func TestPlanLapsed(t *testing.T) {
	one := DefaultConfig()
	one.InstalmentLapseAfter = 1
	tests := map[string]struct {
		cfg    Config
		missed []bool
		want   bool
	}{
		"nothing due yet":               {DefaultConfig(), nil, false},
		"first missed":                  {DefaultConfig(), []bool{true}, true},
		"one later missed":              {DefaultConfig(), []bool{false, true, false}, false},
		"two later missed":              {DefaultConfig(), []bool{false, true, false, true}, true},
		"one later missed, city of one": {one, []bool{false, false, true}, true},
	}
	for name, tc := range tests {
		if got := tc.cfg.PlanLapsed(tc.missed); got != tc.want {
			t.Errorf("%s: got %v", name, got)
		}
	}
	// Art. 202-bis c.6: half the maximum minus what was paid.
	if got := LapsedBalance(33250, 11355); got != 21895 {
		t.Errorf("LapsedBalance = %v", got)
	}
	if got := LapsedBalance(33250, 40000); got != 0 {
		t.Errorf("LapsedBalance never negative, got %v", got)
	}
}
