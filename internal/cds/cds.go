// Package cds computes what the Codice della Strada says a person owes for a
// traffic fine, and until when: amounts over time, the night surcharge, the
// 30 % discount, half the maximum, the late increase, deadlines with the
// Italian holiday calendar, instalment plans (art. 202-bis), appeal and
// driver-data deadlines, and licence points.
//
// The package is pure: no I/O and no clock. Every function that depends on
// "today" takes the day as a parameter, so an amount shown on the portal,
// printed on a letter or checked in a test is the same computation.
//
// Rounding is stated once: after each legal step (night surcharge, 30 %
// discount, half the maximum, late increase, monthly interest) the result is
// rounded half-up to the cent with money.MulDiv. Floats are never used.
//
// Where the sources in ../shared/cds/RULES.md disagree, the behaviour is a
// named field of Config, with the documented default in DefaultConfig. The
// facts come from an embedded table (tariffs.tsv) derived from
// ../shared/cds/violations.tsv, with each row's source kept.
package cds

import (
	"time"

	"github.com/comune-torino/portale/internal/money"
)

// Config holds the choices where the law leaves room or the sources
// disagree. The zero Config is not meaningful: start from DefaultConfig.
type Config struct {
	// Tariffs is the table of violations with their amounts in force.
	Tariffs *Table

	// LocalHolidays are the municipality's own holidays, on which deadlines
	// do not fall (Turin: 24 June, San Giovanni, its patron saint).
	LocalHolidays []MonthDay

	// Oct4HolidayFrom is the first year in which 4 October (San Francesco
	// d'Assisi and Santa Caterina da Siena) is a national holiday again,
	// per L. 151/2025; zero means it is not a holiday.
	Oct4HolidayFrom int

	// LateIncreaseCapPercent caps the +10 % per semester of art. 27 c.6
	// L. 689/1981. RULES.md: 60 % (six semesters) for CdS fines per current
	// commentary; zero disables the late increase.
	LateIncreaseCapPercent int64

	// LateIncreaseStartDays is how many days after the last day of the
	// misura ridotta (the 60-day deadline, moved past holidays) the
	// semesters of art. 27 c.6 start. RULES.md: the start is disputed, "day
	// 61 in most sources", i.e. 1.
	LateIncreaseStartDays int

	// PhoneSuspensionFirstOffence says whether art. 173 c.3-bis (phone at
	// the wheel) carries the licence suspension, and so excludes the 30 %
	// discount, on a first offence. The sources disagree (violations.tsv);
	// the default follows the Brocardi text cited by RULES.md.
	PhoneSuspensionFirstOffence bool

	// InstalmentIncomeLimit is the taxable income limit of art. 202-bis c.1
	// (€ 10.628,16), raised by InstalmentIncomePerMember for each
	// cohabiting family member (€ 1.032,91).
	InstalmentIncomeLimit     money.Cents
	InstalmentIncomePerMember money.Cents

	// InstalmentInterestBP is the yearly interest rate of the plan, in basis
	// points (1/100 of a per cent): the rate of art. 21 c.1 DPR 602/1973,
	// which cities publish (4,5 % in several of the sources of RULES.md).
	InstalmentInterestBP int64

	// InstalmentLapseAfter is how many missed instalments after the first
	// make the plan lapse (missing the first always does): 2 per art.
	// 202-bis c.6 as most cities read it, 1 in some cities' forms.
	InstalmentLapseAfter int

	// GiacenzaFromDeposit chooses the start of the 10 days of "compiuta
	// giacenza": false counts from the dispatch of the notice of deposit
	// (CAD, art. 8 L. 890/1982), true from the day the letter was deposited.
	GiacenzaFromDeposit bool

	// RestoreTwentyPoints says whether two years without deductions bring a
	// balance below 20 back to 20 (art. 126-bis c.2) before any +2 bonus.
	RestoreTwentyPoints bool
}

// MonthDay is a day that recurs every year.
type MonthDay struct {
	Month time.Month
	Day   int
}

// DefaultConfig returns the configuration for Turin with the defaults
// documented in docs/cds.md.
func DefaultConfig() Config {
	return Config{
		Tariffs:                     DefaultTable(),
		LocalHolidays:               []MonthDay{{time.June, 24}},
		Oct4HolidayFrom:             2026,
		LateIncreaseCapPercent:      60,
		LateIncreaseStartDays:       1,
		PhoneSuspensionFirstOffence: true,
		InstalmentIncomeLimit:       1062816,
		InstalmentIncomePerMember:   103291,
		InstalmentInterestBP:        450,
		InstalmentLapseAfter:        2,
		GiacenzaFromDeposit:         false,
		RestoreTwentyPoints:         true,
	}
}
