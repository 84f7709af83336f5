package main

import (
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	deploy "github.com/comune-torino/portale/netlify-style-deploy"
	"github.com/comune-torino/portale/netlify-style-deploy/push"
)

func newDeployCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Gestisce i deploy: crea, elenca, pubblica (anche per tornare indietro), pulisce",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDeployCreateCmd(), newDeployListCmd(), newDeployPublishCmd(), newDeployPruneCmd(), newDeployPushCmd())
	return cmd
}

// openDeploys opens the deploy store of an initialized data directory.
func openDeploys(data string) (*deploy.Store, error) {
	dir, err := openData(data)
	if err != nil {
		return nil, err
	}
	return deploy.Open(dir.Deploys())
}

func newDeployCreateCmd() *cobra.Command {
	var data, from, preview string
	cmd := &cobra.Command{
		Use:   "create --data DIR --from PATH [--preview NAME]",
		Short: "Crea un deploy da una cartella già costruita e lo pubblica (o solo in anteprima)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" {
				return usageError{"manca --from: indica la cartella del sito costruito"}
			}
			if info, err := os.Stat(from); err != nil || !info.IsDir() {
				return fmt.Errorf("--from %s non è una cartella leggibile", from)
			}
			store, err := openDeploys(data)
			if err != nil {
				return err
			}
			d, err := store.Create(cmd.Context(), from)
			if err != nil {
				return err
			}
			if preview != "" {
				name := deploy.PreviewName(preview)
				if err := store.PublishPreview(name, d.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Anteprima %q: /_preview/%s/\n", name, name)
			} else if err := store.Publish(d.ID); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), d.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&from, "from", "", "cartella del sito costruito da archiviare")
	cmd.Flags().StringVar(&preview, "preview", "", "pubblica solo come anteprima con questo nome")
	return cmd
}

func newDeployListCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "list --data DIR",
		Short: "Elenca i deploy, dal più recente; * indica quello online",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := openDeploys(data)
			if err != nil {
				return err
			}
			list, err := store.List()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "\tID\tCREATO\tFILE\tBYTE\tANTEPRIME")
			for _, d := range list {
				mark := ""
				if d.Live {
					mark = "*"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", mark, d.ID,
					d.Created.In(rome).Format(time.DateTime), d.Files, d.Bytes, d.Preview)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

func newDeployPublishCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "publish --data DIR ID",
		Short: "Mette online il deploy ID, all'istante (così si torna anche a una versione precedente)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{"indica l'ID del deploy da pubblicare (vedi «portale deploy list»)"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openDeploys(data)
			if err != nil {
				return err
			}
			if err := store.Publish(args[0]); err != nil {
				if errors.Is(err, deploy.ErrDeployNotFound) {
					return fmt.Errorf("il deploy %s non esiste (vedi «portale deploy list»)", args[0])
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deploy %s online.\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

func newDeployPruneCmd() *cobra.Command {
	var data string
	var keep int
	cmd := &cobra.Command{
		Use:   "prune --data DIR [--keep N]",
		Short: "Elimina i deploy vecchi (tiene quello online, le anteprime e gli N più recenti)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keep < 0 {
				return usageError{"--keep non può essere negativo"}
			}
			store, err := openDeploys(data)
			if err != nil {
				return err
			}
			res, err := store.Prune(keep)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Eliminati %d deploy e %d file (%d byte liberati).\n", len(res.Deploys), res.Blobs, res.Bytes)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().IntVar(&keep, "keep", 10, "quanti deploy recenti tenere oltre a quello online e alle anteprime")
	return cmd
}

func newDeployPushCmd() *cobra.Command {
	var data, to string
	cmd := &cobra.Command{
		Use:   "push --data DIR --to BUCKET [ID]",
		Short: "Copia un deploy (quello online se non indicato) in un bucket S3 compatibile o su un'origine CDN",
		Long: "Copia un deploy in object storage: --to s3://bucket?region=eu-south-1 (credenziali dalle variabili\n" +
			"AWS_* standard; endpoint= per i servizi compatibili) oppure file:///percorso. Carica solo ciò che è cambiato\n" +
			"e cancella ciò che il deploy non ha più. _headers e _redirects non si possono applicare in un bucket.",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{"indica al più un ID di deploy"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return usageError{"manca --to: indica il bucket, es. s3://nome?region=eu-south-1 o file:///percorso"}
			}
			store, err := openDeploys(data)
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			} else {
				live, err := store.Live()
				if err != nil {
					return fmt.Errorf("nessun deploy online da copiare: indica un ID (vedi «portale deploy list»)")
				}
				id = live.ID
			}
			res, err := push.Push(cmd.Context(), store, id, to)
			if err != nil {
				if errors.Is(err, deploy.ErrDeployNotFound) {
					return fmt.Errorf("il deploy %s non esiste (vedi «portale deploy list»)", id)
				}
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Deploy %s copiato: %d file caricati (%d byte), %d invariati, %d cancellati.\n",
				id, res.Uploaded, res.Bytes, res.Unchanged, res.Deleted)
			if len(res.RulesIgnored) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "Attenzione: il bucket non applica %v: configura redirect e intestazioni sulla CDN.\n", res.RulesIgnored)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&to, "to", "", "bucket di destinazione (s3://… o file:///…)")
	return cmd
}
