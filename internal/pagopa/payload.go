package pagopa

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-torino/portale/internal/money"
)

// qrPrefix and qrVersion open every pagoPA QR payload (Avvisi 3.x).
const (
	qrPrefix  = "PAGOPA"
	qrVersion = "002"
)

// maxQRAmount is the first amount in cents that no longer fits the 11
// characters the QR specification allows for the amount.
const maxQRAmount money.Cents = 100_000_000_000

// ErrInvalidQRPayload is matched by every error ParseQRPayload and
// QRPayload.Encode return.
var ErrInvalidQRPayload = errors.New("codice QR pagoPA non valido")

// QRPayload is what the QR code on a payment notice says: which notice, of
// which creditor, for how much. Apps and PSP counters read it to fill in the
// payment without typing.
type QRPayload struct {
	Notice             NoticeNumber
	CreditorFiscalCode string // 11 digits
	Amount             money.Cents
}

// Encode returns the payload PAGOPA|002|<NAV>|<CF ente>|<cents>, with the
// amount in cents written with at least two digits, as the specification
// asks for 2 to 11 characters.
func (p QRPayload) Encode() (string, error) {
	if p.Notice.IsZero() {
		return "", fmt.Errorf("%w: manca il codice avviso", ErrInvalidQRPayload)
	}
	if err := checkCreditorFiscalCode(p.CreditorFiscalCode); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidQRPayload, err)
	}
	if p.Amount <= 0 || p.Amount >= maxQRAmount {
		return "", fmt.Errorf("%w: importo fuori dai limiti: %d centesimi", ErrInvalidQRPayload, p.Amount)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%02d", qrPrefix, qrVersion, p.Notice, p.CreditorFiscalCode, int64(p.Amount)), nil
}

// ParseQRPayload reads the text of a pagoPA QR code, checking every field,
// including the notice number's check digits.
func ParseQRPayload(s string) (QRPayload, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 5 {
		return QRPayload{}, fmt.Errorf("%w: servono 5 campi separati da |, ce ne sono %d", ErrInvalidQRPayload, len(parts))
	}
	if parts[0] != qrPrefix {
		return QRPayload{}, fmt.Errorf("%w: deve iniziare con %s", ErrInvalidQRPayload, qrPrefix)
	}
	if parts[1] != qrVersion {
		return QRPayload{}, fmt.Errorf("%w: versione %q non supportata, atteso %s", ErrInvalidQRPayload, parts[1], qrVersion)
	}
	if strings.Contains(parts[2], " ") || strings.TrimSpace(parts[2]) != parts[2] {
		return QRPayload{}, fmt.Errorf("%w: il codice avviso non può contenere spazi", ErrInvalidQRPayload)
	}
	notice, err := ParseNoticeNumber(parts[2])
	if err != nil {
		return QRPayload{}, fmt.Errorf("%w: %w", ErrInvalidQRPayload, err)
	}
	if err := checkCreditorFiscalCode(parts[3]); err != nil {
		return QRPayload{}, fmt.Errorf("%w: %v", ErrInvalidQRPayload, err)
	}
	amount := parts[4]
	if len(amount) < 2 || len(amount) > 11 || !allDigits(amount) {
		return QRPayload{}, fmt.Errorf("%w: l'importo deve essere in centesimi, da 2 a 11 cifre, non %q", ErrInvalidQRPayload, amount)
	}
	cents, err := strconv.ParseInt(amount, 10, 64)
	if err != nil || cents == 0 {
		return QRPayload{}, fmt.Errorf("%w: importo %q non valido", ErrInvalidQRPayload, amount)
	}
	return QRPayload{Notice: notice, CreditorFiscalCode: parts[3], Amount: money.Cents(cents)}, nil
}

func checkCreditorFiscalCode(cf string) error {
	if len(cf) != 11 || !allDigits(cf) {
		return fmt.Errorf("il codice fiscale dell'ente deve avere 11 cifre, non %q", cf)
	}
	return nil
}

// ErrInvalidPostalPayload is matched by every error PostalPayload.Encode
// returns.
var ErrInvalidPostalPayload = errors.New("dati per il bollettino postale non validi")

// PostalPayload is the content of the DataMatrix on the Poste Italiane
// bulletin (TD 896) attached to a notice when the creditor also collects
// on a postal account.
type PostalPayload struct {
	Notice             NoticeNumber
	PostalAccount      string // up to 12 digits
	Amount             money.Cents
	CreditorFiscalCode string // 11 digits
	DebtorFiscalCode   string // 16 characters for a person, 11 digits for a company
	DebtorName         string // first 40 characters are kept
	Subject            string // first 110 characters are kept
}

