package profilo

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/store"
)

// VoceRichiesta is a payment request from another department as the citizen
// reads it (A18).
type VoceRichiesta struct {
	ID          string      `json:"id"`
	Ufficio     string      `json:"ufficio"`
	Oggetto     string      `json:"oggetto"`
	ImportoCent money.Cents `json:"importo_cent"`
	Scadenza    civil.Date  `json:"scadenza"`
	Stato       string      `json:"stato"` // da_pagare, pagata, annullata
	Scaduta     bool        `json:"scaduta"`
	NAV         string      `json:"nav,omitempty"`
	QRPagoPA    string      `json:"qr_pagopa,omitempty"`
}

// RichiestePagamento is the citizen's payment requests on a day, the soonest
// due first, with the total still to pay.
type RichiestePagamento struct {
	Data               civil.Date      `json:"data"`
	TotaleDaPagareCent money.Cents     `json:"totale_da_pagare_cent"`
	Richieste          []VoceRichiesta `json:"richieste"`
}

// PaymentRequests lists the citizen's payment requests on today. A request
// still to pay with a notice number carries the pagoPA QR payload, as a fine
// does, when the creditor's fiscal code is known.
func PaymentRequests(rows []store.ProfiloRow, creditorFiscalCode string, today civil.Date) (RichiestePagamento, error) {
	out := RichiestePagamento{Data: today, Richieste: make([]VoceRichiesta, 0, len(rows))}
	for _, row := range rows {
		var r RichiestaPagamento
		if err := json.Unmarshal(row.Record, &r); err != nil {
			return out, fmt.Errorf("profilo: stored payment request: %w", err)
		}
		v := VoceRichiesta{
			ID: r.ID, Ufficio: r.Ufficio, Oggetto: r.Oggetto, ImportoCent: r.ImportoCent, Scadenza: day(r.Scadenza),
			Stato: r.Stato, NAV: r.NAV,
		}
		if r.Stato == DaPagare {
			v.Scaduta = v.Scadenza.Before(today)
			out.TotaleDaPagareCent += r.ImportoCent
			if r.NAV != "" && creditorFiscalCode != "" {
				v.QRPagoPA = fmt.Sprintf("PAGOPA|002|%s|%s|%d", r.NAV, creditorFiscalCode, int64(r.ImportoCent))
			}
		}
		out.Richieste = append(out.Richieste, v)
	}
	slices.SortStableFunc(out.Richieste, func(a, b VoceRichiesta) int { return a.Scadenza.Compare(b.Scadenza) })
	return out, nil
}
