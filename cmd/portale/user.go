package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/comune-torino/portale/internal/partitaiva"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Gestisce gli account del personale (CMS e back office)",
		Args:  noArgs,
	}
	cmd.AddCommand(newUserAddCmd(), newUserListCmd())
	return cmd
}

func newUserAddCmd() *cobra.Command {
	var data, role, username, name, email, sections, piva string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "add --data DIR --role RUOLO --username NOME [--name N --email E --sections s1,s2 --partita-iva P]",
		Short: "Crea un account: la password si digita, si legge da stdin o viene generata e mostrata una volta",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := staff.ParseRole(role)
			if err != nil {
				return usageError{"--role: " + err.Error()}
			}
			if username == "" {
				return usageError{"manca --username"}
			}
			if (r == staff.Azienda) != (piva != "") {
				return usageError{"--partita-iva serve, e serve solo, con --role azienda"}
			}
			if piva != "" {
				if piva, err = partitaiva.Parse(piva); err != nil {
					return usageError{"--partita-iva: " + err.Error()}
				}
			}
			dir, err := openData(data)
			if err != nil {
				return err
			}
			password, generated, err := readNewPassword(cmd, passwordStdin)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, dir.DB())
			if err != nil {
				return err
			}
			defer db.Close()
			u, err := staff.AddAccount(ctx, db, staff.NewAccount{Username: username, Name: name, Email: email, Role: r,
				Sections: splitList(sections), Password: password}, time.Now())
			if err != nil {
				return err
			}
			if piva != "" {
				if err := db.SetStaffPartitaIVA(ctx, u.Username, piva); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Account %s creato (%s, %s).\n", u.Username, u.Role.Label(), sectionsLabel(u.Sections))
			if piva != "" {
				fmt.Fprintf(out, "Collegato alla partita IVA %s: vede i verbali dei veicoli dell'azienda (/api/v1/azienda/verbali).\n", piva)
			}
			if generated {
				fmt.Fprintf(out, "Password: %s\nComunicala alla persona: non verrà mostrata di nuovo.\n", password)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&role, "role", "", "ruolo: redattore, redattore-esperto, validatore, amministratore, operatore, responsabile, riscossione, azienda")
	cmd.Flags().StringVar(&username, "username", "", "nome utente per l'accesso")
	cmd.Flags().StringVar(&name, "name", "", "nome e cognome (autore delle modifiche nello storico)")
	cmd.Flags().StringVar(&email, "email", "", "email (autore delle modifiche nello storico)")
	cmd.Flags().StringVar(&sections, "sections", "", "sezioni che un redattore può modificare, separate da virgole (es. notizie,limitazioni); vuoto: tutte")
	cmd.Flags().StringVar(&piva, "partita-iva", "", "con --role azienda: la partita IVA dell'azienda (noleggio, leasing, car sharing) di cui l'account vede i verbali")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "legge la password dalla prima riga dello standard input")
	return cmd
}

func newUserListCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "list --data DIR",
		Short: "Elenca gli account del personale",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, dir.DB())
			if err != nil {
				return err
			}
			defer db.Close()
			accounts, err := staff.Accounts(ctx, db)
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "Nessun account: creane uno con «portale user add».")
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "UTENTE\tNOME\tEMAIL\tRUOLO\tSEZIONI\tSTATO")
			now := time.Now()
			for _, a := range accounts {
				state := "attivo"
				if now.Before(a.LockedUntil) {
					state = "bloccato fino alle " + a.LockedUntil.In(rome).Format("15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Username, a.Name, a.Email, a.Role, sectionsLabel(a.Sections), state)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

// readNewPassword reads the password from stdin (--password-stdin), asks for
// it twice without echo on a terminal, or else generates one.
func readNewPassword(cmd *cobra.Command, fromStdin bool) (password string, generated bool, err error) {
	in := cmd.InOrStdin()
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	f, ok := in.(*os.File)
	if !ok || !isTerminal(f) {
		return staff.GeneratePassword(), true, nil
	}
	first, err := promptHidden(f, cmd.ErrOrStderr(), "Password (almeno 10 caratteri): ")
	if err != nil {
		return "", false, err
	}
	second, err := promptHidden(f, cmd.ErrOrStderr(), "Ripeti la password: ")
	if err != nil {
		return "", false, err
	}
	if first != second {
		return "", false, errors.New("le due password non coincidono: riprova")
	}
	return first, false, nil
}

// isTerminal reports whether f is a terminal: a character device (as
// /dev/null is too) whose settings stty can read.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	c := exec.Command("stty", "-g")
	c.Stdin = f
	return c.Run() == nil
}

// promptHidden reads a line from the terminal with echo turned off by stty,
// which every Unix system has: no extra dependency for one prompt.
func promptHidden(tty *os.File, prompt io.Writer, label string) (string, error) {
	fmt.Fprint(prompt, label)
	echo := func(arg string) error {
		c := exec.Command("stty", arg)
		c.Stdin = tty
		return c.Run()
	}
	if err := echo("-echo"); err != nil {
		return "", fmt.Errorf("non riesco a nascondere la password sul terminale: usa --password-stdin (%w)", err)
	}
	defer func() {
		echo("echo")
		fmt.Fprintln(prompt)
	}()
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sectionsLabel(sections []string) string {
	if len(sections) == 0 {
		return "tutte le sezioni"
	}
	return strings.Join(sections, ",")
}
