// Package codicefiscale validates the Italian codice fiscale of a person: the
// 16-character code that identifies a citizen to the portal. It checks the
// shape, the month letter, the day (1-31, 41-71 for women) and the check
// character, and accepts omocodia (digits replaced by letters when two people
// would otherwise share a code). It also reads the SPID/CIE fiscalNumber
// attribute ("TINIT-<CF>") and masks a code for logs.
package codicefiscale

import (
	"errors"
	"strings"
)

// Length is the number of characters of a person's codice fiscale.
const Length = 16

// spidPrefix marks an Italian tax code in the SPID and CIE fiscalNumber
// attribute (TIN + ISO country code + "-").
const spidPrefix = "TINIT-"

// Error is a reason a code is not valid: a stable code for programs and a
// plain Italian message for the person who typed it.
type Error struct {
	Codice    string
	Messaggio string
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

// Is makes every validation error match ErrNonValido, so a caller that only
// needs to know "valid or not" has one sentinel to test.
func (e *Error) Is(target error) bool { return target == ErrNonValido }

// ErrNonValido matches every validation error of this package.
var ErrNonValido = errors.New("codice fiscale non valido")

// The reasons a code is refused. Codes are stable: clients and tests rely on them.
var (
	ErrMancante = &Error{"CODICE_FISCALE_MANCANTE",
		"Inserisci il codice fiscale."}
	ErrLunghezza = &Error{"CODICE_FISCALE_LUNGHEZZA",
		"Il codice fiscale ha 16 caratteri tra lettere e cifre: controlla di averlo scritto per intero."}
	ErrFormato = &Error{"CODICE_FISCALE_FORMATO",
		"Il codice fiscale non ha la forma giusta: 6 lettere, 2 cifre, 1 lettera, 2 cifre, 1 lettera, 3 cifre e 1 lettera (per esempio RSSMRA80A01L219M)."}
	ErrMese = &Error{"CODICE_FISCALE_MESE",
		"La lettera del mese di nascita (il nono carattere) non è valida: controlla il codice fiscale."}
	ErrGiorno = &Error{"CODICE_FISCALE_GIORNO",
		"Il giorno di nascita (decimo e undicesimo carattere) non è valido: controlla il codice fiscale."}
	ErrControllo = &Error{"CODICE_FISCALE_CONTROLLO",
		"L'ultimo carattere del codice fiscale non corrisponde agli altri: probabilmente c'è un errore di battitura."}
	ErrNonItaliano = &Error{"CODICE_FISCALE_NON_ITALIANO",
		"L'identità digitale non contiene un codice fiscale italiano."}
)

// numericPositions are the indexes that hold digits: year, day and the three
// digits of the place of birth. Omocodia may replace any of them with a letter.
var numericPositions = [...]int{6, 7, 9, 10, 12, 13, 14}

// omocodia maps the letters that stand in for digits to the digit they replace.
const omocodia = "LMNPQRSTUV"

// months are the month letters, January to December.
const months = "ABCDEHLMPRST"

// Normalize upper-cases s and drops the spaces people put in when copying a
// code from a card ("rss mra 80a01 l219m").
func Normalize(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Parse normalises s and returns it when it is a valid codice fiscale, or an
// *Error saying why not.
func Parse(s string) (string, error) {
	cf := Normalize(s)
	if err := Validate(cf); err != nil {
		return "", err
	}
	return cf, nil
}

// Valid reports whether s, once normalised, is a valid codice fiscale.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// Validate checks an already normalised code and returns an *Error with the
// first problem it finds, or nil.
func Validate(cf string) error {
	if err := validateShape(cf); err != nil {
		return err
	}
	if checkCharacter(cf[:Length-1]) != cf[Length-1] {
		return ErrControllo
	}
	return nil
}

// Complete returns the first 15 characters of a code followed by their check
// character: how demo and test data get valid codes.
func Complete(body string) (string, error) {
	body = Normalize(body)
	if len(body) != Length-1 {
		return "", ErrLunghezza
	}
	if err := validateShape(body + "A"); err != nil {
		return "", err
	}
	return body + string(checkCharacter(body)), nil
}

// validateShape checks everything but the check character: length, letters
// and digits in their places, month letter and day.
func validateShape(cf string) error {
	switch {
	case cf == "":
		return ErrMancante
	case len(cf) != Length:
		return ErrLunghezza
	}
	var day int
	for i := 0; i < Length; i++ {
		c := cf[i]
		if !isNumericPosition(i) {
			if !isLetter(c) {
				return ErrFormato
			}
			continue
		}
		d, ok := digitAt(c)
		if !ok {
			return ErrFormato
		}
		switch i {
		case 9:
			day = 10 * d
		case 10:
			day += d
		}
	}
	if strings.IndexByte(months, cf[8]) < 0 {
		return ErrMese
	}
	if !(day >= 1 && day <= 31) && !(day >= 41 && day <= 71) {
		return ErrGiorno
	}
	return nil
}

// FromFiscalNumber reads the fiscalNumber attribute of SPID and CIE
// ("TINIT-RSSMRA80A01L219M"); a bare code, as some single sign-on systems
// send it, is accepted too. A tax number of another country is refused.
func FromFiscalNumber(s string) (string, error) {
	s = Normalize(s)
	if rest, ok := strings.CutPrefix(s, spidPrefix); ok {
		return Parse(rest)
	}
	if strings.HasPrefix(s, "TIN") && strings.IndexByte(s, '-') == 5 {
		return "", ErrNonItaliano
	}
	return Parse(s)
}

// FiscalNumber is the SPID fiscalNumber attribute for a valid code.
func FiscalNumber(cf string) string { return spidPrefix + cf }

// Mask hides a code for logs and support screens: the first three and the last
// two characters stay ("RSS***********9M"), enough to tell two people apart in
// a log without identifying either. Anything that is not 16 characters long is
// hidden entirely.
func Mask(cf string) string {
	if len(cf) != Length {
		return "****"
	}
	return cf[:3] + strings.Repeat("*", Length-5) + cf[Length-2:]
}

// checkCharacter computes the check character of the first 15 characters,
// which must be upper-case letters and digits. Characters in odd positions
// (counting from 1) are converted through the official table, the others by
// their value (A and 0 are 0, B and 1 are 1, …); the sum modulo 26 is the letter.
func checkCharacter(body string) byte {
	sum := 0
	for i := 0; i < len(body); i++ {
		v := value(body[i])
		if i%2 == 0 {
			sum += int(oddValues[v])
		} else {
			sum += v
		}
	}
	return byte('A' + sum%26)
}

// oddValues converts the value of a character in an odd position (1st, 3rd,
// …, 15th), indexed by value: A/0, B/1, … J/9, K, … Z.
var oddValues = [26]byte{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A-J and 0-9
	2, 4, 18, 20, 11, 3, 6, 8, 12, 14, // K-T
	16, 10, 22, 25, 24, 23, // U-Z
}

// value is a character's value for the check: digits 0-9 and letters 0-25.
func value(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c - 'A')
}

// digitAt reads a digit, or the letter omocodia put in its place.
func digitAt(c byte) (int, bool) {
	if isDigit(c) {
		return int(c - '0'), true
	}
	if i := strings.IndexByte(omocodia, c); i >= 0 {
		return i, true
	}
	return 0, false
}

func isNumericPosition(i int) bool {
	for _, p := range numericPositions {
		if p == i {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
