package verbali_test

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/store/storetest"
)

// A company owner is named by its partita IVA, which is checked and stored
// as its codice fiscale; only the owner can be a company.
func TestCompanyOwnerByPartitaIVA(t *testing.T) {
	db := storetest.New(t)
	line := func(numero, people string) string {
		return `{"numero":"` + numero + `","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","targa":"GK118RN",` +
			`"violazioni":[{"articolo":"142","comma":"8"}],` + people + `,"data_notifica":"2026-03-12"}`
	}
	sum := importString(t, db, strings.Join([]string{
		line("A1", `"obbligato":{"partita_iva":"IT 09827610016","nome":"Noleggi Demo S.r.l."}`),
		line("A2", `"obbligato":{"partita_iva":"09827610017","nome":"Noleggi Sbagliati S.r.l."}`),
		line("A3", `"trasgressore":{"partita_iva":"09827610016"}`),
	}, "\n")+"\n")
	if sum.Nuovi != 1 || sum.Scartati != 2 {
		t.Fatalf("imported %d, refused %d: %+v", sum.Nuovi, sum.Scartati, sum.Errori)
	}
	for _, e := range sum.Errori {
		if e.Codice != "PARTITA_IVA_NON_VALIDA" || e.Messaggio == "" {
			t.Errorf("line %d: %s %s", e.Riga, e.Codice, e.Messaggio)
		}
	}
	rows, err := db.VerbaliOf(context.Background(), "09827610016")
	if err != nil || len(rows) != 1 || rows[0].ObbligatoCF != "09827610016" {
		t.Fatalf("the company's verbali: %+v %v", rows, err)
	}
}
