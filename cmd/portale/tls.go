package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/acme/autocert"
)

// tlsFlags choose how `portale serve` speaks HTTPS: certificate files, or
// certificates obtained and renewed through ACME (Let's Encrypt or the
// city's own ACME CA). With neither, it serves plain HTTP for a proxy or a
// CDN that terminates TLS in front of it.
type tlsFlags struct {
	cert, key   string
	acmeDomains []string
	acmeCache   string
	acmeEmail   string
}

func (f *tlsFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cert, "tls-cert", "", "certificato TLS (PEM); con --tls-key serve HTTPS e HTTP/2")
	cmd.Flags().StringVar(&f.key, "tls-key", "", "chiave privata del certificato TLS (PEM)")
	cmd.Flags().StringSliceVar(&f.acmeDomains, "acme-domain", nil, "ottiene e rinnova il certificato via ACME per questi domini (porta 443)")
	cmd.Flags().StringVar(&f.acmeCache, "acme-cache", "", "cartella dove conservare i certificati ACME")
	cmd.Flags().StringVar(&f.acmeEmail, "acme-email", "", "indirizzo di contatto per l'autorità ACME")
}

// config returns the TLS configuration, or nil for plain HTTP.
func (f tlsFlags) config() (*tls.Config, error) {
	switch {
	case (f.cert == "") != (f.key == ""):
		return nil, usageError{"--tls-cert e --tls-key vanno indicati insieme"}
	case f.cert != "" && len(f.acmeDomains) > 0:
		return nil, usageError{"usa i file del certificato oppure ACME, non entrambi"}
	case f.cert != "":
		pair, err := tls.LoadX509KeyPair(f.cert, f.key)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("certificato TLS non trovato: %w", err)
			}
			return nil, fmt.Errorf("certificato TLS non valido: %v", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12,
			NextProtos: []string{"h2", "http/1.1"}}, nil
	case len(f.acmeDomains) > 0:
		if f.acmeCache == "" {
			return nil, usageError{"con --acme-domain indica anche --acme-cache (la cartella dei certificati)"}
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(f.acmeDomains...),
			Cache:      autocert.DirCache(f.acmeCache),
			Email:      f.acmeEmail,
		}
		c := m.TLSConfig()
		c.MinVersion = tls.VersionTLS12
		return c, nil
	}
	return nil, nil
}
