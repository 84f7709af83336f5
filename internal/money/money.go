// Package money holds amounts of euro as integer cents.
//
// Every amount in the portal is a Cents value: floats never touch money, so
// a fine computed twice, on two machines, is the same to the cent. Rounding
// is half-up (half away from zero for negative amounts) and happens only
// where a caller asks for it, through MulDiv.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// Cents is an amount of euro cents.
type Cents int64

// Euro returns e whole euro as Cents.
func Euro(e int64) Cents { return Cents(e * 100) }

// MulDiv returns c·num/den rounded half-up to the cent (half away from zero
// for negative values). The product is computed on 128 bits so that legal
// fractions such as 4/3 or 110/100 never overflow on real amounts.
//
// It panics when den is not positive, num is negative or the result does not
// fit in Cents: those are programming errors, since callers validate input
// amounts before doing arithmetic on them.
func MulDiv(c Cents, num, den int64) Cents {
	if den <= 0 || num < 0 {
		panic(fmt.Sprintf("money: MulDiv(%d, %d, %d): num must be ≥ 0 and den > 0", c, num, den))
	}
	neg := c < 0
	abs := uint64(c)
	if neg {
		abs = uint64(-c)
	}
	hi, lo := bits.Mul64(abs, uint64(num))
	if hi >= uint64(den) {
		panic(fmt.Sprintf("money: MulDiv(%d, %d, %d) overflows", c, num, den))
	}
	q, r := bits.Div64(hi, lo, uint64(den))
	// r < den ≤ MaxInt64, so 2r cannot overflow uint64.
	if 2*r >= uint64(den) {
		q++
	}
	if q > math.MaxInt64 {
		panic(fmt.Sprintf("money: MulDiv(%d, %d, %d) overflows", c, num, den))
	}
	if neg {
		return -Cents(q)
	}
	return Cents(q)
}

// Percent returns pct per cent of c, rounded half-up to the cent.
func (c Cents) Percent(pct int64) Cents { return MulDiv(c, pct, 100) }

// String formats c the Italian way with the euro sign after the amount,
// e.g. "1.234,56 €".
func (c Cents) String() string { return c.Plain() + " €" }

// Plain formats c the Italian way without the currency sign, e.g.
// "1.234,56" or "42,00", for tables whose column header already says €.
func (c Cents) Plain() string {
	var b strings.Builder
	u := uint64(c)
	if c < 0 {
		b.WriteByte('-')
		u = uint64(-c) // also right for math.MinInt64, as two's complement
	}
	units := fmt.Sprint(u / 100)
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	fmt.Fprintf(&b, ",%02d", u%100)
	return b.String()
}

// ErrSyntax reports a string that is not an amount of euro.
var ErrSyntax = errors.New("money: not an amount in euro")

// Parse reads an amount written the Italian way: an optional minus sign,
// digits optionally grouped by dots in threes, an optional decimal comma
// with one or two digits, and an optional euro sign before or after.
// Examples: "42", "42,5", "1.234,56", "€ 1.234,56", "1234,56 €".
// A dot as decimal separator is rejected, because "1.234" would be
// ambiguous between one thousand and one euro.
func Parse(s string) (Cents, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSpace(strings.TrimPrefix(t, "€"))
	t = strings.TrimSpace(strings.TrimSuffix(t, "€"))
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	intPart, frac, hasComma := strings.Cut(t, ",")
	if intPart == "" || (hasComma && (len(frac) == 0 || len(frac) > 2)) {
		return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	if strings.Contains(intPart, ".") {
		groups := strings.Split(intPart, ".")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
			}
		}
		intPart = strings.Join(groups, "")
	}
	var v uint64
	for _, d := range intPart + frac {
		if d < '0' || d > '9' {
			return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
		}
		if v > (math.MaxInt64-uint64(d-'0'))/10 {
			return 0, fmt.Errorf("%w: %q is too large", ErrSyntax, s)
		}
		v = v*10 + uint64(d-'0')
	}
	for range 2 - len(frac) {
		if v > math.MaxInt64/10 {
			return 0, fmt.Errorf("%w: %q is too large", ErrSyntax, s)
		}
		v *= 10
	}
	if neg {
		return -Cents(v), nil
	}
	return Cents(v), nil
}
