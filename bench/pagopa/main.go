// Command pagopa serves the portal's creditor endpoint (paForNode) over a
// seeded data directory next to a hello-world Go handler, so that wrk can
// measure both in the same run (see run.sh and docs/benchmarks.md). Before
// it says "ready" it writes the creditor's identifiers and the notice numbers
// wrk rotates through, one a line, and verifies each one through the
// endpoint; during the runs it counts the answers whose outcome is not OK,
// at GET /bench/outcomes, and run.sh stops when there is any.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only with -pprof
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/config"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
)

func main() {
	data := flag.String("data", "", "data directory seeded with portale demo seed")
	addr := flag.String("addr", "127.0.0.1:18191", "where the creditor endpoint listens")
	helloAddr := flag.String("hello", "127.0.0.1:18192", "where the hello-world handler listens")
	navFile := flag.String("navs", "navs.txt", "where to write the notice numbers for wrk")
	count := flag.Int("count", 10000, "how many open notices to rotate through")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof here, to profile a run")
	flag.Parse()
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil)
	}
	if err := run(*data, *addr, *helloAddr, *navFile, *count); err != nil {
		log.Fatal(err)
	}
}

func run(data, addr, helloAddr, navFile string, count int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := config.Load(filepath.Join(data, "portale.toml"))
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, filepath.Join(data, "portale.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	quiet := slog.New(slog.DiscardHandler)
	positions := &pagamenti.Positions{Store: db, Rules: cds.DefaultConfig(), Logger: quiet}
	creditor := pagopa.CreditorConfig{
		IDPA: cfg.PagoPA.IDPA, IDBrokerPA: cfg.PagoPA.IDBrokerPA, IDStation: cfg.PagoPA.IDStation,
		IBAN: cfg.PagoPA.IBAN, CreditorName: cfg.Ente.Nome, OfficeName: "Polizia Municipale",
		TransferCategory: cfg.PagoPA.Categoria,
	}
	if err := creditor.Check(); err != nil {
		return err
	}
	mux := http.NewServeMux()
	var answers outcomes
	mux.Handle("POST /pagopa/paForNode", answers.wrap(pagopa.NewCreditorHandler(creditor, positions, quiet)))
	mux.HandleFunc("GET /bench/outcomes", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d %d\n", answers.ok.Load(), answers.other.Load())
	})
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ciao":"mondo"}`)
	})
	for _, s := range []struct {
		addr string
		h    http.Handler
	}{{addr, mux}, {helloAddr, hello}} {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: s.h}
		go srv.Serve(ln)
		go func() { <-ctx.Done(); srv.Close() }()
	}

	navs, err := openNotices(ctx, db, positions, count)
	if err != nil {
		return err
	}
	node := &pagopa.NodeClient{URL: "http://" + addr + "/pagopa/paForNode",
		IDPA: creditor.IDPA, IDBrokerPA: creditor.IDBrokerPA, IDStation: creditor.IDStation}
	for _, n := range navs {
		if _, err := node.VerifyPaymentNotice(ctx, creditor.IDPA, n); err != nil {
			return fmt.Errorf("notice %s: %w", n, err)
		}
	}
	if err := writeNotices(navFile, creditor, navs); err != nil {
		return err
	}
	total, err := db.CountVerbali(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("ready: %d verbali in the database, %d open notices in %s\n", total, len(navs), navFile)
	<-ctx.Done()
	return nil
}

// openNotices samples the unpaid notices evenly across the whole table (one
// every stride) and keeps those open today, so that the lookups of the run
// hit the whole index, not one corner of it.
func openNotices(ctx context.Context, db *store.DB, positions pagopa.Positions, count int) ([]pagopa.NoticeNumber, error) {
	total, err := db.CountVerbali(ctx)
	if err != nil {
		return nil, err
	}
	// About two in three generated verbali are payable; sample twice as
	// many as needed.
	stride := max(1, int(total)/(2*count))
	today := civil.FromTime(time.Now())
	var out []pagopa.NoticeNumber
	i := 0
	errEnough := errors.New("enough")
	err = db.UnpaidNotices(ctx, func(nav string) error {
		i++
		if i%stride != 0 {
			return nil
		}
		n, err := pagopa.ParseNoticeNumber(nav)
		if err != nil {
			return err
		}
		p, err := positions.Lookup(ctx, n, today)
		if err != nil {
			return err
		}
		if p.Status == pagopa.PositionOpen {
			out = append(out, n)
		}
		if len(out) == count {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no open notice in the database: seed it with `portale demo seed`")
	}
	return out, nil
}

// writeNotices writes the file verify.lua reads: a first line with the
// creditor's identifiers, as the node sends them, then a notice a line.
func writeNotices(path string, creditor pagopa.CreditorConfig, navs []pagopa.NoticeNumber) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "#", creditor.IDPA, creditor.IDBrokerPA, creditor.IDStation)
	for _, n := range navs {
		fmt.Fprintln(w, n.String())
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// outcomes counts the creditor endpoint's answers with outcome OK and the
// others. A pagoPA fault is an answer with HTTP status 200, which wrk counts
// as a success: run.sh reads these counts after every run and stops when an
// answer was not OK. The check costs a search through an answer of about a
// kilobyte, a fraction of a percent of the request.
type outcomes struct{ ok, other atomic.Int64 }

func (o *outcomes) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ow := &outcomeWriter{ResponseWriter: w}
		h.ServeHTTP(ow, r)
		if ow.ok {
			o.ok.Add(1)
		} else {
			o.other.Add(1)
		}
	})
}

// outcomeWriter notes whether an answer says outcome OK; the creditor
// handler writes each answer in one piece.
type outcomeWriter struct {
	http.ResponseWriter
	ok bool
}

func (w *outcomeWriter) Write(p []byte) (int, error) {
	if !w.ok && bytes.Contains(p, []byte("<outcome>OK</outcome>")) {
		w.ok = true
	}
	return w.ResponseWriter.Write(p)
}
