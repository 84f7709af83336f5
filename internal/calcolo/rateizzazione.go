package calcolo

import (
	"fmt"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// RateizzazioneRequest is the body of "calcola rateizzazione".
type RateizzazioneRequest struct {
	ImportoCent         money.Cents `json:"importo_cent"`              // total of the verbale
	RedditoCent         money.Cents `json:"reddito_cent"`              // taxable income of the household
	FamiliariConviventi int         `json:"familiari_conviventi"`      // cohabiting family members
	Rate                *int        `json:"rate,omitempty"`            // instalments wanted: asks for the plan
	DataPrimaRata       string      `json:"data_prima_rata,omitempty"` // YYYY-MM-DD; default: today
}

// RateizzazioneResponse says whether instalments are allowed and, when Rate
// was asked, the plan.
type RateizzazioneResponse struct {
	Ammissibile       bool        `json:"ammissibile"`
	Motivo            string      `json:"motivo,omitempty"` // why not, when not
	MaxRate           int         `json:"max_rate"`
	SogliaRedditoCent money.Cents `json:"soglia_reddito_cent"` // the income limit that applied
	// TassoAnnuoPuntiBase is the yearly interest rate in basis points
	// (450 = 4,50 %).
	TassoAnnuoPuntiBase int64       `json:"tasso_annuo_punti_base"`
	Rate                int         `json:"rate,omitempty"`
	Piano               []Rata      `json:"piano,omitempty"`
	TotaleInteressiCent money.Cents `json:"totale_interessi_cent,omitempty"`
	TotaleCent          money.Cents `json:"totale_cent,omitempty"`
	Spiegazione         []string    `json:"spiegazione"`
}

// Rata is one instalment.
type Rata struct {
	Numero        int         `json:"numero"`
	Scadenza      civil.Date  `json:"scadenza"`
	CapitaleCent  money.Cents `json:"capitale_cent"`
	InteressiCent money.Cents `json:"interessi_cent"`
	ImportoCent   money.Cents `json:"importo_cent"`
	ResiduoCent   money.Cents `json:"residuo_cent"` // principal still owed after it
}

// maxFamiliari bounds the household size: far above any real one.
const maxFamiliari = 50

// Rateizzazione answers an instalment request with the default
// configuration. today is the first due date when the request has no
// data_prima_rata.
func Rateizzazione(req RateizzazioneRequest, today civil.Date) (RateizzazioneResponse, error) {
	return standard.Rateizzazione(req, today)
}

// Rateizzazione applies art. 202-bis to req and, when req.Rate is set and
// instalments are allowed, builds the plan.
func (c Calcolatore) Rateizzazione(req RateizzazioneRequest, today civil.Date) (RateizzazioneResponse, error) {
	switch {
	case req.ImportoCent <= 0 || req.ImportoCent > maxCent:
		return RateizzazioneResponse{}, errorf(ImportoNonValido, "\"importo_cent\" deve essere maggiore di zero e al massimo %d.", maxCent)
	case req.RedditoCent < 0 || req.RedditoCent > maxCent:
		return RateizzazioneResponse{}, errorf(RedditoNonValido, "\"reddito_cent\" deve essere tra 0 e %d.", maxCent)
	case req.FamiliariConviventi < 0 || req.FamiliariConviventi > maxFamiliari:
		return RateizzazioneResponse{}, errorf(FamiliariNonValidi, "\"familiari_conviventi\" deve essere tra 0 e %d.", maxFamiliari)
	}
	first := today
	if req.DataPrimaRata != "" {
		var err error
		if first, err = parseDate("data_prima_rata", req.DataPrimaRata); err != nil {
			return RateizzazioneResponse{}, err
		}
	}

	e := c.Config.InstalmentEligibility(req.ImportoCent, req.RedditoCent, req.FamiliariConviventi)
	res := RateizzazioneResponse{
		Ammissibile:         e.Eligible(),
		MaxRate:             e.MaxInstalments,
		SogliaRedditoCent:   e.IncomeLimit,
		TassoAnnuoPuntiBase: c.Config.InstalmentInterestBP,
	}
	switch e.Reason {
	case cds.TotalTooLow:
		res.Motivo = fmt.Sprintf("Puoi chiedere la rateizzazione solo se il totale supera %v (art. 202-bis).", cds.InstalmentMinTotal)
	case cds.IncomeTooHigh:
		res.Motivo = fmt.Sprintf("Il reddito indicato, %v, supera il limite di %v per un nucleo con %d familiari conviventi (art. 202-bis).",
			req.RedditoCent, e.IncomeLimit, req.FamiliariConviventi)
	}
	if !res.Ammissibile {
		res.Spiegazione = []string{res.Motivo}
		return res, nil
	}
	res.Spiegazione = []string{
		fmt.Sprintf("Il reddito indicato, %v, non supera il limite di %v per un nucleo con %d familiari conviventi (art. 202-bis).",
			req.RedditoCent, e.IncomeLimit, req.FamiliariConviventi),
		fmt.Sprintf("Per un totale di %v puoi chiedere fino a %d rate mensili, ciascuna di almeno %v (art. 202-bis).",
			req.ImportoCent, e.MaxInstalments, cds.InstalmentMin),
		"Con la rateizzazione non spetta la riduzione del 30% e la richiesta vale come rinuncia al ricorso.",
	}
	if req.Rate == nil {
		return res, nil
	}
	n := *req.Rate
	if n < 2 || n > e.MaxInstalments {
		if e.MaxInstalments == 2 {
			return RateizzazioneResponse{}, errorf(RateNonValide, "Per questo importo puoi chiedere solo 2 rate.")
		}
		return RateizzazioneResponse{}, errorf(RateNonValide, "Per questo importo puoi chiedere da 2 a %d rate.", e.MaxInstalments)
	}
	if !first.IsValid() {
		return RateizzazioneResponse{}, fmt.Errorf("calcolo: no data_prima_rata and no valid today from the caller")
	}
	plan, err := c.Config.Schedule(req.ImportoCent, n, first)
	if err != nil {
		return RateizzazioneResponse{}, fmt.Errorf("calcolo: %w", err)
	}
	res.Rate = n
	for _, r := range plan {
		res.Piano = append(res.Piano, Rata{
			Numero: r.Number, Scadenza: r.Due,
			CapitaleCent: r.Principal, InteressiCent: r.Interest, ImportoCent: r.Amount, ResiduoCent: r.Residual,
		})
		res.TotaleInteressiCent += r.Interest
		res.TotaleCent += r.Amount
	}
	res.Spiegazione = append(res.Spiegazione,
		fmt.Sprintf("Piano di %d rate: quota di capitale costante e interessi al %s annuo sul debito residuo, calcolati mese per mese.", n, percent(c.Config.InstalmentInterestBP)),
		fmt.Sprintf("Totale interessi: %v. Totale da pagare: %v.", res.TotaleInteressiCent, res.TotaleCent),
		decadenza(c.Config.InstalmentLapseAfter),
	)
	return res, nil
}

func decadenza(after int) string {
	if after <= 1 {
		return "Se non paghi la prima rata o una rata successiva perdi la rateizzazione e devi la metà del massimo, meno quanto già pagato."
	}
	return fmt.Sprintf("Se non paghi la prima rata o %d rate successive perdi la rateizzazione e devi la metà del massimo, meno quanto già pagato.", after)
}

// percent formats basis points as an Italian percentage: 450 → "4,50%".
func percent(bp int64) string {
	return money.Cents(bp).Plain() + "%"
}
