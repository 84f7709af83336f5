package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// pagefindBinary finds the pagefind command (npm package "pagefind", which
// the repository's package.json installs): $PORTALE_PAGEFIND, then
// node_modules/.bin/pagefind beside the portale binary's folder or in the
// current folder, then pagefind on the PATH. "" when there is none: the
// site's search then uses the index Hugo builds (search-index.json).
func pagefindBinary() string {
	if p := os.Getenv("PORTALE_PAGEFIND"); p != "" {
		return p
	}
	var candidates []string
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "..", "node_modules", ".bin", "pagefind"))
	}
	candidates = append(candidates, filepath.Join("node_modules", ".bin", "pagefind"))
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c
		}
	}
	if p, err := exec.LookPath("pagefind"); err == nil {
		return p
	}
	return ""
}

// indexSearch runs pagefind over a built site, writing its index and its
// search library under out/pagefind/, where the /cerca/ island finds them.
// Without pagefind it does nothing; a failure is returned, and the build
// is not published.
func indexSearch(ctx context.Context, out string, logger *slog.Logger) error {
	bin := pagefindBinary()
	if bin == "" {
		return nil
	}
	// A bundle of an earlier build would leave fragments of removed pages.
	if err := os.RemoveAll(filepath.Join(out, "pagefind")); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "--site", out, "--output-subdir", "pagefind", "--quiet")
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("indice di ricerca (pagefind): %w: %s", err, bytes.TrimSpace(output.Bytes()))
	}
	if logger != nil {
		logger.Info("search index built", "tool", "pagefind", "ms", time.Since(start).Milliseconds())
	}
	return nil
}
