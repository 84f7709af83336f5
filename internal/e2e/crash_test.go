package e2e

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
)

// crashRounds is how many times the server is killed. Each round adds
// crashNewPerRound receipts and keeps delivering, until the kill, every
// receipt not yet acknowledged and, as duplicates, the acknowledged ones.
const (
	crashRounds       = 30
	crashNewPerRound  = 3
	crashCreditor     = "00514490010"
	crashMaxKillDelay = 50 * time.Millisecond
)

// A crash while handling a receipt loses nothing: the server is killed with
// SIGKILL at a random moment while the node delivers paSendRTV2 receipts,
// then restarted. Every receipt it acknowledged is recorded, exactly once,
// from the moment it was acknowledged; every one it did not acknowledge is
// accepted when sent again; nothing is recorded twice or left in conflict.
func TestCrashDuringReceiptsLosesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "demo", "seed", "--data", data, "--fines", "300"); res.code != 0 {
		t.Fatalf("demo seed: %s", res.stderr)
	}
	navs := openNotices(t, data, crashRounds*crashNewPerRound)

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	psp := pagopa.PSP{ID: "PSPCRASH", CompanyName: "PSP di prova", ChannelID: "PSPCRASH_01", ChannelDescription: "app", PaymentMethod: "CP"}
	httpClient := &http.Client{Timeout: 10 * time.Second}

	var receipts []*crashReceipt
	var interrupted atomic.Int64
	deadline := time.Now().Add(45 * time.Second)
	for round := range crashRounds {
		if time.Now().After(deadline) {
			t.Logf("time is up after %d rounds", round)
			break
		}
		s := start(t, "serve", "--data", data)
		node := &pagopa.NodeClient{URL: s.url + "/pagopa/paForNode", HTTPClient: httpClient,
			IDPA: crashCreditor, IDBrokerPA: crashCreditor, IDStation: crashCreditor + "_01"}
		for _, n := range navs[round*crashNewPerRound : (round+1)*crashNewPerRound] {
			receipts = append(receipts, newCrashReceipt(t, node, n, psp))
		}

		// Deliver until the kill: four senders, as the node sends several
		// receipts at once; the unacknowledged first, then duplicates.
		var killed atomic.Bool
		var wg sync.WaitGroup
		order := rng.Perm(len(receipts))
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; ; i++ {
					r := receipts[order[i%len(order)]]
					err := node.SendRTV2(context.Background(), r.rt)
					var fault *pagopa.Fault
					switch {
					case err == nil:
						r.acknowledge(round)
					case errors.As(err, &fault):
						t.Errorf("receipt %s refused: %v", r.rt.ReceiptID, err)
						return
					case killed.Load():
						// Refused: sent after the process was gone.
						// Anything else was cut on its way.
						if !errors.Is(err, syscall.ECONNREFUSED) {
							interrupted.Add(1)
						}
						return
					default:
						// The kill is under way; the next call finds out.
					}
				}
			}()
		}
		time.Sleep(time.Duration(rng.Int64N(int64(crashMaxKillDelay) + 1)))
		killed.Store(true)
		s.cmd.Process.Kill()
		<-s.done
		s.done <- nil // the server's cleanup waits on done again
		wg.Wait()

		// With the server down: every acknowledged receipt is there.
		checkRecorded(t, data, receipts, false)
		if t.Failed() {
			t.Fatalf("round %d lost or changed acknowledged receipts", round)
		}
	}
	if len(receipts) == 0 {
		t.Fatal("no round ran")
	}

	// A last, undisturbed run: what was not acknowledged is sent again and
	// accepted; the acknowledged ones once more, as the node may.
	s := start(t, "serve", "--data", data)
	node := &pagopa.NodeClient{URL: s.url + "/pagopa/paForNode", HTTPClient: httpClient,
		IDPA: crashCreditor, IDBrokerPA: crashCreditor, IDStation: crashCreditor + "_01"}
	resent := 0
	for _, r := range receipts {
		if r.ackRound < 0 {
			resent++
		}
		var err error
		for attempt := range 5 {
			if err = node.SendRTV2(context.Background(), r.rt); err == nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("receipt %s not accepted when sent again: %v", r.rt.ReceiptID, err)
		}
	}
	s.cmd.Process.Kill()
	<-s.done
	s.done <- nil
	checkRecorded(t, data, receipts, true)
	t.Logf("%d rounds, %d receipts, %d sends cut by the kill, %d receipts never acknowledged before the last run",
		min(crashRounds, len(receipts)/crashNewPerRound), len(receipts), interrupted.Load(), resent)
	if interrupted.Load() == 0 {
		t.Errorf("no kill ever interrupted a paSendRTV2: the test does not test crashes")
	}
}

