package documenti

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// OpzionePagamento is one way to settle the notice: an amount and the last
// day it holds.
type OpzionePagamento struct {
	Etichetta string      // "Entro 5 giorni"
	Dettaglio string      // "con lo sconto del 30%"
	Importo   money.Cents // costs included
	Scadenza  civil.Date  // last day; zero when the amount has no end
}

// Aumento is what the amount becomes once the last option expires.
type Aumento struct {
	Dal     civil.Date
	Importo money.Cents
	Motivo  string // "metà del massimo della sanzione (art. 203 CdS)"
}

// AvvisoData is everything printed on a payment notice.
type AvvisoData struct {
	Ente         EnteInfo
	Destinatario Persona
	Numero       string // the verbale's number
	Oggetto      string // the subject of the payment
	NAV          pagopa.NoticeNumber
	// Opzioni are the amounts still open on Emesso, cheapest first: the
	// 30 % reduction (when allowed and not yet expired) and the misura
	// ridotta; after the 60 days, the one amount due.
	Opzioni []OpzionePagamento
	Poi     *Aumento // nil when nothing is known to follow
	Emesso  civil.Date
}

// NotPayableError says why a verbale has no payment notice, in Italian,
// because the citizen reads it as is.
type NotPayableError struct {
	Fase   string
	Motivo string
}

func (e *NotPayableError) Error() string { return e.Motivo }

var notPayable = map[string]string{
	verbali.FasePagato:     "Questo verbale risulta già pagato: puoi scaricare la quietanza.",
	verbali.FaseRateizzato: "Questo verbale è in un piano di rateizzazione: paga con gli avvisi delle singole rate.",
	verbali.FaseCoattivo:   "Questo verbale è passato alla riscossione coattiva: paga con l'avviso dell'agente della riscossione.",
	verbali.FaseRicorso:    "Il pagamento è sospeso finché il ricorso non è deciso.",
	verbali.FaseArchiviato: "Questo verbale è archiviato: non c'è nulla da pagare.",
}

// AvvisoFromVerbale computes the notice of a stored verbale on today, with
// the amounts of internal/cds as the statement shows them. A verbale that
// cannot be paid with pagoPA today (paid, in instalments, at the collector,
// under appeal, archived) gives a *NotPayableError.
func AvvisoFromVerbale(row store.VerbaleRow, today civil.Date, ente EnteInfo) (AvvisoData, error) {
	rec, err := verbali.FromRow(row)
	if err != nil {
		return AvvisoData{}, err
	}
	rules := ente.rules()
	dest := debitore(rec)
	st, err := verbali.Statement(dest.CodiceFiscale, []store.VerbaleRow{row}, today,
		verbali.StatementOptions{Rules: rules, CreditorFiscalCode: ente.CodiceFiscale})
	if err != nil {
		return AvvisoData{}, err
	}
	v := st.Verbali[0]
	if !v.Pagabile {
		motivo, ok := notPayable[v.Fase]
		if !ok {
			motivo = "Questo verbale non si può pagare con pagoPA."
		}
		return AvvisoData{}, &NotPayableError{Fase: v.Fase, Motivo: motivo}
	}
	nav, err := pagopa.ParseNoticeNumber(row.NAV)
	if err != nil {
		return AvvisoData{}, fmt.Errorf("verbale %s: notice number: %w", row.Numero, err)
	}
	_, served, err := rec.CDS(rules)
	if err != nil {
		return AvvisoData{}, fmt.Errorf("verbale %s: %w", row.Numero, err)
	}
	terms := rules.Terms(served)
	a := AvvisoData{
		Ente: ente, Destinatario: dest, Numero: row.Numero, Oggetto: oggetto(rec), NAV: nav, Emesso: today,
	}
	if r := v.Importi.Riduzione30Cent; r != nil && !today.After(terms.Reduced30) {
		a.Opzioni = append(a.Opzioni, OpzionePagamento{Etichetta: "Entro 5 giorni", Dettaglio: "con lo sconto del 30%",
			Importo: *r, Scadenza: terms.Reduced30})
	}
	switch {
	case !today.After(terms.Minimum):
		a.Opzioni = append(a.Opzioni, OpzionePagamento{Etichetta: "Entro 60 giorni", Dettaglio: "misura ridotta",
			Importo: v.Importi.MisuraRidottaCent, Scadenza: terms.Minimum})
		a.Poi = &Aumento{Dal: terms.Minimum.AddDays(1), Importo: v.Importi.MetaMassimoCent,
			Motivo: "metà del massimo della sanzione (art. 203 CdS)"}
	default:
		o := OpzionePagamento{Etichetta: "Importo dovuto", Dettaglio: "metà del massimo", Importo: v.ImportoCent}
		if v.Fase == cds.PhaseIncreased.String() {
			o.Dettaglio = "con le maggiorazioni per il ritardo"
		}
		if v.ScadenzaFase != nil {
			o.Scadenza = *v.ScadenzaFase
		}
		a.Opzioni = append(a.Opzioni, o)
		if p := v.ProssimaFase; p != nil {
			a.Poi = &Aumento{Dal: p.DataInizio, Importo: p.ImportoCent,
				Motivo: "maggiorazione del 10% per ogni semestre di ritardo (art. 27 L. 689/1981)"}
		}
	}
	return a, nil
}

