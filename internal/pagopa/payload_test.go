package pagopa

import (
	"errors"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/money"
)

const testCreditorCF = "00514490010"

var testNotice = MustParseNoticeNumber("301000000000012373")

func TestQRPayloadEncode(t *testing.T) {
	tests := map[string]struct {
		p       QRPayload
		want    string
		wantErr bool
	}{
		"fine":              {p: QRPayload{testNotice, testCreditorCF, 5600}, want: "PAGOPA|002|301000000000012373|00514490010|5600"},
		"one cent, 2 chars": {p: QRPayload{testNotice, testCreditorCF, 1}, want: "PAGOPA|002|301000000000012373|00514490010|01"},
		"largest amount":    {p: QRPayload{testNotice, testCreditorCF, maxQRAmount - 1}, want: "PAGOPA|002|301000000000012373|00514490010|99999999999"},
		"amount too large":  {p: QRPayload{testNotice, testCreditorCF, maxQRAmount}, wantErr: true},
		"zero amount":       {p: QRPayload{testNotice, testCreditorCF, 0}, wantErr: true},
		"no notice":         {p: QRPayload{CreditorFiscalCode: testCreditorCF, Amount: 100}, wantErr: true},
		"short fiscal code": {p: QRPayload{testNotice, "0051449001", 100}, wantErr: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := tt.p.Encode()
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidQRPayload) {
					t.Fatalf("Encode() error = %v, want ErrInvalidQRPayload", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Encode() = %q, want %q", got, tt.want)
			}
			back, err := ParseQRPayload(got)
			if err != nil || back != tt.p {
				t.Errorf("ParseQRPayload(%q) = %+v, %v; want %+v", got, back, err, tt.p)
			}
		})
	}
}

func TestParseQRPayload(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    QRPayload
		wantErr string
	}{
		"valid":                 {in: "PAGOPA|002|301000000000012373|00514490010|5600", want: QRPayload{testNotice, testCreditorCF, 5600}},
		"leading zeros":         {in: "PAGOPA|002|301000000000012373|00514490010|0000005600", want: QRPayload{testNotice, testCreditorCF, 5600}},
		"four fields":           {in: "PAGOPA|002|301000000000012373|00514490010", wantErr: "servono 5 campi separati da |, ce ne sono 4"},
		"other prefix":          {in: "PAGOBA|002|301000000000012373|00514490010|5600", wantErr: "deve iniziare con PAGOPA"},
		"version 001":           {in: "PAGOPA|001|301000000000012373|00514490010|5600", wantErr: `versione "001" non supportata, atteso 002`},
		"bad check digits":      {in: "PAGOPA|002|301000000000012374|00514490010|5600", wantErr: "dovrebbero essere 73, sono 74"},
		"spaced notice":         {in: "PAGOPA|002|3010 0000 0000 0123 73|00514490010|5600", wantErr: "non può contenere spazi"},
		"notice with a newline": {in: "PAGOPA|002|301000000000012373\n|00514490010|5600", wantErr: "non può contenere spazi"},
		"fiscal code alpha":     {in: "PAGOPA|002|301000000000012373|0051449001X|5600", wantErr: "11 cifre"},
		"amount one digit":      {in: "PAGOPA|002|301000000000012373|00514490010|5", wantErr: "da 2 a 11 cifre"},
		"amount 12 digits":      {in: "PAGOPA|002|301000000000012373|00514490010|100000000000", wantErr: "da 2 a 11 cifre"},
		"amount in euro":        {in: "PAGOPA|002|301000000000012373|00514490010|56.00", wantErr: "da 2 a 11 cifre"},
		"amount zero":           {in: "PAGOPA|002|301000000000012373|00514490010|00", wantErr: "importo"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseQRPayload(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidQRPayload) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseQRPayload(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseQRPayload(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPostalPayloadEncode(t *testing.T) {
	valid := PostalPayload{
		Notice:             testNotice,
		PostalAccount:      "1234567",
		Amount:             money.Cents(5600),
		CreditorFiscalCode: testCreditorCF,
		DebtorFiscalCode:   "rssmra80a01l219m",
		DebtorName:         "Mario Rossi Niccolò",
		Subject:            "Verbale 2025/000123 - art. 7 CdS",
	}
	want := "codfase=NBPA;" +
		"18301000000000012373" +
		"12000001234567" +
		"100000005600" +
		"3" + "896" + "1P1" +
		"00514490010" +
		"RSSMRA80A01L219M" +
		"MARIO ROSSI NICCOLO" + strings.Repeat(" ", 40-19) +
		"VERBALE 2025/000123 - ART. 7 CDS" + strings.Repeat(" ", 110-32) +
		strings.Repeat(" ", 12) + "A"

	got, err := valid.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Encode() =\n%q\nwant\n%q", got, want)
	}
	if len(got) != postalPayloadLen {
		t.Errorf("len = %d, want %d", len(got), postalPayloadLen)
	}

	long := valid
	long.DebtorName = strings.Repeat("À", 50)
	long.DebtorFiscalCode = "00514490010"
	got, err = long.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != postalPayloadLen || !strings.Contains(got, "00514490010     "+strings.Repeat("A", 40)+"VERBALE") {
		t.Errorf("long name or company debtor not fitted: %q", got)
	}

	broken := map[string]func(p *PostalPayload){
		"no notice":             func(p *PostalPayload) { p.Notice = NoticeNumber{} },
		"account of 13 digits":  func(p *PostalPayload) { p.PostalAccount = "1234567890123" },
		"account with a letter": func(p *PostalPayload) { p.PostalAccount = "12345X" },
		"zero amount":           func(p *PostalPayload) { p.Amount = 0 },
		"amount of 11 digits":   func(p *PostalPayload) { p.Amount = 10_000_000_000 },
		"creditor of 10 digits": func(p *PostalPayload) { p.CreditorFiscalCode = "0051449001" },
		"debtor of 15 chars":    func(p *PostalPayload) { p.DebtorFiscalCode = "RSSMRA80A01L219" },
		"debtor with a dash":    func(p *PostalPayload) { p.DebtorFiscalCode = "RSSMRA80A01L21-M" },
	}
	for name, breakIt := range broken {
		t.Run(name, func(t *testing.T) {
			p := valid
			breakIt(&p)
			if _, err := p.Encode(); !errors.Is(err, ErrInvalidPostalPayload) {
				t.Errorf("Encode() error = %v, want ErrInvalidPostalPayload", err)
			}
		})
	}
}
