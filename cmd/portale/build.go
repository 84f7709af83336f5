package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/internal/datadir"
	"github.com/comune-torino/portale/internal/site"
	"github.com/comune-torino/portale/internal/siterepo"
	deploy "github.com/comune-torino/portale/netlify-style-deploy"
)

func newBuildCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "build --data DIR",
		Short: "Costruisce il sito con Hugo in un nuovo deploy e lo pubblica",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(data)
			if err != nil {
				return err
			}
			res, err := buildAndPublish(cmd.Context(), dir, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Sito costruito: %d pagine, %d file in %s; deploy %s pubblicato.\n",
				res.Pages, res.Files, res.Duration.Round(time.Millisecond), res.DeployID)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "cartella dei dati dell'installazione")
	return cmd
}

var buildMu sync.Mutex

type buildResult struct {
	site.Result
	DeployID string
}

// buildAndPublish builds the site repository's working tree into a fresh
// directory, stores it as an immutable deploy and makes it live. A failed
// build publishes nothing: the previous deploy stays online.
func buildAndPublish(ctx context.Context, dir datadir.Dir, log io.Writer) (buildResult, error) {
	// One build at a time in this process: a CMS publish and a scheduled
	// rebuild share the site folder Hugo works in.
	buildMu.Lock()
	defer buildMu.Unlock()
	repo, err := siterepo.Open(dir.Site())
	if err != nil {
		return buildResult{}, err
	}
	if err := repo.SyncVendor(portale.Starter); err != nil {
		return buildResult{}, fmt.Errorf("copia degli asset di Bootstrap Italia: %w", err)
	}
	out, err := os.MkdirTemp(dir.Root, ".build-")
	if err != nil {
		return buildResult{}, err
	}
	defer os.RemoveAll(out)
	res, err := site.Build(ctx, site.Options{Source: repo.Dir, Dest: out, Log: log})
	if err != nil {
		return buildResult{}, fmt.Errorf("costruzione del sito non riuscita (il sito pubblicato non cambia): %w", err)
	}
	store, err := deploy.Open(dir.Deploys())
	if err != nil {
		return buildResult{}, err
	}
	d, err := store.Create(ctx, out)
	if err != nil {
		return buildResult{}, err
	}
	if err := store.Publish(d.ID); err != nil {
		return buildResult{}, err
	}
	return buildResult{Result: res, DeployID: d.ID}, nil
}
