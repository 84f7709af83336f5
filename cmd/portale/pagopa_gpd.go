package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/documenti"
	"github.com/comune-torino/portale/internal/gpd"
	"github.com/comune-torino/portale/internal/gpd/gpdfake"
	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/store"
)

func newPagoPAGPDCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gpd",
		Short: "Posizioni debitorie su GPD (modalita = \"gpd\"): pubblicazione e ambiente di prova",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newPagoPAGPDSyncCmd(), newPagoPAGPDFakeCmd())
	return cmd
}

func newPagoPAGPDSyncCmd() *cobra.Command {
	var data, oggi, logFormat string
	cmd := &cobra.Command{
		Use:   "sync --data DIR",
		Short: "Pubblica su GPD i verbali pagabili con l'importo di oggi e registra i pagamenti avvenuti",
		Long: "Allinea GPD ai verbali non pagati: pubblica quelli pagabili con l'importo dovuto oggi e la sua\n" +
			"scadenza, ripubblica quelli il cui importo è cambiato (fine della riduzione del 30 %, dei 60 giorni,\n" +
			"maggiorazioni), annulla quelli non più pagabili e registra le ricevute dei pagamenti avvenuti su\n" +
			"pagoPA. Va eseguito ogni notte dopo la mezzanotte (vedi docs/pagopa.md, sezione GPD).",
		Example: "  portale pagopa gpd sync --data /var/lib/portale",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			logger, err := newLogger(logFormat)
			if err != nil {
				return err
			}
			today := civil.FromTime(time.Now())
			if oggi != "" {
				if today, err = civil.Parse(oggi); err != nil {
					return usageError{"--oggi deve essere una data AAAA-MM-GG"}
				}
			}
			cfg, err := gpdConfig(dir.Config())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, dir.DB())
			if err != nil {
				return err
			}
			defer db.Close()
			rules := cds.DefaultConfig()
			site := notify.Site{Ente: cfg.Ente.Nome, PublicURL: cfg.Server.PublicURL}
			pub := &gpd.Publisher{
				Client: &gpd.Client{BaseURL: cfg.PagoPA.GPDURL, SubscriptionKey: cfg.PagoPA.GPDSubscriptionKey, Organization: cfg.PagoPA.IDPA},
				// A payment read from GPD queues the receipt email as a
				// paSendRTV2 does; the server's sender delivers it.
				Positions: &pagamenti.Positions{Store: db, Rules: rules, Logger: logger,
					Paid: notify.PaidHook(db, site, quietanzaAttachment(db, documenti.EnteFromConfig(cfg, rules)), nil, logger)},
				Creditor: gpd.Creditor{FiscalCode: cfg.PagoPA.IDPA, Name: cfg.Ente.Nome, OfficeName: "Polizia Municipale",
					IBAN: cfg.PagoPA.IBAN, Category: cfg.PagoPA.Categoria},
				Logger: logger,
			}
			start := time.Now()
			report, err := pub.Sync(ctx, db, today)
			fmt.Fprintf(cmd.OutOrStdout(), "GPD, %s: %s (%s)\n", today.Italian(), report, time.Since(start).Round(time.Millisecond))
			switch {
			case errors.Is(err, gpd.ErrUnauthorized):
				return fmt.Errorf("GPD rifiuta la chiave di sottoscrizione o l'ente %s: controlla pagopa.gpd_subscription_key: %w", cfg.PagoPA.IDPA, err)
			case err != nil:
				return fmt.Errorf("sincronizzazione GPD interrotta: %w", err)
			case report.Failed > 0:
				return fmt.Errorf("%d posizioni non sincronizzate (dettagli nel log): la prossima esecuzione le riprova", report.Failed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&oggi, "oggi", "", "giorno di riferimento degli importi, AAAA-MM-GG (predefinito: oggi)")
	cmd.Flags().StringVar(&logFormat, "log-format", "text", "formato dei log su stderr: text o json")
	return cmd
}

func newPagoPAGPDFakeCmd() *cobra.Command {
	var data, addr string
	cmd := &cobra.Command{
		Use:   "fake --data DIR --addr HOST:PORT",
		Short: "GPD di prova in memoria, per l'ambiente di prova: risponde come l'API GPD",
		Long: "Serve un GPD finto in memoria per l'ente e con la chiave di portale.toml, così che «portale pagopa\n" +
			"gpd sync» si possa provare senza pagoPA. Imposta gpd_url all'indirizzo stampato. Per simulare un\n" +
			"pagamento: POST /fake/pay/{NAV} con la stessa chiave (non fa parte dell'API GPD).",
		Example: "  portale pagopa gpd fake --data ./var/demo --addr 127.0.0.1:8090",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			cfg, err := gpdConfig(dir.Config())
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("non riesco ad ascoltare su %s: %w", addr, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv := &http.Server{Handler: gpdfake.New(cfg.PagoPA.IDPA, cfg.PagoPA.GPDSubscriptionKey), ReadHeaderTimeout: 10 * time.Second}
			go func() { <-ctx.Done(); srv.Close() }()
			fmt.Fprintf(cmd.OutOrStdout(), "GPD di prova per l'ente %s su http://%s (Ctrl+C per fermarlo)\n", cfg.PagoPA.IDPA, ln.Addr())
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8090", "indirizzo e porta su cui ascoltare")
	return cmd
}

// gpdConfig loads portale.toml and requires the GPD mode.
func gpdConfig(path string) (config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return cfg, err
	}
	if cfg.PagoPA.Modalita != config.ModalitaGPD {
		return cfg, fmt.Errorf("in %s la modalità pagoPA è %q: per usare GPD imposta [pagopa] modalita = \"gpd\", gpd_url e gpd_subscription_key", path, cfg.PagoPA.Modalita)
	}
	return cfg, nil
}
