package pagamenti_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

// fixedCheckout sends every payer to one address.
type fixedCheckout string

func (c fixedCheckout) Start(_ context.Context, a store.Attempt) (string, error) {
	return string(c) + a.ID, nil
}

// marioStatement seeds the demo verbali and returns Mario's statement.
func marioStatement(t *testing.T, db *store.DB) map[string]verbali.VoceEstratto {
	t.Helper()
	today := civil.FromTime(time.Now())
	var jsonl bytes.Buffer
	for _, r := range demo.Verbali(today) {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	nav := func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}
	ctx := context.Background()
	if _, err := verbali.Import(ctx, &jsonl, db, verbali.ImportOptions{Rules: cds.DefaultConfig(), NAV: nav}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.VerbaliOf(ctx, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	st, err := verbali.Statement(demo.Mario.CodiceFiscale, rows, today, verbali.StatementOptions{Rules: cds.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	byFase := map[string]verbali.VoceEstratto{}
	for _, v := range st.Verbali {
		byFase[v.Fase] = v
	}
	return byFase
}

func TestAttemptStatusComesFromTheReceipt(t *testing.T) {
	db := storetest.New(t)
	fines := marioStatement(t, db)
	ctx := context.Background()
	a := &pagamenti.Attempts{Store: db, Checkout: fixedCheckout("/paga/")}

	if _, err := (&pagamenti.Attempts{Store: db}).Start(ctx, fines["misura_ridotta"], demo.Mario.CodiceFiscale); !errors.Is(err, pagamenti.ErrNoCheckout) {
		t.Errorf("start without a checkout: %v", err)
	}
	for _, fase := range []string{"pagato", "rateizzato", "coattivo"} {
		if _, err := a.Start(ctx, fines[fase], demo.Mario.CodiceFiscale); !errors.Is(err, pagamenti.ErrNotPayable) {
			t.Errorf("start on a %s fine: %v, want ErrNotPayable", fase, err)
		}
	}

	fine := fines["misura_ridotta"]
	started, err := a.Start(ctx, fine, demo.Mario.CodiceFiscale)
	if err != nil {
		t.Fatal(err)
	}
	att := started.Attempt
	if started.RedirectURL != "/paga/"+att.ID || len(att.ID) < 26 || att.AmountCents != int64(fine.ImportoCent) || att.NAV != fine.NAV {
		t.Errorf("started %+v", started)
	}
	if got := pagamenti.ResultPath(att); got != "/area-personale/pagamento/?id="+att.ID {
		t.Errorf("result path %s", got)
	}
	status := func(id string) string {
		t.Helper()
		st, err := a.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Stato
	}
	if got := status(att.ID); got != pagamenti.StatoInCorso {
		t.Errorf("new attempt is %s", got)
	}
	if err := a.Abandon(ctx, att.ID, pagamenti.StatoPagato); err == nil {
		t.Errorf("the checkout could declare an attempt paid")
	}
	if err := a.Abandon(ctx, att.ID, pagamenti.StatoErrore); err != nil {
		t.Fatal(err)
	}
	if err := a.Abandon(ctx, att.ID, pagamenti.StatoAnnullato); err != nil {
		t.Fatal(err)
	}
	if got := status(att.ID); got != pagamenti.StatoErrore {
		t.Errorf("after two reports the attempt is %s, want the first (errore)", got)
	}
	// Only a recorded receipt makes a notice paid, whatever the checkout said.
	if _, err := db.RecordPayment(ctx, store.Payment{ReceiptID: "RT-1", NAV: fine.NAV, Numero: fine.Numero,
		AmountCents: int64(fine.ImportoCent), PaidAt: time.Now(), PSP: "prova", Receipt: "<rt/>"}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := a.Status(ctx, att.ID)
	if err != nil || st.Stato != pagamenti.StatoPagato || st.Payment == nil || st.Payment.ReceiptID != "RT-1" {
		t.Errorf("after the receipt: %+v, %v", st, err)
	}

	anon, err := a.Start(ctx, fines["riduzione_30"], "")
	if err != nil {
		t.Fatal(err)
	}
	if got := pagamenti.ResultPath(anon.Attempt); got != "/paga-preavviso/?id="+anon.Attempt.ID {
		t.Errorf("result path without login %s", got)
	}
	if _, err := a.Status(ctx, "nessuno"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown attempt: %v", err)
	}
}
