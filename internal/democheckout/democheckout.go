// Package democheckout is the demo's simulated pagoPA checkout, served by the
// portal itself at /demo-checkout and labelled "Ambiente di prova". It plays
// both the pagoPA node and a payment service provider: when the payer
// presses "Paga" it calls the portal's own creditor endpoint over HTTP
// (paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2), exactly as the real
// node would, so a demo payment goes through the real interface. It never
// tells the portal a payment succeeded in any other way: the receipt does.
package democheckout

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/comune-torino/portale/internal/money"
	"github.com/comune-torino/portale/internal/pagamenti"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"euro": func(c money.Cents) string { return "€ " + c.Plain() },
}).ParseFS(templateFiles, "templates/*.html"))

// Config wires the checkout to the portal.
type Config struct {
	Attempts *pagamenti.Attempts
	// Node calls the portal's own creditor endpoint, as the pagoPA node.
	Node *pagopa.NodeClient
	// CreditorFiscalCode is the city's fiscal code, as printed on notices.
	CreditorFiscalCode string
	Logger             *slog.Logger
	// Now is the clock of the receipts; nil means time.Now.
	Now func() time.Time
}

// psp is how the simulated provider names itself on receipts.
var psp = pagopa.PSP{ID: "PORTALEDEMO", CompanyName: "Ambiente di prova",
	ChannelID: "PORTALEDEMO_01", ChannelDescription: "checkout simulato"}

// Methods are the ways to pay the page offers, with the code written in the
// receipt's paymentMethod.
var methods = []method{
	{Value: "carta", Label: "Carta di pagamento", Hint: "Credito, debito o prepagata", Code: "CP"},
	{Value: "conto", Label: "Conto corrente", Hint: "Con l'home banking della tua banca", Code: "BBT"},
	{Value: "app", Label: "App di pagamento", Hint: "Ad esempio l'app della tua banca o di un servizio di pagamento", Code: "APP"},
}

type method struct{ Value, Label, Hint, Code string }

// maxForm bounds the checkout's form: a button and a method.
const maxForm = 4 << 10

// Checkout is the simulated checkout: a pagamenti.Checkout that sends payers
// to its own pages, and the http.Handler that serves them.
type Checkout struct {
	cfg Config
	mux *http.ServeMux
}

var _ pagamenti.Checkout = (*Checkout)(nil)

// New returns the checkout; mount it at /demo-checkout/.
func New(cfg Config) *Checkout {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Checkout{cfg: cfg, mux: http.NewServeMux()}
	c.mux.HandleFunc("GET /demo-checkout/{id}", c.showPayment)
	c.mux.HandleFunc("POST /demo-checkout/{id}", c.pay)
	return c
}

// Start sends the payer to the checkout page of attempt a.
func (c *Checkout) Start(_ context.Context, a store.Attempt) (string, error) {
	return "/demo-checkout/" + a.ID, nil
}

func (c *Checkout) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

type paymentPage struct {
	ID          string
	Amount      money.Cents
	Creditor    string
	Notice      string
	Description string
	Methods     []method
	Chosen      string
	Error       string
	Back        string
}

// showPayment shows what the node would: the notice verified with the
// creditor, with today's amount, and the ways to pay.
func (c *Checkout) showPayment(w http.ResponseWriter, r *http.Request) {
	st, ok := c.openAttempt(w, r)
	if !ok {
		return
	}
	page, ok := c.verify(w, r, st.Attempt)
	if !ok {
		return
	}
	c.render(w, http.StatusOK, "pagamento.html", page)
}

