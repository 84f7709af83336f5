package cds

import (
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

// Easter returns Easter Sunday of year y in the Gregorian calendar, by the
// anonymous Gregorian computus (Meeus/Jones/Butcher).
func Easter(y int) civil.Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civil.New(y, time.Month(month), day)
}

// nationalHolidays are the fixed-date national holidays (L. 260/1949 and
// later changes): Capodanno, Epifania, Liberazione, Festa del lavoro, Festa
// della Repubblica, Ferragosto, Ognissanti, Immacolata, Natale, Santo
// Stefano. Easter Monday and 4 October are handled apart.
var nationalHolidays = [...]MonthDay{
	{time.January, 1}, {time.January, 6}, {time.April, 25}, {time.May, 1},
	{time.June, 2}, {time.August, 15}, {time.November, 1}, {time.December, 8},
	{time.December, 25}, {time.December, 26},
}

// IsHoliday reports whether d is a national holiday, Easter Monday, or one
// of the configured local holidays.
func (c Config) IsHoliday(d civil.Date) bool {
	md := MonthDay{d.Month, d.Day}
	for _, h := range nationalHolidays {
		if h == md {
			return true
		}
	}
	for _, h := range c.LocalHolidays {
		if h == md {
			return true
		}
	}
	if c.Oct4HolidayFrom > 0 && d.Year >= c.Oct4HolidayFrom && md == (MonthDay{time.October, 4}) {
		return true
	}
	// Easter falls between 22 March and 25 April, so its Monday can only be
	// in March or April: skip the computus for the other months.
	if d.Month == time.March || d.Month == time.April {
		return Easter(d.Year).AddDays(1) == d
	}
	return false
}

// IsWorkingDay reports whether a deadline may fall on d: not a Sunday and
// not a holiday. Saturday is a working day for CdS deadlines.
func (c Config) IsWorkingDay(d civil.Date) bool {
	return d.Weekday() != time.Sunday && !c.IsHoliday(d)
}

// NextWorkingDay returns d when a deadline may fall on it, otherwise the
// first working day after it.
func (c Config) NextWorkingDay(d civil.Date) civil.Date {
	for !c.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// Deadline returns the last day of a term of days counted from the day
// after from (the dies a quo is not counted, art. 155 c.p.c. as applied by
// the municipal guidance cited in RULES.md), moved to the next working day
// when it falls on a Sunday or a holiday.
func (c Config) Deadline(from civil.Date, days int) civil.Date {
	return c.NextWorkingDay(from.AddDays(days))
}
