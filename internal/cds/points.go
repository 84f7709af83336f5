package cds

import (
	"slices"

	"github.com/comune-torino/portale/internal/civil"
)

// Licence points (art. 126-bis).
const (
	PointsAtIssue        = 20 // balance of a new licence
	PointsMax            = 30 // balance cannot exceed this with the bonuses
	PointsCapPerOccasion = 15 // at most this many at once, unless suspension or revocation
	PointsCleanBonus     = 2  // every two years without deductions
	NewDriverYears       = 3  // deductions are doubled in the first three years
)

// PointsDeduction returns the points a verbale takes off: each violation's
// points, doubled for a new driver, at most 15 in all unless one of the
// violations carries licence suspension or revocation (art. 126-bis c.1-bis).
func PointsDeduction(v Verbale, newDriver bool) int {
	total, uncapped := 0, false
	for _, vi := range v.Violations {
		p := vi.Tariff.Points
		if newDriver {
			p *= 2
		}
		total += p
		if vi.Tariff.Suspension {
			uncapped = true
		}
	}
	if !uncapped {
		total = min(total, PointsCapPerOccasion)
	}
	return total
}

// PointsEventKind says what a PointsEvent does to the balance.
type PointsEventKind int

// The events that change a balance.
const (
	Deduction PointsEventKind = iota // points taken off (resets the two-year clock)
	Course                           // recovery course: +6 (A/B), +9 (professional)
)

// PointsEvent is a change to a licence's balance on a day.
type PointsEvent struct {
	Day    civil.Date
	Kind   PointsEventKind
	Points int // positive
}

// PointsBalance is a licence's balance on a day.
type PointsBalance struct {
	Points    int
	Revision  bool       // reached 0: re-examination (art. 126-bis c.6)
	NextClean civil.Date // when the next two clean years complete
}

// Points returns the balance on today of a licence issued on issued, given
// its events. Two years without deductions give +2 up to 30, after bringing
// a balance below 20 back to 20 when Config.RestoreTwentyPoints is set;
// courses add their points up to 30.
func (c Config) Points(issued civil.Date, events []PointsEvent, today civil.Date) PointsBalance {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b PointsEvent) int { return a.Day.Compare(b.Day) })
	b := PointsBalance{Points: PointsAtIssue}
	clock := issued
	advance := func(to civil.Date) {
		for next := clock.AddMonths(24); !next.After(to); next = clock.AddMonths(24) {
			if b.Points < PointsAtIssue && c.RestoreTwentyPoints {
				b.Points = PointsAtIssue
			} else {
				b.Points = min(b.Points+PointsCleanBonus, PointsMax)
			}
			clock = next
		}
	}
	for _, e := range evs {
		if e.Day.After(today) {
			break
		}
		advance(e.Day)
		switch e.Kind {
		case Deduction:
			b.Points = max(b.Points-e.Points, 0)
			clock = e.Day
			if b.Points == 0 {
				b.Revision = true
			}
		case Course:
			b.Points = min(b.Points+e.Points, PointsMax)
		}
	}
	advance(today)
	b.NextClean = clock.AddMonths(24)
	return b
}

// ShortSuspensionDays is the short suspension of art. 218-ter (L.
// 177/2024) for the listed violations (Tariff.ShortSuspension): 7 days with
// a balance of 10 to 19 points, 15 days below 10, doubled when the violation
// caused an accident; none with 20 points or more.
func ShortSuspensionDays(t Tariff, balance int, accident bool) int {
	if !t.ShortSuspension || balance >= PointsAtIssue {
		return 0
	}
	days := 15
	if balance >= 10 {
		days = 7
	}
	if accident {
		days *= 2
	}
	return days
}

// IsNewDriver reports whether, on day, a licence issued on issued is still
// in its first three years, when deductions are doubled.
func IsNewDriver(issued, day civil.Date) bool {
	return day.Before(issued.AddMonths(12 * NewDriverYears))
}
