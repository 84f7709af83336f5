package partitaiva

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	scenarios := map[string]struct {
		in, want string
		ok       bool
	}{
		"valid":              {"12345678903", "12345678903", true},
		"with IT and spaces": {" IT 123 456 789 03", "12345678903", true},
		"wrong check digit":  {"12345678901", "", false},
		"too short":          {"1234567890", "", false},
		"letters":            {"1234567890A", "", false},
		"empty":              {"", "", false},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(sc.in)
			if sc.ok && (err != nil || got != sc.want) {
				t.Errorf("Parse(%q) = %q, %v; want %q", sc.in, got, err, sc.want)
			}
			if !sc.ok && (err == nil || !errors.Is(err, ErrNonValida) || err.Error() == "") {
				t.Errorf("Parse(%q) accepted or without a message: %v", sc.in, err)
			}
		})
	}
	if !Valid("12345678903") || Valid("IT12345678903") {
		t.Error("Valid takes only the 11 digits as written")
	}
}
