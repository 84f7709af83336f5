// Package civil holds calendar dates as the law counts them: a day in
// Europe/Rome, with no time of day and no time zone to get wrong.
//
// Deadlines in the Codice della Strada are counted in days on the Italian
// calendar; a time.Time would drag an instant and a zone into that sum, and
// a fine notified at 00:30 in Rome must not become "the day before" on a
// server running in UTC. FromTime is the one door between instants and
// dates, and it always goes through Europe/Rome.
package civil

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Rome must resolve on hosts without a zoneinfo database.
)

// Date is a day of the Gregorian calendar (proleptic before 1582).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Rome is the Europe/Rome location, loaded once.
var Rome = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable with time/tzdata linked in; failing loudly at start-up
		// beats computing deadlines in the wrong zone.
		panic(fmt.Sprintf("civil: cannot load %s: %v", name, err))
	}
	return loc
}

// New returns the date year-month-day without normalising it; check
// IsValid when the parts come from outside.
func New(year int, month time.Month, day int) Date {
	return Date{Year: year, Month: month, Day: day}
}

// FromTime returns the day t falls on in Europe/Rome.
func FromTime(t time.Time) Date {
	y, m, d := t.In(Rome).Date()
	return Date{y, m, d}
}

// ErrSyntax reports text that is not a valid YYYY-MM-DD date.
var ErrSyntax = errors.New("civil: not a valid YYYY-MM-DD date")

// Parse reads a date written YYYY-MM-DD (ISO 8601 calendar date, four-digit
// year from 0001 to 9999) and rejects days that do not exist, such as
// 2025-02-29.
func Parse(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	date := Date{y, time.Month(m), d}
	if !ok1 || !ok2 || !ok3 || y == 0 || !date.IsValid() {
		return Date{}, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	return date, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Italian returns the date as DD/MM/YYYY, the way letters and verbali
// write it.
func (d Date) Italian() string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
}

// IsZero reports whether d is the zero Date, used for "no date".
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a day that exists.
func (d Date) IsValid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= DaysIn(d.Year, d.Month)
}

// DaysIn returns the number of days of month m in year y.
func DaysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// daysFromEpoch counts days from 1970-01-01 with the era-based method:
// years are shifted to start in March, so the leap day is the last day of
// its year and every month length except February follows a fixed pattern.
func (d Date) daysFromEpoch() int64 {
	y := int64(d.Year)
	m := int64(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + int64(d.Day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func fromEpochDays(z int64) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{int(y), time.Month(m), int(day)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// AddDays returns the date n days after d (before, when n is negative).
func (d Date) AddDays(n int) Date { return fromEpochDays(d.daysFromEpoch() + int64(n)) }

// AddMonths returns the same day n months later, clamped to the last day of
// the target month: 31 January plus one month is 28 (or 29) February, the
// reading Italian practice gives to "un mese" on a shorter month.
func (d Date) AddMonths(n int) Date {
	total := int64(d.Year)*12 + int64(d.Month-1) + int64(n)
	y := int(floorDiv(total, 12))
	m := time.Month(total-int64(y)*12) + 1
	day := min(d.Day, DaysIn(y, m))
	return Date{y, m, day}
}

// DaysSince returns the number of days from o to d: positive when d is
// later.
func (d Date) DaysSince(o Date) int { return int(d.daysFromEpoch() - o.daysFromEpoch()) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	w := (d.daysFromEpoch() + int64(time.Thursday)) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// MarshalText encodes d as YYYY-MM-DD; it is what JSON uses too.
func (d Date) MarshalText() ([]byte, error) {
	if !d.IsValid() || d.Year < 1 || d.Year > 9999 {
		return nil, fmt.Errorf("civil: cannot encode %d-%d-%d as YYYY-MM-DD", d.Year, d.Month, d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes a YYYY-MM-DD date.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
