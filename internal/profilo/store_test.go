package profilo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

// What the citizen does to their vehicles sticks: a removed vehicle does not
// come back with the next import, and each change is told to the gestionale
// once.
func TestVehicleListAddRemoveAndReimport(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	line := `{"tipo":"veicolo","codice_fiscale":"` + mario + `","targa":"GH482KL","descrizione":"Fiat Panda 1.2"}`
	importLines(t, db, line)
	v := store.Veicolo{CodiceFiscale: mario, Targa: "CX41876", Descrizione: "Piaggio Beverly 300", Origine: store.OrigineCittadino, AggiuntoIl: time.Now()}
	for i, want := range []bool{true, false} {
		if added, err := db.AddVeicolo(ctx, v, map[string]string{"targa": v.Targa}); err != nil || added != want {
			t.Fatalf("add #%d = %v, %v; want %v", i+1, added, err, want)
		}
	}
	if err := db.RemoveVeicolo(ctx, mario, "GH482KL", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveVeicolo(ctx, mario, "GH482KL", map[string]string{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second removal = %v, want ErrNotFound", err)
	}
	if err := db.RemoveVeicolo(ctx, laura, "CX41876", map[string]string{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Laura removing Mario's vehicle = %v, want ErrNotFound", err)
	}
	if sum := importLines(t, db, line); sum.Invariati != 1 {
		t.Errorf("re-import = %+v", sum)
	}
	list, _ := db.VeicoliOf(ctx, mario)
	if len(list) != 1 || list[0].Targa != "CX41876" || list[0].Origine != store.OrigineCittadino {
		t.Errorf("Mario's vehicles = %+v, want only the one he added", list)
	}
	if l, _ := db.VeicoliOf(ctx, laura); len(l) != 0 {
		t.Errorf("Laura's vehicles = %+v", l)
	}
	// Added again after the removal, it is back.
	v.Targa = "GH482KL"
	if added, err := db.AddVeicolo(ctx, v, map[string]string{}); !added || err != nil {
		t.Errorf("re-adding a removed vehicle = %v, %v", added, err)
	}
	events, _ := db.EventsAfter(ctx, 0, 100)
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e.Tipo]++
	}
	if kinds["veicolo_aggiunto"] != 2 || kinds["veicolo_rimosso"] != 1 {
		t.Errorf("events = %v", kinds)
	}
}

func TestPermitRenewalIsRecordedOncePerExpiry(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	r := store.RinnovoPermesso{PermessoID: "ZTL-1", Scadenza: "2026-12-20", CodiceFiscale: mario, RichiestoIl: time.Now()}
	for i, want := range []bool{true, false} {
		if created, err := db.RequestPermitRenewal(ctx, r, map[string]string{"permesso": r.PermessoID}); err != nil || created != want {
			t.Fatalf("request #%d = %v, %v", i+1, created, err)
		}
	}
	r.Scadenza = "2027-12-20"
	if created, _ := db.RequestPermitRenewal(ctx, r, map[string]string{"permesso": r.PermessoID}); !created {
		t.Error("the next expiry's renewal was not recorded")
	}
	events, _ := db.EventsAfter(ctx, 0, 100)
	if len(events) != 2 || events[0].Tipo != "richiesta_rinnovo_permesso" {
		t.Errorf("events = %+v", events)
	}
	if got, _ := db.PermitRenewalsOf(ctx, laura); len(got) != 0 {
		t.Errorf("Laura sees Mario's renewals: %+v", got)
	}
}

func TestNotificationPreferenceIsKeptPerCitizen(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	if _, err := db.NotificationPreference(ctx, mario); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("before choosing = %v", err)
	}
	p := store.PreferenzaNotifica{CodiceFiscale: mario, Canale: "pec", PEC: "mario@pec.it", AggiornatoIl: time.Now()}
	if err := db.SetNotificationPreference(ctx, p, map[string]string{"canale": "pec"}); err != nil {
		t.Fatal(err)
	}
	p.Canale, p.PEC = "posta", ""
	if err := db.SetNotificationPreference(ctx, p, map[string]string{"canale": "posta"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.NotificationPreference(ctx, mario)
	if err != nil || got.Canale != "posta" || got.PEC != "" {
		t.Errorf("preference = %+v, %v", got, err)
	}
	if _, err := db.NotificationPreference(ctx, laura); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Laura has Mario's preference: %v", err)
	}
}
