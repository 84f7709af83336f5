package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

func newImportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Importa i dati del gestionale (verbali) da file JSON Lines o CSV",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newImportVerbaliCmd(), newImportProfiloCmd())
	return cmd
}

func newImportVerbaliCmd() *cobra.Command {
	var data, report string
	cmd := &cobra.Command{
		Use:   "verbali --data DIR FILE",
		Short: "Importa verbali (JSON Lines o CSV; - per stdin); le righe errate sono segnalate e saltate",
		Long: "Importa verbali dal gestionale. Il file è JSON Lines (un verbale per riga) o CSV con intestazione\n" +
			"(vedi docs/import.md). L'import è idempotente: un numero già presente si aggiorna solo con una\n" +
			"versione più alta. Una riga errata è segnalata con il suo numero e il motivo, e il resto è importato.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"indica il file da importare (o - per leggere da stdin)"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			cfg, err := config.Load(dir.Config())
			if err != nil {
				return err
			}
			in, name, err := openInput(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			defer in.Close()
			db, err := store.Open(cmd.Context(), dir.DB())
			if err != nil {
				return err
			}
			defer db.Close()

			progress := newProgress(cmd.ErrOrStderr())
			start := time.Now()
			sum, err := verbali.Import(cmd.Context(), in, db, verbali.ImportOptions{
				Rules:    cds.DefaultConfig(),
				NAV:      navMaker(cfg.PagoPA.Segregazione),
				Progress: progress.update,
			})
			progress.done()
			printImportSummary(cmd.OutOrStdout(), name, verbaliCounts(sum), time.Since(start))
			if report != "" {
				if werr := writeJSONFile(report, sum); werr != nil && err == nil {
					err = werr
				}
			}
			if err != nil {
				return fmt.Errorf("import interrotto (i lotti già confermati restano salvati): %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&report, "report", "", "scrive qui il resoconto completo in JSON, con tutte le righe scartate")
	return cmd
}

// navMaker assigns notice numbers from the creditor's sequence.
func navMaker(segregazione string) store.NAVMaker {
	return func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence(segregazione, seq)
		return n.String(), err
	}
}

func openInput(arg string, stdin io.Reader) (io.ReadCloser, string, error) {
	if arg == "-" {
		return io.NopCloser(stdin), "stdin", nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, arg, fmt.Errorf("non riesco ad aprire %s: %w", arg, err)
	}
	return f, arg, nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// shownErrors is how many rejected lines the summary prints; --report has all.
const shownErrors = 20

// importCounts is what both imports (verbali, profilo) report, with each
// rejected line already worded.
type importCounts struct {
	letti, nuovi, aggiornati, invariati, scartati int
	rejected                                      []string // "riga N (x): CODICE — messaggio"
}

func verbaliCounts(s verbali.Summary) importCounts {
	c := importCounts{s.Letti, s.Nuovi, s.Aggiornati, s.Invariati, s.Scartati, nil}
	for _, e := range s.Errori {
		c.rejected = append(c.rejected, rejectedLine(e.Riga, "verbale "+e.Numero, e.Numero != "", e.Codice, e.Messaggio))
	}
	return c
}

func rejectedLine(riga int, what string, named bool, codice, messaggio string) string {
	label := ""
	if named {
		label = " (" + what + ")"
	}
	return fmt.Sprintf("riga %d%s: %s — %s", riga, label, codice, messaggio)
}

func printImportSummary(w io.Writer, name string, c importCounts, took time.Duration) {
	fmt.Fprintf(w, "Import di %s: %d righe lette in %s\n", name, c.letti, took.Round(time.Millisecond))
	fmt.Fprintf(w, "  nuovi:       %d\n  aggiornati:  %d\n  invariati:   %d\n  scartati:    %d\n",
		c.nuovi, c.aggiornati, c.invariati, c.scartati)
	for i, line := range c.rejected {
		if i == shownErrors {
			fmt.Fprintf(w, "  … e altre %d righe scartate (usa --report FILE per l'elenco completo)\n", c.scartati-shownErrors)
			break
		}
		fmt.Fprintln(w, "  "+line)
	}
}

// progress draws a one-line counter on a terminal, and nothing otherwise, so
// logs and pipes stay clean.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	drawn bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(s verbali.Summary) {
	if !p.tty {
		return
	}
	rate := float64(s.Letti) / max(time.Since(p.start).Seconds(), 0.001)
	fmt.Fprintf(p.w, "\r\033[K%d righe lette · %d nuove · %d aggiornate · %d scartate · %.0f righe/s",
		s.Letti, s.Nuovi, s.Aggiornati, s.Scartati, rate)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