// crashReceipt is one receipt the node delivers until it is acknowledged,
// always with the same content.
type crashReceipt struct {
	rt       pagopa.Receipt
	mu       sync.Mutex
	ackRound int // -1 until acknowledged
}

func newCrashReceipt(t *testing.T, node *pagopa.NodeClient, n pagopa.NoticeNumber, psp pagopa.PSP) *crashReceipt {
	t.Helper()
	pay, err := node.GetPaymentV2(context.Background(), crashCreditor, n, 0)
	if err != nil {
		t.Fatalf("paGetPaymentV2 %s: %v", n, err)
	}
	paidAt := time.Now().Truncate(time.Second)
	return &crashReceipt{rt: pay.Receipt("RT-CRASH-"+n.String(), psp, paidAt), ackRound: -1}
}

func (r *crashReceipt) acknowledge(round int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ackRound < 0 {
		r.ackRound = round
	}
}

// openNotices returns n notices of the seeded data that can be paid today,
// read with the server stopped.
func openNotices(t *testing.T, data string, n int) []pagopa.NoticeNumber {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "portale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	positions := &pagamenti.Positions{Store: db, Rules: cds.DefaultConfig()}
	today := civil.FromTime(time.Now())
	var out []pagopa.NoticeNumber
	err = db.UnpaidNotices(ctx, func(nav string) error {
		notice := pagopa.MustParseNoticeNumber(nav)
		p, err := positions.Lookup(ctx, notice, today)
		if err == nil && p.Status == pagopa.PositionOpen && len(out) < n {
			out = append(out, notice)
		}
		return err
	})
	if err != nil || len(out) < n {
		t.Fatalf("%d open notices in the seeded data (%v), want %d", len(out), err, n)
	}
	return out
}

// checkRecorded reads the database of the stopped server: every
// acknowledged receipt (every receipt, when all) is recorded as sent, one
// payment and one payment event per receipt, nothing in conflict.
func checkRecorded(t *testing.T, data string, receipts []*crashReceipt, all bool) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "portale.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, r := range receipts {
		if r.ackRound < 0 && !all {
			continue
		}
		p, err := db.PaymentOf(ctx, r.rt.Notice.String())
		if err != nil || p.ReceiptID != r.rt.ReceiptID || p.AmountCents != int64(r.rt.Amount) {
			t.Errorf("receipt %s (acknowledged in round %d): recorded %+v, %v", r.rt.ReceiptID, r.ackRound, p, err)
		}
	}
	var payments, events, conflicts int
	q := db.Reader()
	for query, dest := range map[string]*int{
		`SELECT COUNT(*) FROM pagamenti`:                       &payments,
		`SELECT COUNT(*) FROM events WHERE tipo = 'pagamento'`: &events,
		`SELECT COUNT(*) FROM pagamenti_conflitti`:             &conflicts,
	} {
		if err := q.QueryRowContext(ctx, query).Scan(dest); err != nil {
			t.Fatal(err)
		}
	}
	if payments > len(receipts) || events != payments || conflicts != 0 {
		t.Errorf("%d payments and %d payment events for %d receipts sent, %d conflicts", payments, events, len(receipts), conflicts)
	}
	if all && payments != len(receipts) {
		t.Errorf("%d payments recorded for %d receipts", payments, len(receipts))
	}
}
