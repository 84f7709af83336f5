// Command portale runs the Polizia Municipale citizen portal: it builds the
// Hugo site, publishes deploys, and serves site, API, CMS and back office.
// Commands here only wire packages together; the logic lives in the packages.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without zoneinfo

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/version"
)

// usageError marks a mistake in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "portale: "+oneLine(err))
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "portale",
		Short: "Portale Multiservizi della Polizia Municipale",
		Long: "Portale Multiservizi della Polizia Municipale: sito pubblico (Hugo), area personale (API),\n" +
			"CMS e back office in un solo programma. Guida: docs/operations.md.",
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Sprintf("%s (vedi «%s --help»)", translateFlagError(err), cmd.CommandPath())}
	})
	root.AddCommand(newInitCmd(), newBuildCmd(), newServeCmd(), newDemoCmd(), newDeployCmd(), newCalcolaCmd(), newImportCmd(), newPagoPACmd(), newUserCmd())
	return root
}

// translateFlagError gives pflag's English messages an Italian form.
func translateFlagError(err error) string {
	msg := err.Error()
	for en, it := range map[string]string{
		"unknown flag: ":           "opzione sconosciuta: ",
		"unknown shorthand flag: ": "opzione breve sconosciuta: ",
		"flag needs an argument: ": "l'opzione richiede un valore: ",
		"invalid argument ":        "valore non valido ",
		"bad flag syntax: ":        "opzione scritta male: ",
	} {
		if strings.HasPrefix(msg, en) {
			return it + strings.TrimPrefix(msg, en)
		}
	}
	return msg
}

// oneLine keeps an error to the one line an operator reads.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// noArgs rejects positional arguments with an Italian message.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("argomento inatteso %q (vedi «%s --help»)", args[0], cmd.CommandPath())}
	}
	return nil
}

// rome is the civil time zone of every date the portal shows.
var rome = mustLoadRome()

func mustLoadRome() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("Europe/Rome time zone data missing: " + err.Error())
	}
	return loc
}
