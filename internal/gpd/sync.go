package gpd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
)

// Creditor is what every published position says about the city.
type Creditor struct {
	FiscalCode string // the organization, 11 digits
	Name       string // companyName, e.g. "Città di Torino"
	OfficeName string // optional, e.g. "Polizia Municipale"
	IBAN       string
	PostalIBAN string // optional
	Category   string // pagoPA taxonomy code of the income
}

// Notices lists the notice numbers to keep in step with GPD; *store.DB
// implements it with the verbali not paid yet.
type Notices interface {
	UnpaidNotices(ctx context.Context, fn func(nav string) error) error
}

// Publisher keeps GPD in step with the portal's verbali. The amount of a fine
// changes over time (30 % off within 5 days, the minimum within 60, then half
// the maximum and its increases) while a GPD option's amount is fixed when
// published: each option is published with the amount due today and the last
// day of that amount as its due date, and Sync, run every night after
// midnight (Europe/Rome), publishes again the positions whose phase changed.
type Publisher struct {
	Client *Client
	// Positions computes what a notice costs on a day and records receipts:
	// the same code that answers the SOAP calls (pagamenti.Positions).
	Positions pagopa.Positions
	Creditor  Creditor
	Logger    *slog.Logger
}

// Report counts what a Sync did, one count per notice.
type Report struct {
	Created     int // published for the first time
	Updated     int // published again: the amount or the due date changed
	Unchanged   int // GPD already had it right
	Invalidated int // no longer payable (cancelled, under appeal, …): withdrawn
	Paid        int // paid through pagoPA: the receipt was recorded
	Skipped     int // neither payable nor published: nothing to do
	Failed      int // an error, logged; the next Sync tries again
}

func (r Report) String() string {
	return fmt.Sprintf("%d pubblicate, %d aggiornate, %d invariate, %d annullate, %d pagate, %d ignorate, %d in errore",
		r.Created, r.Updated, r.Unchanged, r.Invalidated, r.Paid, r.Skipped, r.Failed)
}

type outcome int

const (
	created outcome = iota
	updated
	unchanged
	invalidated
	paid
	skipped
)

// Sync brings every notice of notices in step with GPD on today: it
// publishes payable ones with today's amount, republishes those whose amount
// or due date changed, invalidates those no longer payable, and records the
// receipts of those paid. An error on one notice is logged and counted and
// the others go on; a refused subscription key stops Sync at once, as does
// ctx.
func (p *Publisher) Sync(ctx context.Context, notices Notices, today civil.Date) (Report, error) {
	var r Report
	err := notices.UnpaidNotices(ctx, func(nav string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := p.syncOne(ctx, nav, today)
		switch {
		case errors.Is(err, ErrUnauthorized):
			return err
		case err != nil:
			r.Failed++
			p.logger().ErrorContext(ctx, "GPD sync of a notice failed", "nav", nav, "err", err)
			return nil
		}
		switch out {
		case created:
			r.Created++
		case updated:
			r.Updated++
		case unchanged:
			r.Unchanged++
		case invalidated:
			r.Invalidated++
		case paid:
			r.Paid++
		case skipped:
			r.Skipped++
		}
		return nil
	})
	return r, err
}

func (p *Publisher) syncOne(ctx context.Context, nav string, today civil.Date) (outcome, error) {
	notice, err := pagopa.ParseNoticeNumber(nav)
	if err != nil {
		return 0, err
	}
	pos, err := p.Positions.Lookup(ctx, notice, today)
	if err != nil {
		return 0, err
	}
	open := pos.Status == pagopa.PositionOpen
	iupd := p.Creditor.IUPD(notice)
	state, err := p.Client.Get(ctx, iupd)
	switch {
	case errors.Is(err, ErrNotFound) && open:
		_, err := p.Client.Create(ctx, p.Creditor.Position(pos), true)
		return created, err
	case errors.Is(err, ErrNotFound):
		return skipped, nil
	case err != nil:
		return 0, err
	}
	switch {
	case state.Status.Paid():
		return paid, p.recordPayment(ctx, notice, state)
	case state.Status == StatusInvalid || state.Status == StatusExpired:
		if open {
			return 0, fmt.Errorf("la posizione %s è %s su GPD e non si può ripubblicare", iupd, state.Status)
		}
		return skipped, nil
	case !open && state.Status == StatusDraft:
		// Never published, so nobody can pay it: leave it.
		return skipped, nil
	case !open:
		_, err := p.Client.Invalidate(ctx, iupd)
		return invalidated, err
	}
	want := p.Creditor.Position(pos)
	switch {
	case !upToDate(state, want.PaymentOptions[0]):
		_, err := p.Client.Update(ctx, want, true)
		return updated, err
	case state.Status == StatusDraft:
		_, err := p.Client.Publish(ctx, iupd)
		return updated, err
	}
	return unchanged, nil
}

