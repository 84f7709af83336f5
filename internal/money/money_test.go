package money

import (
	"errors"
	"math"
	"testing"
)

func TestString(t *testing.T) {
	tests := map[string]struct {
		in          Cents
		plain, full string
	}{
		"zero":                           {0, "0,00", "0,00 €"},
		"one cent":                       {1, "0,01", "0,01 €"},
		"issue 3 contract example":       {123456, "1.234,56", "1.234,56 €"},
		"art. 146 c.2 minimum (tsv)":     {4200, "42,00", "42,00 €"},
		"art. 116 c.15 maximum (tsv)":    {3066000, "30.660,00", "30.660,00 €"},
		"negative refund":                {-123456, "-1.234,56", "-1.234,56 €"},
		"millions group twice":           {123456789, "1.234.567,89", "1.234.567,89 €"},
		"three digit euro, no separator": {99999, "999,99", "999,99 €"},
		"most negative value":            {math.MinInt64, "-92.233.720.368.547.758,08", "-92.233.720.368.547.758,08 €"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.in.Plain(); got != tc.plain {
				t.Errorf("Plain() = %q, want %q", got, tc.plain)
			}
			if got := tc.in.String(); got != tc.full {
				t.Errorf("String() = %q, want %q", got, tc.full)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := map[string]struct {
		in   string
		want Cents
		err  bool
	}{
		"whole euro":          {in: "42", want: 4200},
		"one decimal":         {in: "42,5", want: 4250},
		"grouped":             {in: "1.234,56", want: 123456},
		"ungrouped":           {in: "1234,56", want: 123456},
		"sign after":          {in: "1.234,56 €", want: 123456},
		"sign before":         {in: "€ 1.234,56", want: 123456},
		"negative":            {in: "-0,01", want: -1},
		"round trip of max":   {in: Cents(math.MaxInt64).Plain(), want: math.MaxInt64},
		"dot decimal":         {in: "12.5", err: true},
		"three decimals":      {in: "1,234", err: true},
		"empty decimals":      {in: "1,", err: true},
		"bad grouping":        {in: "12.34,00", err: true},
		"leading group of 4":  {in: "1234.567", err: true},
		"letters":             {in: "dieci", err: true},
		"empty":               {in: "", err: true},
		"only sign":           {in: "€", err: true},
		"overflow":            {in: "99999999999999999999", err: true},
		"overflow by decimal": {in: "92233720368547758,08", err: true},
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
		})
	}
}

func TestMulDiv(t *testing.T) {
	tests := map[string]struct {
		c        Cents
		num, den int64
		want     Cents
	}{
		// RULES.md art. 195 c.2-bis worked example: 42 → 56 → 39.20.
		"night surcharge 42 × 4/3":  {4200, 4, 3, 5600},
		"30 % off 56 (art. 202)":    {5600, 70, 100, 3920},
		"half max 665 (art. 203)":   {66500, 1, 2, 33250},
		"half-up on exact half":     {5, 1, 2, 3},
		"below half rounds down":    {173, 1, 3, 58},
		"173 × 4/3 = 230,666…":      {17300, 4, 3, 23067},
		"negative half away":        {-5, 1, 2, -3},
		"large product on 128 bits": {math.MaxInt64 / 2, 2, 2, math.MaxInt64 / 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := MulDiv(tc.c, tc.num, tc.den); got != tc.want {
				t.Errorf("MulDiv(%d, %d, %d) = %d, want %d", tc.c, tc.num, tc.den, got, tc.want)
			}
		})
	}
}

func TestMulDivPanicsOnMisuse(t *testing.T) {
	for name, f := range map[string]func(){
		"zero den":     func() { MulDiv(1, 1, 0) },
		"negative num": func() { MulDiv(1, -1, 1) },
		"overflow":     func() { MulDiv(math.MaxInt64, 3, 2) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestPercent(t *testing.T) {
	// Art. 27 c.6 L. 689/1981: +10 % per semester, on half the maximum of art. 146 c.3.
	if got := Cents(33250).Percent(110); got != 36575 {
		t.Errorf("332,50 € × 110 %% = %v, want 365,75 €", got)
	}
}

func FuzzParseRoundTrip(f *testing.F) {
	for _, s := range []int64{0, 1, -1, 123456, 4200, math.MaxInt64, math.MinInt64 + 1} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		c := Cents(v)
		got, err := Parse(c.String())
		if err != nil || got != c {
			t.Fatalf("Parse(%q) = %v, %v; want %d", c.String(), got, err, v)
		}
	})
}
