package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

const kindRicevuta = "ricevuta"

// ReceiptStore is what the receipt email needs from storage; *store.DB
// implements it.
type ReceiptStore interface {
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
	EnqueueEmail(ctx context.Context, e store.Email, now time.Time) (int64, bool, error)
}

// Site is what an email says about the sender.
type Site struct {
	Ente      string // e.g. "Città di Torino"
	PublicURL string // the portal's origin, for links; empty: no links
}

// AttachFunc returns the file to attach to the receipt of verbale numero
// (the PDF quietanza), or nil for none.
type AttachFunc func(numero string) (*Attachment, error)

// ErrNoRecipient means the verbale names nobody with an email address.
var ErrNoRecipient = errors.New("notify: no email address on the verbale")

// AttachmentError reports that the attachment could not be made: the email
// was queued without it.
type AttachmentError struct{ Err error }

func (e *AttachmentError) Error() string {
	return "notify: email queued without its attachment: " + e.Err.Error()
}
func (e *AttachmentError) Unwrap() error { return e.Err }

// receiptKeyPrefix starts the outbox key of every receipt email.
const receiptKeyPrefix = "ricevuta:"

// ReceiptDedupKey is the outbox key of the receipt email for notice nav: one
// receipt email per paid notice, however often it is asked for.
func ReceiptDedupKey(nav string) string { return receiptKeyPrefix + nav }

type receiptData struct {
	Ente     string
	Nome     string
	Numero   string
	Importo  string
	PagatoIl string
	NAV      string
	IUV      string
	AreaURL  string
	Allegato bool
}

// ReceiptEmail queues the "Ricevuta di pagamento" email for the payment
// recorded on verbale numero, to the offender or, failing that, the owner
// jointly liable. attach (nil for none) adds the PDF quietanza; if it fails,
// the email is queued without it (and says where to download it) and err is
// an *AttachmentError. queued is false when the email was queued before.
func ReceiptEmail(ctx context.Context, db ReceiptStore, site Site, numero string, attach AttachFunc) (queued bool, err error) {
	row, err := db.VerbaleByNumero(ctx, numero)
	if err != nil {
		return false, fmt.Errorf("notify: receipt for %s: %w", numero, err)
	}
	if row.PaidCents == 0 {
		return false, fmt.Errorf("notify: receipt for %s: no payment recorded", numero)
	}
	rec, err := verbali.FromRow(row)
	if err != nil {
		return false, err
	}
	who := recipient(rec)
	if who == nil {
		return false, ErrNoRecipient
	}
	notice, err := pagopa.ParseNoticeNumber(row.NAV)
	if err != nil {
		return false, fmt.Errorf("notify: receipt for %s: %w", numero, err)
	}
	paid, err := time.Parse(time.RFC3339, row.PaidAt)
	if err != nil {
		return false, fmt.Errorf("notify: receipt for %s: payment time: %w", numero, err)
	}
	data := receiptData{
		Ente:     site.Ente,
		Nome:     strings.TrimSpace(who.Nome + " " + who.Cognome),
		Numero:   row.Numero,
		Importo:  money.Cents(row.PaidCents).String(),
		PagatoIl: civil.FromTime(paid).Italian() + " " + paid.In(civil.Rome).Format("15:04"),
		NAV:      notice.Grouped(),
		IUV:      notice.IUV(),
	}
	if site.PublicURL != "" {
		data.AreaURL = strings.TrimSuffix(site.PublicURL, "/") + "/area-personale/"
	}
	var files []Attachment
	var attachErr error
	if attach != nil {
		a, err := attach(numero)
		switch {
		case err != nil:
			attachErr = &AttachmentError{Err: err}
		case a != nil:
			files = append(files, *a)
		}
	}
	data.Allegato = len(files) > 0
	c, err := Render(kindRicevuta, data)
	if err != nil {
		return false, err
	}
	_, queued, err = db.EnqueueEmail(ctx, store.Email{
		DedupKey: ReceiptDedupKey(row.NAV), Kind: kindRicevuta, To: strings.TrimSpace(who.Email),
		Subject: c.Subject, Text: c.Text, HTML: c.HTML, Attachments: toStore(files),
	}, time.Now())
	if err != nil {
		return false, err
	}
	return queued, attachErr
}

func recipient(r *verbali.Record) *verbali.Persona {
	for _, p := range []*verbali.Persona{r.Trasgressore, r.Obbligato} {
		if p != nil && strings.TrimSpace(p.Email) != "" {
			return p
		}
	}
	return nil
}

// CatchUpStore is what CatchUpReceipts needs; *store.DB implements it.
type CatchUpStore interface {
	ReceiptStore
	PaymentsWithoutEmail(ctx context.Context, dedupPrefix string, since time.Time) ([]string, error)
}

// CatchUpReceipts queues the receipt emails of payments recorded since
// since that have none: pagamenti.Positions calls Paid after the payment is
// committed, so a crash in between would otherwise lose the email. Run it at
// start-up. It reports how many it queued; verbali without an address are
// skipped.
func CatchUpReceipts(ctx context.Context, db CatchUpStore, site Site, attach AttachFunc, since time.Time) (int, error) {
	numeri, err := db.PaymentsWithoutEmail(ctx, receiptKeyPrefix, since)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, numero := range numeri {
		queued, err := ReceiptEmail(ctx, db, site, numero, attach)
		var ae *AttachmentError
		switch {
		case errors.Is(err, ErrNoRecipient):
		case err != nil && !errors.As(err, &ae):
			errs = append(errs, err)
		}
		if queued {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// PaidHook returns the function to set as pagamenti.Positions.Paid: it
// queues the receipt email and wakes the sender (wake may be nil). Its
// failures are logged, never returned: the payment stands regardless.
func PaidHook(db ReceiptStore, site Site, attach AttachFunc, wake func(), logger *slog.Logger) func(ctx context.Context, numero string) {
	if logger == nil {
		logger = slog.Default()
	}
	return func(ctx context.Context, numero string) {
		queued, err := ReceiptEmail(ctx, db, site, numero, attach)
		var ae *AttachmentError
		switch {
		case errors.Is(err, ErrNoRecipient):
			logger.InfoContext(ctx, "receipt email not sent: no address on the verbale", "numero", numero)
		case errors.As(err, &ae):
			logger.WarnContext(ctx, "receipt email queued without its attachment", "numero", numero, "err", ae.Err)
		case err != nil:
			logger.ErrorContext(ctx, "receipt email not queued", "numero", numero, "err", err)
		}
		if queued && wake != nil {
			wake()
		}
	}
}
