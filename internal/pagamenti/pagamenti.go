// Package pagamenti connects pagoPA to the portal's verbali: it tells the node
// what a notice costs on the day it asks (per internal/cds) and records the
// receipts it delivers, exactly once. It implements pagopa.Positions.
package pagamenti

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Store is what payments need from storage; *store.DB implements it.
type Store interface {
	VerbaleByNAV(ctx context.Context, nav string) (store.VerbaleRow, error)
	RecordPayment(ctx context.Context, p store.Payment, event any) (store.PaymentOutcome, error)
}

// Positions answers the pagoPA node about the portal's notices.
type Positions struct {
	Store  Store
	Rules  cds.Config
	Logger *slog.Logger
	// Paid, when set, is called after a new payment is recorded (to send the
	// receipt to the citizen). Its failure does not undo the payment.
	Paid func(ctx context.Context, numero string)
}

var _ pagopa.Positions = (*Positions)(nil)

// Lookup returns the position behind notice with the amount due on today.
func (p *Positions) Lookup(ctx context.Context, notice pagopa.NoticeNumber, today civil.Date) (pagopa.Position, error) {
	row, err := p.Store.VerbaleByNAV(ctx, notice.String())
	if errors.Is(err, store.ErrNotFound) {
		return pagopa.Position{}, fmt.Errorf("notice %s: %w", notice, pagopa.ErrPositionNotFound)
	}
	if err != nil {
		return pagopa.Position{}, err
	}
	rec, err := verbali.FromRow(row)
	if err != nil {
		return pagopa.Position{}, err
	}
	debtor := rec.Obbligato
	if rec.Trasgressore != nil {
		debtor = rec.Trasgressore
	}
	cf := ""
	if debtor != nil {
		cf = debtor.CodiceFiscale
	}
	st, err := verbali.Statement(cf, []store.VerbaleRow{row}, today, verbali.StatementOptions{Rules: p.Rules})
	if err != nil {
		return pagopa.Position{}, err
	}
	v := st.Verbali[0]
	pos := pagopa.Position{Notice: notice, Description: description(rec)}
	if debtor != nil {
		pos.Debtor = pagopa.Subject{FiscalCode: debtor.CodiceFiscale, Name: strings.TrimSpace(debtor.Nome + " " + debtor.Cognome)}
	}
	switch v.Fase {
	case verbali.FasePagato:
		pos.Status = pagopa.PositionPaid
	case verbali.FaseArchiviato, verbali.FaseRicorso:
		pos.Status = pagopa.PositionCancelled
	case verbali.FaseRateizzato, verbali.FaseCoattivo:
		// Paid through the plan's own notices or the collector's.
		pos.Status = pagopa.PositionExpired
	default:
		pos.Status, pos.Amount, pos.DueDate = pagopa.PositionOpen, v.ImportoCent, today
		if v.ScadenzaFase != nil {
			pos.DueDate = *v.ScadenzaFase
		}
	}
	return pos, nil
}

// description is the payment's reason: the verbale and the articles, with no
// personal data (pagoPA shows it in apps and on receipts).
func description(r *verbali.Record) string {
	arts := make([]string, 0, len(r.Violazioni))
	for _, v := range r.Violazioni {
		arts = append(arts, "art. "+v.Articolo)
	}
	d := "Verbale n. " + r.Numero + " - " + strings.Join(arts, ", ") + " CdS"
	if len(d) > 140 {
		d = d[:140]
	}
	return d
}

type paymentEvent struct {
	NAV         string `json:"nav"`
	IUV         string `json:"iuv"`
	ReceiptID   string `json:"receipt_id"`
	ImportoCent int64  `json:"importo_cent"`
	PagatoIl    string `json:"pagato_il"`
	PSP         string `json:"psp"`
}

// RecordReceipt records a successful payment once; repeats are duplicates and
// disagreements are kept for review (and logged at ERROR, the alert).
func (p *Positions) RecordReceipt(ctx context.Context, r pagopa.Receipt) (pagopa.RecordResult, error) {
	row, err := p.Store.VerbaleByNAV(ctx, r.Notice.String())
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Errorf("receipt %s for notice %s: %w", r.ReceiptID, r.Notice, pagopa.ErrPositionNotFound)
	}
	if err != nil {
		return 0, err
	}
	pay := store.Payment{
		ReceiptID: r.ReceiptID, NAV: r.Notice.String(), Numero: row.Numero, AmountCents: int64(r.Amount),
		PaidAt: r.PaymentTime, PSP: r.PSPCompanyName, Receipt: r.XML,
	}
	out, err := p.Store.RecordPayment(ctx, pay, paymentEvent{
		NAV: pay.NAV, IUV: r.Notice.IUV(), ReceiptID: r.ReceiptID, ImportoCent: pay.AmountCents,
		PagatoIl: r.PaymentTime.UTC().Format("2006-01-02T15:04:05Z"), PSP: r.PSPCompanyName,
	})
	if err != nil {
		return 0, err
	}
	switch out {
	case store.PaymentDuplicate:
		return pagopa.ReceiptDuplicate, nil
	case store.PaymentConflict:
		p.logger().ErrorContext(ctx, "pagoPA receipt conflicts with a recorded payment: kept for review",
			"receipt_id", r.ReceiptID, "nav", pay.NAV, "debtor", codicefiscale.Mask(r.Debtor.FiscalCode))
		return pagopa.ReceiptConflict, nil
	}
	if p.Paid != nil {
		p.Paid(ctx, row.Numero)
	}
	return pagopa.ReceiptRecorded, nil
}

func (p *Positions) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}
