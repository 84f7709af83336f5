package codicefiscale

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	scenarios := map[string]struct {
		in   string
		want string
		err  *Error
	}{
		"Mario Rossi, demo":                    {"RSSMRA80A01L219M", "RSSMRA80A01L219M", nil},
		"Laura Bianchi, demo":                  {"BNCLRA85M41L219R", "BNCLRA85M41L219R", nil},
		"lower case and spaces":                {"  rss mra 80a01 l219m\n", "RSSMRA80A01L219M", nil},
		"omocodia in the last digit":           {"RSSMRA80A01L21VB", "RSSMRA80A01L21VB", nil},
		"omocodia in every numeric position":   {"RSSMRAULALMLNMVM", "RSSMRAULALMLNMVM", nil},
		"woman born on the 31st":               {"BNCLRA85M71L219U", "BNCLRA85M71L219U", nil},
		"empty":                                {"", "", ErrMancante},
		"only spaces":                          {"   ", "", ErrMancante},
		"too short":                            {"RSSMRA80A01L219", "", ErrLunghezza},
		"too long":                             {"RSSMRA80A01L219MM", "", ErrLunghezza},
		"digit where a letter goes":            {"RSSMR080A01L219M", "", ErrFormato},
		"letter that is not an omocodia digit": {"RSSMRA8AA01L219M", "", ErrFormato},
		"punctuation":                          {"RSSMRA80A01L219-", "", ErrFormato},
		"accented letter":                      {"RSSMRÀ80A01L219M", "", ErrLunghezza},
		"month letter F does not exist":        {"RSSMRA80F01L219M", "", ErrMese},
		"day 00":                               {"RSSMRA80A00L219M", "", ErrGiorno},
		"day 32":                               {"RSSMRA80A32L219M", "", ErrGiorno},
		"day 40":                               {"RSSMRA80A40L219M", "", ErrGiorno},
		"day 72":                               {"RSSMRA80A72L219M", "", ErrGiorno},
		"wrong check character":                {"RSSMRA80A01L219X", "", ErrControllo},
		"omocodia without a new check":         {"RSSMRA80A01L21VM", "", ErrControllo},
		"two characters swapped":               {"RSSMRA08A01L219M", "", ErrControllo},
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(s.in)
			if s.err == nil {
				if err != nil || got != s.want {
					t.Fatalf("Parse(%q) = %q, %v; want %q", s.in, got, err, s.want)
				}
				return
			}
			if err != s.err {
				t.Fatalf("Parse(%q) error = %v; want %v", s.in, err, s.err)
			}
			if !errors.Is(err, ErrNonValido) {
				t.Errorf("error %v does not match ErrNonValido", err)
			}
			if got != "" {
				t.Errorf("Parse(%q) returned %q with an error", s.in, got)
			}
		})
	}
}

func TestErrorsHaveStableCodesAndItalianMessages(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range []*Error{ErrMancante, ErrLunghezza, ErrFormato, ErrMese, ErrGiorno, ErrControllo, ErrNonItaliano} {
		if !strings.HasPrefix(e.Codice, "CODICE_FISCALE_") || seen[e.Codice] {
			t.Errorf("code %q is not a distinct CODICE_FISCALE_ code", e.Codice)
		}
		seen[e.Codice] = true
		if !strings.HasSuffix(e.Messaggio, ".") || len(e.Messaggio) < 20 {
			t.Errorf("message for %s is not a sentence: %q", e.Codice, e.Messaggio)
		}
	}
}

func TestComplete(t *testing.T) {
	scenarios := map[string]struct {
		body string
		want string
		err  *Error
	}{
		"Mario Rossi":        {"RSSMRA80A01L219", "RSSMRA80A01L219M", nil},
		"Laura Bianchi":      {"bnclra85m41l219", "BNCLRA85M41L219R", nil},
		"omocodia":           {"RSSMRA80A01L21V", "RSSMRA80A01L21VB", nil},
		"sixteen characters": {"RSSMRA80A01L219M", "", ErrLunghezza},
		"bad month":          {"RSSMRA80Z01L219", "", ErrMese},
		"bad shape":          {"RSSMRA80A01L2!9", "", ErrFormato},
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			got, err := Complete(s.body)
			if got != s.want || (s.err == nil) != (err == nil) || (s.err != nil && err != s.err) {
				t.Fatalf("Complete(%q) = %q, %v; want %q, %v", s.body, got, err, s.want, s.err)
			}
		})
	}
}

