package verbali

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/store"
)

// Fasi beyond the cds phases, from the gestionale's state.
const (
	FasePagato     = "pagato"
	FaseRateizzato = "rateizzato"
	FaseCoattivo   = "coattivo"
	FaseRicorso    = "ricorso"
	FaseArchiviato = "archiviato"
)

// Estratto is a citizen's statement of traffic fines on a day (A1).
type Estratto struct {
	Data       civil.Date     `json:"data"`
	TotaleCent money.Cents    `json:"totale_cent"` // everything due today, costs included
	Verbali    []VoceEstratto `json:"verbali"`
}

// ViolazioneEstratto is a violation as the citizen reads it.
type ViolazioneEstratto struct {
	Articolo    string `json:"articolo"`
	Comma       string `json:"comma"`
	Descrizione string `json:"descrizione"`
	Punti       int    `json:"punti"`
}

// Importi are the three amounts of a verbale (A3): with 30 % off (within 5
// days, when allowed), the misura ridotta (within 60 days), and half the
// maximum (after). Costs included.
type Importi struct {
	Riduzione30Cent   *money.Cents `json:"riduzione_30_cent"` // null when the discount is excluded
	MisuraRidottaCent money.Cents  `json:"misura_ridotta_cent"`
	MetaMassimoCent   money.Cents  `json:"meta_massimo_cent"`
}

// ProssimaFase is what the amount becomes after the current phase.
type ProssimaFase struct {
	Fase        string      `json:"fase"`
	DataInizio  civil.Date  `json:"data_inizio"`
	ImportoCent money.Cents `json:"importo_cent"`
}

// Scadenze are the last days to act on a verbale.
type Scadenze struct {
	RicorsoPrefetto        civil.Date `json:"ricorso_prefetto"`
	RicorsoGiudiceDiPace   civil.Date `json:"ricorso_giudice_di_pace"`
	DatiConducente         civil.Date `json:"dati_conducente"`
	RichiestaRateizzazione civil.Date `json:"richiesta_rateizzazione"`
}

// VoceEstratto is one verbale in the statement.
type VoceEstratto struct {
	Numero             string               `json:"numero"`
	Stato              Stato                `json:"stato"`
	DataOra            string               `json:"data_ora"`
	Luogo              string               `json:"luogo"`
	Targa              string               `json:"targa"`
	Ruolo              string               `json:"ruolo"` // trasgressore, obbligato, or both: "trasgressore e obbligato"
	Violazioni         []ViolazioneEstratto `json:"violazioni"`
	Punti              int                  `json:"punti"`
	Fase               string               `json:"fase"`
	ImportoCent        money.Cents          `json:"importo_cent"` // due today
	ScadenzaFase       *civil.Date          `json:"scadenza_fase"`
	ProssimaFase       *ProssimaFase        `json:"prossima_fase"`
	Importi            *Importi             `json:"importi"`
	SpeseCent          money.Cents          `json:"spese_cent"`
	Pagabile           bool                 `json:"pagabile"` // can be paid now with pagoPA
	NAV                string               `json:"nav"`
	QRPagoPA           string               `json:"qr_pagopa,omitempty"`
	Scadenze           *Scadenze            `json:"scadenze"`
	Immagini           []string             `json:"immagini"`
	SanzioniAccessorie []SanzioneAccessoria `json:"sanzioni_accessorie"`
	Pagamento          *Pagamento           `json:"pagamento,omitempty"`
	Coattivo           *Coattivo            `json:"coattivo,omitempty"`
	Avvisi             []string             `json:"avvisi"`
	// ComunicazioneConducente is set for the owner of a verbale with points
	// whose driver was not identified (art. 126-bis c.2).
	ComunicazioneConducente *ComunicazioneConducente `json:"comunicazione_conducente,omitempty"`
}

// ComunicazioneConducente is what the owner must do when the driver was not
// identified: name them by Scadenza (60 days from notification), or pay a
// fine between the two amounts for not doing so.
type ComunicazioneConducente struct {
	Scadenza            civil.Date  `json:"scadenza"`
	SanzioneMinimaCent  money.Cents `json:"sanzione_minima_cent"`
	SanzioneMassimaCent money.Cents `json:"sanzione_massima_cent"`
	// Protocollo and Stato, once the owner has named the driver: the
	// identification's tracking number and state (see /me/comunicazioni).
	Protocollo string `json:"protocollo,omitempty"`
	Stato      string `json:"stato,omitempty"`
}

// StatementOptions configure Statement.
type StatementOptions struct {
	Rules cds.Config
	// CreditorFiscalCode is the city's fiscal code (11 digits), printed in
	// the pagoPA QR payload.
	CreditorFiscalCode string
}

