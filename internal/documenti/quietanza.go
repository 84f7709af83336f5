package documenti

import (
	"errors"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// QuietanzaData is everything printed on the receipt of a payment.
type QuietanzaData struct {
	Ente       EnteInfo
	Debitore   Persona
	Numero     string // the verbale's number
	Oggetto    string
	NAV        pagopa.NoticeNumber // zero when the payment did not go through pagoPA
	Importo    money.Cents
	PagatoIl   time.Time // printed in Europe/Rome
	SoloData   bool      // the time of day is not known: print the date only
	PSP        string    // the payment service provider; "" when unknown
	Ricevuta   string    // the pagoPA receipt id (receiptId); "" when none
	Emessa     time.Time // when the document was produced
	Registrato string    // who recorded the payment, when not pagoPA
}

// ErrNotPaid is returned when a verbale has no payment to give a receipt for.
var ErrNotPaid = errors.New("documenti: nessun pagamento registrato per il verbale")

// QuietanzaFromPayment builds the receipt of a pagoPA payment the portal
// recorded (store.Payment, from the node's receipt) for the verbale row.
func QuietanzaFromPayment(row store.VerbaleRow, p store.Payment, ente EnteInfo, now time.Time) (QuietanzaData, error) {
	rec, err := verbali.FromRow(row)
	if err != nil {
		return QuietanzaData{}, err
	}
	nav, err := pagopa.ParseNoticeNumber(p.NAV)
	if err != nil {
		return QuietanzaData{}, fmt.Errorf("payment %s: notice number: %w", p.ReceiptID, err)
	}
	return QuietanzaData{
		Ente: ente, Debitore: debitore(rec), Numero: row.Numero, Oggetto: oggetto(rec), NAV: nav,
		Importo: money.Cents(p.AmountCents), PagatoIl: p.PaidAt, PSP: p.PSP, Ricevuta: p.ReceiptID, Emessa: now,
	}, nil
}

// QuietanzaFromVerbale builds the receipt of a payment the gestionale
// reports (paid at the counter, by bank transfer, before the portal
// existed): it knows the day and the amount only. ErrNotPaid when the
// record holds no payment.
func QuietanzaFromVerbale(row store.VerbaleRow, ente EnteInfo, now time.Time) (QuietanzaData, error) {
	rec, err := verbali.FromRow(row)
	if err != nil {
		return QuietanzaData{}, err
	}
	if rec.Pagamento == nil || rec.Pagamento.ImportoCent <= 0 {
		return QuietanzaData{}, ErrNotPaid
	}
	day, err := civil.Parse(rec.Pagamento.Data)
	if err != nil {
		return QuietanzaData{}, fmt.Errorf("verbale %s: payment date: %w", row.Numero, err)
	}
	return QuietanzaData{
		Ente: ente, Debitore: debitore(rec), Numero: row.Numero, Oggetto: oggetto(rec),
		Importo: rec.Pagamento.ImportoCent, PagatoIl: time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, civil.Rome),
		SoloData: true, Emessa: now, Registrato: ente.Settore,
	}, nil
}

