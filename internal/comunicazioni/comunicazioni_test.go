package comunicazioni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
	"github.com/comune-torino/portale/internal/verbali"
)

func importRecords(t *testing.T, db *store.DB, recs ...verbali.Record) {
	t.Helper()
	var buf bytes.Buffer
	for _, r := range recs {
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	sum, err := verbali.Import(context.Background(), &buf, db, verbali.ImportOptions{Rules: cds.DefaultConfig(),
		NAV: func(seq int64) (string, error) {
			n, err := pagopa.NoticeNumberFromSequence("01", seq)
			return n.String(), err
		}})
	if err != nil || sum.Scartati > 0 {
		t.Fatalf("import: %+v %v", sum.Errori, err)
	}
}

// preavviso is a pre-notice left daysAgo days before now for owner.
func preavviso(n int, now time.Time, daysAgo int, owner demo.Citizen) verbali.Record {
	return verbali.Record{
		Numero: fmt.Sprintf("2026/PA/%06d", n), Versione: 1, Stato: verbali.StatoPreavviso,
		DataOra: now.AddDate(0, 0, -daysAgo).Format(time.RFC3339), Luogo: "Via Po 1, Torino", Targa: owner.Targhe[0],
		Violazioni: []verbali.Violazione{{Articolo: "7", Comma: "15"}},
		Obbligato:  &verbali.Persona{CodiceFiscale: owner.CodiceFiscale, Nome: owner.Nome, Cognome: owner.Cognome},
	}
}

type notificationEvent struct {
	Canale        string `json:"canale"`
	PEC           string `json:"pec"`
	CodiceFiscale string `json:"codice_fiscale"`
}

// A14: an unpaid pre-notice past its term goes on to formal notification,
// once, through the channel its owner chose.
func TestUnpaidPreNoticesGoOnToFormalNotificationOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, civil.Rome)
	importRecords(t, db,
		preavviso(1, now, 70, demo.Mario), // past its term, Mario chose PEC
		preavviso(2, now, 70, demo.Laura), // past its term, Laura never chose: post
		preavviso(3, now, 10, demo.Mario), // still within its term
		preavviso(4, now, 70, demo.Laura), // paid through the portal
	)
	if err := db.SetNotificationPreference(ctx, store.PreferenzaNotifica{CodiceFiscale: demo.Mario.CodiceFiscale,
		Canale: "pec", PEC: "mario.rossi@pec.example.org", AggiornatoIl: now}, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	paid, _ := db.VerbaleByNumero(ctx, "2026/PA/000004")
	if _, err := db.RecordPayment(ctx, store.Payment{ReceiptID: "RT-1", NAV: paid.NAV, Numero: paid.Numero,
		AmountCents: 2900, PaidAt: now.AddDate(0, 0, -60)}, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	svc := &comunicazioni.Service{Store: db, Rules: cds.DefaultConfig()}
	for run := 1; run <= 2; run++ {
		n, err := svc.FormalNotifications(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int]int{1: 2, 2: 0}[run]; n != want {
			t.Errorf("run %d sent on %d pre-notices, want %d", run, n, want)
		}
	}
	evs, _ := db.EventsAfter(ctx, 0, 100)
	got := map[string]notificationEvent{}
	for _, e := range evs {
		if e.Tipo != "notifica_formale_richiesta" {
			continue
		}
		if _, dup := got[e.Numero]; dup {
			t.Errorf("two events for %s", e.Numero)
		}
		var ev notificationEvent
		json.Unmarshal(e.Payload, &ev)
		got[e.Numero] = ev
	}
	want := map[string]notificationEvent{
		"2026/PA/000001": {Canale: "pec", PEC: "mario.rossi@pec.example.org", CodiceFiscale: demo.Mario.CodiceFiscale},
		"2026/PA/000002": {Canale: "posta", CodiceFiscale: demo.Laura.CodiceFiscale},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events: %+v, want %+v", got, want)
	}
}

func TestFilesAreCheckedByContentAndSize(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%%EOF\n")
	scenarios := map[string]struct {
		u      comunicazioni.Upload
		codice string
		nome   string
	}{
		"a PDF":                   {comunicazioni.Upload{Nome: "atto.pdf", Dati: pdf}, "", "atto.pdf"},
		"a PDF named .txt":        {comunicazioni.Upload{Nome: "atto.txt", Dati: pdf}, "", "atto.pdf"},
		"a path as the name":      {comunicazioni.Upload{Nome: `C:\Users\mario\atto.pdf`, Dati: pdf}, "", "atto.pdf"},
		"a JPEG":                  {comunicazioni.Upload{Nome: "foto.jpeg", Dati: []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")}, "", "foto.jpeg"},
		"HTML named .png":         {comunicazioni.Upload{Nome: "x.png", Dati: []byte("<html><script>alert(1)</script>")}, "TIPO_FILE_NON_AMMESSO", ""},
		"empty":                   {comunicazioni.Upload{Nome: "x.pdf"}, "FILE_VUOTO", ""},
		"one byte above 5 MB":     {comunicazioni.Upload{Nome: "x.pdf", Dati: append(pdf, make([]byte, comunicazioni.MaxFileSize)...)}, "FILE_TROPPO_GRANDE", ""},
		"exactly 5 MB is allowed": {comunicazioni.Upload{Nome: "x.pdf", Dati: append(pdf, make([]byte, comunicazioni.MaxFileSize-len(pdf))...)}, "", "x.pdf"},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			f, err := comunicazioni.CheckFile(sc.u, store.FileAllegato)
			var e *comunicazioni.Error
			switch {
			case sc.codice == "" && (err != nil || f.Nome != sc.nome):
				t.Errorf("refused or renamed: %q %v", f.Nome, err)
			case sc.codice != "" && (!errors.As(err, &e) || e.Codice != sc.codice || !strings.Contains(e.Messaggio, "x.")):
				t.Errorf("got %v, want %s naming the file", err, sc.codice)
			}
		})
	}
}