// Statement computes cf's statement on today from the stored verbali.
func Statement(cf string, rows []store.VerbaleRow, today civil.Date, opts StatementOptions) (Estratto, error) {
	e := Estratto{Data: today, Verbali: make([]VoceEstratto, 0, len(rows))}
	for _, row := range rows {
		rec, err := FromRow(row)
		if err != nil {
			return e, err
		}
		v, err := voce(cf, rec, row.NAV, today, opts)
		if err != nil {
			return e, fmt.Errorf("verbale %s: %w", row.Numero, err)
		}
		e.TotaleCent += v.ImportoCent
		e.Verbali = append(e.Verbali, v)
	}
	return e, nil
}

// FromRow decodes a stored verbale. A payment the portal recorded from pagoPA
// counts even before the gestionale sends the updated record. Decoded records
// are cached and share their slices and pointers: read them, never modify.
func FromRow(row store.VerbaleRow) (*Record, error) {
	key := keyOf(row)
	if rec, ok := recordCache.get(key, row.Record); ok {
		return inPlan(row, rec), nil
	}
	var rec Record
	if err := json.Unmarshal(row.Record, &rec); err != nil {
		return nil, fmt.Errorf("verbale %s: stored record: %w", row.Numero, err)
	}
	if row.PaidCents > 0 {
		rec.paidPreavviso = rec.Stato == StatoPreavviso
		rec.Stato = StatoPagato
		paid := row.PaidAt
		if t, err := time.Parse(time.RFC3339, row.PaidAt); err == nil {
			paid = civil.FromTime(t).String()
		}
		rec.Pagamento = &Pagamento{Data: paid, ImportoCent: money.Cents(row.PaidCents)}
	}
	recordCache.put(key, row.Record, rec)
	return inPlan(row, rec), nil
}

// inPlan applies an instalment plan the portal approved (row.Stato
// "rateizzato", see store.MarkPlanned) to a verbale still open in the
// gestionale's record. It works on the copy, so the cache keeps the record.
func inPlan(row store.VerbaleRow, rec Record) *Record {
	if row.Stato == store.PlanStato && aperto[rec.Stato] {
		rec.Stato = StatoRateizzato
	}
	return &rec
}

var aperto = map[Stato]bool{StatoPreavviso: true, StatoContestato: true, StatoNotificato: true}

// served is the day the terms run from: contestation or notification; a
// pre-notice runs from the day of the violation, the terms a citizen gets
// when paying it at once (A4).
func (r *Record) served(at time.Time) (civil.Date, bool) {
	for _, s := range []string{r.DataContestazione, r.DataNotifica} {
		if d, err := civil.Parse(s); err == nil {
			return d, true
		}
	}
	if r.Stato == StatoPreavviso || r.paidPreavviso {
		return civil.FromTime(at), true
	}
	return civil.Date{}, false
}

// CDS turns the record into the rules engine's verbale. A pre-notice carries
// no notification costs (A4).
func (r *Record) CDS(rules cds.Config) (cds.Verbale, civil.Date, error) {
	at, err := time.Parse(time.RFC3339, r.DataOra)
	if err != nil {
		return cds.Verbale{}, civil.Date{}, err
	}
	served, ok := r.served(at)
	if !ok {
		return cds.Verbale{}, civil.Date{}, errors.New("no contestation or notification date")
	}
	v := cds.Verbale{At: at, Served: served, Costs: r.SpeseCent}
	if r.Stato == StatoPreavviso {
		v.Costs = 0
	}
	day := civil.FromTime(at)
	for _, x := range r.Violazioni {
		t, err := rules.Lookup(x.Articolo, x.Comma, day)
		if err != nil && x.MinimoCent == nil {
			return v, served, err
		}
		if err != nil {
			t = cds.Tariff{Article: x.Articolo, Comma: x.Comma}
		}
		// The gestionale's amounts win over the table (they may reflect a
		// repeat offence or a special case the table does not model).
		if x.MinimoCent != nil {
			t.Min, t.Max = *x.MinimoCent, *x.MassimoCent
		}
		if x.Punti != nil {
			t.Points = *x.Punti
		}
		if x.Descrizione != "" {
			t.Description = x.Descrizione
		}
		v.Violations = append(v.Violations, cds.Violation{Tariff: t, UnpaidTariff: x.TariffaNonPagataCent})
	}
	return v, served, nil
}

