package verbali

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/store"
)

// Store is what importing needs from storage.
type Store interface {
	UpsertVerbali(ctx context.Context, rows []store.VerbaleRow, nav store.NAVMaker) ([]store.UpsertOutcome, error)
}

// ImportOptions configure Import.
type ImportOptions struct {
	Rules cds.Config
	// NAV makes the notice number of a new verbale from the creditor's
	// sequence.
	NAV store.NAVMaker
	// BatchSize is how many records go in one transaction (default 10,000:
	// fewer commits write each index page fewer times).
	BatchSize int
	// Progress, when set, is called after each batch.
	Progress func(Summary)
	// MaxErrors caps the line errors kept in the summary (default 1000);
	// the count of rejected lines is always exact.
	MaxErrors int
}

// LineError is a line that was not imported, and why.
type LineError struct {
	Riga      int    `json:"riga"`
	Numero    string `json:"numero,omitempty"`
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

// Summary counts what an import did.
type Summary struct {
	Letti      int         `json:"letti"`      // lines with a record, read so far
	Nuovi      int         `json:"nuovi"`      // verbali added
	Aggiornati int         `json:"aggiornati"` // replaced by a newer versione
	Invariati  int         `json:"invariati"`  // same or older versione: ignored
	Scartati   int         `json:"scartati"`   // refused, see Errori
	Errori     []LineError `json:"errori"`
}

// Import reads records from r (JSON Lines or CSV, see Read), checks each, and
// stores the good ones in batches, one transaction per batch. A bad line is
// reported with its number and reason and skipped; the rest is imported.
// Importing the same file twice changes nothing the second time.
//
// Reading and checking run alongside the writing: while one batch is being
// written, the next is read, so the two cores of a small server both work.
// At most two batches are in memory at once, whatever the file's size.
func Import(ctx context.Context, r io.Reader, st Store, opts ImportOptions) (Summary, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu  sync.Mutex // guards sum: the reader counts lines, the writer outcomes
		sum = Summary{Errori: []LineError{}}
	)
	batches := make(chan []store.VerbaleRow, 1)
	written := make(chan error, 1)
	go func() {
		var failed error
		for batch := range batches {
			if failed != nil {
				continue // drain what the reader already sent
			}
			outcomes, err := st.UpsertVerbali(ctx, batch, opts.NAV)
			if err != nil {
				failed = err
				cancel()
				continue
			}
			mu.Lock()
			for _, o := range outcomes {
				switch o {
				case store.Inserted:
					sum.Nuovi++
				case store.Updated:
					sum.Aggiornati++
				case store.Unchanged:
					sum.Invariati++
				}
			}
			progress := sum
			mu.Unlock()
			if opts.Progress != nil {
				opts.Progress(progress)
			}
		}
		written <- failed
	}()

	batch := make([]store.VerbaleRow, 0, opts.BatchSize)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case batches <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]store.VerbaleRow, 0, opts.BatchSize)
		return nil
	}
	reject := func(line Line, err error) {
		mu.Lock()
		defer mu.Unlock()
		sum.Scartati++
		if len(sum.Errori) >= opts.MaxErrors {
			return
		}
		le := LineError{Riga: line.N, Numero: line.Record.Numero, Codice: RecordNonLeggibile, Messaggio: err.Error()}
		var p *Problem
		if errors.As(err, &p) {
			le.Codice, le.Messaggio = p.Codice, p.Messaggio
		}
		sum.Errori = append(sum.Errori, le)
	}
	readErr := Read(r, func(line Line) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		mu.Lock()
		sum.Letti++
		mu.Unlock()
		if line.Err != nil {
			reject(line, line.Err)
			return nil
		}
		rec := line.Record
		if err := Check(&rec, opts.Rules); err != nil {
			reject(line, err)
			return nil
		}
		row, err := toRow(&rec)
		if err != nil {
			return err
		}
		batch = append(batch, row)
		if len(batch) == opts.BatchSize {
			return send()
		}
		return nil
	})
	if readErr == nil {
		readErr = send()
	}
	close(batches)
	writeErr := <-written
	mu.Lock()
	defer mu.Unlock()
	if writeErr != nil {
		// The reader saw the cancellation the writer's failure caused:
		// the writer's error is the cause.
		return sum, writeErr
	}
	return sum, readErr
}

func toRow(r *Record) (store.VerbaleRow, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return store.VerbaleRow{}, err
	}
	row := store.VerbaleRow{Numero: r.Numero, Versione: r.Versione, Stato: string(r.Stato), Targa: r.Targa, Record: body}
	if r.Trasgressore != nil {
		row.TrasgressoreCF = r.Trasgressore.CodiceFiscale
	}
	if r.Obbligato != nil {
		row.ObbligatoCF = r.Obbligato.CodiceFiscale
	}
	return row, nil
}