// Quietanza draws the receipt: who paid what, for which verbale, when, and
// through whom, on one A4 page.
func Quietanza(d QuietanzaData) ([]byte, error) {
	if d.Importo <= 0 || d.PagatoIl.IsZero() || d.Numero == "" {
		return nil, errors.New("documenti: quietanza incompleta")
	}
	s := newSheet("Quietanza di pagamento - verbale n. "+d.Numero, d.Ente.Nome, d.Emessa)
	s.font("B", 10)
	s.textColor(ink)
	s.text(margin, margin, contentW, 5, "L", d.Ente.Nome)
	s.font("", 9)
	s.textColor(grey)
	s.text(margin, margin+5, contentW, 4.5, "L", d.Ente.Settore)
	s.font("B", 20)
	s.textColor(ink)
	s.text(margin, margin+11, contentW, 9, "L", "QUIETANZA DI PAGAMENTO")
	s.font("", 10)
	s.textColor(grey)
	sub := "Ricevuta del pagamento eseguito con pagoPA"
	if d.NAV.IsZero() {
		sub = "Attestazione del pagamento registrato dall'ente"
	}
	s.text(margin, margin+20, contentW, 5, "L", sub)

	y := margin + 30.0
	s.fillColor(tint)
	s.pdf.Rect(margin, y, contentW, 24, "F")
	s.font("B", 8)
	s.textColor(blue)
	s.text(margin+4, y+3, 80, 4, "L", "IMPORTO PAGATO")
	s.font("B", 24)
	s.textColor(ink)
	s.text(margin+4, y+8, 90, 11, "L", d.Importo.String())
	s.font("B", 8)
	s.textColor(blue)
	s.text(margin+100, y+3, 80, 4, "L", "DATA DEL PAGAMENTO")
	s.font("B", 14)
	s.textColor(ink)
	s.text(margin+100, y+8.5, contentW-104, 7, "L", paidOn(d))
	s.font("", 8)
	s.textColor(grey)
	if !d.SoloData {
		s.text(margin+100, y+16, contentW-104, 4, "L", "ora italiana (Europe/Rome)")
	}

	y += 32
	s.sectionTitle(margin, y, contentW, "DETTAGLI DEL PAGAMENTO")
	y += 10
	rows := [][2]string{
		{"Verbale n.", d.Numero},
		{"Oggetto", d.Oggetto},
		{"Debitore", d.Debitore.Nome + " - Cod. Fiscale " + d.Debitore.CodiceFiscale},
	}
	if !d.NAV.IsZero() {
		rows = append(rows,
			[2]string{"Codice avviso (NAV)", d.NAV.Grouped()},
			[2]string{"Identificativo univoco (IUV)", d.NAV.IUV()})
	}
	rows = append(rows, [2]string{"Importo pagato", d.Importo.String()})
	when := "Data e ora del pagamento"
	if d.SoloData {
		when = "Data del pagamento"
	}
	rows = append(rows, [2]string{when, paidOn(d)})
	if d.PSP != "" {
		rows = append(rows, [2]string{"Prestatore del servizio (PSP)", d.PSP})
	}
	if d.Ricevuta != "" {
		rows = append(rows, [2]string{"Identificativo della ricevuta", d.Ricevuta})
	}
	if d.Registrato != "" {
		rows = append(rows, [2]string{"Pagamento registrato da", d.Registrato})
	}
	benef := d.Ente.Nome + " - Cod. Fiscale " + d.Ente.CodiceFiscale
	if d.Ente.IBAN != "" && !d.NAV.IsZero() {
		benef += " - IBAN " + d.Ente.IBAN
	}
	rows = append(rows, [2]string{"Beneficiario", benef})
	rows = append(rows, [2]string{"Esito", "Pagamento eseguito"})

	labelW, valueW := 62.0, contentW-62
	for _, r := range rows {
		s.font("", 9)
		s.textColor(grey)
		n := s.lines(labelW-2, r[0])
		s.paragraph(margin, y, labelW-2, 5, r[0])
		s.font("B", 10)
		s.textColor(ink)
		n = max(n, s.lines(valueW, r[1]))
		s.paragraph(margin+labelW, y, valueW, 5, r[1])
		y += float64(n)*5 + 1.5
		s.drawColor(rule)
		s.pdf.SetLineWidth(0.1)
		s.pdf.Line(margin, y-0.75, pageW-margin, y-0.75)
	}

	y += 6
	s.font("", 9)
	s.textColor(ink)
	note := "Questa quietanza attesta il pagamento registrato dall'ente con la ricevuta telematica di pagoPA. " +
		"Conservala insieme al verbale."
	if d.NAV.IsZero() {
		note = "Questa attestazione riporta il pagamento come registrato dall'ente. Conservala insieme al verbale."
	}
	s.paragraph(margin, y, contentW, 4.5, note)

	s.font("", 7)
	s.textColor(grey)
	emessa := d.Emessa.In(civil.Rome)
	s.text(margin, pageH-margin-3.5, contentW, 3.5, "L", fmt.Sprintf("Verbale n. %s - documento generato il %s alle %s",
		d.Numero, civil.FromTime(emessa).Italian(), emessa.Format("15:04")))
	return s.bytes()
}

// paidOn is the moment of payment as the citizen reads it, in Rome.
func paidOn(d QuietanzaData) string {
	t := d.PagatoIl.In(civil.Rome)
	if d.SoloData {
		return civil.FromTime(t).Italian()
	}
	return civil.FromTime(t).Italian() + " alle " + t.Format("15:04:05")
}