// upToDate reports whether GPD's option has the amount, due day and
// description the portal would publish today.
func upToDate(state PositionState, want PaymentOption) bool {
	got, ok := state.Option(want.IUV)
	return ok && len(state.PaymentOptions) == 1 && got.Amount == want.Amount && got.Description == want.Description &&
		civil.FromTime(got.DueDate.Time) == civil.FromTime(want.DueDate.Time)
}

// recordPayment records the receipt GPD holds for the notice's option, the
// way a paSendRTV2 would: exactly once, with the payment event and the
// receipt email.
func (p *Publisher) recordPayment(ctx context.Context, notice pagopa.NoticeNumber, state PositionState) error {
	opt, ok := state.Option(notice.IUV())
	if !ok || !opt.Status.Paid() || opt.IDReceipt == "" {
		return fmt.Errorf("la posizione %s risulta %s su GPD ma l'opzione %s non ha una ricevuta", state.IUPD, state.Status, notice.IUV())
	}
	// The receipt is kept as GPD reported it, for review.
	raw, err := json.Marshal(opt)
	if err != nil {
		return err
	}
	at := opt.PaymentDate.Time
	if at.IsZero() {
		at = state.PaymentDate.Time
	}
	_, err = p.Positions.RecordReceipt(ctx, pagopa.Receipt{
		ReceiptID: opt.IDReceipt, Notice: notice, CreditorFiscalCode: p.Creditor.FiscalCode, Outcome: pagopa.OutcomeOK,
		CreditorReferenceID: opt.IUV, Amount: opt.Amount, Description: opt.Description, CompanyName: p.Creditor.Name,
		OfficeName: p.Creditor.OfficeName, PSPCompanyName: opt.PSPCompany, PaymentMethod: opt.PaymentMethod,
		Fee: opt.Fee, PaymentTime: at, ApplicationDate: civil.FromTime(at), Version: 2, XML: string(raw),
	})
	return err
}

var companyCode = regexp.MustCompile(`^[0-9]{11}$`)

// Position is the GPD debt position of an open pagoPA position: one option,
// the notice's own IUV (so the NAV printed on the notice is the one GPD
// knows), the amount due on the day asked, due at the end of its last day in
// Europe/Rome, one transfer of the whole amount to the city's account. An
// unknown debtor (a pre-notice) is ANONIMO, as in the SOAP answers.
func (c Creditor) Position(pos pagopa.Position) Position {
	debtor, name, kind := "ANONIMO", "ANONIMO", Person
	if pos.Debtor.FiscalCode != "" {
		debtor = pos.Debtor.FiscalCode
		if companyCode.MatchString(debtor) {
			kind = Company
		}
		if pos.Debtor.Name != "" {
			name = pos.Debtor.Name
		}
	}
	d := pos.DueDate
	return Position{
		IUPD:        c.IUPD(pos.Notice),
		Type:        kind,
		FiscalCode:  debtor,
		FullName:    name,
		Email:       pos.Debtor.Email,
		CompanyName: cut(c.Name, 140),
		OfficeName:  cut(c.OfficeName, 140),
		PaymentOptions: []PaymentOption{{
			NAV:         pos.Notice.String(),
			IUV:         pos.Notice.IUV(),
			Amount:      pos.Amount,
			Description: cut(pos.Description, 140),
			DueDate:     Time{time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, civil.Rome)},
			Transfers: []Transfer{{
				ID:                     "1",
				Amount:                 pos.Amount,
				OrganizationFiscalCode: c.FiscalCode,
				RemittanceInformation:  cut(pos.Description, 140),
				Category:               c.Category,
				IBAN:                   c.IBAN,
				PostalIBAN:             c.PostalIBAN,
				CompanyName:            cut(c.Name, 140),
			}},
		}},
	}
}

// IUPD is the position's identifier in GPD: the creditor's fiscal code and
// the IUV, unique because the IUV is, and derived, so the portal keeps no
// mapping.
func (c Creditor) IUPD(n pagopa.NoticeNumber) string {
	return c.FiscalCode + "-" + n.IUV()
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func (p *Publisher) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}
