package cds

import (
	"errors"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Violation is one violation of a verbale.
type Violation struct {
	Tariff Tariff
	// UnpaidTariff is the parking or ZTL tariff not paid (L. 177/2024, art.
	// 7): added to the fine, never discounted, halved, doubled or increased.
	UnpaidTariff money.Cents
}

// Verbale is one or more violations contested or notified together.
type Verbale struct {
	Violations []Violation
	At         time.Time   // when the violations were committed
	Served     civil.Date  // day of contestation or notification
	Costs      money.Cents // notification and procedure costs: always due in full
}

// Phase is a stage of the amount over time.
type Phase int

// The phases, in the order they follow each other.
const (
	PhaseReduced30 Phase = iota // 30 % off within 5 days (art. 202 c.1)
	PhaseMinimum                // misura ridotta within 60 days (art. 202 c.1)
	PhaseHalfMax                // half the maximum (art. 203 c.3)
	PhaseIncreased              // half the maximum plus 10 % per semester (art. 27 c.6 L. 689/1981)
)

// String returns the phase name used in the public JSON contract.
func (p Phase) String() string {
	switch p {
	case PhaseReduced30:
		return "riduzione_30"
	case PhaseMinimum:
		return "misura_ridotta"
	case PhaseHalfMax:
		return "meta_massimo"
	case PhaseIncreased:
		return "maggiorata"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Line is how one violation's sanction is built, for the explanation.
type Line struct {
	Min, Max         money.Cents // edictal amounts of the tariff
	NightMin         money.Cents // Min after the night surcharge (= Min when not applied)
	NightMax         money.Cents // Max after the night surcharge (= Max when not applied)
	Night            bool        // the night surcharge applies
	DiscountExcluded bool        // suspension or confiscation: no 30 % discount
	Due              money.Cents // the sanction in the phase, before the late increase
	UnpaidTariff     money.Cents
}

// Amount is what a verbale costs on a given day, and why.
type Amount struct {
	Phase Phase
	Lines []Line

	// Semesters of late increase and the resulting percentage (capped).
	Semesters           int
	LateIncreasePercent int64

	Sanction     money.Cents // the fines, after every legal step
	UnpaidTariff money.Cents
	Costs        money.Cents
	Total        money.Cents // Sanction + UnpaidTariff + Costs

	// PhaseEnd is the last day of the phase (moved past holidays for the 5-
	// and 60-day terms); zero when the phase never ends (late increase at
	// its cap, or disabled).
	PhaseEnd civil.Date
	// Next is the phase that follows PhaseEnd, starting on NextFrom.
	HasNext  bool
	Next     Phase
	NextFrom civil.Date
}

var (
	// ErrNoViolations: a verbale needs at least one violation.
	ErrNoViolations = errors.New("cds: verbale without violations")
	// ErrCriminal: crimes (reati) are not paid in misura ridotta.
	ErrCriminal = errors.New("cds: the violation is a crime, not paid in misura ridotta")
	// ErrServedBeforeViolation: contestation or notification precedes the violation.
	ErrServedBeforeViolation = errors.New("cds: served before the violation was committed")
	// ErrPaidBeforeViolation: payment day precedes the violation.
	ErrPaidBeforeViolation = errors.New("cds: payment day before the violation")
)

// IsNight reports whether t falls in the night window of art. 195 c.2-bis,
// from 22:00 (included) to 07:00 (excluded), Europe/Rome time.
func IsNight(t time.Time) bool {
	h := t.In(civil.Rome).Hour()
	return h >= 22 || h < 7
}

// Terms are the dates that split the amount over time.
type Terms struct {
	Reduced30 civil.Date // last day for the 30 % discount (5 days)
	Minimum   civil.Date // last day for the misura ridotta (60 days)
	Increase  civil.Date // first day the semesters of late increase count from
}

// Terms returns the phase boundaries for a verbale served on served.
func (c Config) Terms(served civil.Date) Terms {
	m := c.Deadline(served, 60)
	return Terms{
		Reduced30: c.Deadline(served, 5),
		Minimum:   m,
		Increase:  m.AddDays(c.LateIncreaseStartDays),
	}
}

// AmountDue returns what the verbale costs if paid on day.
//
// Each violation goes through the legal steps on its own, each rounded
// half-up to the cent: night surcharge on minimum and maximum (art. 195
// c.2-bis, before any discount), then the phase amount (70 % of the
// minimum, the minimum, or half the maximum). The late increase applies to
// the sum of the verbale's sanctions, the enforceable amount. Unpaid
// tariffs and costs are added last, untouched.
func (c Config) AmountDue(v Verbale, day civil.Date) (Amount, error) {
	if len(v.Violations) == 0 {
		return Amount{}, ErrNoViolations
	}
	committed := civil.FromTime(v.At)
	if v.Served.Before(committed) {
		return Amount{}, ErrServedBeforeViolation
	}
	if day.Before(committed) {
		return Amount{}, ErrPaidBeforeViolation
	}
	night := IsNight(v.At)
	terms := c.Terms(v.Served)

	discount := false
	for _, vi := range v.Violations {
		if vi.Tariff.Criminal {
			return Amount{}, fmt.Errorf("%w: art. %s c.%s", ErrCriminal, vi.Tariff.Article, vi.Tariff.Comma)
		}
		if !vi.Tariff.Suspension && !vi.Tariff.Confiscation {
			discount = true
		}
	}

	a := Amount{Costs: v.Costs, Lines: make([]Line, len(v.Violations))}
	switch {
	case discount && !day.After(terms.Reduced30):
		a.Phase, a.PhaseEnd = PhaseReduced30, terms.Reduced30
		a.HasNext, a.Next, a.NextFrom = true, PhaseMinimum, terms.Reduced30.AddDays(1)
	case !day.After(terms.Minimum):
		a.Phase, a.PhaseEnd = PhaseMinimum, terms.Minimum
		a.HasNext, a.Next, a.NextFrom = true, PhaseHalfMax, terms.Minimum.AddDays(1)
	default:
		a.Phase = PhaseHalfMax
		c.lateIncrease(&a, terms.Increase, day)
	}

	for i, vi := range v.Violations {
		t := vi.Tariff
		l := Line{Min: t.Min, Max: t.Max, NightMin: t.Min, NightMax: t.Max, UnpaidTariff: vi.UnpaidTariff}
		l.DiscountExcluded = t.Suspension || t.Confiscation
		if night && t.NightSurcharge {
			l.Night = true
			l.NightMin = money.MulDiv(t.Min, 4, 3)
			l.NightMax = money.MulDiv(t.Max, 4, 3)
		}
		switch a.Phase {
		case PhaseReduced30:
			l.Due = l.NightMin
			if !l.DiscountExcluded {
				l.Due = money.MulDiv(l.NightMin, 70, 100)
			}
		case PhaseMinimum:
			l.Due = l.NightMin
		default:
			l.Due = money.MulDiv(l.NightMax, 1, 2)
		}
		a.Lines[i] = l
		a.Sanction += l.Due
		a.UnpaidTariff += l.UnpaidTariff
	}
	if a.LateIncreasePercent > 0 {
		a.Sanction = money.MulDiv(a.Sanction, 100+a.LateIncreasePercent, 100)
	}
	a.Total = a.Sanction + a.UnpaidTariff + a.Costs
	return a, nil
}

// lateIncrease sets the phase, percentage and boundaries of the coercive
// phase: +10 % for every full semester since start, up to the cap.
func (c Config) lateIncrease(a *Amount, start, day civil.Date) {
	if c.LateIncreaseCapPercent <= 0 {
		return
	}
	n := 0
	if !day.Before(start) {
		months := (day.Year-start.Year)*12 + int(day.Month) - int(start.Month)
		if start.AddMonths(months).After(day) {
			months--
		}
		n = months / 6
	}
	pct := min(int64(n)*10, c.LateIncreaseCapPercent)
	a.Semesters, a.LateIncreasePercent = n, pct
	if n > 0 {
		a.Phase = PhaseIncreased
	}
	if pct < c.LateIncreaseCapPercent {
		next := start.AddMonths(6 * (n + 1))
		a.PhaseEnd = next.AddDays(-1)
		a.HasNext, a.Next, a.NextFrom = true, PhaseIncreased, next
	}
}
