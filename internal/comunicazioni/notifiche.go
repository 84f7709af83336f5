package comunicazioni

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

type formalNotificationEvent struct {
	Canale           string `json:"canale"`        // pec or posta
	PEC              string `json:"pec,omitempty"` // the address, for pec
	CodiceFiscale    string `json:"codice_fiscale"`
	DataViolazione   string `json:"data_violazione"`
	TerminePreavviso string `json:"termine_preavviso"`
}

// FormalNotifications sends every unpaid pre-notice whose term ended before
// today on to formal notification (A14): one event per verbale for the
// gestionale, which notifies it, carrying the channel the owner chose (PEC
// with the address, or post by default). Running it again sends nothing
// twice. It returns how many verbali it sent on.
func (s *Service) FormalNotifications(ctx context.Context, now time.Time) (int, error) {
	days := s.PreavvisoDays
	if days <= 0 {
		days = 60
	}
	today := civil.FromTime(now)
	rows, err := s.Store.OpenPreNotices(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, row := range rows {
		rec, err := verbali.FromRow(row)
		if err != nil {
			return sent, err
		}
		at, err := time.Parse(time.RFC3339, rec.DataOra)
		if err != nil {
			continue // Check refuses such records: nothing to compute a term from
		}
		term := s.Rules.Deadline(civil.FromTime(at), days)
		if !term.Before(today) {
			continue
		}
		who := row.ObbligatoCF
		if who == "" {
			who = row.TrasgressoreCF
		}
		ev := formalNotificationEvent{Canale: profilo.CanalePosta, CodiceFiscale: who,
			DataViolazione: civil.FromTime(at).String(), TerminePreavviso: term.String()}
		p, err := s.Store.NotificationPreference(ctx, who)
		switch {
		case err == nil && p.Canale == profilo.CanalePEC:
			ev.Canale, ev.PEC = profilo.CanalePEC, p.PEC
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return sent, err
		}
		ok, err := s.Store.RecordFormalNotification(ctx, row.Numero, ev.Canale, now, ev)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// RunFormalNotifications runs FormalNotifications at start and then every
// interval until ctx ends, logging what it did (counts, never people).
func (s *Service) RunFormalNotifications(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.FormalNotifications(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("pre-notices to formal notification", "err", err)
		case n > 0:
			logger.Info("pre-notices sent on to formal notification", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
