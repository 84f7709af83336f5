package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Company is a demo rental company (A20): its fleet's fines are notified to
// it as the owner, and it names the drivers.
type Company struct {
	PartitaIVA string
	Nome       string
	Email      string
	Targhe     []string
	// Username logs in at /auth/staff/login with password "demo-" + Username.
	Username string
}

// Azienda is the demo company; its partita IVA has a valid check digit.
var Azienda = Company{PartitaIVA: "09827610016", Nome: "Noleggi Demo S.r.l.", Email: "flotta@noleggi-demo.example.org",
	Targhe: []string{"GK118RN", "GK227RN", "GL330RN"}, Username: "azienda"}

func (c Company) persona() *verbali.Persona {
	return &verbali.Persona{PartitaIVA: c.PartitaIVA, Nome: c.Nome, Email: c.Email}
}

// fleet are the fines on the demo company's cars, notified to it: two carry
// points and wait for the driver's name, one (ZTL) does not.
func fleet(today civil.Date, base func(int, verbali.Stato, int, int, int, string, string, ...verbali.Violazione) verbali.Record,
	v func(string, string) verbali.Violazione) []verbali.Record {
	var out []verbali.Record
	add := func(n, daysAgo, notified int, luogo, targa string, x verbali.Violazione) {
		r := base(n, verbali.StatoNotificato, daysAgo, 14, 10, luogo, targa, x)
		r.Obbligato = Azienda.persona()
		r.DataNotifica, r.SpeseCent = day(today, notified), 1385
		out = append(out, r)
	}
	add(301, 18, 8, "Corso Regina Margherita 40, Torino", Azienda.Targhe[0], v("142", "8"))
	add(302, 25, 15, "Piazza Statuto angolo Via Garibaldi, Torino", Azienda.Targhe[1], v("146", "3"))
	add(303, 9, 5, "Via Po (ZTL Centrale), Torino", Azienda.Targhe[2], v("7", "14/2"))
	return out
}

// SeedAzienda creates the demo company's account (role azienda, tied to its
// partita IVA) unless it exists.
func SeedAzienda(ctx context.Context, db *store.DB) error {
	_, err := staff.AddAccount(ctx, db, staff.NewAccount{Username: Azienda.Username, Name: Azienda.Nome,
		Email: Azienda.Email, Role: staff.Azienda, Password: "demo-" + Azienda.Username}, time.Now())
	if err != nil && !errors.Is(err, staff.ErrExists) {
		return fmt.Errorf("account di prova %s: %w", Azienda.Username, err)
	}
	return db.SetStaffPartitaIVA(ctx, Azienda.Username, Azienda.PartitaIVA)
}
