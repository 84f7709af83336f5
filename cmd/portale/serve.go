package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	portale "github.com/comune-torino/portale"
	"github.com/comune-torino/portale/apiserver"
	cmsui "github.com/comune-torino/portale/cms-ui"
	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/auth/demoidp"
	"github.com/comune-torino/portale/internal/azienda"
	"github.com/comune-torino/portale/internal/backoffice"
	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/datadir"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/democheckout"
	"github.com/comune-torino/portale/internal/demomail"
	"github.com/comune-torino/portale/internal/documenti"
	"github.com/comune-torino/portale/internal/gitcms"
	"github.com/comune-torino/portale/internal/limitazioni"
	"github.com/comune-torino/portale/internal/notify"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/rateizzazioni"
	"github.com/comune-torino/portale/internal/schedule"
	"github.com/comune-torino/portale/internal/site"
	"github.com/comune-torino/portale/internal/siterepo"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/version"
	deploy "github.com/comune-torino/portale/netlify-style-deploy"
)

type serveFlags struct {
	data      string
	addr      string
	logFormat string
	fastPath  bool
	tls       tlsFlags
}

func (f *serveFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.data, "data", "", "cartella dei dati dell'installazione")
	cmd.Flags().StringVar(&f.addr, "addr", "127.0.0.1:8080", "indirizzo e porta su cui ascoltare")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "formato dei log su stderr: text o json")
	cmd.Flags().BoolVar(&f.fastPath, "fast-path", true, "in HTTP semplice, risponde alle richieste più comuni del sito statico senza net/http (false: tutto con net/http)")
	f.tls.register(cmd)
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --data DIR --addr HOST:PORT",
		Short: "Serve sito, API, CMS e back office su un'unica origine",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := openData(f.data)
			if err != nil {
				return err
			}
			logger, err := newLogger(f.logFormat)
			if err != nil {
				return err
			}
			return serve(cmd.Context(), dir, f.addr, logger, serveOptions{tls: f.tls, fastPath: f.fastPath}, func(url string) {
				fmt.Fprintf(cmd.OutOrStdout(), "Portale in ascolto su %s (Ctrl+C per fermarlo)\n", url)
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newLogger(format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, nil)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q non valido: usa text o json", format)}
}

// serveOptions are what `portale demo` adds to a plain serve.
type serveOptions struct {
	// demoIdP serves the demo identity provider at /demo-idp and logs
	// citizens in through it, whatever portale.toml says.
	demoIdP bool
	// demoMail runs the demo SMTP sink and its mailbox at /demo-mail.
	demoMail bool
	tls      tlsFlags
	// fastPath serves the static site's common requests on plain HTTP
	// with deploy.FastServer in front of net/http.
	fastPath bool
}

// serve runs the portal on addr until SIGINT or SIGTERM, then drains open
// requests for up to 10 seconds.
func serve(ctx context.Context, dir datadir.Dir, addr string, logger *slog.Logger, opts serveOptions, ready func(url string)) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := config.Load(dir.Config())
	if err != nil {
		return err
	}
	tlsConfig, err := opts.tls.config()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, dir.DB())
	if err != nil {
		return err
	}
	defer db.Close()
	deploys, err := deploy.Open(dir.Deploys())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(addr, err)
	}
	defer ln.Close()
	base := strings.TrimSuffix(cfg.Server.PublicURL, "/")
	if base == "" {
		scheme := "http://"
		if tlsConfig != nil {
			scheme = "https://"
		}
		base = scheme + ln.Addr().String()
	}
	citizens, demoIdP, err := citizenLogin(cfg, db, base, opts, logger)
	if err != nil {
		return err
	}

	rules := cds.DefaultConfig()
	ente := documenti.EnteFromConfig(cfg, rules)
	mail, err := startMail(ctx, &cfg, db, opts, logger)
	if err != nil {
		return err
	}
	defer mail.stop()
	positions := &pagamenti.Positions{Store: db, Rules: rules, Logger: logger}
	site := notify.Site{Ente: cfg.Ente.Nome, PublicURL: base}
	attach := quietanzaAttachment(db, ente)
	positions.Paid = notify.PaidHook(db, site, attach, mail.wake, logger)
	// A crash between recording a payment and queueing its receipt leaves
	// the receipt unsent: queue what the last week left behind.
	if n, err := notify.CatchUpReceipts(ctx, db, site, attach, time.Now().Add(-7*24*time.Hour)); err != nil {
		logger.Error("receipt emails catch-up", "err", err)
	} else if n > 0 {
		logger.Info("receipt emails queued after a restart", "count", n)
	}
	creditorCfg := pagopa.CreditorConfig{
		IDPA: cfg.PagoPA.IDPA, IDBrokerPA: cfg.PagoPA.IDBrokerPA, IDStation: cfg.PagoPA.IDStation,
		IBAN: cfg.PagoPA.IBAN, CreditorName: cfg.Ente.Nome, OfficeName: "Polizia Municipale",
		TransferCategory: cfg.PagoPA.Categoria,
	}
	if err := creditorCfg.Check(); err != nil {
		return fmt.Errorf("configurazione pagopa: %w", err)
	}

	// The demo's registry knows the demo citizens' plates; a real PRA/MCTC
	// adapter is plugged in here (docs/area-personale.md).
	var registry profilo.Registry
	if opts.demoIdP {
		registry = demo.Registry{}
	}
	checkout, demoCheckout := paymentCheckout(cfg, db, base, opts, logger)

	static := deploy.NewServer(deploys, deploy.ServerOptions{Logger: logger})
	// A build by another process publishes a new deploy; pick it up promptly.
	go static.Watch(ctx, 2*time.Second)
	go rebuildAtBoundaries(ctx, dir, logger, static.Reload)
	// After a CMS publish the search index follows in the background.
	search.configure(ctx, static.Reload, logger)
	// The first CMS publish after a start is a partial rebuild too.
	go func() {
		if res, err := warmBuilder(ctx, dir); err != nil {
			logger.Warn("first build of the site in memory failed: the next CMS publish builds it in full", "err", err)
		} else if res.Pages > 0 {
			logger.Info("site built in memory for CMS publishes", "pages", res.Pages, "ms", res.Duration.Milliseconds())
		}
	}()
	// Unpaid pre-notices past their term go on to formal notification (A14):
	// at start and then daily; a verbale is sent on once however often it runs.
	go (&comunicazioni.Service{Store: db, Rules: rules}).RunFormalNotifications(ctx, 24*time.Hour, logger)
	staffLogin, err := staff.New(staff.Config{Store: db, Logger: logger, Secure: strings.HasPrefix(base, "https://")})
	if err != nil {
		return err
	}
	cms, err := gitcms.NewHandler(gitcms.Config{SiteDir: dir.Site(), Staff: staffLogin, Audit: db,
		Publisher: sitePublisher{dir: dir, logger: logger, reload: static.Reload}, Previewer: sitePublisher{dir: dir, logger: logger, base: base, reload: static.Reload},
		UI: cmsui.FS, Logger: logger})
	if err != nil {
		return err
	}

	// Instalment plans: decided in the back office, checked for warnings
	// and decadence at start and every morning.
	plans := &rateizzazioni.Service{Store: db, Rules: rules, NAV: navMaker(cfg.PagoPA.Segregazione),
		Settings: rateizzazioni.Settings{Approvazione: cfg.Rateizzazioni.Approvazione, ToleranceDays: cfg.Rateizzazioni.TolleranzaGiorni,
			WarningDays: cfg.Rateizzazioni.PreavvisoGiorni, Ente: cfg.Ente.Nome, PublicURL: base}}
	go plans.Run(ctx, logger, nil)
	// Citizens' communications are answered in the back office; companies
	// name their fleet's drivers in the company area.
	com := &comunicazioni.Service{Store: db, Rules: rules, Ente: cfg.Ente.Nome}
	backOffice, err := backoffice.New(backoffice.Config{Staff: staffLogin, Plans: plans, Comunicazioni: com, Store: db, Logger: logger})
	if err != nil {
		return err
	}
	companyArea, err := azienda.New(azienda.Config{Staff: staffLogin, Comunicazioni: com, Store: db, Logger: logger})
	if err != nil {
		return err
	}

	api := apiserver.New(apiserver.Config{
		Version:       version.Version,
		DB:            db,
		Static:        static,
		Auth:          citizens,
		Staff:         staffLogin,
		CMS:           cms,
		Backoffice:    backOffice,
		Azienda:       companyArea,
		Rateizzazioni: plans.Settings,
		DemoIdP:       demoIdP,
		DemoMail:      mail.mailbox,
		Checkout:      checkout,
		DemoCheckout:  demoCheckout,
		Rules:         rules,
		PagoPA:        pagopa.NewCreditorHandler(creditorCfg, positions, logger),
		Registry:      registry,
		Ente:          ente,
		// The working tree of the site repository always holds main, the
		// published content: live restrictions are read from it.
		Limitazioni:        &limitazioni.Source{ContentDir: filepath.Join(dir.Site(), "content"), BaseURL: base},
		NAV:                navMaker(cfg.PagoPA.Segregazione),
		CreditorFiscalCode: cfg.Ente.CodiceFiscale,
		Tokens:             apitoken.NewVerifier(cfg.Gestionale.JWTKeys),
		CompanyKeys:        cfg.Aziende.JWTKeys,
		LiveDeploy: func() string {
			d, err := deploys.Live()
			if err != nil {
				return ""
			}
			return d.ID
		},
		Logger: logger,
	})

	srv := &http.Server{
		Handler:           api,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// On plain HTTP, a GET or HEAD of a file of the live deploy is answered
	// by the fast path, byte for byte as net/http would; anything else goes
	// to srv. TLS connections are all net/http's.
	var fast *deploy.FastServer
	if tlsConfig == nil && opts.fastPath {
		fast = &deploy.FastServer{Site: static, Fallback: srv, Reaches: api.ReachesStatic, Log: api.LogStatic}
	}
	errc := make(chan error, 1)
	go func() {
		switch {
		case tlsConfig != nil:
			// Certificates come from TLSConfig; HTTP/2 is negotiated by ALPN.
			errc <- srv.ServeTLS(ln, "", "")
		case fast != nil:
			errc <- fast.Serve(ln)
		default:
			errc <- srv.Serve(ln)
		}
	}()
	logger.Info("listening", "addr", ln.Addr().String(), "tls", tlsConfig != nil, "fast_path", fast != nil, "version", version.Version)
	ready(base + "/")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	// The background work of the last CMS publish stops with ctx; the
	// data folder is left alone once serve returns.
	defer search.wait()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shutdown := srv.Shutdown
	if fast != nil {
		shutdown = fast.Shutdown
	}
	if err := shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("arresto: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// paymentCheckout is where "Paga con pagoPA" sends payers. Under `portale
// demo` it is the simulated checkout, which pays through the portal's own
// paForNode over HTTP as the pagoPA node would. Otherwise there is none:
// sending payers to pagoPA Checkout needs its API for creditors, which this
// version does not connect to (docs/pagopa.md), so people pay with the notice.
func paymentCheckout(cfg config.Config, db *store.DB, base string, opts serveOptions, logger *slog.Logger) (pagamenti.Checkout, http.Handler) {
	if !opts.demoIdP {
		if cfg.PagoPA.CheckoutURL != "" {
			logger.Warn("pagopa.checkout_url is set but this version does not connect to pagoPA Checkout: online payment is off")
		}
		return nil, nil
	}
	node := &pagopa.NodeClient{URL: base + "/pagopa/paForNode", HTTPClient: &http.Client{Timeout: 30 * time.Second},
		IDPA: cfg.PagoPA.IDPA, IDBrokerPA: cfg.PagoPA.IDBrokerPA, IDStation: cfg.PagoPA.IDStation}
	c := democheckout.New(democheckout.Config{Attempts: &pagamenti.Attempts{Store: db}, Node: node,
		CreditorFiscalCode: cfg.PagoPA.IDPA, Logger: logger})
	return c, c
}

// mailService is the outbox's sender and, in the demo, the mailbox.
type mailService struct {
	wake    func()       // nil without a mail server
	mailbox http.Handler // the demo's /demo-mail, nil otherwise
	stop    func()       // stops the sender (and the demo sink)
}

// startMail starts the email worker over the outbox: through the demo SMTP
// sink under `portale demo`, through smtp.host otherwise; with neither, email
// waits in the outbox. It gets its own context so that stopping it never
// waits on the signal context.
func startMail(ctx context.Context, cfg *config.Config, db *store.DB, opts serveOptions, logger *slog.Logger) (mailService, error) {
	svc := mailService{stop: func() {}}
	var closers []func()
	if opts.demoMail {
		sink, err := demomail.Start(logger)
		if err != nil {
			return svc, err
		}
		closers = append(closers, func() { sink.Close() })
		cfg.SMTP = sink.Config(cfg.SMTP)
		svc.mailbox = sink.Handler()
	}
	if cfg.SMTP.Host == "" {
		logger.Warn("no mail server configured (smtp.host): emails wait in the outbox")
	} else {
		mailer, err := notify.NewSMTPMailer(cfg.SMTP)
		if err != nil {
			for _, c := range closers {
				c()
			}
			return svc, fmt.Errorf("configurazione smtp: %w", err)
		}
		worker := notify.NewWorker(db, mailer, logger)
		mailCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); worker.Run(mailCtx) }()
		closers = append([]func(){func() { cancel(); <-done }}, closers...)
		svc.wake = worker.Wake
	}
	svc.stop = func() {
		for _, c := range closers {
			c()
		}
	}
	return svc, nil
}

