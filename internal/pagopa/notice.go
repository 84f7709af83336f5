package pagopa

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// AuxDigit is the only auxiliary digit pagoPA still assigns (SACI 3.x): an
// EC with several stations, where the segregation code picks the station.
const AuxDigit = '3'

// IUVBaseMax is the number of distinct IUV bases per segregation code: the
// base has 13 digits.
const IUVBaseMax int64 = 10_000_000_000_000

// NoticeNumber is a pagoPA notice number (numero avviso, NAV): 18 digits,
// the aux digit 3, the segregation code (2), the IUV base (13) and two check
// digits. The zero value is not a valid notice; build one with
// NewNoticeNumber or ParseNoticeNumber, which guarantee the check digits.
type NoticeNumber struct {
	nav string
}

// ErrInvalidNoticeNumber is what every NoticeNumberError matches with
// errors.Is, for callers that only need to know the input was rejected.
var ErrInvalidNoticeNumber = errors.New("codice avviso non valido")

// NoticeNumberError says why a notice number was rejected, in Italian,
// because it is shown as is to the person who typed the code.
type NoticeNumberError struct {
	Reason string
}

func (e *NoticeNumberError) Error() string { return e.Reason }

// Is makes every NoticeNumberError match ErrInvalidNoticeNumber.
func (e *NoticeNumberError) Is(target error) bool { return target == ErrInvalidNoticeNumber }

func invalid(format string, args ...any) error {
	return &NoticeNumberError{Reason: fmt.Sprintf(format, args...)}
}

// NewNoticeNumber builds the notice number for segregation code seg (2
// digits) and IUV base base (13 digits), computing the check digits.
func NewNoticeNumber(seg, base string) (NoticeNumber, error) {
	if len(seg) != 2 || !allDigits(seg) {
		return NoticeNumber{}, invalid("il codice di segregazione deve avere 2 cifre, non %q", seg)
	}
	if len(base) != 13 || !allDigits(base) {
		return NoticeNumber{}, invalid("la base dello IUV deve avere 13 cifre, non %q", base)
	}
	body := string(AuxDigit) + seg + base
	return NoticeNumber{nav: body + checkDigits(body)}, nil
}

// NoticeNumberFromSequence builds the notice number for the seq-th position
// of the creditor behind segregation code seg: the sequence becomes the IUV
// base, so one counter per creditor is enough to never reuse a NAV.
func NoticeNumberFromSequence(seg string, seq int64) (NoticeNumber, error) {
	base, err := IUVBase(seq)
	if err != nil {
		return NoticeNumber{}, err
	}
	return NewNoticeNumber(seg, base)
}

// IUVBase formats a creditor's sequence number as an IUV base: 13 digits,
// zero-padded. It fails when seq is negative or needs more than 13 digits.
func IUVBase(seq int64) (string, error) {
	if seq < 0 || seq >= IUVBaseMax {
		return "", invalid("il progressivo %d non sta in una base IUV di 13 cifre", seq)
	}
	return fmt.Sprintf("%013d", seq), nil
}

// ParseNoticeNumber validates a notice number as printed or typed. Spaces
// are ignored, because printed notices group the 18 digits in fours. The
// error is a *NoticeNumberError whose text tells a person what is wrong:
// the length, a character that is not a digit, an aux digit other than 3,
// or check digits that do not match (with the expected and found ones).
func ParseNoticeNumber(s string) (NoticeNumber, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if n := len([]rune(s)); n != 18 {
		return NoticeNumber{}, invalid("il codice avviso deve avere 18 cifre, ne ha %d", n)
	}
	for i, r := range []rune(s) {
		if r < '0' || r > '9' {
			return NoticeNumber{}, invalid("il codice avviso contiene %q in posizione %d: sono ammesse solo cifre", r, i+1)
		}
	}
	if s[0] != AuxDigit {
		return NoticeNumber{}, invalid("il codice avviso deve iniziare con 3, inizia con %c", s[0])
	}
	if want, got := checkDigits(s[:16]), s[16:]; want != got {
		return NoticeNumber{}, invalid("le cifre di controllo del codice avviso non tornano: dovrebbero essere %s, sono %s", want, got)
	}
	return NoticeNumber{nav: s}, nil
}

// MustParseNoticeNumber is ParseNoticeNumber for constants in tests and
// demo data, where an invalid code is a programming error.
func MustParseNoticeNumber(s string) NoticeNumber {
	n, err := ParseNoticeNumber(s)
	if err != nil {
		panic(fmt.Sprintf("pagopa: MustParseNoticeNumber(%q): %v", s, err))
	}
	return n
}

// checkDigits returns the two check digits for body, the 16 digits aux +
// segregation + base: the number mod 93. Sixteen digits fit in an int64.
func checkDigits(body string) string {
	v, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		panic(fmt.Sprintf("pagopa: checkDigits(%q): %v", body, err))
	}
	return fmt.Sprintf("%02d", v%93)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the 18 digits, or "" for the zero value.
func (n NoticeNumber) String() string { return n.nav }

// IsZero reports whether n is the zero value, i.e. no notice at all.
func (n NoticeNumber) IsZero() bool { return n.nav == "" }

// IUV returns the unique payment identifier: the notice number without the
// aux digit (17 digits). pagoPA calls it creditorReferenceId.
func (n NoticeNumber) IUV() string {
	if n.nav == "" {
		return ""
	}
	return n.nav[1:]
}

// SegregationCode returns the two digits that pick the creditor's station.
func (n NoticeNumber) SegregationCode() string {
	if n.nav == "" {
		return ""
	}
	return n.nav[1:3]
}

// Base returns the 13-digit IUV base.
func (n NoticeNumber) Base() string {
	if n.nav == "" {
		return ""
	}
	return n.nav[3:16]
}

// Grouped returns the digits in groups of four, as printed on a notice so a
// person can read them aloud: "3010 0000 0000 0123 73".
func (n NoticeNumber) Grouped() string {
	var b strings.Builder
	for i := 0; i < len(n.nav); i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(n.nav[i])
	}
	return b.String()
}

// MarshalText lets a NoticeNumber travel in JSON and XML as its digits.
func (n NoticeNumber) MarshalText() ([]byte, error) { return []byte(n.nav), nil }

// UnmarshalText parses the digits with ParseNoticeNumber.
func (n *NoticeNumber) UnmarshalText(b []byte) error {
	p, err := ParseNoticeNumber(string(b))
	if err != nil {
		return err
	}
	*n = p
	return nil
}

// Value stores a NoticeNumber in a database as its 18 digits; the zero
// value is stored as NULL.
func (n NoticeNumber) Value() (driver.Value, error) {
	if n.nav == "" {
		return nil, nil
	}
	return n.nav, nil
}

// Scan reads a NoticeNumber from a database column of text, validating it:
// a corrupted row is an error, not a notice.
func (n *NoticeNumber) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n = NoticeNumber{}
		return nil
	case string:
		return n.UnmarshalText([]byte(v))
	case []byte:
		return n.UnmarshalText(v)
	}
	return fmt.Errorf("pagopa: cannot scan %T into a NoticeNumber", src)
}