func voce(cf string, r *Record, nav string, today civil.Date, opts StatementOptions) (VoceEstratto, error) {
	v := VoceEstratto{
		Numero: r.Numero, Stato: r.Stato, DataOra: r.DataOra, Luogo: r.Luogo, Targa: r.Targa,
		Ruolo: ruolo(cf, r), NAV: nav, SpeseCent: r.SpeseCent,
		Immagini: nonNil(r.Immagini), SanzioniAccessorie: nonNil(r.SanzioniAccessorie),
		Pagamento: r.Pagamento, Coattivo: r.Coattivo, Avvisi: []string{},
	}
	cv, served, err := r.CDS(opts.Rules)
	if err != nil && r.Stato != StatoArchiviato {
		return v, err
	}
	for _, x := range cv.Violations {
		v.Violazioni = append(v.Violazioni, ViolazioneEstratto{
			Articolo: x.Tariff.Article, Comma: x.Tariff.Comma, Descrizione: x.Tariff.Description, Punti: x.Tariff.Points,
		})
	}
	v.Punti = cds.PointsDeduction(cv, r.Neopatentato)
	if r.Stato == StatoPreavviso {
		v.SpeseCent = 0
	}
	if err == nil {
		if v.Importi, err = importi(opts.Rules, cv, served); err != nil {
			return v, err
		}
		d := opts.Rules.Deadlines(served, false)
		v.Scadenze = &Scadenze{
			RicorsoPrefetto: d.Prefetto, RicorsoGiudiceDiPace: d.GiudiceDiPace,
			DatiConducente: d.DriverData, RichiestaRateizzazione: d.InstalmentRequest,
		}
		if r.Trasgressore == nil && r.Obbligato != nil && v.Punti > 0 && r.Stato != StatoArchiviato {
			if fine, err := opts.Rules.DriverDataFine(d.DriverData); err == nil {
				v.ComunicazioneConducente = &ComunicazioneConducente{Scadenza: d.DriverData,
					SanzioneMinimaCent: fine.Min, SanzioneMassimaCent: fine.Max}
			}
		}
	}

	switch r.Stato {
	case StatoPagato:
		v.Fase = FasePagato
	case StatoArchiviato:
		v.Fase = FaseArchiviato
	case StatoRicorso:
		v.Fase = FaseRicorso
		v.Avvisi = append(v.Avvisi, "Il pagamento è sospeso finché il ricorso non è deciso.")
	case StatoRateizzato:
		v.Fase = FaseRateizzato
		if r.ResiduoCent != nil {
			v.ImportoCent = *r.ResiduoCent
		} else {
			v.ImportoCent = v.Importi.MisuraRidottaCent
		}
	case StatoCoattivo:
		v.Fase = FaseCoattivo
		a, err := opts.Rules.AmountDue(cv, today)
		if err != nil {
			return v, err
		}
		v.ImportoCent = a.Total
		if r.Coattivo != nil && r.Coattivo.ImportoCent > 0 {
			v.ImportoCent = r.Coattivo.ImportoCent
		}
		v.Avvisi = append(v.Avvisi, "Il verbale è passato alla riscossione coattiva: paga con l'avviso dell'agente della riscossione.")
	default:
		a, err := opts.Rules.AmountDue(cv, today)
		if err != nil {
			return v, err
		}
		v.Fase, v.ImportoCent, v.Pagabile = a.Phase.String(), a.Total, true
		if !a.PhaseEnd.IsZero() {
			end := a.PhaseEnd
			v.ScadenzaFase = &end
		}
		if a.HasNext {
			next, err := opts.Rules.AmountDue(cv, a.NextFrom)
			if err != nil {
				return v, err
			}
			v.ProssimaFase = &ProssimaFase{Fase: a.Next.String(), DataInizio: a.NextFrom, ImportoCent: next.Total}
		}
		if opts.CreditorFiscalCode != "" && nav != "" {
			v.QRPagoPA = fmt.Sprintf("PAGOPA|002|%s|%s|%d", nav, opts.CreditorFiscalCode, int64(v.ImportoCent))
		}
	}
	return v, nil
}

// importi computes the three amounts on the first day of each phase.
func importi(rules cds.Config, v cds.Verbale, served civil.Date) (*Importi, error) {
	terms := rules.Terms(served)
	first, err := rules.AmountDue(v, served)
	if err != nil {
		return nil, err
	}
	min, err := rules.AmountDue(v, terms.Minimum)
	if err != nil {
		return nil, err
	}
	half, err := rules.AmountDue(v, terms.Minimum.AddDays(1))
	if err != nil {
		return nil, err
	}
	imp := &Importi{MisuraRidottaCent: min.Total, MetaMassimoCent: half.Total}
	if first.Phase == cds.PhaseReduced30 && first.Total < min.Total {
		t := first.Total
		imp.Riduzione30Cent = &t
	}
	return imp, nil
}

func ruolo(cf string, r *Record) string {
	off := r.Trasgressore != nil && r.Trasgressore.CodiceFiscale == cf
	own := r.Obbligato != nil && r.Obbligato.CodiceFiscale == cf
	switch {
	case off && own:
		return "trasgressore e obbligato"
	case own:
		return "obbligato"
	default:
		return "trasgressore"
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
