package cds

import (
	"errors"
	"testing"

	"github.com/comune-torino/portale/internal/money"
)

func TestAmountDue(t *testing.T) {
	phone := DefaultConfig()
	phone.PhoneSuspensionFirstOffence = false
	noIncrease := DefaultConfig()
	noIncrease.LateIncreaseCapPercent = 0
	cap30 := DefaultConfig()
	cap30.LateIncreaseCapPercent = 30

	type viol struct {
		article, comma string
		unpaid         money.Cents
	}
	tests := map[string]struct {
		cfg        *Config
		violations []viol
		at         string // Europe/Rome
		served     string
		costs      money.Cents
		pay        string
		phase      Phase
		sanction   money.Cents
		total      money.Cents
		end        string // "" when the phase never ends
		next       Phase
		nextFrom   string
	}{
		// Art. 202 c.1: 30 % off within 5 days; 167 × 0,7 = 116,90.
		"art. 146 c.3 within 5 days (art. 202 c.1)": {
			violations: []viol{{"146", "3", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-03-16",
			phase: PhaseReduced30, sanction: 11690, total: 12990, end: "2026-03-16", next: PhaseMinimum, nextFrom: "2026-03-17"},
		"art. 146 c.3 misura ridotta on day 6": {
			violations: []viol{{"146", "3", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-03-17",
			phase: PhaseMinimum, sanction: 16700, total: 18000, end: "2026-05-09", next: PhaseHalfMax, nextFrom: "2026-05-10"},
		// RULES.md art. 203 c.3 (lanazione.it): 167 → 332,50 after 60 days.
		"art. 146 c.3 half the maximum after 60 days (art. 203 c.3)": {
			violations: []viol{{"146", "3", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-05-10",
			phase: PhaseHalfMax, sanction: 33250, total: 34550, end: "2026-11-09", next: PhaseIncreased, nextFrom: "2026-11-10"},
		// RULES.md art. 195 c.2-bis (lentepubblica.it): 42 → 56 → 39,20.
		"night surcharge then 30 % (art. 195 c.2-bis)": {
			violations: []viol{{"146", "2", 0}}, at: "2026-03-09 23:10", served: "2026-03-09", pay: "2026-03-09",
			phase: PhaseReduced30, sanction: 3920, total: 3920, end: "2026-03-14", next: PhaseMinimum, nextFrom: "2026-03-15"},
		"night surcharge, misura ridotta 56": {
			violations: []viol{{"146", "2", 0}}, at: "2026-03-09 06:59", served: "2026-03-09", pay: "2026-03-20",
			phase: PhaseMinimum, sanction: 5600, total: 5600, end: "2026-05-08", next: PhaseHalfMax, nextFrom: "2026-05-09"},
		// 173 × 4/3 = 230,666… → 230,67; half → 115,335 → 115,34 (half-up after each step).
		"night surcharge on the maximum, rounded per step": {
			violations: []viol{{"146", "2", 0}}, at: "2026-03-09 22:00", served: "2026-03-09", pay: "2026-06-01",
			phase: PhaseHalfMax, sanction: 11534, total: 11534, end: "2026-11-08", next: PhaseIncreased, nextFrom: "2026-11-09"},
		"07:00 is no longer night": {
			violations: []viol{{"146", "2", 0}}, at: "2026-03-09 07:00", served: "2026-03-09", pay: "2026-03-09",
			phase: PhaseReduced30, sanction: 2940, total: 2940, end: "2026-03-14", next: PhaseMinimum, nextFrom: "2026-03-15"},
		"night surcharge only for the listed articles (art. 158 not)": {
			violations: []viol{{"158", "6", 0}}, at: "2026-03-09 23:00", served: "2026-03-09", pay: "2026-03-20",
			phase: PhaseMinimum, sanction: 4200, total: 4200, end: "2026-05-08", next: PhaseHalfMax, nextFrom: "2026-05-09"},
		// Art. 202 c.1: no 30 % with licence suspension.
		"art. 142 c.9 suspension: no 30 % phase at all": {
			violations: []viol{{"142", "9", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-03-10",
			phase: PhaseMinimum, sanction: 54300, total: 55600, end: "2026-05-09", next: PhaseHalfMax, nextFrom: "2026-05-10"},
		"art. 173 c.3-bis, default: suspension, no 30 %": {
			violations: []viol{{"173", "3-bis", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", pay: "2026-03-10",
			phase: PhaseMinimum, sanction: 25000, total: 25000, end: "2026-05-09", next: PhaseHalfMax, nextFrom: "2026-05-10"},
		"art. 173 c.3-bis, configured without suspension: 175": {
			cfg: &phone, violations: []viol{{"173", "3-bis", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", pay: "2026-03-10",
			phase: PhaseReduced30, sanction: 17500, total: 17500, end: "2026-03-16", next: PhaseMinimum, nextFrom: "2026-03-17"},
		"two violations: 30 % only on the one without suspension": {
			violations: []viol{{"146", "3", 0}, {"142", "9", 0}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-03-12",
			phase: PhaseReduced30, sanction: 11690 + 54300, total: 11690 + 54300 + 1300, end: "2026-03-16", next: PhaseMinimum, nextFrom: "2026-03-17"},
		// L. 177/2024: the unpaid tariff is neither discounted nor doubled.
		"unpaid parking tariff within 5 days": {
			violations: []viol{{"7", "14/1", 500}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-03-10",
			phase: PhaseReduced30, sanction: 2940, total: 2940 + 500 + 1300, end: "2026-03-16", next: PhaseMinimum, nextFrom: "2026-03-17"},
		"unpaid parking tariff after 60 days": {
			violations: []viol{{"7", "14/1", 500}}, at: "2026-03-09 10:00", served: "2026-03-10", costs: 1300, pay: "2026-07-01",
			phase: PhaseHalfMax, sanction: 8650, total: 8650 + 500 + 1300, end: "2026-11-09", next: PhaseIncreased, nextFrom: "2026-11-10"},
		// Art. 27 c.6 L. 689/1981: +10 % per semester from day 61 (RULES.md).
		"last day before the first semester": {
			violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", costs: 1300, pay: "2026-09-11",
			phase: PhaseHalfMax, sanction: 33250, total: 34550, end: "2026-09-11", next: PhaseIncreased, nextFrom: "2026-09-12"},
		"one semester: +10 %, costs not increased": {
			violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", costs: 1300, pay: "2026-09-12",
			phase: PhaseIncreased, sanction: 36575, total: 37875, end: "2027-03-11", next: PhaseIncreased, nextFrom: "2027-03-12"},
		"six semesters: +60 %, the cap": {
			violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", costs: 1300, pay: "2029-03-12",
			phase: PhaseIncreased, sanction: 53200, total: 54500},
		"ten years later: still capped at 60 %": {
			violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", pay: "2036-01-01",
			phase: PhaseIncreased, sanction: 53200, total: 53200},
		"cap configured at 30 %": {
			cfg: &cap30, violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", pay: "2036-01-01",
			phase: PhaseIncreased, sanction: 43225, total: 43225},
		"late increase disabled": {
			cfg: &noIncrease, violations: []viol{{"146", "3", 0}}, at: "2026-01-09 10:00", served: "2026-01-10", pay: "2036-01-01",
			phase: PhaseHalfMax, sanction: 33250, total: 33250},
		"paid on the spot before notification (preavviso)": {
			violations: []viol{{"146", "3", 0}}, at: "2026-03-09 10:00", served: "2026-04-20", pay: "2026-03-09",
			phase: PhaseReduced30, sanction: 11690, total: 11690, end: "2026-04-27", next: PhaseMinimum, nextFrom: "2026-04-28"}, // 25 April (Saturday) then Sunday
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.cfg != nil {
				cfg = *tc.cfg
			}
			v := Verbale{At: rome(tc.at), Served: date(tc.served), Costs: tc.costs}
			for _, vi := range tc.violations {
				tr, err := cfg.Lookup(vi.article, vi.comma, date(tc.served))
				if err != nil {
					t.Fatal(err)
				}
				v.Violations = append(v.Violations, Violation{Tariff: tr, UnpaidTariff: vi.unpaid})
			}
			got, err := cfg.AmountDue(v, date(tc.pay))
			if err != nil {
				t.Fatal(err)
			}
			if got.Phase != tc.phase || got.Sanction != tc.sanction || got.Total != tc.total {
				t.Errorf("got %v sanction %v total %v; want %v %v %v", got.Phase, got.Sanction, got.Total, tc.phase, tc.sanction, tc.total)
			}
			if tc.end == "" {
				if !got.PhaseEnd.IsZero() || got.HasNext {
					t.Errorf("phase should never end, got end %v next %v", got.PhaseEnd, got.HasNext)
				}
				return
			}
			if got.PhaseEnd != date(tc.end) || !got.HasNext || got.Next != tc.next || got.NextFrom != date(tc.nextFrom) {
				t.Errorf("end %v next %v from %v; want %s %v %s", got.PhaseEnd, got.Next, got.NextFrom, tc.end, tc.next, tc.nextFrom)
			}
		})
	}
}

func TestAmountDueErrors(t *testing.T) {
	cfg := DefaultConfig()
	ok := Violation{Tariff: tariff(t, "146", "3")}
	crime, err := cfg.Lookup("186", "2-b", date("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		v    Verbale
		pay  string
		want error
	}{
		"no violations":             {Verbale{At: rome("2026-03-09 10:00"), Served: date("2026-03-10")}, "2026-03-10", ErrNoViolations},
		"served before the offence": {Verbale{Violations: []Violation{ok}, At: rome("2026-03-09 10:00"), Served: date("2026-03-08")}, "2026-03-10", ErrServedBeforeViolation},
		"paid before the offence":   {Verbale{Violations: []Violation{ok}, At: rome("2026-03-09 10:00"), Served: date("2026-03-10")}, "2026-03-08", ErrPaidBeforeViolation},
		// Art. 186 c.2 lett. b is a crime (violations.tsv): no misura ridotta.
		"crime": {Verbale{Violations: []Violation{{Tariff: crime}}, At: rome("2026-03-09 10:00"), Served: date("2026-03-10")}, "2026-03-10", ErrCriminal},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := cfg.AmountDue(tc.v, date(tc.pay)); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestIsNightUsesRomeTime(t *testing.T) {
	// 20:30 UTC in July is 22:30 in Rome (CEST): night.
	if !IsNight(rome("2026-07-09 22:30").UTC()) {
		t.Error("22:30 Rome time in summer must be night")
	}
	// 21:30 UTC in January is 22:30 in Rome (CET): night; 20:59 UTC is not.
	if !IsNight(rome("2026-01-09 22:30").UTC()) || IsNight(rome("2026-01-09 21:59").UTC()) {
		t.Error("winter night window wrong")
	}
}

// FuzzAmountMonotonic: whatever the dates, paying later never costs less,
// and the amount is between 70 % of the minimum and 160 % of half the
// maximum (with the night surcharge) plus costs.
func FuzzAmountMonotonic(f *testing.F) {
	f.Add(0, 5, 1, int64(1300))
	f.Add(40, 60, 200, int64(0))
	f.Add(3, 61, 3000, int64(999))
	f.Fuzz(func(t *testing.T, servedAfter, payA, payB int, costs int64) {
		cfg := DefaultConfig()
		at := rome("2026-03-09 23:30")
		v := Verbale{
			Violations: []Violation{{Tariff: tariff(t, "146", "3")}, {Tariff: tariff(t, "7", "14/1"), UnpaidTariff: 250}},
			At:         at,
			Served:     date("2026-03-09").AddDays(mod(servedAfter, 400)),
			Costs:      money.Cents(mod64(costs, 1_000_000)),
		}
		a, b := mod(payA, 5000), mod(payB, 5000)
		if a > b {
			a, b = b, a
		}
		x, err1 := cfg.AmountDue(v, date("2026-03-09").AddDays(a))
		y, err2 := cfg.AmountDue(v, date("2026-03-09").AddDays(b))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if y.Total < x.Total || y.Phase < x.Phase {
			t.Fatalf("paying on day %d costs %v (%v), on day %d %v (%v)", b, y.Total, y.Phase, a, x.Total, x.Phase)
		}
		if x.Total != x.Sanction+x.UnpaidTariff+x.Costs || x.Costs != v.Costs || x.UnpaidTariff != 250 {
			t.Fatalf("costs or tariff changed: %+v", x)
		}
		if y.Sanction > money.MulDiv(33250*4/3+8650*4/3, 160, 100)+2 {
			t.Fatalf("sanction %v above the cap", y.Sanction)
		}
	})
}

func mod64(n, m int64) int64 { return (n%m + m) % m }
