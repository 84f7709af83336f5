package apiserver

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

var (
	errPaymentUnavailable = &Error{Status: http.StatusServiceUnavailable, Codice: "PAGAMENTO_NON_DISPONIBILE",
		Messaggio: "Il pagamento online non è attivo su questa installazione. Paga con l'avviso pagoPA: in banca, alla posta, in tabaccheria o con l'app IO."}
	errNotPayable = &Error{Status: http.StatusConflict, Codice: "NON_PAGABILE",
		Messaggio: "Oggi questo verbale non si paga con pagoPA: è già pagato, rateizzato, in riscossione coattiva, in ricorso o archiviato."}
	errPaymentNotFound = &Error{Status: http.StatusNotFound, Codice: "PAGAMENTO_NON_TROVATO",
		Messaggio: "Non troviamo questo pagamento. Riparti dal verbale e premi «Paga con pagoPA»."}
	errPreavvisoNotFound = &Error{Status: http.StatusNotFound, Codice: "PREAVVISO_NON_TROVATO",
		Messaggio: "Non troviamo un preavviso con questi dati. Controlla il numero del verbale e la targa, oppure il codice avviso di 18 cifre. Se la multa ti è già stata notificata, pagala dall'area personale."}
	errPreavvisoRequest = &Error{Status: http.StatusBadRequest, Codice: "RICHIESTA_NON_VALIDA",
		Messaggio: "Scrivi il numero del verbale e la targa, oppure il codice avviso di 18 cifre."}
)

// attempts starts payments with the configured checkout.
func (s *Server) attempts() *pagamenti.Attempts {
	return &pagamenti.Attempts{Store: s.cfg.DB, Checkout: s.cfg.Checkout, Now: s.cfg.Now}
}

// pagamentoAvviato is the answer to a started payment: send the payer to
// redirect_url.
type pagamentoAvviato struct {
	ID          string      `json:"id"`
	RedirectURL string      `json:"redirect_url"`
	ImportoCent money.Cents `json:"importo_cent"`
	NAV         string      `json:"nav"`
}

// startPayment starts paying v and answers where to go.
func (s *Server) startPayment(w http.ResponseWriter, r *http.Request, v verbali.VoceEstratto, cf string) error {
	started, err := s.attempts().Start(r.Context(), v, cf)
	switch {
	case errors.Is(err, pagamenti.ErrNoCheckout):
		return errPaymentUnavailable
	case errors.Is(err, pagamenti.ErrNotPayable):
		return errNotPayable
	case err != nil:
		return err
	}
	a := started.Attempt
	writeJSON(w, http.StatusCreated, pagamentoAvviato{ID: a.ID, RedirectURL: started.RedirectURL,
		ImportoCent: money.Cents(a.AmountCents), NAV: a.NAV})
	return nil
}

// postPagamentoVerbale answers POST /api/v1/me/verbali/{numero}/pagamento:
// "Paga con pagoPA" on one of the citizen's own verbali, for the amount due
// today.
func (s *Server) postPagamentoVerbale(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Checkout == nil {
		return errPaymentUnavailable
	}
	st, err := s.statement(r)
	if err != nil {
		return err
	}
	e := st.e
	numero, err := url.PathUnescape(chi.URLParam(r, "numero"))
	if err != nil {
		return errVerbaleNotFound
	}
	for _, v := range e.Verbali {
		if v.Numero == numero {
			return s.startPayment(w, r, v, citizenCF(r))
		}
	}
	return errVerbaleNotFound
}

// statoPagamento is an attempt as the payer reads it. stato comes from the
// recorded receipt (pagato) or from the checkout (annullato, errore), never
// from the address the payer came back to.
type statoPagamento struct {
	ID           string       `json:"id"`
	Stato        string       `json:"stato"`
	Numero       string       `json:"numero"`
	NAV          string       `json:"nav"`
	ImportoCent  money.Cents  `json:"importo_cent"`
	CreatoIl     time.Time    `json:"creato_il"`
	PagatoIl     *time.Time   `json:"pagato_il,omitempty"`
	PagatoCent   *money.Cents `json:"pagato_cent,omitempty"`
	QuietanzaURL string       `json:"quietanza_url,omitempty"`
}

