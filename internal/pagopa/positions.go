package pagopa

import (
	"context"
	"errors"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Positions is what the creditor endpoint needs from the portal's data:
// the debt position behind a notice number, and a place to record the
// receipts pagoPA sends. The store implements it.
type Positions interface {
	// Lookup returns the position behind notice with the amount due on
	// today, the date the node asks on (Europe/Rome): a fine costs less
	// within 5 days and more after 60. It returns an error matching
	// ErrPositionNotFound when the notice is not the portal's.
	Lookup(ctx context.Context, notice NoticeNumber, today civil.Date) (Position, error)

	// RecordReceipt records a successful payment exactly once. It must be
	// idempotent by ReceiptID and by Notice: a receipt already recorded,
	// identical, returns ReceiptDuplicate and changes nothing; a receipt
	// that disagrees with what is recorded (another ReceiptID for a notice
	// already paid, the same ReceiptID with other content) is kept for
	// review and returns ReceiptConflict. The endpoint acknowledges all
	// three, because the money has moved either way and a refusal would
	// only make the node send it again. Receipts with outcome KO never get
	// here. ErrPositionNotFound makes the endpoint answer
	// PAA_PAGAMENTO_SCONOSCIUTO.
	RecordReceipt(ctx context.Context, r Receipt) (RecordResult, error)
}

// ErrPositionNotFound is what Positions returns for a notice it does not
// know.
var ErrPositionNotFound = errors.New("pagopa: no debt position for this notice")

// PositionStatus is where a debt position stands for pagoPA.
type PositionStatus int

const (
	// PositionOpen can be paid.
	PositionOpen PositionStatus = iota + 1
	// PositionPaid has a recorded receipt: the node is told
	// PAA_PAGAMENTO_DUPLICATO.
	PositionPaid
	// PositionCancelled was withdrawn (a fine annulled in self-defence, a
	// plan replaced): PAA_PAGAMENTO_ANNULLATO.
	PositionCancelled
	// PositionExpired can no longer be paid through this notice (a fine
	// sent to coercive collection): PAA_PAGAMENTO_SCADUTO.
	PositionExpired
)

// Position is a debt position as pagoPA shows it to the payer.
type Position struct {
	Notice NoticeNumber
	Status PositionStatus
	// Amount is what is due on the day asked; it must be positive for an
	// open position.
	Amount money.Cents
	// DueDate is the last day Amount holds; pagoPA requires it.
	DueDate civil.Date
	// Description is the payment's reason (causale) shown in apps and on
	// the receipt; pagoPA cuts it at 140 characters and asks that it hold
	// no personal data.
	Description string
	Debtor      Subject
}

// Subject is a debtor or payer: a person (fiscal code of 16 characters) or
// a company (11 digits). A zero FiscalCode stands for an unknown debtor,
// as with a pre-notice left on a windscreen, and is sent as "ANONIMO".
type Subject struct {
	FiscalCode string
	Name       string
	Email      string
}

// Outcome is the result a receipt reports.
type Outcome string

// The outcomes a receipt can carry.
const (
	OutcomeOK Outcome = "OK"
	OutcomeKO Outcome = "KO"
)

// Receipt is a pagoPA receipt (RT) as paSendRT and paSendRTV2 carry it.
type Receipt struct {
	ReceiptID           string
	Notice              NoticeNumber
	CreditorFiscalCode  string
	Outcome             Outcome
	CreditorReferenceID string // the IUV
	Amount              money.Cents
	Description         string
	CompanyName         string
	OfficeName          string
	Debtor              Subject
	Transfers           []Transfer
	PSPID               string
	PSPFiscalCode       string
	PSPCompanyName      string
	ChannelID           string
	ChannelDescription  string
	Payer               *Subject // nil when the receipt names none
	PaymentMethod       string
	Fee                 money.Cents
	PaymentTime         time.Time  // zero when the receipt has none
	ApplicationDate     civil.Date // zero when absent
	TransferDate        civil.Date // zero when absent
	StandIn             bool       // paid while the creditor was unreachable
	// Version is 1 for paSendRT and 2 for paSendRTV2.
	Version int
	// XML is the content of the receipt element as received (empty when
	// sending), kept so that a conflicting receipt can be reviewed as
	// pagoPA sent it.
	XML string
}

// Transfer is one credit of a payment to a creditor's account.
type Transfer struct {
	ID                    int // 1 to 5
	Amount                money.Cents
	FiscalCodePA          string
	CompanyName           string
	IBAN                  string
	RemittanceInformation string
	Category              string // pagoPA taxonomy code
}

// RecordResult is what recording a receipt did.
type RecordResult int

const (
	// ReceiptRecorded is a new payment: the position is now paid.
	ReceiptRecorded RecordResult = iota + 1
	// ReceiptDuplicate is a receipt already recorded, identical.
	ReceiptDuplicate
	// ReceiptConflict is a receipt kept for review; an officer looks at it.
	ReceiptConflict
)

func (r RecordResult) String() string {
	switch r {
	case ReceiptRecorded:
		return "recorded"
	case ReceiptDuplicate:
		return "duplicate"
	case ReceiptConflict:
		return "conflict"
	}
	return "unknown"
}
