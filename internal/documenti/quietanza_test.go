package documenti

import (
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/pagopa"
)

func TestQuietanzaPrintsPaymentDetails(t *testing.T) {
	d := QuietanzaData{
		Ente:     sampleEnte(),
		Debitore: Persona{Nome: "Mario Rossi", CodiceFiscale: "RSSMRA80A01L219M"},
		Numero:   "2026/PM/000101",
		Oggetto:  "Verbale n. 2026/PM/000101 del 24/11/2026 - art. 146 c. 3 CdS - targa GH482KL",
		NAV:      pagopa.MustParseNoticeNumber("301000000000012373"),
		Importo:  15587,
		// 23:30 UTC on 26 November is 00:30 on the 27th in Rome.
		PagatoIl: time.Date(2026, 11, 26, 23, 30, 5, 0, time.UTC),
		PSP:      "Banca Demo S.p.A.",
		Ricevuta: "RT-2026-000042",
		Emessa:   time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC),
	}
	pdf, err := Quietanza(d)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, "quietanza", pdf)
	mustContain(t, text, "QUIETANZA DI PAGAMENTO", "Città di Torino", "2026/PM/000101", "Mario Rossi",
		"155,87 €", "27/11/2026 alle 00:30:05", "Banca Demo S.p.A.", "RT-2026-000042",
		"3010 0000 0000 0123 73", "01000000000012373", "IT60X0542811101000000123456")
	renderPage1(t, "quietanza", pdf)
}

func TestQuietanzaRefusesIncompleteData(t *testing.T) {
	for name, d := range map[string]QuietanzaData{
		"no amount":  {Numero: "2026/PM/000101", PagatoIl: time.Now()},
		"no date":    {Numero: "2026/PM/000101", Importo: 100},
		"no verbale": {Importo: 100, PagatoIl: time.Now()},
	} {
		if _, err := Quietanza(d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
