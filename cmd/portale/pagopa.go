package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/pagopa"
)

func newPagoPACmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pagopa",
		Short: "Strumenti pagoPA: codici avviso (NAV) e pubblicazione delle posizioni su GPD",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var seg, base, check string
	nav := &cobra.Command{
		Use:   "nav --segregazione NN --base NNNNNNNNNNNNN | --check NAV",
		Short: "Calcola un codice avviso dalle sue parti, o ne verifica uno",
		Example: "  portale pagopa nav --segregazione 01 --base 0000000000123   # stampa 301000000000012373\n" +
			"  portale pagopa nav --check 301000000000012373",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case check != "" && (seg != "" || base != ""):
				return usageError{"usa --check da solo, oppure --segregazione con --base"}
			case check != "":
				n, err := pagopa.ParseNoticeNumber(check)
				if err != nil {
					var ne *pagopa.NoticeNumberError
					if errors.As(err, &ne) {
						fmt.Fprintln(cmd.ErrOrStderr(), "portale: codice avviso non valido: "+ne.Reason)
						return exitError{1}
					}
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "valido: segregazione %s, IUV %s\n", n.SegregationCode(), n.IUV())
				return nil
			case seg == "" || base == "":
				return usageError{"servono --segregazione e --base (oppure --check NAV)"}
			}
			n, err := pagopa.NewNoticeNumber(seg, base)
			if err != nil {
				return usageError{err.Error()}
			}
			fmt.Fprintln(cmd.OutOrStdout(), n.String())
			return nil
		},
	}
	nav.Flags().StringVar(&seg, "segregazione", "", "codice di segregazione dell'ente (2 cifre)")
	nav.Flags().StringVar(&base, "base", "", "base dello IUV (13 cifre)")
	nav.Flags().StringVar(&check, "check", "", "codice avviso da verificare")
	cmd.AddCommand(nav)
	cmd.AddCommand(newPagoPAGPDCmd())
	return cmd
}
