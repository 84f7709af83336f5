package gpd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/money"
)

// DebtorType says whether the debtor is a person or a company.
type DebtorType string

// Debtor types.
const (
	Person  DebtorType = "F" // fiscal code of 16 characters, or ANONIMO
	Company DebtorType = "G" // 11 digits
)

// Status is where a debt position stands in GPD.
type Status string

// The statuses of gpd.json. A position is created DRAFT; publishing makes it
// VALID (PUBLISHED until its validityDate, when it has one); only a VALID
// position can be paid. INVALID is the end of an invalidated position.
const (
	StatusDraft         Status = "DRAFT"
	StatusPublished     Status = "PUBLISHED"
	StatusValid         Status = "VALID"
	StatusInvalid       Status = "INVALID"
	StatusExpired       Status = "EXPIRED"
	StatusPartiallyPaid Status = "PARTIALLY_PAID"
	StatusPaid          Status = "PAID"
	StatusReported      Status = "REPORTED"
)

// Paid reports whether money has moved for the position.
func (s Status) Paid() bool {
	return s == StatusPaid || s == StatusPartiallyPaid || s == StatusReported
}

// OptionStatus is where one payment option stands.
type OptionStatus string

// The payment option statuses of gpd.json.
const (
	OptionUnpaid            OptionStatus = "PO_UNPAID"
	OptionPaid              OptionStatus = "PO_PAID"
	OptionPartiallyReported OptionStatus = "PO_PARTIALLY_REPORTED"
	OptionReported          OptionStatus = "PO_REPORTED"
)

// Paid reports whether the option has a receipt.
func (s OptionStatus) Paid() bool { return s != "" && s != OptionUnpaid }

// Time is a GPD date-time. It is written in RFC 3339 with its zone; it is
// read in RFC 3339 or, since GPD's models hold local date-times, without a
// zone, which is then taken as UTC. The zero Time is left out of requests.
type Time struct{ time.Time }

const localDateTime = "2006-01-02T15:04:05.999999999"

// MarshalJSON writes RFC 3339.
func (t Time) MarshalJSON() ([]byte, error) { return t.Time.MarshalJSON() }

// UnmarshalJSON reads RFC 3339, or a date-time without a zone as UTC.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, layout := range []string{time.RFC3339Nano, localDateTime} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("gpd: %q is not a date-time", s)
}

// Position is a debt position as the creditor writes it
// (PaymentPositionModel): the debtor, the creditor and the payment options.
// GPD answers a create, update, publish or invalidate with it, Status set.
type Position struct {
	// IUPD identifies the position within the creditor; the creditor
	// guarantees it is unique.
	IUPD       string     `json:"iupd"`
	Type       DebtorType `json:"type"`
	FiscalCode string     `json:"fiscalCode"`
	FullName   string     `json:"fullName"`
	Email      string     `json:"email,omitempty"`
	// SwitchToExpired makes GPD expire the position after its due date.
	SwitchToExpired bool   `json:"switchToExpired"`
	CompanyName     string `json:"companyName"` // the creditor, up to 140 characters
	OfficeName      string `json:"officeName,omitempty"`
	// ValidityDate, when set, is when a published position becomes VALID.
	ValidityDate   Time            `json:"validityDate,omitzero"`
	Status         Status          `json:"status,omitempty"` // set by GPD, ignored on input
	PaymentOptions []PaymentOption `json:"paymentOption"`
}

// PaymentOption is one way to pay a position (PaymentOptionModel): a notice
// number with its amount, due date and transfers.
type PaymentOption struct {
	NAV              string      `json:"nav,omitempty"`
	IUV              string      `json:"iuv"`
	Amount           money.Cents `json:"amount"`
	Description      string      `json:"description"` // up to 140 characters, no personal data
	IsPartialPayment bool        `json:"isPartialPayment"`
	DueDate          Time        `json:"dueDate"`
	Transfers        []Transfer  `json:"transfer"`
}

// Transfer is one credit of an option to a creditor's account
// (TransferModel); the transfers of an option add up to its amount.
type Transfer struct {
	ID                     string      `json:"idTransfer"` // "1" to "5"
	Amount                 money.Cents `json:"amount"`
	OrganizationFiscalCode string      `json:"organizationFiscalCode,omitempty"`
	RemittanceInformation  string      `json:"remittanceInformation"`
	Category               string      `json:"category"` // pagoPA taxonomy code
	IBAN                   string      `json:"iban,omitempty"`
	PostalIBAN             string      `json:"postalIban,omitempty"`
	CompanyName            string      `json:"companyName,omitempty"`
}

// PositionState is a debt position as GPD reports it on reading
// (PaymentPositionModelBaseResponse): its status and, once paid, the
// receipt's data in the paid option. It carries no debtor data.
type PositionState struct {
	IUPD                   string        `json:"iupd"`
	OrganizationFiscalCode string        `json:"organizationFiscalCode"`
	Status                 Status        `json:"status"`
	PaymentDate            Time          `json:"paymentDate"`
	PaymentOptions         []OptionState `json:"paymentOption"`
}

// OptionState is a payment option as GPD reports it
// (PaymentOptionModelResponse).
type OptionState struct {
	NAV           string       `json:"nav"`
	IUV           string       `json:"iuv"`
	Amount        money.Cents  `json:"amount"`
	Description   string       `json:"description"`
	DueDate       Time         `json:"dueDate"`
	Status        OptionStatus `json:"status"`
	PaymentDate   Time         `json:"paymentDate"`
	PaymentMethod string       `json:"paymentMethod"`
	PSPCompany    string       `json:"pspCompany"`
	IDReceipt     string       `json:"idReceipt"`
	Fee           money.Cents  `json:"fee"`
}

// Option returns the option with the given IUV.
func (p PositionState) Option(iuv string) (OptionState, bool) {
	for _, o := range p.PaymentOptions {
		if o.IUV == iuv {
			return o, true
		}
	}
	return OptionState{}, false
}