// oggetto is the subject printed on the notice: the verbale, its day, the
// articles and the plate, so the person recognises the fine.
func oggetto(r *verbali.Record) string {
	arts := make([]string, 0, len(r.Violazioni))
	for _, v := range r.Violazioni {
		a := "art. " + v.Articolo
		if v.Comma != "" {
			a += " c. " + v.Comma
		}
		arts = append(arts, a)
	}
	s := "Verbale n. " + r.Numero
	if t, err := time.Parse(time.RFC3339, r.DataOra); err == nil {
		s += " del " + civil.FromTime(t).Italian()
	}
	s += " - " + strings.Join(arts, ", ") + " CdS"
	if r.Targa != "" {
		s += " - targa " + r.Targa
	}
	return s
}

// ErrAvvisoIncompleto is returned by AvvisoPagamento for data it cannot
// print: no notice number, no creditor fiscal code, no amount.
var ErrAvvisoIncompleto = errors.New("documenti: avviso di pagamento incompleto")

// AvvisoPagamento draws the payment notice: page 1 follows the pagoPA
// notice (creditor and debtor, how much and by when, where to pay, the
// part for banks and other channels with one QR code per option); page 2,
// when the creditor has a postal account, holds one Poste Italiane bulletin
// per option with its DataMatrix.
func AvvisoPagamento(d AvvisoData) ([]byte, error) {
	if d.NAV.IsZero() || len(d.Opzioni) == 0 || d.Ente.CodiceFiscale == "" {
		return nil, ErrAvvisoIncompleto
	}
	qrs := make([]*pagopa.Symbol, len(d.Opzioni))
	for i, o := range d.Opzioni {
		sym, err := pagopa.QRCode(pagopa.QRPayload{Notice: d.NAV, CreditorFiscalCode: d.Ente.CodiceFiscale, Amount: o.Importo})
		if err != nil {
			return nil, fmt.Errorf("documenti: %w", err)
		}
		qrs[i] = sym
	}
	var dms []*pagopa.Symbol
	if d.Ente.ContoPostale != "" {
		for _, o := range d.Opzioni {
			sym, err := pagopa.DataMatrix(pagopa.PostalPayload{
				Notice: d.NAV, PostalAccount: d.Ente.ContoPostale, Amount: o.Importo,
				CreditorFiscalCode: d.Ente.CodiceFiscale, DebtorFiscalCode: d.Destinatario.CodiceFiscale,
				DebtorName: d.Destinatario.Nome, Subject: d.Oggetto,
			})
			if err != nil {
				return nil, fmt.Errorf("documenti: %w", err)
			}
			dms = append(dms, sym)
		}
	}

	emesso := time.Date(d.Emesso.Year, d.Emesso.Month, d.Emesso.Day, 0, 0, 0, 0, civil.Rome)
	s := newSheet("Avviso di pagamento - verbale n. "+d.Numero, d.Ente.Nome, emesso)
	y := avvisoHeader(s, d)
	y = avvisoParties(s, d, y+4)
	y = avvisoAmounts(s, d, y+6)
	y = avvisoWhere(s, y+5)
	// The part for banks sits at the foot of the page, as on the pagoPA
	// notice, so it can be torn off along the cut line.
	y = max(y+4, pageH-margin-6-bankPartHeight)
	s.cutLine(y)
	avvisoBankPart(s, d, qrs, y+3)
	avvisoFooter(s, d)
	if len(dms) > 0 {
		s.pdf.AddPage()
		avvisoPostalPart(s, d, dms)
		avvisoFooter(s, d)
	}
	return s.bytes()
}

