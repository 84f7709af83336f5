package calcolo

import (
	"errors"
	"fmt"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Limits on requests: far above any real fine, low enough that no sum can
// overflow and no request can make the server work hard.
const (
	MaxViolazioni             = 20
	maxCent       money.Cents = 10_000_000_000 // € 100 milioni
	maxPunti                  = 20
	// maxFasi bounds the timeline even with an absurd late-increase cap
	// (three phases plus one per semester up to 1000 %).
	maxFasi = 3 + 100
)

// ImportoRequest is the body of "calcola importo".
type ImportoRequest struct {
	Violazioni        []Violazione `json:"violazioni"`
	DataOraViolazione string       `json:"data_ora_violazione"`          // RFC 3339, e.g. 2026-03-09T23:10:00+01:00
	DataNotifica      string       `json:"data_notifica,omitempty"`      // YYYY-MM-DD; or
	DataContestazione string       `json:"data_contestazione,omitempty"` // YYYY-MM-DD
	SpeseCent         money.Cents  `json:"spese_cent"`
	DataPagamento     string       `json:"data_pagamento,omitempty"` // YYYY-MM-DD; default: today
	Neopatentato      bool         `json:"neopatentato"`
}

// Violazione is one violation: either looked up by Articolo and Comma, or
// given explicitly with MinimoCent and MassimoCent (and optionally Punti,
// SospensionePatente, MaggiorazioneNotturna). MaggiorazioneNotturna says
// the article is among those of art. 195 c.2-bis: the surcharge is applied
// only if data_ora_violazione falls between 22:00 and 07:00.
type Violazione struct {
	Articolo              string       `json:"articolo,omitempty"`
	Comma                 string       `json:"comma,omitempty"`
	MinimoCent            *money.Cents `json:"minimo_cent,omitempty"`
	MassimoCent           *money.Cents `json:"massimo_cent,omitempty"`
	Punti                 *int         `json:"punti,omitempty"`
	SospensionePatente    *bool        `json:"sospensione_patente,omitempty"`
	MaggiorazioneNotturna *bool        `json:"maggiorazione_notturna,omitempty"`
	// TariffaNonPagataCent is the unpaid parking or ZTL tariff (L.
	// 177/2024), added to the fine as it is.
	TariffaNonPagataCent money.Cents `json:"tariffa_non_pagata_cent,omitempty"`
}

// ImportoResponse is what a verbale costs on DataPagamento, and why.
type ImportoResponse struct {
	ImportoCent          money.Cents `json:"importo_cent"` // total due: sanzione + tariffa + spese
	Importo              string      `json:"importo"`      // the same, formatted: "52,20 €"
	SanzioneCent         money.Cents `json:"sanzione_cent"`
	TariffaNonPagataCent money.Cents `json:"tariffa_non_pagata_cent"`
	SpeseCent            money.Cents `json:"spese_cent"`
	DataPagamento        civil.Date  `json:"data_pagamento"`
	Fase                 string      `json:"fase"` // riduzione_30, misura_ridotta, meta_massimo, maggiorata
	// MaggiorazionePercento is the late increase applied (fase maggiorata).
	MaggiorazionePercento int64 `json:"maggiorazione_percento"`
	// ScadenzaFase is the last day of the phase, after any holiday shift;
	// null when the phase has no end (late increase at its cap).
	ScadenzaFase *civil.Date `json:"scadenza_fase"`
	// ProssimaFase is what paying after ScadenzaFase costs; null if none.
	ProssimaFase *Fase `json:"prossima_fase"`
	// Fasi is the whole timeline from contestation or notification.
	Fasi        []Fase                `json:"fasi"`
	Punti       int                   `json:"punti"`
	Violazioni  []ViolazioneCalcolata `json:"violazioni"`
	Scadenze    Scadenze              `json:"scadenze"`
	Spiegazione []string              `json:"spiegazione"`
	Avvisi      []string              `json:"avvisi"` // things to check, may be empty
}

// Fase is a stage of the amount over time.
type Fase struct {
	Fase                  string      `json:"fase"`
	DataInizio            civil.Date  `json:"data_inizio"`
	DataFine              *civil.Date `json:"data_fine"` // null when open-ended
	ImportoCent           money.Cents `json:"importo_cent"`
	SanzioneCent          money.Cents `json:"sanzione_cent"`
	MaggiorazionePercento int64       `json:"maggiorazione_percento"`
}

// ViolazioneCalcolata is one violation as the calculation saw it.
type ViolazioneCalcolata struct {
	Articolo              string      `json:"articolo,omitempty"`
	Comma                 string      `json:"comma,omitempty"`
	Descrizione           string      `json:"descrizione,omitempty"`
	MinimoCent            money.Cents `json:"minimo_cent"`
	MassimoCent           money.Cents `json:"massimo_cent"`
	MaggiorazioneNotturna bool        `json:"maggiorazione_notturna"` // applied
	RiduzioneEsclusa      bool        `json:"riduzione_esclusa"`      // no 30 % (suspension or confiscation)
	SanzioneCent          money.Cents `json:"sanzione_cent"`          // in the current phase, before any late increase
	Punti                 int         `json:"punti"`
	DaVerificare          bool        `json:"da_verificare"` // amounts not yet confirmed
}

// Scadenze are the other deadlines that run from the same day.
type Scadenze struct {
	RicorsoPrefetto        civil.Date `json:"ricorso_prefetto"`
	RicorsoGiudiceDiPace   civil.Date `json:"ricorso_giudice_di_pace"`
	DatiConducente         civil.Date `json:"dati_conducente"`
	RichiestaRateizzazione civil.Date `json:"richiesta_rateizzazione"`
}

// Calcolatore computes with a given configuration of the rules engine.
type Calcolatore struct {
	Config cds.Config
}

var standard = Calcolatore{Config: cds.DefaultConfig()}

// Importo computes a verbale's amount with the default configuration
// (Turin). today is used when the request has no data_pagamento.
func Importo(req ImportoRequest, today civil.Date) (ImportoResponse, error) {
	return standard.Importo(req, today)
}

// Importo computes what the verbale in req costs on data_pagamento (or
// today), with the timeline, the deadlines and the explanation.
func (c Calcolatore) Importo(req ImportoRequest, today civil.Date) (ImportoResponse, error) {
	in, err := c.parseImporto(req, today)
	if err != nil {
		return ImportoResponse{}, err
	}
	a, err := c.Config.AmountDue(in.verbale, in.pay)
	if err != nil {
		return ImportoResponse{}, engineError(err)
	}
	res := ImportoResponse{
		ImportoCent:           a.Total,
		Importo:               a.Total.String(),
		SanzioneCent:          a.Sanction,
		TariffaNonPagataCent:  a.UnpaidTariff,
		SpeseCent:             a.Costs,
		DataPagamento:         in.pay,
		Fase:                  a.Phase.String(),
		MaggiorazionePercento: a.LateIncreasePercent,
		Punti:                 cds.PointsDeduction(in.verbale, req.Neopatentato),
		Spiegazione:           c.spiegazione(in, a),
		Avvisi:                c.avvisi(in),
	}
	if !a.PhaseEnd.IsZero() {
		end := a.PhaseEnd
		res.ScadenzaFase = &end
	}
	if res.Fasi, err = c.fasi(in.verbale); err != nil {
		return ImportoResponse{}, err
	}
	if a.HasNext {
		for _, f := range res.Fasi {
			if f.DataInizio == a.NextFrom {
				res.ProssimaFase = &f
				break
			}
		}
	}
	for i, l := range a.Lines {
		t := in.verbale.Violations[i].Tariff
		res.Violazioni = append(res.Violazioni, ViolazioneCalcolata{
			Articolo: t.Article, Comma: t.Comma, Descrizione: t.Description,
			MinimoCent: l.Min, MassimoCent: l.Max,
			MaggiorazioneNotturna: l.Night, RiduzioneEsclusa: l.DiscountExcluded,
			SanzioneCent: l.Due, Punti: t.Points, DaVerificare: t.Unverified,
		})
	}
	d := c.Config.Deadlines(in.verbale.Served, false)
	res.Scadenze = Scadenze{
		RicorsoPrefetto:        d.Prefetto,
		RicorsoGiudiceDiPace:   d.GiudiceDiPace,
		DatiConducente:         d.DriverData,
		RichiestaRateizzazione: d.InstalmentRequest,
	}
	return res, nil
}

// fasi walks the timeline from the day of service to the end of the late
// increase: 3 + 6 phases with the default cap of 60 %.
func (c Calcolatore) fasi(v cds.Verbale) ([]Fase, error) {
	var out []Fase
	day := v.Served
	for {
		a, err := c.Config.AmountDue(v, day)
		if err != nil {
			return nil, engineError(err)
		}
		f := Fase{
			Fase: a.Phase.String(), DataInizio: day,
			ImportoCent: a.Total, SanzioneCent: a.Sanction, MaggiorazionePercento: a.LateIncreasePercent,
		}
		if !a.PhaseEnd.IsZero() {
			end := a.PhaseEnd
			f.DataFine = &end
		}
		out = append(out, f)
		if !a.HasNext || len(out) >= maxFasi {
			return out, nil
		}
		day = a.NextFrom
	}
}

type importoInput struct {
	verbale cds.Verbale
	pay     civil.Date
	served  string // "notifica" or "contestazione", for the explanation
	labels  []string
}

func (c Calcolatore) parseImporto(req ImportoRequest, today civil.Date) (importoInput, error) {
	var in importoInput
	switch n := len(req.Violazioni); {
	case n == 0:
		return in, errorf(ViolazioniMancanti, "Indica almeno una violazione in \"violazioni\".")
	case n > MaxViolazioni:
		return in, errorf(TroppeViolazioni, "Puoi indicare al massimo %d violazioni per verbale.", MaxViolazioni)
	}
	if req.DataOraViolazione == "" {
		return in, errorf(DataMancante, "Indica data e ora della violazione in \"data_ora_violazione\".")
	}
	at, err := time.Parse(time.RFC3339, req.DataOraViolazione)
	if err != nil {
		return in, errorf(DataNonValida, "\"data_ora_violazione\" non è valida: usa il formato 2026-03-09T23:10:00+01:00.")
	}
	committed := civil.FromTime(at)
	if committed.Year < minYear || committed.Year > maxYear {
		return in, errorf(DataNonValida, "\"data_ora_violazione\" deve essere tra il %d e il %d.", minYear, maxYear)
	}

	switch {
	case req.DataNotifica != "" && req.DataContestazione != "":
		return in, errorf(DateIncoerenti, "Indica solo una tra \"data_notifica\" e \"data_contestazione\".")
	case req.DataNotifica != "":
		in.served = "notifica"
		in.verbale.Served, err = parseDate("data_notifica", req.DataNotifica)
	case req.DataContestazione != "":
		in.served = "contestazione"
		in.verbale.Served, err = parseDate("data_contestazione", req.DataContestazione)
	default:
		return in, errorf(DataMancante, "Indica \"data_notifica\" oppure \"data_contestazione\".")
	}
	if err != nil {
		return in, err
	}
	if in.verbale.Served.Before(committed) {
		return in, errorf(DateIncoerenti, "La data di %s è precedente alla violazione: controlla le date.", in.served)
	}

	in.pay = today
	if req.DataPagamento != "" {
		if in.pay, err = parseDate("data_pagamento", req.DataPagamento); err != nil {
			return in, err
		}
	} else if !today.IsValid() {
		return in, errors.New("calcolo: no data_pagamento and no valid today from the caller")
	}
	if in.pay.Before(committed) {
		return in, errorf(DateIncoerenti, "La data di pagamento è precedente alla violazione: controlla le date.")
	}

	if req.SpeseCent < 0 || req.SpeseCent > maxCent {
		return in, errorf(ImportoNonValido, "\"spese_cent\" deve essere tra 0 e %d.", maxCent)
	}
	in.verbale.At, in.verbale.Costs = at, req.SpeseCent
	for i, v := range req.Violazioni {
		vi, label, err := c.violation(i+1, v, committed)
		if err != nil {
			return in, err
		}
		in.verbale.Violations = append(in.verbale.Violations, vi)
		in.labels = append(in.labels, label)
	}
	return in, nil
}

func (c Calcolatore) violation(n int, v Violazione, day civil.Date) (cds.Violation, string, error) {
	byArticle := v.Articolo != "" || v.Comma != ""
	explicit := v.MinimoCent != nil || v.MassimoCent != nil || v.Punti != nil ||
		v.SospensionePatente != nil || v.MaggiorazioneNotturna != nil
	var t cds.Tariff
	var label string
	switch {
	case byArticle && explicit:
		return cds.Violation{}, "", errorf(ViolazioneNonValida, "Violazione %d: indica articolo e comma oppure gli importi, non entrambi.", n)
	case byArticle:
		var err error
		if t, err = c.Config.Lookup(v.Articolo, v.Comma, day); err != nil {
			switch {
			case errors.Is(err, cds.ErrNotInForce):
				return cds.Violation{}, "", errorf(TariffaNonInVigore, "Violazione %d: non abbiamo gli importi dell'art. %s comma %s in vigore il %s. Indica minimo e massimo scritti sul verbale.", n, v.Articolo, v.Comma, day.Italian())
			default:
				return cds.Violation{}, "", errorf(ArticoloSconosciuto, "Violazione %d: non troviamo l'art. %s comma %s. Controlla il verbale o indica minimo e massimo.", n, v.Articolo, v.Comma)
			}
		}
		if t.Criminal {
			return cds.Violation{}, "", errorf(ViolazionePenale, "Violazione %d: l'art. %s comma %s è un reato e non si paga in misura ridotta. Rivolgiti all'ufficio verbali.", n, t.Article, t.Comma)
		}
		label = "Art. " + t.Article
		if t.Comma != "" {
			label += " comma " + t.CommaText
		}
	case v.MinimoCent == nil || v.MassimoCent == nil:
		return cds.Violation{}, "", errorf(ViolazioneNonValida, "Violazione %d: indica articolo e comma, oppure \"minimo_cent\" e \"massimo_cent\".", n)
	default:
		t.Min, t.Max = *v.MinimoCent, *v.MassimoCent
		if t.Min <= 0 || t.Max < t.Min || t.Max > maxCent {
			return cds.Violation{}, "", errorf(ImportoNonValido, "Violazione %d: il minimo deve essere maggiore di zero e non superiore al massimo.", n)
		}
		if v.Punti != nil {
			if *v.Punti < 0 || *v.Punti > maxPunti {
				return cds.Violation{}, "", errorf(PuntiNonValidi, "Violazione %d: i punti devono essere tra 0 e %d.", n, maxPunti)
			}
			t.Points = *v.Punti
		}
		t.Suspension = v.SospensionePatente != nil && *v.SospensionePatente
		t.NightSurcharge = v.MaggiorazioneNotturna != nil && *v.MaggiorazioneNotturna
		label = fmt.Sprintf("Violazione %d (importi indicati da te)", n)
	}
	if v.TariffaNonPagataCent < 0 || v.TariffaNonPagataCent > maxCent {
		return cds.Violation{}, "", errorf(ImportoNonValido, "Violazione %d: \"tariffa_non_pagata_cent\" deve essere tra 0 e %d.", n, maxCent)
	}
	return cds.Violation{Tariff: t, UnpaidTariff: v.TariffaNonPagataCent}, label, nil
}

// Dates must fall in these years: wide enough for any real fine, narrow
// enough that every deadline and instalment computed from them (up to five
// years of late increase or sixty monthly instalments) still prints as
// YYYY-MM-DD.
const minYear, maxYear = 1990, 2200

func parseDate(field, s string) (civil.Date, error) {
	d, err := civil.Parse(s)
	if err != nil {
		return d, errorf(DataNonValida, "%q non è una data valida: usa il formato AAAA-MM-GG, per esempio 2026-03-10.", field)
	}
	if d.Year < minYear || d.Year > maxYear {
		return d, errorf(DataNonValida, "%q deve essere tra il %d e il %d.", field, minYear, maxYear)
	}
	return d, nil
}

// engineError turns the engine's errors on input into contract errors; the
// input checks above make them unreachable, but a new engine rule must not
// turn into a 500.
func engineError(err error) error {
	switch {
	case errors.Is(err, cds.ErrServedBeforeViolation), errors.Is(err, cds.ErrPaidBeforeViolation):
		return errorf(DateIncoerenti, "Le date non sono in ordine: controlla violazione, notifica e pagamento.")
	case errors.Is(err, cds.ErrCriminal):
		return errorf(ViolazionePenale, "Una delle violazioni è un reato e non si paga in misura ridotta.")
	case errors.Is(err, cds.ErrNoViolations):
		return errorf(ViolazioniMancanti, "Indica almeno una violazione in \"violazioni\".")
	}
	return fmt.Errorf("calcolo: %w", err)
}