// pay handles "Paga" and "Annulla".
func (c *Checkout) pay(w http.ResponseWriter, r *http.Request) {
	st, ok := c.openAttempt(w, r)
	if !ok {
		return
	}
	att := st.Attempt
	back := pagamenti.ResultPath(att)
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if r.PostFormValue("azione") == "annulla" {
		if err := c.cfg.Attempts.Abandon(r.Context(), att.ID, pagamenti.StatoAnnullato); err != nil {
			c.fail(w, r, "cancel", err)
			return
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	var m method
	for _, x := range methods {
		if x.Value == r.PostFormValue("metodo") {
			m = x
		}
	}
	if m.Code == "" {
		page, ok := c.verify(w, r, att)
		if ok {
			page.Error = "Scegli come vuoi pagare."
			c.render(w, http.StatusUnprocessableEntity, "pagamento.html", page)
		}
		return
	}
	if err := c.payAsTheNode(r.Context(), att, m); err != nil {
		var fault *pagopa.Fault
		if !errors.As(err, &fault) || fault.Code != "PAA_PAGAMENTO_DUPLICATO" {
			c.cfg.Logger.WarnContext(r.Context(), "demo checkout: payment failed", "attempt", att.ID, "nav", att.NAV, "err", err)
			if err := c.cfg.Attempts.Abandon(r.Context(), att.ID, pagamenti.StatoErrore); err != nil {
				c.fail(w, r, "record failure", err)
				return
			}
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// payAsTheNode runs the node's side of a payment against the creditor:
// verify, get the payment data, deliver the receipt.
func (c *Checkout) payAsTheNode(ctx context.Context, att store.Attempt, m method) error {
	notice, err := pagopa.ParseNoticeNumber(att.NAV)
	if err != nil {
		return err
	}
	info, err := c.cfg.Node.VerifyPaymentNotice(ctx, c.cfg.CreditorFiscalCode, notice)
	if err != nil {
		return err
	}
	p, err := c.cfg.Node.GetPaymentV2(ctx, c.cfg.CreditorFiscalCode, notice, info.Amount)
	if err != nil {
		return err
	}
	by := psp
	by.PaymentMethod = m.Code
	return c.cfg.Node.SendRTV2(ctx, p.Receipt("DEMO"+att.ID, by, c.cfg.Now()))
}

// openAttempt finds the attempt of the request; one already concluded
// (paid, cancelled, failed) sends the payer back to the portal.
func (c *Checkout) openAttempt(w http.ResponseWriter, r *http.Request) (pagamenti.Status, bool) {
	st, err := c.cfg.Attempts.Status(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		c.render(w, http.StatusNotFound, "errore.html", errorPage{
			Message: "Questo pagamento non esiste. Torna al portale e premi di nuovo «Paga con pagoPA».", Back: "/"})
		return st, false
	}
	if err != nil {
		c.fail(w, r, "read attempt", err)
		return st, false
	}
	if st.Stato != pagamenti.StatoInCorso {
		http.Redirect(w, r, pagamenti.ResultPath(st.Attempt), http.StatusSeeOther)
		return st, false
	}
	return st, true
}

// verify asks the creditor about the notice, as the node does before
// showing a payment. A notice that cannot be paid ends the attempt.
func (c *Checkout) verify(w http.ResponseWriter, r *http.Request, att store.Attempt) (paymentPage, bool) {
	back := pagamenti.ResultPath(att)
	notice, err := pagopa.ParseNoticeNumber(att.NAV)
	var info pagopa.NoticeInfo
	if err == nil {
		info, err = c.cfg.Node.VerifyPaymentNotice(r.Context(), c.cfg.CreditorFiscalCode, notice)
	}
	var fault *pagopa.Fault
	if errors.As(err, &fault) && fault.Code == "PAA_PAGAMENTO_DUPLICATO" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return paymentPage{}, false
	}
	if err != nil {
		c.cfg.Logger.WarnContext(r.Context(), "demo checkout: notice not verified", "attempt", att.ID, "nav", att.NAV, "err", err)
		if err := c.cfg.Attempts.Abandon(r.Context(), att.ID, pagamenti.StatoErrore); err != nil {
			c.fail(w, r, "record failure", err)
			return paymentPage{}, false
		}
		c.render(w, http.StatusBadGateway, "errore.html", errorPage{
			Message: "L'ente creditore non conferma questo avviso: oggi non si può pagare. Non ti è stato addebitato nulla.", Back: back})
		return paymentPage{}, false
	}
	return paymentPage{
		ID: att.ID, Amount: info.Amount, Creditor: info.CompanyName, Notice: notice.Grouped(),
		Description: info.Description, Methods: methods, Chosen: r.PostFormValue("metodo"), Back: back,
	}, true
}

type errorPage struct{ Message, Back string }

func (c *Checkout) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	c.cfg.Logger.ErrorContext(r.Context(), "demo checkout: "+what, "err", err)
	c.render(w, http.StatusInternalServerError, "errore.html", errorPage{
		Message: "Si è verificato un errore imprevisto. Riprova tra qualche minuto.", Back: "/"})
}

func (c *Checkout) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		c.cfg.Logger.Error("demo checkout: page failed", "page", name, "err", err)
		http.Error(w, "Errore interno del checkout di prova.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