func avvisoHeader(s *sheet, d AvvisoData) float64 {
	s.font("B", 10)
	s.textColor(ink)
	s.text(margin, margin, 140, 5, "L", d.Ente.Nome)
	s.font("", 9)
	s.textColor(grey)
	s.text(margin, margin+5, 140, 4.5, "L", d.Ente.Settore)
	s.font("B", 20)
	s.textColor(ink)
	s.text(margin, margin+11, 140, 9, "L", "AVVISO DI PAGAMENTO")
	s.font("", 10)
	y := s.paragraph(margin, margin+21, 140, 4.6, d.Oggetto)

	s.fillColor(blue)
	s.pdf.RoundedRect(pageW-margin-40, margin, 40, 15, 2, "1234", "F")
	s.font("B", 18)
	s.textColor(white)
	s.text(pageW-margin-40, margin, 40, 15, "C", "pagoPA")
	s.font("", 7)
	s.textColor(grey)
	s.text(pageW-margin-40, margin+16, 40, 3.5, "C", "Violazioni al Codice della Strada")
	return y
}

func avvisoParties(s *sheet, d AvvisoData, y float64) float64 {
	w := (contentW - 4) / 2
	h := 27.0
	box := func(x float64, caption, cf, name string, extra ...string) {
		s.fillColor(tint)
		s.pdf.Rect(x, y, w, h, "F")
		s.font("B", 7.5)
		s.textColor(blue)
		s.text(x+3, y+2, w-6, 4, "L", caption)
		s.font("", 8.5)
		s.textColor(grey)
		s.text(x+3, y+6.5, w-6, 4, "L", "Cod. Fiscale "+cf)
		s.font("B", 11)
		s.textColor(ink)
		s.text(x+3, y+11, w-6, 5.5, "L", name)
		s.font("", 8.5)
		s.textColor(ink)
		for i, e := range extra {
			s.text(x+3, y+17+float64(i)*4, w-6, 4, "L", e)
		}
	}
	var extra []string
	for _, e := range []string{d.Ente.Settore, d.Ente.Info} {
		if e != "" {
			extra = append(extra, e)
		}
	}
	box(margin, "ENTE CREDITORE", d.Ente.CodiceFiscale, d.Ente.Nome, extra...)
	box(margin+w+4, "DESTINATARIO AVVISO", d.Destinatario.CodiceFiscale, d.Destinatario.Nome)
	return y + h
}

