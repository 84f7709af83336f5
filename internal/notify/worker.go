package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// Store is what the Worker needs from storage; *store.DB implements it.
type Store interface {
	ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.ClaimedEmail, error)
	MarkEmailSent(ctx context.Context, id int64, now time.Time) error
	MarkEmailFailed(ctx context.Context, id int64, claim string, now time.Time, reason string, permanent bool) (store.EmailStatus, error)
}

// Worker sends the outbox: it polls for due messages, and is woken at once
// when one is queued.
type Worker struct {
	// Poll is how often the outbox is looked at without a Wake (2 s).
	Poll time.Duration
	// Batch is how many messages one claim takes (10).
	Batch int
	// Now is the clock; tests set it.
	Now func() time.Time

	store  Store
	mailer Mailer
	logger *slog.Logger
	wake   chan struct{}
}

// NewWorker returns a worker that sends s's outbox through m.
func NewWorker(s Store, m Mailer, logger *slog.Logger) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{Poll: 2 * time.Second, Batch: 10, Now: time.Now, store: s, mailer: m, logger: logger,
		wake: make(chan struct{}, 1)}
}

// lease is how long a claimed batch is held: long enough to send every
// message in it, after which a message not acknowledged (the process died)
// is claimed again.
func (w *Worker) lease() time.Duration {
	return time.Duration(w.Batch)*sendTimeout + time.Minute
}

// Wake makes a running worker look at the outbox now; it never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends. Errors of the outbox are logged and
// retried at the next poll.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.logger.ErrorContext(ctx, "email outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// SendDue sends every message due now, batch after batch, and reports how
// many the mail server accepted.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		batch, err := w.store.ClaimEmails(ctx, w.Now(), w.lease(), w.Batch)
		if err != nil {
			return sent, err
		}
		for _, e := range batch {
			if ctx.Err() != nil {
				// Unsent claims go back when their lease runs out.
				return sent, nil
			}
			ok, err := w.send(ctx, e)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < w.Batch {
			break
		}
	}
	return sent, nil
}

// send tries one message and records the outcome. The outcome is recorded
// even when ctx ends meanwhile: a message the server accepted must not be
// sent again for want of a note.
func (w *Worker) send(ctx context.Context, e store.ClaimedEmail) (bool, error) {
	err := w.mailer.Send(ctx, Message{ID: e.MessageID, To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML,
		Attachments: fromStore(e.Attachments)})
	record := context.WithoutCancel(ctx)
	log := w.logger.With("email_id", e.ID, "kind", e.Kind, "to", MaskEmail(e.To), "attempt", e.Attempt)
	if err == nil {
		if err := w.store.MarkEmailSent(record, e.ID, w.Now()); err != nil {
			return false, err
		}
		log.InfoContext(ctx, "email sent")
		return true, nil
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return false, nil
	}
	reason := err.Error()
	st, merr := w.store.MarkEmailFailed(record, e.ID, e.Claim, w.Now(), reason, isPermanent(err))
	if merr != nil {
		return false, merr
	}
	if st == store.EmailFailed {
		log.ErrorContext(ctx, "email given up: an officer must contact the citizen another way", "err", redact(reason))
	} else {
		log.WarnContext(ctx, "email not sent: will retry", "err", redact(reason), "status", string(st))
	}
	return false, nil
}
