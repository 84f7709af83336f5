package documenti

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
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
			{Etichetta: "Entro 5 giorni", Dettaglio: "con lo sconto del 30%", Importo: 15587, Scadenza: civil.New(2026, 11, 30)},
			{Etichetta: "Entro 60 giorni", Dettaglio: "misura ridotta", Importo: 22267, Scadenza: civil.New(2027, 1, 23)},
		},
		Poi:    &Aumento{Dal: civil.New(2027, 1, 24), Importo: 44334, Motivo: "metà del massimo della sanzione (art. 203 CdS)"},
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
		"155,87 €", "30/11/2026", "222,67 €", "23/01/2027", "443,34 €", "24/01/2027",
		"3010 0000 0000 0123 73", "BANCHE E ALTRI CANALI", "BOLLETTINO POSTALE PA", "12345678")
	renderPage1(t, "avviso", pdf)
}

var mario = &verbali.Persona{CodiceFiscale: "RSSMRA80A01L219M", Nome: "Mario", Cognome: "Rossi"}

// redLight is Mario running a red light at night on 24 November 2026,
// contested on the spot: 30 % off until 30 November, misura ridotta until
// 23 January 2027.
func redLight() verbali.Record {
	return verbali.Record{
		Numero: "2026/PM/000101", Versione: 1, Stato: verbali.StatoContestato,
		DataOra: time.Date(2026, 11, 24, 23, 40, 0, 0, civil.Rome).Format(time.RFC3339), Luogo: "Via Sacchi, Torino",
		Targa: "GH482KL", Violazioni: []verbali.Violazione{{Articolo: "146", Comma: "3"}},
		Trasgressore: mario, Obbligato: mario, DataContestazione: "2026-11-24",
	}
}

func rowOf(t *testing.T, r verbali.Record) store.VerbaleRow {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	row := store.VerbaleRow{Numero: r.Numero, Versione: r.Versione, Stato: string(r.Stato), Targa: r.Targa,
		NAV: "301000000000012373", Record: b}
	if r.Trasgressore != nil {
		row.TrasgressoreCF = r.Trasgressore.CodiceFiscale
	}
	if r.Obbligato != nil {
		row.ObbligatoCF = r.Obbligato.CodiceFiscale
	}
	return row
}

func TestAvvisoFromVerbaleShowsTheAmountsStillOpen(t *testing.T) {
	speeding := redLight()
	speeding.Violazioni = []verbali.Violazione{{Articolo: "142", Comma: "9"}} // licence suspension: no 30 % off
	preavviso := redLight()
	preavviso.Stato, preavviso.DataContestazione, preavviso.SpeseCent = verbali.StatoPreavviso, "", 1385
	preavviso.Violazioni = []verbali.Violazione{{Articolo: "7", Comma: "15"}}

	scenarios := map[string]struct {
		rec     verbali.Record
		today   civil.Date
		opzioni []string // etichetta | importo | scadenza
		poi     string   // dal | importo
	}{
		"within 5 days: both amounts": {redLight(), civil.New(2026, 11, 26),
			[]string{"Entro 5 giorni|155,87 €|30/11/2026", "Entro 60 giorni|222,67 €|23/01/2027"}, "24/01/2027|443,34 €"},
		"last day of the 5": {redLight(), civil.New(2026, 11, 30),
			[]string{"Entro 5 giorni|155,87 €|30/11/2026", "Entro 60 giorni|222,67 €|23/01/2027"}, "24/01/2027|443,34 €"},
		"after 5 days: misura ridotta only": {redLight(), civil.New(2026, 12, 1),
			[]string{"Entro 60 giorni|222,67 €|23/01/2027"}, "24/01/2027|443,34 €"},
		"after 60 days: half the maximum": {redLight(), civil.New(2027, 3, 5),
			[]string{"Importo dovuto|443,34 €|23/07/2027"}, "24/07/2027|487,67 €"},
		"discount excluded": {speeding, civil.New(2026, 11, 26),
			[]string{"Entro 60 giorni|724,00 €|23/01/2027"}, "24/01/2027|1.446,67 €"},
		"pre-notice: no notification costs": {preavviso, civil.New(2026, 11, 26),
			[]string{"Entro 5 giorni|18,20 €|30/11/2026", "Entro 60 giorni|26,00 €|23/01/2027"}, "24/01/2027|51,00 €"},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			a, err := AvvisoFromVerbale(rowOf(t, sc.rec), sc.today, sampleEnte())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range a.Opzioni {
				got = append(got, o.Etichetta+"|"+o.Importo.String()+"|"+o.Scadenza.Italian())
			}
			if !slices.Equal(got, sc.opzioni) {
				t.Errorf("opzioni = %q, want %q", got, sc.opzioni)
			}
			if a.Poi == nil || a.Poi.Dal.Italian()+"|"+a.Poi.Importo.String() != sc.poi {
				t.Errorf("poi = %+v, want %s", a.Poi, sc.poi)
			}
			if a.Destinatario != (Persona{Nome: "Mario Rossi", CodiceFiscale: mario.CodiceFiscale}) || a.NAV.String() != "301000000000012373" {
				t.Errorf("destinatario %+v, NAV %s", a.Destinatario, a.NAV)
			}
			if !strings.HasPrefix(a.Oggetto, "Verbale n. 2026/PM/000101 del 24/11/2026 - art. ") || !strings.HasSuffix(a.Oggetto, "CdS - targa GH482KL") {
				t.Errorf("oggetto = %q", a.Oggetto)
			}
		})
	}
}

