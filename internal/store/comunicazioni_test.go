package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

func driverIdentification(numero string, at time.Time) store.Comunicazione {
	return store.Comunicazione{Tipo: store.ComDatiConducente, Mittente: "RSSMRA80A01L219M", ConducenteCF: "BNCLRA85M41L219R",
		Numero: numero, Stato: store.ComInAttesaConferma, Dati: []byte(`{}`), CreataIl: at}
}

func TestComunicazioniGetTrackingNumbersAndOneLiveDriverPerVerbale(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // already 2027 in Rome
	first, err := db.CreateComunicazione(ctx, driverIdentification("V1", at), nil, nil)
	if err != nil || first.Protocollo != "PM-2027-000001" {
		t.Fatalf("first: %+v %v", first, err)
	}
	if _, err := db.CreateComunicazione(ctx, driverIdentification("V1", at), nil, nil); !errors.Is(err, store.ErrDriverNamed) {
		t.Fatalf("a second live identification of V1: %v", err)
	}
	if _, err := db.UpdateComunicazione(ctx, first.ID, []string{store.ComConfermata}, store.ComunicazioneChange{Stato: store.ComAccolta}, nil); !errors.Is(err, store.ErrComunicazioneState) {
		t.Fatalf("accepting before confirmation: %v", err)
	}
	if _, err := db.UpdateComunicazione(ctx, first.ID, []string{store.ComInAttesaConferma},
		store.ComunicazioneChange{Stato: store.ComRespinta, DecisaDa: "vigile", DecisaIl: at, Risposta: "no"}, nil); err != nil {
		t.Fatal(err)
	}
	second, err := db.CreateComunicazione(ctx, driverIdentification("V1", at), nil, nil)
	if err != nil || second.Protocollo != "PM-2027-000002" {
		t.Fatalf("after a rejection a new identification is allowed: %+v %v", second, err)
	}
	if _, err := db.UpdateComunicazione(ctx, 99, nil, store.ComunicazioneChange{}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing communication: %v", err)
	}
}

// A change whose event or email cannot be written is not written at all:
// no state without its event, no points without the decision.
func TestComunicazioneChangesAreAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	at := time.Now()
	c, err := db.CreateComunicazione(ctx, driverIdentification("V2", at), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("event refused")
	_, err = db.UpdateComunicazione(ctx, c.ID, []string{store.ComInAttesaConferma}, store.ComunicazioneChange{
		Stato: store.ComAccolta, Points: &store.ProfiloRow{Tipo: "punti", Chiave: "COM-1", CodiceFiscale: c.ConducenteCF, Record: []byte(`{}`)},
		Files: []store.ComunicazioneFile{{Ruolo: store.FilePatente, Nome: "p.png", ContentType: "image/png", Data: []byte("x")}},
	}, func(store.Comunicazione) (store.Outgoing, error) { return store.Outgoing{}, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	got, _ := db.Comunicazione(ctx, c.ID)
	points, _ := db.ProfiloOf(ctx, c.ConducenteCF, "punti")
	if got.Stato != store.ComInAttesaConferma || len(got.File) != 0 || len(points) != 0 {
		t.Errorf("half-applied: stato %s, %d files, %d points rows", got.Stato, len(got.File), len(points))
	}
}
