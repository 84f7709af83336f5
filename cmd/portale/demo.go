package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/datadir"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

func newDemoCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "demo --data DIR --addr HOST:PORT",
		Short: "Ambiente di prova: inizializza se serve, carica i dati di prova, costruisce e serve",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := datadir.New(f.data)
			if err != nil {
				return usageError{err.Error()}
			}
			logger, err := newLogger(f.logFormat)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if _, err := dir.Init(ctx, portale.Starter); err != nil {
				return err
			}
			if err := seedDemo(ctx, dir, out); err != nil {
				return err
			}
			res, err := buildAndPublish(ctx, dir, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Sito costruito: %d pagine in %s (deploy %s).\n", res.Pages, res.Duration.Round(time.Millisecond), res.DeployID)
			return serve(ctx, dir, f.addr, logger, serveOptions{demoIdP: true, demoMail: true, tls: f.tls, fastPath: f.fastPath}, func(url string) { printDemoWelcome(out, url, dir) })
		},
	}
	f.register(cmd)
	cmd.AddCommand(newDemoSeedCmd())
	return cmd
}

func newDemoSeedCmd() *cobra.Command {
	var data string
	var fines int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "seed --data DIR --fines N",
		Short: "Genera N verbali realistici su circa N/3 cittadini, per le prove di carico",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if fines < 1 {
				return usageError{"--fines deve essere almeno 1"}
			}
			dir, err := datadir.New(data)
			if err != nil {
				return usageError{err.Error()}
			}
			ctx := cmd.Context()
			if _, err := dir.Init(ctx, portale.Starter); err != nil {
				return err
			}
			cfg, err := config.Load(dir.Config())
			if err != nil {
				return err
			}
			db, err := store.Open(ctx, dir.DB())
			if err != nil {
				return err
			}
			defer db.Close()
			// The generator writes JSON Lines into a pipe that the real
			// import reads: memory stays flat whatever N is.
			pr, pw := io.Pipe()
			go func() {
				enc := json.NewEncoder(pw)
				pw.CloseWithError(demo.Generate(fines, civil.FromTime(time.Now()), seed, func(r verbali.Record) error {
					return enc.Encode(r)
				}))
			}()
			progress := newProgress(cmd.ErrOrStderr())
			start := time.Now()
			sum, err := verbali.Import(ctx, pr, db, verbali.ImportOptions{
				Rules: cds.DefaultConfig(), NAV: navMaker(cfg.PagoPA.Segregazione), BatchSize: 5000, Progress: progress.update,
			})
			pr.CloseWithError(err)
			progress.done()
			printImportSummary(cmd.OutOrStdout(), "dati generati", verbaliCounts(sum), time.Since(start))
			return err
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().IntVar(&fines, "fines", 1000, "quanti verbali generare")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seme del generatore: lo stesso seme dà gli stessi dati")
	return cmd
}

// seedDemo loads the demo data once; a second run reuses what is there.
func seedDemo(ctx context.Context, dir datadir.Dir, out io.Writer) error {
	db, err := store.Open(ctx, dir.DB())
	if err != nil {
		return err
	}
	defer db.Close()
	// Staff accounts first: an installation seeded before they existed gets them too.
	if err := staff.SeedDemo(ctx, db); err != nil {
		return err
	}
	if err := demo.SeedAzienda(ctx, db); err != nil {
		return err
	}
	if _, err := db.Setting(ctx, "demo_seeded_at"); err == nil {
		fmt.Fprintf(out, "Dati di prova già presenti in %s: li riuso.\n", dir.Root)
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	cfg, err := config.Load(dir.Config())
	if err != nil {
		return err
	}
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for _, r := range demo.Verbali(civil.FromTime(time.Now())) {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	sum, err := verbali.Import(ctx, &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: navMaker(cfg.PagoPA.Segregazione)})
	if err != nil {
		return err
	}
	if sum.Scartati > 0 {
		return fmt.Errorf("dati di prova non validi: %+v", sum.Errori)
	}
	if err := demo.SeedProfilo(ctx, db, civil.FromTime(time.Now())); err != nil {
		return err
	}
	// The demo citizens have already read and accepted the privacy notice,
	// so a demo login lands straight in the personal area.
	for _, c := range demo.People {
		if err := db.GiveConsent(ctx, c.CodiceFiscale, demoPrivacyVersion, time.Now()); err != nil {
			return err
		}
	}
	if err := db.SetSetting(ctx, "demo_seeded_at", time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	fmt.Fprintf(out, "Dati di prova caricati in %s: %d verbali.\n", dir.Root, sum.Nuovi)
	return nil
}

func printDemoWelcome(out io.Writer, url string, dir datadir.Dir) {
	fmt.Fprintf(out, `
Portale Multiservizi — ambiente di prova
  Sito pubblico:        %[1]s
  Stato del servizio:   %[1]sapi/v1/health
  Posta di prova:       %[1]sdemo-mail
  Cartella dati:        %[2]s
  Account di prova:     %[3]s

Premi Ctrl+C per fermare il server. Rilanciando «make demo» i dati vengono riusati.
`, url, dir.Root, demoAccounts)
}

// demoAccounts describes who can log in to the demo.
const demoAccounts = `area personale (Accedi → «Ambiente di prova», scegli la persona):
                          Mario Rossi    RSSMRA80A01L219M — multe in ogni fase, rimozione, rateizzazione, dati del conducente
                          Laura Bianchi  BNCLRA85M41L219R — due multe, una da proprietaria
                        personale (/auth/staff/login, password «demo-» + nome utente):
                          CMS (/cms/, storico in /cms/storico/): redattore, redattore-esperto, validatore, admin
                          back office (/backoffice/): operatore, responsabile
                          area aziende (/azienda/): azienda — Noleggi Demo S.r.l., P.IVA 09827610016`

// demoPrivacyVersion is the privacy notice version the demo citizens have
// accepted: auth.Config's default, since the demo does not set one.
const demoPrivacyVersion = "1"