func TestAvvisoFromVerbaleRefusesWhatPagoPACannotCollect(t *testing.T) {
	paidHere := rowOf(t, redLight())
	paidHere.PaidCents, paidHere.PaidAt = 15587, "2026-11-25T10:00:00Z"
	scenarios := map[string]store.VerbaleRow{
		verbali.FasePagato:     paidHere,
		verbali.FaseRicorso:    rowOf(t, withStato(verbali.StatoRicorso)),
		verbali.FaseRateizzato: rowOf(t, withStato(verbali.StatoRateizzato)),
		verbali.FaseCoattivo:   rowOf(t, withStato(verbali.StatoCoattivo)),
		verbali.FaseArchiviato: rowOf(t, withStato(verbali.StatoArchiviato)),
	}
	for fase, row := range scenarios {
		t.Run(fase, func(t *testing.T) {
			_, err := AvvisoFromVerbale(row, civil.New(2026, 11, 26), sampleEnte())
			var np *NotPayableError
			if !errors.As(err, &np) || np.Fase != fase || np.Motivo == "" {
				t.Errorf("err = %v, want NotPayableError for %s", err, fase)
			}
		})
	}
}

func withStato(s verbali.Stato) verbali.Record {
	r := redLight()
	r.Stato = s
	return r
}

func TestAvvisoPagamentoAfterSixtyDaysHasOneAmountAndNoBulletin(t *testing.T) {
	a, err := AvvisoFromVerbale(rowOf(t, redLight()), civil.New(2027, 3, 5), sampleEnte())
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := AvvisoPagamento(a)
	if err != nil {
		t.Fatal(err)
	}
	if n := pages(t, pdf); n != 1 {
		t.Errorf("%d pages, want 1 without a postal account", n)
	}
	text := pdfText(t, "avviso-oltre-60", pdf)
	mustContain(t, text, "IMPORTO DOVUTO, METÀ DEL MASSIMO", "443,34 €", "23/07/2027", "487,67 €", "24/07/2027",
		"3010 0000 0000 0123 73")
	for _, stale := range []string{"155,87", "222,67", "BOLLETTINO POSTALE"} {
		if strings.Contains(text, stale) {
			t.Errorf("the notice still shows %q", stale)
		}
	}
	renderPage1(t, "avviso-oltre-60", pdf)
}

func TestAvvisoPagamentoRefusesIncompleteData(t *testing.T) {
	for name, change := range map[string]func(*AvvisoData){
		"no notice number": func(d *AvvisoData) { d.NAV = pagopa.NoticeNumber{} },
		"no amount":        func(d *AvvisoData) { d.Opzioni = nil },
		"no creditor":      func(d *AvvisoData) { d.Ente.CodiceFiscale = "" },
	} {
		d := sampleAvviso()
		change(&d)
		if _, err := AvvisoPagamento(d); !errors.Is(err, ErrAvvisoIncompleto) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
