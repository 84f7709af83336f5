package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
)

func newImportProfiloCmd() *cobra.Command {
	var data, report string
	cmd := &cobra.Command{
		Use:   "profilo --data DIR FILE",
		Short: "Importa patenti, punti, veicoli, permessi, documenti e richieste di pagamento (JSON Lines; - per stdin)",
		Long: "Importa dal gestionale i dati dell'area personale oltre ai verbali. Il file è JSON Lines: una riga\n" +
			"per record, con il campo \"tipo\" (patente, punti, veicolo, permesso, documento, richiesta_pagamento;\n" +
			"vedi docs/area-personale.md). L'import è idempotente: ogni record ha una chiave naturale e reimportarlo\n" +
			"uguale non cambia nulla. Una riga errata è segnalata con il suo numero e il motivo, e il resto è\n" +
			"importato. Importa prima i verbali: una decurtazione senza punti li prende dal suo verbale.",
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

			start := time.Now()
			sum, err := profilo.Import(cmd.Context(), in, db, profilo.ImportOptions{Rules: cds.DefaultConfig()})
			printImportSummary(cmd.OutOrStdout(), name, profiloCounts(sum), time.Since(start))
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

func profiloCounts(s profilo.Summary) importCounts {
	c := importCounts{s.Letti, s.Nuovi, s.Aggiornati, s.Invariati, s.Scartati, nil}
	for _, e := range s.Errori {
		c.rejected = append(c.rejected, rejectedLine(e.Riga, e.Tipo, e.Tipo != "", e.Codice, e.Messaggio))
	}
	return c
}