func TestFromFiscalNumber(t *testing.T) {
	scenarios := map[string]struct {
		in   string
		want string
		err  *Error
	}{
		"SPID attribute":           {"TINIT-RSSMRA80A01L219M", "RSSMRA80A01L219M", nil},
		"lower-case prefix":        {"tinit-bnclra85m41l219r", "BNCLRA85M41L219R", nil},
		"bare code from an SSO":    {"RSSMRA80A01L219M", "RSSMRA80A01L219M", nil},
		"foreign tax number":       {"TINDE-12345678901", "", ErrNonItaliano},
		"prefix with a bad code":   {"TINIT-RSSMRA80A01L219X", "", ErrControllo},
		"prefix only":              {"TINIT-", "", ErrMancante},
		"empty attribute":          {"", "", ErrMancante},
		"prefix twice is not a CF": {"TINIT-TINIT-RSSMRA80A01L219M", "", ErrLunghezza},
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			got, err := FromFiscalNumber(s.in)
			if got != s.want || (s.err == nil) != (err == nil) || (s.err != nil && err != s.err) {
				t.Fatalf("FromFiscalNumber(%q) = %q, %v; want %q, %v", s.in, got, err, s.want, s.err)
			}
		})
	}
	if got := FiscalNumber("RSSMRA80A01L219M"); got != "TINIT-RSSMRA80A01L219M" {
		t.Errorf("FiscalNumber = %q", got)
	}
}

func TestMask(t *testing.T) {
	scenarios := map[string]struct{ in, want string }{
		"valid code":   {"RSSMRA80A01L219M", "RSS***********9M"},
		"another code": {"BNCLRA85M41L219R", "BNC***********9R"},
		"too short":    {"RSSMRA80", "****"},
		"empty":        {"", "****"},
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			if got := Mask(s.in); got != s.want {
				t.Errorf("Mask(%q) = %q, want %q", s.in, got, s.want)
			}
		})
	}
}

// FuzzParse checks the parser never panics and that what it accepts is a
// normalised, stable, valid code that masks without leaking its middle.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"RSSMRA80A01L219M", "BNCLRA85M41L219R", "rss mra 80a01 l219m", "RSSMRAULALMLNMVM",
		"TINIT-RSSMRA80A01L219M", "", "RSSMRA80A01L219X", "ÀÀÀÀÀÀÀÀÀÀÀÀÀÀÀÀ", "0000000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cf, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Codice == "" || e.Messaggio == "" || !errors.Is(err, ErrNonValido) {
				t.Fatalf("Parse(%q) error %v is not a coded *Error", s, err)
			}
			if Valid(s) {
				t.Fatalf("Valid(%q) disagrees with Parse", s)
			}
		} else {
			if len(cf) != Length || !utf8.ValidString(cf) || cf != strings.ToUpper(cf) {
				t.Fatalf("Parse(%q) = %q, not a normalised code", s, cf)
			}
			if again, err := Parse(cf); err != nil || again != cf {
				t.Fatalf("Parse is not idempotent on %q: %q, %v", cf, again, err)
			}
			if back, err := FromFiscalNumber(FiscalNumber(cf)); err != nil || back != cf {
				t.Fatalf("fiscalNumber round trip of %q = %q, %v", cf, back, err)
			}
			if m := Mask(cf); strings.Contains(m, cf[3:14]) {
				t.Fatalf("Mask(%q) = %q leaks the code", cf, m)
			}
			if completed, err := Complete(cf[:Length-1]); err != nil || completed != cf {
				t.Fatalf("Complete(%q) = %q, %v; want %q", cf[:Length-1], completed, err, cf)
			}
		}
		if _, err := FromFiscalNumber(s); err != nil && !errors.Is(err, ErrNonValido) {
			t.Fatalf("FromFiscalNumber(%q) error %v is not a validation error", s, err)
		}
	})
}
