package cds

import (
	"errors"
	"fmt"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Fixed amounts of art. 202-bis.
const (
	InstalmentMinTotal money.Cents = 20000  // the total must be above € 200
	InstalmentMin      money.Cents = 10000  // each instalment at least € 100
	InstalmentBand12   money.Cents = 200000 // up to € 2.000: at most 12 instalments
	InstalmentBand24   money.Cents = 500000 // up to € 5.000: at most 24; above: 60
)

// Ineligibility says why instalments are not allowed.
type Ineligibility int

// The reasons, checked in this order.
const (
	Eligible Ineligibility = iota
	TotalTooLow
	IncomeTooHigh
)

// Eligibility is the answer of art. 202-bis to a request.
type Eligibility struct {
	Reason         Ineligibility // Eligible when instalments are allowed
	IncomeLimit    money.Cents   // the limit that applied, with family members
	MaxInstalments int           // zero when not eligible
}

// Eligible reports whether instalments are allowed.
func (e Eligibility) Eligible() bool { return e.Reason == Eligible }

// InstalmentEligibility applies art. 202-bis: total above € 200 (one
// verbale, all its violations); taxable income, summed over the household,
// within the limit raised per cohabiting member; then at most 12, 24 or 60
// instalments by band, fewer when an instalment would fall below € 100.
func (c Config) InstalmentEligibility(total, income money.Cents, members int) Eligibility {
	e := Eligibility{IncomeLimit: c.InstalmentIncomeLimit + money.Cents(members)*c.InstalmentIncomePerMember}
	switch {
	case total <= InstalmentMinTotal:
		e.Reason = TotalTooLow
		return e
	case income > e.IncomeLimit:
		e.Reason = IncomeTooHigh
		return e
	}
	band := 60
	switch {
	case total <= InstalmentBand12:
		band = 12
	case total <= InstalmentBand24:
		band = 24
	}
	e.MaxInstalments = int(min(int64(band), int64(total/InstalmentMin)))
	return e
}

// Instalment is one row of a plan.
type Instalment struct {
	Number    int
	Due       civil.Date
	Principal money.Cents
	Interest  money.Cents
	Amount    money.Cents // Principal + Interest
	Residual  money.Cents // principal still owed after this instalment
}

// ErrInstalments reports a plan that cannot be built with those figures.
var ErrInstalments = errors.New("cds: invalid number of instalments")

// Schedule builds a monthly plan of n instalments for total, the first due
// on first (moved past holidays, as every due date).
//
// Amortisation is "all'italiana": equal principal each month (the cents
// that do not divide go one each to the first instalments), and each
// instalment pays one month of interest (yearly rate / 12) on the principal
// outstanding before it, rounded half-up to the cent. It keeps every
// principal share at or above the € 100 minimum of art. 202-bis and can be
// checked by hand. Due dates are first plus k months, clamped to the end of
// shorter months, so they do not drift.
func (c Config) Schedule(total money.Cents, n int, first civil.Date) ([]Instalment, error) {
	if n < 1 || total <= 0 || money.Cents(n) > total {
		return nil, fmt.Errorf("%w: %d instalments of %v", ErrInstalments, n, total)
	}
	plan := make([]Instalment, n)
	base, extra := total/money.Cents(n), int(total%money.Cents(n))
	residual := total
	for k := range plan {
		p := base
		if k < extra {
			p++
		}
		interest := money.MulDiv(residual, c.InstalmentInterestBP, 10000*12)
		residual -= p
		plan[k] = Instalment{
			Number:    k + 1,
			Due:       c.NextWorkingDay(first.AddMonths(k)),
			Principal: p,
			Interest:  interest,
			Amount:    p + interest,
			Residual:  residual,
		}
	}
	return plan, nil
}

// PlanLapsed reports whether a plan is lost (art. 202-bis c.6): missed
// lists, in order, whether each instalment due so far was missed. Missing
// the first loses the plan; later, missing Config.InstalmentLapseAfter.
func (c Config) PlanLapsed(missed []bool) bool {
	if len(missed) > 0 && missed[0] {
		return true
	}
	count := 0
	for _, m := range missed[min(1, len(missed)):] {
		if m {
			count++
		}
	}
	return count >= max(c.InstalmentLapseAfter, 1)
}

// LapsedBalance is what is owed when a plan lapses: half the maximum of the
// verbale's violations minus what was already paid (art. 202-bis c.6),
// never below zero.
func LapsedBalance(halfMax, paid money.Cents) money.Cents {
	return max(halfMax-paid, 0)
}
