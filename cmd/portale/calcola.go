package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/calcolo"
	"github.com/comune-torino/portale/internal/civil"
)

// exitError ends the command with a status after its output is written.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newCalcolaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calcola",
		Short: "Calcola importi e rateizzazioni come il calcolatore pubblico (JSON su stdin e stdout)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "importo",
			Short: "Quanto costa un verbale in una data: legge la richiesta JSON da stdin",
			Example: `  echo '{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2026-03-09T23:10:00+01:00",` +
				`"data_notifica":"2026-03-12","spese_cent":1300,"data_pagamento":"2026-03-15"}' | portale calcola importo`,
			Args: noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				var req calcolo.ImportoRequest
				return runCalcolo(cmd.InOrStdin(), cmd.OutOrStdout(), &req, func() (any, error) {
					return calcolo.Importo(req, civil.FromTime(time.Now()))
				})
			},
		},
		&cobra.Command{
			Use:     "rateizzazione",
			Short:   "Se si può rateizzare e con quale piano (art. 202-bis): legge la richiesta JSON da stdin",
			Example: `  echo '{"importo_cent":250000,"reddito_cent":900000,"familiari_conviventi":0,"rate":24}' | portale calcola rateizzazione`,
			Args:    noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				var req calcolo.RateizzazioneRequest
				return runCalcolo(cmd.InOrStdin(), cmd.OutOrStdout(), &req, func() (any, error) {
					return calcolo.Rateizzazione(req, civil.FromTime(time.Now()))
				})
			},
		},
	)
	return cmd
}

// runCalcolo decodes one request from in, computes, and writes one JSON
// answer to out: the response, or the contract's error with exit status 2.
func runCalcolo(in io.Reader, out io.Writer, req any, compute func() (any, error)) error {
	res, err := func() (any, error) {
		if err := calcolo.Decode(in, req); err != nil {
			return nil, err
		}
		return compute()
	}()
	var ce *calcolo.Error
	switch {
	case errors.As(err, &ce):
		res = ce
	case err != nil:
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if ce != nil {
		return exitError{2}
	}
	return nil
}
