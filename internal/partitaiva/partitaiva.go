// Package partitaiva checks Italian VAT numbers (partita IVA): 11 digits,
// the last a check digit over the first ten (DM 23/12/1976). Companies that
// rent, lease or share cars are known to the portal by theirs (A20).
package partitaiva

import (
	"errors"
	"strings"
)

// Error is why a number is not a valid partita IVA, in Italian.
type Error struct{ Messaggio string }

func (e *Error) Error() string { return e.Messaggio }

// ErrNonValida is matched by every *Error with errors.Is.
var ErrNonValida = errors.New("partita IVA non valida")

func (e *Error) Is(target error) bool { return target == ErrNonValida }

// Parse trims s, drops an "IT" prefix and checks it; it returns the 11 digits.
func Parse(s string) (string, error) {
	s = strings.TrimPrefix(strings.ToUpper(strings.Join(strings.Fields(s), "")), "IT")
	if len(s) != 11 || strings.Trim(s, "0123456789") != "" {
		return "", &Error{"la partita IVA ha 11 cifre"}
	}
	if s[10] != CheckDigit(s[:10]) {
		return "", &Error{"la partita IVA " + s + " non è corretta: controlla le cifre (la cifra di controllo non torna)"}
	}
	return s, nil
}

// Valid reports whether s is a valid partita IVA as written.
func Valid(s string) bool {
	p, err := Parse(s)
	return err == nil && p == s
}

// CheckDigit computes the check digit of the first ten digits: the digits
// in odd places are added, those in even places doubled (less 9 above 9) and
// added, and the check digit brings the sum to a multiple of ten.
func CheckDigit(first10 string) byte {
	sum := 0
	for i := range 10 {
		d := int(first10[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
