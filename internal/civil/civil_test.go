package civil

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := map[string]struct {
		in   string
		want Date
		err  bool
	}{
		"ordinary":              {in: "2026-03-10", want: Date{2026, time.March, 10}},
		"leap day 2024":         {in: "2024-02-29", want: Date{2024, time.February, 29}},
		"no leap day 2025":      {in: "2025-02-29", err: true},
		"no leap day 1900":      {in: "1900-02-29", err: true},
		"leap day 2000":         {in: "2000-02-29", want: Date{2000, time.February, 29}},
		"april has 30":          {in: "2026-04-31", err: true},
		"month 13":              {in: "2026-13-01", err: true},
		"day 0":                 {in: "2026-01-00", err: true},
		"year 0":                {in: "0000-01-01", err: true},
		"slashes":               {in: "10/03/2026", err: true},
		"short":                 {in: "2026-3-10", err: true},
		"with time":             {in: "2026-03-10T10:00:00Z", err: true},
		"sign in field":         {in: "2026-+3-10", err: true},
		"empty":                 {in: "", err: true},
		"non-ascii same length": {in: "2026-03-1é", err: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.err {
				if !errors.Is(err, ErrSyntax) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrSyntax", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestFromTimeUsesRome(t *testing.T) {
	tests := map[string]struct {
		in   time.Time
		want Date
	}{
		// 23:30 UTC on 9 March is 00:30 on 10 March in Rome (CET, UTC+1).
		"winter, after midnight in Rome": {time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC), Date{2026, 3, 10}},
		// 22:30 UTC on 9 July is 00:30 on 10 July in Rome (CEST, UTC+2).
		"summer, after midnight in Rome": {time.Date(2026, 7, 9, 22, 30, 0, 0, time.UTC), Date{2026, 7, 10}},
		"summer, before midnight":        {time.Date(2026, 7, 9, 21, 59, 0, 0, time.UTC), Date{2026, 7, 9}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := FromTime(tc.in); got != tc.want {
				t.Errorf("FromTime(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestArithmetic(t *testing.T) {
	d := Date{2026, time.January, 31}
	tests := map[string]struct {
		got, want Date
	}{
		"5 days (art. 202 c.1)":             {Date{2026, 3, 10}.AddDays(5), Date{2026, 3, 15}},
		"60 days across February":           {Date{2026, 1, 10}.AddDays(60), Date{2026, 3, 11}},
		"60 days in a leap year":            {Date{2024, 1, 10}.AddDays(60), Date{2024, 3, 10}},
		"backwards across year":             {Date{2026, 1, 1}.AddDays(-1), Date{2025, 12, 31}},
		"month clamp to 28 February":        {d.AddMonths(1), Date{2026, 2, 28}},
		"month clamp to 29 February":        {Date{2024, 1, 31}.AddMonths(1), Date{2024, 2, 29}},
		"six months (semester, art. 27)":    {Date{2026, 8, 31}.AddMonths(6), Date{2027, 2, 28}},
		"negative months across the year":   {Date{2026, 3, 31}.AddMonths(-4), Date{2025, 11, 30}},
		"sixty months":                      {Date{2026, 5, 15}.AddMonths(60), Date{2031, 5, 15}},
		"year 1 minus a day (proleptic)":    {Date{1, 1, 1}.AddDays(-1), Date{0, 12, 31}},
		"epoch":                             {Date{1970, 1, 1}.AddDays(0), Date{1970, 1, 1}},
		"from epoch to 2000-03-01":          {Date{1970, 1, 1}.AddDays(11017), Date{2000, 3, 1}},
		"negative year stays consistent":    {Date{-1, 3, 1}.AddDays(-1), Date{-1, 2, 28}},
		"400-year cycle is 146097 days":     {Date{2026, 6, 24}.AddDays(146097), Date{2426, 6, 24}},
		"month arithmetic on negative year": {Date{-1, 1, 15}.AddMonths(-1), Date{-2, 12, 15}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if n := (Date{2026, 3, 11}).DaysSince(Date{2026, 1, 10}); n != 60 {
		t.Errorf("DaysSince = %d, want 60", n)
	}
}

func TestWeekday(t *testing.T) {
	tests := map[Date]time.Weekday{
		{2026, 4, 5}:   time.Sunday,    // Easter 2026
		{2026, 6, 24}:  time.Wednesday, // San Giovanni, Turin
		{1970, 1, 1}:   time.Thursday,
		{1969, 12, 28}: time.Sunday,
		{2000, 2, 29}:  time.Tuesday,
	}
	for d, want := range tests {
		if got := d.Weekday(); got != want {
			t.Errorf("%v.Weekday() = %v, want %v", d, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	a, b := Date{2026, 3, 10}, Date{2026, 3, 11}
	if !a.Before(b) || a.After(b) || b.Before(a) || !b.After(a) || a.Compare(a) != 0 {
		t.Error("ordering of consecutive days is wrong")
	}
	if !(Date{2025, 12, 31}).Before(Date{2026, 1, 1}) || !(Date{2026, 1, 31}).Before(Date{2026, 2, 1}) {
		t.Error("ordering across month/year is wrong")
	}
}

func TestJSON(t *testing.T) {
	type doc struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(doc{Date{2026, 3, 10}})
	if err != nil || string(b) != `{"d":"2026-03-10"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var v doc
	if err := json.Unmarshal(b, &v); err != nil || v.D != (Date{2026, 3, 10}) {
		t.Fatalf("Unmarshal = %v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-30"}`), &v); !errors.Is(err, ErrSyntax) {
		t.Errorf("Unmarshal of 30 February: err = %v, want ErrSyntax", err)
	}
	if _, err := json.Marshal(doc{}); err == nil {
		t.Error("Marshal of the zero date must fail, not print 0000-00-00")
	}
}

// FuzzAddDays checks AddDays against the standard library on every date it
// can represent, and that going forward then back returns the start.
func FuzzAddDays(f *testing.F) {
	f.Add(2026, 3, 10, 5)
	f.Add(2024, 2, 29, 365)
	f.Add(1900, 2, 28, 1)
	f.Add(2000, 12, 31, -146097)
	f.Add(1, 1, 1, -1)
	f.Fuzz(func(t *testing.T, y, m, d, n int) {
		y, n = y%20000, n%10_000_000
		start := Date{y, time.Month(m), d}
		if !start.IsValid() {
			return
		}
		got := start.AddDays(n)
		want := time.Date(y, time.Month(m), d+n, 12, 0, 0, 0, time.UTC)
		if got != (Date{want.Year(), want.Month(), want.Day()}) {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", start, n, got, want.Format(time.DateOnly))
		}
		if !got.IsValid() {
			t.Fatalf("%v.AddDays(%d) = %v is not a date", start, n, got)
		}
		if back := got.AddDays(-n); back != start {
			t.Fatalf("round trip %v → %v → %v", start, got, back)
		}
		if s := got.DaysSince(start); s != n {
			t.Fatalf("DaysSince = %d, want %d", s, n)
		}
		if got.Weekday() != want.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", got, got.Weekday(), want.Weekday())
		}
		if cmp := got.Compare(start); cmp != sign(n) {
			t.Fatalf("Compare = %d for n = %d", cmp, n)
		}
	})
}

// FuzzAddMonths checks the clamping rule: the result is in the right month,
// keeps the day when it exists and otherwise is the month's last day.
func FuzzAddMonths(f *testing.F) {
	f.Add(2026, 1, 31, 1)
	f.Add(2024, 1, 31, 1)
	f.Add(2026, 8, 31, 6)
	f.Add(2026, 3, 31, -13)
	f.Fuzz(func(t *testing.T, y, m, d, n int) {
		y, n = y%20000, n%100_000
		start := Date{y, time.Month(m), d}
		if !start.IsValid() {
			return
		}
		got := start.AddMonths(n)
		want := time.Date(y, time.Month(m)+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
		if got.Year != want.Year() || got.Month != want.Month() {
			t.Fatalf("%v.AddMonths(%d) = %v, want month %v", start, n, got, want.Format("2006-01"))
		}
		if wantDay := min(d, DaysIn(got.Year, got.Month)); got.Day != wantDay {
			t.Fatalf("%v.AddMonths(%d) = %v, want day %d", start, n, got, wantDay)
		}
	})
}

// FuzzParse checks that whatever Parse accepts prints back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-03-10", "2024-02-29", "0001-01-01", "9999-12-31", "2025-02-29", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d.String() != s || !d.IsValid() {
			t.Fatalf("Parse(%q) = %v", s, d)
		}
	})
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