// Poste's layout: fixed-width fields after fixed tags, 256 characters in
// all (see docs/pagopa.md).
const (
	postalPrefix        = "codfase=NBPA;"
	postalDebtorCFWidth = 16
	postalNameWidth     = 40
	postalSubjectWidth  = 110
	postalFiller        = "            " // 12 spaces before the closing A
	postalPayloadLen    = 256
)

// Encode returns the DataMatrix text: codfase=NBPA; 18+NAV, 12+account (12,
// zero-padded), 10+cents (10, zero-padded), 3, 896, 1P1, creditor fiscal
// code (11), debtor fiscal code (16), name (40), subject (110), 12 spaces
// and A. Free text is transliterated to upper-case ASCII, because the
// symbol is read by Poste's equipment in ASCII mode; longer text is cut and
// shorter text padded with spaces, so the payload is always 256 characters.
func (p PostalPayload) Encode() (string, error) {
	if p.Notice.IsZero() {
		return "", fmt.Errorf("%w: manca il codice avviso", ErrInvalidPostalPayload)
	}
	if len(p.PostalAccount) == 0 || len(p.PostalAccount) > 12 || !allDigits(p.PostalAccount) {
		return "", fmt.Errorf("%w: il conto corrente postale deve avere da 1 a 12 cifre, non %q", ErrInvalidPostalPayload, p.PostalAccount)
	}
	if p.Amount <= 0 || p.Amount > 9_999_999_999 {
		return "", fmt.Errorf("%w: importo fuori dai limiti: %d centesimi", ErrInvalidPostalPayload, p.Amount)
	}
	if err := checkCreditorFiscalCode(p.CreditorFiscalCode); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidPostalPayload, err)
	}
	debtor := strings.ToUpper(strings.TrimSpace(p.DebtorFiscalCode))
	if !validDebtorCode(debtor) {
		return "", fmt.Errorf("%w: codice fiscale del debitore non valido", ErrInvalidPostalPayload)
	}
	var b strings.Builder
	b.Grow(postalPayloadLen)
	b.WriteString(postalPrefix)
	b.WriteString("18")
	b.WriteString(p.Notice.String())
	b.WriteString("12")
	b.WriteString(strings.Repeat("0", 12-len(p.PostalAccount)))
	b.WriteString(p.PostalAccount)
	fmt.Fprintf(&b, "10%010d", int64(p.Amount))
	b.WriteString("3")
	b.WriteString("896")
	b.WriteString("1P1")
	b.WriteString(p.CreditorFiscalCode)
	b.WriteString(fixedWidth(debtor, postalDebtorCFWidth))
	b.WriteString(fixedWidth(p.DebtorName, postalNameWidth))
	b.WriteString(fixedWidth(p.Subject, postalSubjectWidth))
	b.WriteString(postalFiller)
	b.WriteString("A")
	return b.String(), nil
}

// validDebtorCode accepts the shapes of an Italian fiscal code: 16
// alphanumerics for a person (omocodia letters included), 11 digits for a
// company. The check character is the caller's business: the debtor comes
// from the fine, already validated.
func validDebtorCode(s string) bool {
	switch len(s) {
	case 11:
		return allDigits(s)
	case 16:
		for i := 0; i < len(s); i++ {
			c := s[i]
			if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
				return false
			}
		}
		return true
	}
	return false
}

// fixedWidth transliterates s to upper-case printable ASCII and cuts or
// pads it with spaces to exactly n characters.
func fixedWidth(s string, n int) string {
	var b strings.Builder
	b.Grow(n)
	count := 0
	for _, r := range strings.ToUpper(s) {
		if count == n {
			break
		}
		a := asciiFold(r)
		if a == 0 {
			continue
		}
		b.WriteByte(a)
		count++
	}
	for ; count < n; count++ {
		b.WriteByte(' ')
	}
	return b.String()
}

// asciiFold maps an upper-case rune to the ASCII letter a reader expects:
// accented Latin letters (Italian names and streets) lose the accent,
// control characters become spaces, and anything else without an ASCII
// counterpart is dropped (0).
func asciiFold(r rune) byte {
	switch {
	case r >= ' ' && r <= '~':
		return byte(r)
	case r == '\t' || r == '\n' || r == '\r':
		return ' '
	}
	switch r {
	case 'À', 'Á', 'Â', 'Ã', 'Ä', 'Å':
		return 'A'
	case 'È', 'É', 'Ê', 'Ë':
		return 'E'
	case 'Ì', 'Í', 'Î', 'Ï':
		return 'I'
	case 'Ò', 'Ó', 'Ô', 'Õ', 'Ö':
		return 'O'
	case 'Ù', 'Ú', 'Û', 'Ü':
		return 'U'
	case 'Ç':
		return 'C'
	case 'Ñ':
		return 'N'
	case '’', '‘':
		return '\''
	}
	return 0
}