// quietanzaAttachment makes the PDF receipt attached to the receipt email.
func quietanzaAttachment(db *store.DB, ente documenti.EnteInfo) notify.AttachFunc {
	return func(numero string) (*notify.Attachment, error) {
		ctx := context.Background()
		row, err := db.VerbaleByNumero(ctx, numero)
		if err != nil {
			return nil, err
		}
		p, err := db.PaymentOf(ctx, row.NAV)
		if err != nil {
			return nil, err
		}
		d, err := documenti.QuietanzaFromPayment(row, p, ente, time.Now())
		if err != nil {
			return nil, err
		}
		pdf, err := documenti.Quietanza(d)
		if err != nil {
			return nil, err
		}
		return &notify.Attachment{Name: "quietanza-" + strings.ReplaceAll(numero, "/", "-") + ".pdf",
			ContentType: "application/pdf", Data: pdf}, nil
	}
}

func listenError(addr string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("l'indirizzo %s è già in uso: ferma l'altro programma o scegli un'altra porta con --addr", addr)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("permesso negato per %s: usa una porta sopra 1024 o avvia con i permessi necessari", addr)
	}
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return usageError{fmt.Sprintf("--addr %q non valido: usa HOST:PORTA, es. 127.0.0.1:8080", addr)}
	}
	return fmt.Errorf("non riesco ad ascoltare su %s: %v", addr, err)
}

