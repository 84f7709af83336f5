// Command api serves the portal's API over a seeded data directory next to a
// hello-world Go handler, so that wrk can measure both in the same run (see
// run.sh and docs/benchmarks.md). It logs in once as a generated citizen
// through the demo identity provider, exactly as a browser would, and writes
// the session cookie for wrk to send.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	_ "net/http/pprof" // served only with -pprof
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/comune-torino/portale/apiserver"
	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/store"
)

func main() {
	dbPath := flag.String("db", "", "portale.db of a data directory seeded with `portale demo seed`")
	addr := flag.String("addr", "127.0.0.1:18181", "where the API listens")
	helloAddr := flag.String("hello", "127.0.0.1:18182", "where the hello-world handler listens")
	cookieFile := flag.String("cookie", "cookie.txt", "where to write the session cookie")
	citizen := flag.Int("citizen", 7, "which generated citizen to log in as")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof here, to profile a run")
	flag.Parse()
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil)
	}
	if err := run(*dbPath, *addr, *helloAddr, *cookieFile, *citizen); err != nil {
		log.Fatal(err)
	}
}

func run(dbPath, addr, helloAddr, cookieFile string, citizen int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	base := "http://" + addr
	idp, err := demoidp.New(demoidp.Config{Issuer: base + "/demo-idp",
		Clients: []demoidp.Client{{ID: "bench", Secret: "bench-secret", RedirectURIs: []string{base + "/auth/callback"}}}})
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	a, err := auth.New(auth.Config{IssuerURL: base + "/demo-idp", ClientID: "bench", ClientSecret: "bench-secret",
		RedirectURL: base + "/auth/callback"}, db, quiet)
	if err != nil {
		return err
	}
	api := apiserver.New(apiserver.Config{DB: db, Auth: a, DemoIdP: idp, Rules: cds.DefaultConfig(), Logger: quiet,
		CreditorFiscalCode: "00514490010"})
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ciao":"mondo"}`)
	})
	for _, s := range []struct {
		addr string
		h    http.Handler
	}{{addr, api}, {helloAddr, hello}} {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: s.h}
		go srv.Serve(ln)
		go func() { <-ctx.Done(); srv.Close() }()
	}
	cf, err := demo.GeneratedCitizen(citizen)
	if err != nil {
		return err
	}
	cookie, err := login(base, cf)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if err := os.WriteFile(cookieFile, []byte(cookie), 0o600); err != nil {
		return err
	}
	fmt.Println("ready")
	<-ctx.Done()
	return nil
}

// login goes through the demo provider and gives consent; it returns the
// session cookie as a Cookie header value.
func login(base, cf string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/auth/login")
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, after, _ := strings.Cut(string(page), `name="richiesta" value="`)
	richiesta, _, _ := strings.Cut(after, `"`)
	resp, err = c.PostForm(base+"/demo-idp/login", url.Values{"richiesta": {richiesta}, "codice_fiscale": {cf}})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/me/consenso", strings.NewReader(`{"versione":"1"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err = c.Do(req); err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("consent: %d", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "portale_sessione" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("no session cookie after login")
}