// paymentStatus reads attempt id if owner started it ("" for one started
// without login); anything else is not found.
func (s *Server) paymentStatus(r *http.Request, owner string) (statoPagamento, error) {
	st, err := s.attempts().Status(r.Context(), chi.URLParam(r, "id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && st.Attempt.CodiceFiscale != owner) {
		return statoPagamento{}, errPaymentNotFound
	}
	if err != nil {
		return statoPagamento{}, err
	}
	a := st.Attempt
	out := statoPagamento{ID: a.ID, Stato: st.Stato, Numero: a.Numero, NAV: a.NAV,
		ImportoCent: money.Cents(a.AmountCents), CreatoIl: a.CreatedAt.UTC()}
	if p := st.Payment; p != nil {
		at, paid := p.PaidAt.UTC(), money.Cents(p.AmountCents)
		out.PagatoIl, out.PagatoCent = &at, &paid
	}
	return out, nil
}

// getPagamento answers GET /api/v1/me/pagamenti/{id}: one of the citizen's
// own payments; another person's is not found.
func (s *Server) getPagamento(w http.ResponseWriter, r *http.Request) error {
	out, err := s.paymentStatus(r, citizenCF(r))
	if err != nil {
		return err
	}
	if out.Stato == pagamenti.StatoPagato {
		// The quietanza is the verbale's: offered when the payment was for
		// the verbale's own notice, not for an instalment of a plan (which
		// the plan shows as paid).
		row, err := s.cfg.DB.VerbaleByNAV(r.Context(), out.NAV)
		switch {
		case err == nil && row.Numero == out.Numero:
			out.QuietanzaURL = "/api/v1/me/verbali/" + url.PathEscape(out.Numero) + "/quietanza.pdf"
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getPagamentoPreavviso answers GET /api/v1/preavvisi/pagamenti/{id}: a
// payment started without login, known only to whoever holds its id.
func (s *Server) getPagamentoPreavviso(w http.ResponseWriter, r *http.Request) error {
	out, err := s.paymentStatus(r, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cercaPreavviso is how the person finds a pre-notice: the verbale number
// and the plate, or the notice code printed on it.
type cercaPreavviso struct {
	Numero string `json:"numero"`
	Targa  string `json:"targa"`
	NAV    string `json:"nav"`
}

// preavviso is a pre-notice as anyone holding it may read it: no names, no
// fiscal codes, nothing the paper left on the windscreen does not say.
type preavviso struct {
	Numero       string                       `json:"numero"`
	NAV          string                       `json:"nav"`
	DataOra      string                       `json:"data_ora"`
	Luogo        string                       `json:"luogo"`
	Violazioni   []verbali.ViolazioneEstratto `json:"violazioni"`
	Fase         string                       `json:"fase"`
	ImportoCent  money.Cents                  `json:"importo_cent"`
	SpeseCent    money.Cents                  `json:"spese_cent"`
	ScadenzaFase *civil.Date                  `json:"scadenza_fase"`
	ProssimaFase *verbali.ProssimaFase        `json:"prossima_fase"`
	Importi      *verbali.Importi             `json:"importi"`
	Pagabile     bool                         `json:"pagabile"`
}

// findPreavviso decodes a search and returns the pre-notice it names, as
// computed today. Only verbali still in stato preavviso are found; a wrong
// plate, an unknown number and a notified fine all answer the same.
func (s *Server) findPreavviso(w http.ResponseWriter, r *http.Request, byNAVOnly bool) (verbali.VoceEstratto, error) {
	var req cercaPreavviso
	if err := decodeProfilo(w, r, &req); err != nil {
		return verbali.VoceEstratto{}, err
	}
	var row store.VerbaleRow
	var err error
	switch {
	case req.NAV != "" && req.Numero == "" && req.Targa == "":
		n, perr := pagopa.ParseNoticeNumber(req.NAV)
		if perr != nil {
			return verbali.VoceEstratto{}, &Error{Status: http.StatusBadRequest, Codice: "CODICE_AVVISO_NON_VALIDO", Messaggio: capitalize(perr.Error()) + "."}
		}
		row, err = s.cfg.DB.VerbaleByNAV(r.Context(), n.String())
	case !byNAVOnly && req.NAV == "" && strings.TrimSpace(req.Numero) != "" && plate(req.Targa) != "":
		row, err = s.cfg.DB.VerbaleByNumero(r.Context(), strings.TrimSpace(req.Numero))
		if err == nil && plate(row.Targa) != plate(req.Targa) {
			err = store.ErrNotFound
		}
	default:
		return verbali.VoceEstratto{}, errPreavvisoRequest
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.Stato != string(verbali.StatoPreavviso)) {
		return verbali.VoceEstratto{}, errPreavvisoNotFound
	}
	if err != nil {
		return verbali.VoceEstratto{}, err
	}
	st, err := verbali.Statement("", []store.VerbaleRow{row}, s.today(), verbali.StatementOptions{
		Rules: s.cfg.Rules, CreditorFiscalCode: s.cfg.CreditorFiscalCode})
	if err != nil {
		return verbali.VoceEstratto{}, err
	}
	return st.Verbali[0], nil
}

// postCercaPreavviso answers POST /api/v1/preavvisi/cerca (A4, A13): what a
// pre-notice costs if paid today, with the reduction and no notification
// costs, without login.
func (s *Server) postCercaPreavviso(w http.ResponseWriter, r *http.Request) error {
	v, err := s.findPreavviso(w, r, false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, preavviso{
		Numero: v.Numero, NAV: v.NAV, DataOra: v.DataOra, Luogo: v.Luogo, Violazioni: v.Violazioni,
		Fase: v.Fase, ImportoCent: v.ImportoCent, SpeseCent: v.SpeseCent, ScadenzaFase: v.ScadenzaFase,
		ProssimaFase: v.ProssimaFase, Importi: v.Importi, Pagabile: v.Pagabile,
	})
	return nil
}

// postPagamentoPreavviso answers POST /api/v1/preavvisi/pagamento: pays a
// pre-notice, named by its notice code, without login.
func (s *Server) postPagamentoPreavviso(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Checkout == nil {
		return errPaymentUnavailable
	}
	v, err := s.findPreavviso(w, r, true)
	if err != nil {
		return err
	}
	return s.startPayment(w, r, v, "")
}

// plate normalises a plate as people type it: upper case, no spaces or dashes.
func plate(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}, s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
