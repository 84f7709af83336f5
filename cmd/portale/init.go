package main

import (
	"fmt"

	"github.com/spf13/cobra"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/internal/datadir"
)

func newInitCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "init --data DIR",
		Short: "Crea la cartella dati: repository del sito, database, archivio dei deploy",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := datadir.New(data)
			if err != nil {
				return usageError{err.Error()}
			}
			created, err := dir.Init(cmd.Context(), portale.Starter)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(cmd.OutOrStdout(), "Cartella dati pronta in %s\n  sito:     %s\n  database: %s\n  deploy:   %s\n",
					dir.Root, dir.Site(), dir.DB(), dir.Deploys())
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "La cartella dati %s esisteva già: aggiornato solo ciò che mancava.\n", dir.Root)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

// openData resolves --data and checks it was initialized.
func openData(data string) (datadir.Dir, error) {
	dir, err := datadir.New(data)
	if err != nil {
		return dir, usageError{err.Error()}
	}
	return dir, dir.Check()
}
