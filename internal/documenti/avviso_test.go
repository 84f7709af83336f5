package documenti

import (
	"testing"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
)

func sampleEnte() EnteInfo {
	return EnteInfo{Nome: "Città di Torino", CodiceFiscale: "00514490010", Settore: "Corpo di Polizia Municipale",
		Info: "multe.comune.torino.it", IBAN: "IT60X0542811101000000123456"}
}

func sampleAvviso() AvvisoData {
	return AvvisoData{
		Ente:         sampleEnte(),
		Destinatario: Persona{Nome: "Mario Rossi", CodiceFiscale: "RSSMRA80A01L219M"},
		Numero:       "2026/PM/000101",
		Oggetto:      "Verbale n. 2026/PM/000101 del 24/11/2026 - art. 146 c. 3 CdS - targa GH482KL",
		NAV:          pagopa.MustParseNoticeNumber("301000000000012373"),
		Opzioni: []OpzionePagamento{
			{Etichetta: "Entro 5 giorni", Dettaglio: "con lo sconto del 30%", Importo: 15911, Scadenza: civil.New(2026, 11, 30)},
			{Etichetta: "Entro 60 giorni", Dettaglio: "misura ridotta", Importo: 22730, Scadenza: civil.New(2027, 1, 25)},
		},
		Poi:    &Aumento{Dal: civil.New(2027, 1, 26), Importo: 44600, Motivo: "metà del massimo della sanzione (art. 203 CdS)"},
		Emesso: civil.New(2026, 11, 26),
	}
}

func TestAvvisoPagamentoPrintsAmountsDeadlinesAndCode(t *testing.T) {
	d := sampleAvviso()
	d.Ente.ContoPostale = "12345678"
	pdf, err := AvvisoPagamento(d)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, "avviso", pdf)
	mustContain(t, text,
		"AVVISO DI PAGAMENTO", "Città di Torino", "00514490010", "Mario Rossi", "RSSMRA80A01L219M",
		"159,11 €", "30/11/2026", "227,30 €", "25/01/2027", "446,00 €", "26/01/2027",
		"3010 0000 0000 0123 73", "BANCHE E ALTRI CANALI", "BOLLETTINO POSTALE PA", "12345678")
	renderPage1(t, "avviso", pdf)
}