func avvisoAmounts(s *sheet, d AvvisoData, y float64) float64 {
	s.sectionTitle(margin, y, contentW, "QUANTO E QUANDO PAGARE?")
	y += 10
	n := float64(len(d.Opzioni))
	w := (contentW - 4*(n-1)) / n
	h := 25.0
	for i, o := range d.Opzioni {
		x := margin + float64(i)*(w+4)
		s.drawColor(blue)
		s.pdf.SetLineWidth(0.5)
		s.pdf.Rect(x, y, w, h, "D")
		s.font("B", 8.5)
		s.textColor(blue)
		s.text(x+3, y+2, w-6, 4.5, "L", strings.ToUpper(o.Etichetta+", "+o.Dettaglio))
		s.font("B", 22)
		s.textColor(ink)
		s.text(x+3, y+7.5, w-6, 10, "L", o.Importo.String())
		s.font("", 9.5)
		if !o.Scadenza.IsZero() {
			s.text(x+3, y+18.5, w-6, 4.5, "L", "entro il "+o.Scadenza.Italian())
		}
	}
	y += h + 3
	var note []string
	if len(d.Opzioni) > 1 {
		note = append(note, "Scegli l'importo in base al giorno in cui paghi: il codice avviso è lo stesso.")
	}
	if d.Poi != nil {
		note = append(note, fmt.Sprintf("Dal %s l'importo sale a %s: %s.", d.Poi.Dal.Italian(), d.Poi.Importo, d.Poi.Motivo))
	}
	note = append(note, "L'importo è aggiornato automaticamente dal sistema: il sito, l'app o l'operatore con cui paghi "+
		"ti chiederanno l'importo dovuto nel giorno del pagamento, che può essere diverso da quello qui indicato. "+
		"Gli importi comprendono le spese di accertamento e notifica.")
	s.font("", 8.5)
	s.textColor(ink)
	return s.paragraph(margin, y, contentW, 4, strings.Join(note, " "))
}

func avvisoWhere(s *sheet, y float64) float64 {
	s.sectionTitle(margin, y, contentW, "DOVE PAGARE?")
	s.font("", 8)
	s.textColor(grey)
	s.text(margin, y, contentW, 6, "R", "Lista dei canali di pagamento su www.pagopa.gov.it")
	y += 9
	w := (contentW - 6) / 2
	col := func(x float64, title, body string) float64 {
		s.font("B", 9)
		s.textColor(ink)
		s.text(x, y, w, 4.5, "L", title)
		s.font("", 8.5)
		return s.paragraph(x, y+5, w, 4, body)
	}
	left := col(margin, "PAGA SUL SITO O CON LE APP",
		"del tuo Ente Creditore (l'area personale del portale), della tua Banca o degli altri canali di pagamento, "+
			"anche con l'app IO. Potrai pagare con carte, conto corrente, CBILL.")
	right := col(margin+w+6, "PAGA SUL TERRITORIO",
		"in tutti gli Uffici Postali, in Banca, in Ricevitoria, dal Tabaccaio, al Bancomat, al Supermercato. "+
			"Potrai pagare in contanti, con carte o conto corrente.")
	return max(left, right)
}

// bankPartHeight is the room the part for banks takes: title, two lines of
// text, the QR codes and the debtor, creditor and subject below them.
const bankPartHeight = 78.0