// citizenLogin sets up the citizens' identity provider: the demo provider
// under `portale demo`, the one in portale.toml otherwise, or none (the
// personal area then says login is not configured).
func citizenLogin(cfg config.Config, db *store.DB, base string, opts serveOptions, logger *slog.Logger) (*auth.Service, http.Handler, error) {
	if opts.demoIdP {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, nil, err
		}
		client := demoidp.Client{ID: "portale-demo", Secret: hex.EncodeToString(secret),
			RedirectURIs: []string{base + "/auth/callback"}, PostLogoutRedirectURIs: []string{base + "/"}}
		idp, err := demoidp.New(demoidp.Config{Issuer: base + "/demo-idp", Clients: []demoidp.Client{client},
			Citizens: demoidp.Citizens(), Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		a, err := auth.New(auth.Config{IssuerURL: base + "/demo-idp", ClientID: client.ID, ClientSecret: client.Secret,
			RedirectURL: base + "/auth/callback"}, db, logger)
		return a, idp, err
	}
	if cfg.OIDC.Issuer == "" {
		logger.Warn("no identity provider configured (oidc.issuer): citizens cannot log in")
		return nil, nil, nil
	}
	a, err := auth.New(auth.Config{IssuerURL: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, ClientSecret: cfg.OIDC.ClientSecret,
		RedirectURL: cfg.OIDC.RedirectURL, Scopes: cfg.OIDC.Scopes, FiscalCodeClaim: cfg.OIDC.ClaimCF}, db, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("configurazione oidc: %w", err)
	}
	return a, nil, nil
}

// sitePublisher rebuilds the site and publishes it after the CMS changes
// the main branch of the site repository.
type sitePublisher struct {
	dir    datadir.Dir
	logger *slog.Logger
	base   string       // the portal's public origin, for preview addresses
	reload func() error // makes the server see a new preview at once
}

func (p sitePublisher) Publish(ctx context.Context) error {
	var hugoLog bytes.Buffer
	res, err := publishChanges(ctx, p.dir, &hugoLog)
	if err != nil {
		return err
	}
	// The server sees the new deploy now, not at its next poll.
	if p.reload != nil {
		if err := p.reload(); err != nil {
			p.logger.Warn("reload after a CMS publish", "err", err)
		}
	}
	p.logger.Info("site published after a CMS change", "deploy", res.DeployID, "pages", res.Pages, "ms", res.Duration.Milliseconds(),
		"incremental", res.Incremental, "full_reason", res.FullReason, "scoped", res.Scoped,
		"wait_ms", res.Waited.Milliseconds(), "deploy_ms", res.Deploy.Milliseconds())
	return nil
}

// Preview builds a CMS draft (the commit at the head of its branch) with the
// real theme into a deploy published under the branch's preview name, so the
// editor sees the page exactly as it will be; the live site is untouched.
func (p sitePublisher) Preview(ctx context.Context, branch, commit string) (string, error) {
	repo, err := siterepo.Open(p.dir.Site())
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(p.dir.Root, ".preview-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	src, out := filepath.Join(work, "site"), filepath.Join(work, "public")
	if err := repo.Export(ctx, commit, src, portale.Starter); err != nil {
		return "", err
	}
	name := deploy.PreviewName(branch)
	url := p.base + "/_preview/" + name + "/"
	var hugoLog bytes.Buffer
	if _, err := site.Build(ctx, site.Options{Source: src, Dest: out, BaseURL: url, Log: &hugoLog}); err != nil {
		return "", fmt.Errorf("costruzione dell'anteprima: %w", err)
	}
	store, err := deploy.Open(p.dir.Deploys())
	if err != nil {
		return "", err
	}
	d, err := store.Create(ctx, out)
	if err != nil {
		return "", err
	}
	if err := store.PublishPreview(name, d.ID); err != nil {
		return "", err
	}
	p.logger.Info("CMS preview built", "preview", name, "deploy", d.ID)
	if p.reload != nil {
		if err := p.reload(); err != nil {
			return "", err
		}
	}
	return url, nil
}

// recheck is how often the schedule is read again, for dates that the CMS
// adds after the last look.
const recheck = 10 * time.Minute

// rebuildAtBoundaries rebuilds and publishes the site when a page's publish
// or expiry moment comes (C6), so an expired ordinance leaves menus and lists
// with no action by anyone.
func rebuildAtBoundaries(ctx context.Context, dir datadir.Dir, logger *slog.Logger, reload func() error) {
	content := filepath.Join(dir.Site(), "content")
	for {
		next, ok, err := schedule.NextBoundary(content, time.Now())
		if err != nil {
			logger.Warn("reading the publication schedule", "err", err)
		}
		wait := recheck
		if ok && time.Until(next) < wait {
			wait = time.Until(next) + time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if !ok || time.Now().Before(next) {
			continue
		}
		var hugoLog bytes.Buffer
		res, err := buildAndPublish(ctx, dir, &hugoLog)
		if err != nil {
			logger.Error("scheduled rebuild failed: the previous deploy stays online", "err", err)
			continue
		}
		if err := reload(); err != nil {
			logger.Warn("reload after the scheduled rebuild", "err", err)
		}
		logger.Info("site rebuilt at a publish or expiry time", "boundary", next.Format(time.RFC3339), "deploy", res.DeployID)
	}
}
