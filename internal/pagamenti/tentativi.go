package pagamenti

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// What a payer reads about an attempt. Only a recorded receipt makes it
// pagato; annullato and errore come from the checkout itself, never from
// the address the payer comes back to.
const (
	StatoInCorso   = "in_corso"
	StatoPagato    = "pagato"
	StatoAnnullato = "annullato"
	StatoErrore    = "errore"
)

// Checkout is where a payer goes to pay: pagoPA Checkout in production, the
// simulated one of internal/democheckout in the demo.
type Checkout interface {
	// Start returns the address to send the payer to for attempt a.
	Start(ctx context.Context, a store.Attempt) (string, error)
}

// AttemptStore is what attempts need from storage; *store.DB implements it.
type AttemptStore interface {
	CreateAttempt(ctx context.Context, a store.Attempt) error
	AttemptByID(ctx context.Context, id string) (store.Attempt, error)
	CloseAttempt(ctx context.Context, id, outcome string) error
	PaymentOf(ctx context.Context, nav string) (store.Payment, error)
}

// Attempts starts payments and tells how they went.
type Attempts struct {
	Store AttemptStore
	// Checkout is nil when no checkout is configured: then nothing starts.
	Checkout Checkout
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var (
	// ErrNotPayable: the verbale cannot be paid with pagoPA today (paid,
	// in instalments, at the collector, under appeal, cancelled).
	ErrNotPayable = errors.New("pagamenti: not payable with pagoPA today")
	// ErrNoCheckout: this installation has no checkout configured.
	ErrNoCheckout = errors.New("pagamenti: no checkout configured")
)

// Started is a new attempt and where to send the payer.
type Started struct {
	Attempt     store.Attempt
	RedirectURL string
}

// Start records an attempt to pay v, as computed today, and asks the
// checkout where the payer goes. cf is the logged-in citizen, or "" for a
// pre-notice paid without an account.
func (a *Attempts) Start(ctx context.Context, v verbali.VoceEstratto, cf string) (Started, error) {
	if a.Checkout == nil {
		return Started{}, ErrNoCheckout
	}
	if !v.Pagabile || v.NAV == "" || v.ImportoCent <= 0 {
		return Started{}, ErrNotPayable
	}
	att := store.Attempt{
		ID: rand.Text(), NAV: v.NAV, Numero: v.Numero, AmountCents: int64(v.ImportoCent),
		CodiceFiscale: cf, CreatedAt: a.now(),
	}
	if err := a.Store.CreateAttempt(ctx, att); err != nil {
		return Started{}, fmt.Errorf("payment attempt: %w", err)
	}
	to, err := a.Checkout.Start(ctx, att)
	if err != nil {
		return Started{}, fmt.Errorf("payment attempt %s: checkout: %w", att.ID, err)
	}
	return Started{Attempt: att, RedirectURL: to}, nil
}

// Status is an attempt as the payer reads it.
type Status struct {
	Attempt store.Attempt
	Stato   string
	// Payment is the recorded payment when Stato is pagato.
	Payment *store.Payment
}

// Status reads an attempt (store.ErrNotFound when unknown) and its outcome:
// pagato when a receipt for its notice is recorded, otherwise what the
// checkout reported, otherwise in_corso.
func (a *Attempts) Status(ctx context.Context, id string) (Status, error) {
	att, err := a.Store.AttemptByID(ctx, id)
	if err != nil {
		return Status{}, err
	}
	st := Status{Attempt: att, Stato: StatoInCorso}
	p, err := a.Store.PaymentOf(ctx, att.NAV)
	switch {
	case err == nil:
		st.Stato, st.Payment = StatoPagato, &p
	case !errors.Is(err, store.ErrNotFound):
		return Status{}, err
	case att.Outcome != "":
		st.Stato = att.Outcome
	}
	return st, nil
}

// Abandon records what the checkout reported for an attempt that ended
// without a payment: StatoAnnullato or StatoErrore.
func (a *Attempts) Abandon(ctx context.Context, id, stato string) error {
	if stato != StatoAnnullato && stato != StatoErrore {
		return fmt.Errorf("pagamenti: %q is not an outcome without payment", stato)
	}
	return a.Store.CloseAttempt(ctx, id, stato)
}

// ResultPath is the portal page the checkout sends the payer back to: the
// personal area for a citizen, the pre-notice page for someone without an
// account (which then offers to create one).
func ResultPath(att store.Attempt) string {
	if att.CodiceFiscale == "" {
		return "/paga-preavviso/?id=" + url.QueryEscape(att.ID)
	}
	return "/area-personale/pagamento/?id=" + url.QueryEscape(att.ID)
}

func (a *Attempts) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}