func avvisoBankPart(s *sheet, d AvvisoData, qrs []*pagopa.Symbol, y float64) {
	s.sectionTitle(margin, y, contentW, "BANCHE E ALTRI CANALI")
	s.font("", 8.5)
	s.textColor(ink)
	intro := "Qui accanto trovi il codice QR e il codice avviso per pagare attraverso il circuito bancario e gli " +
		"altri canali di pagamento abilitati."
	if len(d.Opzioni) > 1 {
		intro += " Inquadra il codice QR dell'importo che paghi."
	}
	y = s.paragraph(margin, y+8, contentW, 4, intro)
	y += 2
	n := float64(len(d.Opzioni))
	w := (contentW - 4*(n-1)) / n
	qrSide := 34.0
	for i, o := range d.Opzioni {
		x := margin + float64(i)*(w+4)
		s.symbol(qrs[i], x, y, qrSide)
		tx, tw := x+qrSide+3, w-qrSide-3
		s.font("B", 8.5)
		s.textColor(blue)
		when := strings.ToUpper(o.Etichetta)
		if !o.Scadenza.IsZero() {
			when = "ENTRO IL " + o.Scadenza.Italian()
		}
		s.text(tx, y+1, tw, 4.5, "L", when)
		s.font("B", 15)
		s.textColor(ink)
		s.text(tx, y+5.5, tw, 7, "L", o.Importo.String())
		yy := s.label(tx, y+13, tw, "Codice avviso", d.NAV.Grouped(), "B", 10.5)
		s.label(tx, yy+1, tw, "Cod. Fiscale Ente Creditore", d.Ente.CodiceFiscale, "B", 9.5)
	}
	y += qrSide + 3
	w3 := (contentW - 8) / 3
	s.label(margin, y, w3, "Destinatario", d.Destinatario.Nome, "", 9)
	s.label(margin+w3+4, y, w3, "Ente Creditore", d.Ente.Nome, "", 9)
	s.label(margin+2*(w3+4), y, w3, "Oggetto del pagamento", d.Oggetto, "", 8)
}

func avvisoPostalPart(s *sheet, d AvvisoData, dms []*pagopa.Symbol) {
	y := margin
	s.sectionTitle(margin, y, contentW, "BOLLETTINO POSTALE PA")
	s.font("", 8.5)
	s.textColor(ink)
	y = s.paragraph(margin, y+8, contentW, 4,
		"Bollettino postale pagabile in tutti gli Uffici Postali e sui canali fisici o digitali abilitati di "+
			"Poste Italiane e dell'Ente Creditore. Usa il bollettino dell'importo che paghi.")
	dmSide := 36.0
	for i, o := range d.Opzioni {
		y += 4
		s.cutLine(y)
		y += 4
		s.font("B", 10)
		s.textColor(blue)
		title := "BOLLETTINO POSTALE PA - " + strings.ToUpper(o.Etichetta)
		if !o.Scadenza.IsZero() {
			title += " (ENTRO IL " + o.Scadenza.Italian() + ")"
		}
		s.text(margin, y, contentW, 5, "L", title)
		y += 7
		top := y
		lw := contentW - dmSide - 8
		half := (lw - 4) / 2
		s.label(margin, y, half, "sul C/C n.", d.Ente.ContoPostale, "B", 12)
		s.label(margin+half+4, y, half, "Euro", o.Importo.Plain(), "B", 12)
		y = s.label(margin, y+11, lw, "Intestato a", d.Ente.intestatario(), "B", 9.5)
		y = s.label(margin, y+1, lw, "Destinatario", d.Destinatario.Nome+" - Cod. Fiscale "+d.Destinatario.CodiceFiscale, "", 9)
		y = s.label(margin, y+1, lw, "Oggetto del pagamento", d.Oggetto, "", 8.5)
		s.label(margin, y+1, half, "Codice avviso", d.NAV.Grouped(), "B", 10.5)
		s.label(margin+half+4, y+1, 12, "Tipo", "P1", "B", 10.5)
		s.label(margin+half+18, y+1, half-14, "Cod. Fiscale Ente Creditore", d.Ente.CodiceFiscale, "B", 10.5)
		s.symbol(dms[i], pageW-margin-dmSide, top, dmSide)
		y = max(y+10, top+dmSide) + 2
	}
}

func avvisoFooter(s *sheet, d AvvisoData) {
	s.font("", 7)
	s.textColor(grey)
	s.text(margin, pageH-margin-3.5, contentW, 3.5, "L",
		fmt.Sprintf("Verbale n. %s - avviso emesso il %s - codice avviso %s", d.Numero, d.Emesso.Italian(), d.NAV))
	s.text(margin, pageH-margin-3.5, contentW, 3.5, "R", fmt.Sprintf("Pagina %d", s.pdf.PageNo()))
}
