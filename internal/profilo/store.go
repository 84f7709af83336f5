package profilo

import (
	"context"

	"github.com/comune-torino/portale/internal/store"
)

// Store is what the personal area reads and writes of the profile;
// *store.DB implements it. Every write that the gestionale must learn of
// takes the event that tells it, written in the same transaction.
type Store interface {
	ProfiloOf(ctx context.Context, cf, tipo string) ([]store.ProfiloRow, error)
	VeicoliOf(ctx context.Context, cf string) ([]store.Veicolo, error)
	AddVeicolo(ctx context.Context, v store.Veicolo, event any) (bool, error)
	RemoveVeicolo(ctx context.Context, cf, targa string, event any) error
	RequestPermitRenewal(ctx context.Context, r store.RinnovoPermesso, event any) (bool, error)
	PermitRenewalsOf(ctx context.Context, cf string) ([]store.RinnovoPermesso, error)
	NotificationPreference(ctx context.Context, cf string) (store.PreferenzaNotifica, error)
	SetNotificationPreference(ctx context.Context, p store.PreferenzaNotifica, event any) error
}
