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
	"sync"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Store is what payments need from storage; *store.DB implements it.
type Store interface {
	VerbaleByNAV(ctx context.Context, nav string) (store.VerbaleRow, error)
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
	InstalmentByNAV(ctx context.Context, nav string) (store.Instalment, error)
	MarkPlanned(ctx context.Context, rows []store.VerbaleRow) error
	RecordPayment(ctx context.Context, p store.Payment, event any) (store.PaymentOutcome, error)
	// Version changes with every commit (see store.DB.Version).
	Version(ctx context.Context) (store.Generation, error)
}

// Positions answers the pagoPA node about the portal's notices.
type Positions struct {
	Store  Store
	Rules  cds.Config
	Logger *slog.Logger
	// Paid, when set, is called after a new payment is recorded (to send the
	// receipt to the citizen). Its failure does not undo the payment.
	Paid func(ctx context.Context, numero string)

	// positions keeps each notice's position as last computed, valid for
	// its day and store version: the node verifies a notice and asks for
	// it again moments later, and so do retries. Positions are small: the
	// memo holds up to 65,536 (Memo's Max) at once.
	positions     store.Memo[string, cachedPosition]
	positionsOnce sync.Once
}

type cachedPosition struct {
	day civil.Date
	pos pagopa.Position
}

var _ pagopa.Positions = (*Positions)(nil)

// Lookup returns the position behind notice with the amount due on today:
// a verbale's, or an instalment's of an approved plan (its amount fixed by
// the plan).
func (p *Positions) Lookup(ctx context.Context, notice pagopa.NoticeNumber, today civil.Date) (pagopa.Position, error) {
	p.positionsOnce.Do(func() { p.positions.Max = 1 << 16 })
	gen, err := p.Store.Version(ctx)
	if err != nil {
		return pagopa.Position{}, err
	}
	nav := notice.String()
	if c, ok := p.positions.Get(nav, gen); ok && c.day == today {
		return c.pos, nil
	}
	pos, err := p.lookup(ctx, notice, today)
	if err == nil {
		p.positions.Put(nav, gen, cachedPosition{day: today, pos: pos})
	}
	return pos, err
}

func (p *Positions) lookup(ctx context.Context, notice pagopa.NoticeNumber, today civil.Date) (pagopa.Position, error) {
	// Verbali's and instalments' notices come from one sequence: a notice
	// is one or the other. Verbali are the many.
	row, err := p.Store.VerbaleByNAV(ctx, notice.String())
	if errors.Is(err, store.ErrNotFound) {
		in, err := p.Store.InstalmentByNAV(ctx, notice.String())
		switch {
		case err == nil:
			return p.instalment(ctx, notice, in)
		case errors.Is(err, store.ErrNotFound):
			return pagopa.Position{}, fmt.Errorf("notice %s: %w", notice, pagopa.ErrPositionNotFound)
		}
		return pagopa.Position{}, err
	}
	if err != nil {
		return pagopa.Position{}, err
	}
	rows := []store.VerbaleRow{row}
	if err := p.Store.MarkPlanned(ctx, rows); err != nil {
		return pagopa.Position{}, err
	}
	rec, err := verbali.FromRow(rows[0])
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
	st, err := verbali.Statement(cf, rows, today, verbali.StatementOptions{Rules: p.Rules})
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

// instalment is the position of one instalment of an approved plan; its
// debtor is the citizen who proposed the plan.
func (p *Positions) instalment(ctx context.Context, notice pagopa.NoticeNumber, in store.Instalment) (pagopa.Position, error) {
	pos := pagopa.Position{Notice: notice, Debtor: pagopa.Subject{FiscalCode: in.CodiceFiscale},
		Description: fmt.Sprintf("Rata %d della rateizzazione n. %d - Verbale n. %s", in.Numero, in.PlanID, in.Verbale)}
	row, err := p.Store.VerbaleByNumero(ctx, in.Verbale)
	if err != nil {
		return pagopa.Position{}, err
	}
	rec, err := verbali.FromRow(row)
	if err != nil {
		return pagopa.Position{}, err
	}
	for _, who := range []*verbali.Persona{rec.Trasgressore, rec.Obbligato} {
		if who != nil && who.CodiceFiscale == in.CodiceFiscale {
			pos.Debtor.Name = strings.TrimSpace(who.Nome + " " + who.Cognome)
			break
		}
	}
	if in.PaidAt != "" {
		pos.Status = pagopa.PositionPaid
		return pos, nil
	}
	due, err := civil.Parse(in.Scadenza)
	if err != nil {
		return pagopa.Position{}, fmt.Errorf("instalment %s: %w", notice, err)
	}
	pos.Status, pos.Amount, pos.DueDate = pagopa.PositionOpen, money.Cents(in.ImportoCent), due
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
	// RateizzazioneID and Rata name the instalment paid, when the notice is
	// one of a plan's.
	RateizzazioneID int64  `json:"rateizzazione_id,omitempty"`
	Rata            int    `json:"rata,omitempty"`
	NAV             string `json:"nav"`
	IUV             string `json:"iuv"`
	ReceiptID       string `json:"receipt_id"`
	ImportoCent     int64  `json:"importo_cent"`
	PagatoIl        string `json:"pagato_il"`
	PSP             string `json:"psp"`
}

// RecordReceipt records a successful payment once; repeats are duplicates and
// disagreements are kept for review (and logged at ERROR, the alert). An
// instalment's payment is filed under its plan's first verbale and marks the
// instalment paid, not the verbale.
func (p *Positions) RecordReceipt(ctx context.Context, r pagopa.Receipt) (pagopa.RecordResult, error) {
	event := paymentEvent{NAV: r.Notice.String(), IUV: r.Notice.IUV(), ReceiptID: r.ReceiptID, ImportoCent: int64(r.Amount),
		PagatoIl: r.PaymentTime.UTC().Format("2006-01-02T15:04:05Z"), PSP: r.PSPCompanyName}
	numero := ""
	in, err := p.Store.InstalmentByNAV(ctx, event.NAV)
	switch {
	case err == nil:
		numero, event.RateizzazioneID, event.Rata = in.Verbale, in.PlanID, in.Numero
	case errors.Is(err, store.ErrNotFound):
		row, err := p.Store.VerbaleByNAV(ctx, event.NAV)
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("receipt %s for notice %s: %w", r.ReceiptID, r.Notice, pagopa.ErrPositionNotFound)
		}
		if err != nil {
			return 0, err
		}
		numero = row.Numero
	default:
		return 0, err
	}
	pay := store.Payment{
		ReceiptID: r.ReceiptID, NAV: event.NAV, Numero: numero, AmountCents: event.ImportoCent,
		PaidAt: r.PaymentTime, PSP: r.PSPCompanyName, Receipt: r.XML,
	}
	out, err := p.Store.RecordPayment(ctx, pay, event)
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
	// The receipt sent to the citizen is the verbale's: an instalment's
	// payment shows in their plan instead.
	if p.Paid != nil && event.RateizzazioneID == 0 {
		p.Paid(ctx, numero)
	}
	return pagopa.ReceiptRecorded, nil
}

func (p *Positions) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}
