package pagopa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// CreditorConfig identifies the creditor towards the pagoPA node and says
// where the money goes.
type CreditorConfig struct {
	// IDPA is the creditor's fiscal code (11 digits), idPA in every call.
	IDPA string
	// IDBrokerPA is the intermediary's fiscal code; for a city that is its
	// own intermediary, IDPA again.
	IDBrokerPA string
	// IDStation is the station registered with pagoPA, e.g. IDPA + "_01".
	IDStation string
	// IBAN is the treasury account the fines are credited to.
	IBAN string
	// PostalIBAN is the IBAN of the creditor's postal account, if any: when
	// set, payment options are flagged allCCP and a paGetPayment asking for
	// transferType POSTAL is credited there.
	PostalIBAN string
	// CreditorName is the creditor as the payer reads it (companyName).
	CreditorName string
	// OfficeName is the office within the creditor (officeName); optional.
	OfficeName string
	// TransferCategory is the pagoPA taxonomy code of the income, e.g. the
	// one for traffic fines.
	TransferCategory string
	// Now tells the time; nil means time.Now. The amount due depends on the
	// day, so tests pin it.
	Now func() time.Time
}

// Check reports the first field that is missing or malformed, so a
// misconfigured server stops at start-up instead of failing every call.
func (c CreditorConfig) Check() error {
	switch {
	case checkCreditorFiscalCode(c.IDPA) != nil:
		return fmt.Errorf("pagopa: IDPA must be the creditor's 11-digit fiscal code, not %q", c.IDPA)
	case !text35(c.IDBrokerPA):
		return errors.New("pagopa: IDBrokerPA must be 1 to 35 characters")
	case !text35(c.IDStation):
		return errors.New("pagopa: IDStation must be 1 to 35 characters")
	case !textN(c.IBAN, 35):
		return errors.New("pagopa: IBAN must be 1 to 35 characters")
	case c.PostalIBAN != "" && !textN(c.PostalIBAN, 35):
		return errors.New("pagopa: PostalIBAN must be at most 35 characters")
	case !textN(c.CreditorName, 140):
		return errors.New("pagopa: CreditorName must be 1 to 140 characters")
	case c.OfficeName != "" && !textN(c.OfficeName, 140):
		return errors.New("pagopa: OfficeName must be at most 140 characters")
	case !textN(c.TransferCategory, 140):
		return errors.New("pagopa: TransferCategory must be 1 to 140 characters")
	}
	return nil
}

func text35(s string) bool { return textN(s, 35) }

func textN(s string, n int) bool {
	l := utf8.RuneCountInString(s)
	return l >= 1 && l <= n
}

// Fault codes the creditor answers with (pagoPA "Gestione degli errori",
// EC domain).
const (
	FaultIDDominioErrato       = "PAA_ID_DOMINIO_ERRATO"
	FaultIDIntermediarioErrato = "PAA_ID_INTERMEDIARIO_ERRATO"
	FaultStazioneIntErrata     = "PAA_STAZIONE_INT_ERRATA"
	FaultPagamentoSconosciuto  = "PAA_PAGAMENTO_SCONOSCIUTO"
	FaultPagamentoDuplicato    = "PAA_PAGAMENTO_DUPLICATO"
	FaultPagamentoAnnullato    = "PAA_PAGAMENTO_ANNULLATO"
	FaultPagamentoScaduto      = "PAA_PAGAMENTO_SCADUTO"
	FaultSemantica             = "PAA_SEMANTICA"
	FaultSintassiXSD           = "PAA_SINTASSI_XSD"
	FaultSystemError           = "PAA_SYSTEM_ERROR"
)

// faultStrings are the texts pagoPA's catalogue pairs with each code.
var faultStrings = map[string]string{
	FaultIDDominioErrato:       "La PAA non corrisponde al Dominio indicato",
	FaultIDIntermediarioErrato: "Identificativo intermediario non corrispondente",
	FaultStazioneIntErrata:     "Stazione intermediario non corrispondente",
	FaultPagamentoSconosciuto:  "Pagamento in attesa risulta sconosciuto all'Ente Creditore",
	FaultPagamentoDuplicato:    "Pagamento in attesa risulta concluso all'Ente Creditore",
	FaultPagamentoAnnullato:    "Pagamento in attesa risulta annullato all'Ente Creditore",
	FaultPagamentoScaduto:      "Pagamento in attesa risulta scaduto all'Ente Creditore",
	FaultSemantica:             "Errore semantico",
	FaultSintassiXSD:           "Errore di sintassi XSD",
	FaultSystemError:           "Errore generico",
}

// paFault is an answer with outcome KO; description says what exactly, in
// Italian, without personal data.
type paFault struct {
	code        string
	description string
}

func newFault(code, format string, args ...any) *paFault {
	return &paFault{code: code, description: fmt.Sprintf(format, args...)}
}

// creditorHandler serves POST /pagopa/paForNode.
type creditorHandler struct {
	cfg       CreditorConfig
	positions Positions
	log       *slog.Logger
}

// NewCreditorHandler returns the paForNode endpoint, SOAP 1.1 over HTTP
// POST, that the pagoPA node calls. Every answer is a SOAP envelope: the
// operation's response element with outcome OK, or with outcome KO and a
// fault bean (HTTP 200 both); a body that names no paForNode operation at
// all gets a SOAP Fault with HTTP 500, as SOAP 1.1 prescribes. Errors from
// positions, and panics, become PAA_SYSTEM_ERROR; the detail goes to
// logger, never to the node.
func NewCreditorHandler(cfg CreditorConfig, positions Positions, logger *slog.Logger) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &creditorHandler{cfg: cfg, positions: positions, log: logger}
}

// buffers are reused for messages read and written.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (h *creditorHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "paForNode accetta solo richieste SOAP via POST", http.StatusMethodNotAllowed)
		return
	}
	start := time.Now()
	// The message is read whole into a reused buffer: the decoder then reads
	// from memory, with no buffering of its own. A message over the limit
	// stops the read and fails to parse, as any truncated XML does.
	in := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(in)
	in.Reset()
	in.ReadFrom(http.MaxBytesReader(w, r.Body, maxMessageBytes))
	req, err := decodeMessage(in.Bytes(), r.Header.Get("SOAPAction"))
	if req.op == "" {
		h.log.WarnContext(r.Context(), "pagoPA request without a paForNode operation", "err", err)
		writeSOAPFault(w, "soapenv:Client", FaultSintassiXSD+": nessuna operazione paForNode riconosciuta")
		return
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	resp, fault := h.serve(r.Context(), req, err)
	if fault != nil {
		resp = faultResponse(req.op, h.cfg.IDPA, fault)
	}
	if err := writeEnvelope(buf, responseElements[req.op], resp); err != nil {
		// Only a bug in this package gets here; the node still gets SOAP.
		h.log.ErrorContext(r.Context(), "pagoPA response not encodable", "op", req.op, "err", err)
		writeSOAPFault(w, "soapenv:Server", FaultSystemError)
		return
	}
	attrs := []any{"op", req.op, "duration", time.Since(start)}
	if fault != nil {
		attrs = append(attrs, "fault", fault.code, "detail", fault.description)
	}
	h.log.InfoContext(r.Context(), "pagoPA call", attrs...)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// serve runs one decoded operation and returns its OK response, or the
// fault to answer instead. A panic becomes PAA_SYSTEM_ERROR here, so that
// the deferred recovery can still answer in the operation's own element.
func (h *creditorHandler) serve(ctx context.Context, req soapRequest, decodeErr error) (resp any, fault *paFault) {
	defer func() {
		if p := recover(); p != nil {
			h.log.ErrorContext(ctx, "pagoPA operation panicked", "op", req.op, "panic", fmt.Sprint(p))
			resp, fault = nil, newFault(FaultSystemError, "errore interno")
		}
	}()
	if decodeErr != nil {
		return nil, newFault(FaultSintassiXSD, "%v", decodeErr)
	}
	switch body := req.body.(type) {
	case *verifyRequest:
		return h.verify(ctx, body)
	case *getPaymentRequest:
		return h.getPayment(ctx, body, req.op == opGetPaymentV2)
	case *sendRTRequest:
		return h.sendRT(ctx, body, req.op == opSendRTV2)
	}
	return nil, newFault(FaultSemantica, "operazione %s non prevista da questo ente", req.op)
}

// checkIDs compares the three identifiers with configuration, in the order
// pagoPA's catalogue lists the faults.
func (h *creditorHandler) checkIDs(ids stationIDs) *paFault {
	switch {
	case ids.IDPA != h.cfg.IDPA:
		return newFault(FaultIDDominioErrato, "idPA %q non è questo ente", ids.IDPA)
	case ids.IDBrokerPA != h.cfg.IDBrokerPA:
		return newFault(FaultIDIntermediarioErrato, "idBrokerPA %q non è l'intermediario di questo ente", ids.IDBrokerPA)
	case ids.IDStation != h.cfg.IDStation:
		return newFault(FaultStazioneIntErrata, "idStation %q non è la stazione di questo ente", ids.IDStation)
	}
	return nil
}

// openPosition checks a request's identifiers and QR code and returns the
// position if it can be paid today.
func (h *creditorHandler) openPosition(ctx context.Context, ids stationIDs, qr qrCodeXML) (Position, *paFault) {
	if f := checkStation(ids); f != nil {
		return Position{}, f
	}
	if f := checkQRCode(qr); f != nil {
		return Position{}, f
	}
	if f := h.checkIDs(ids); f != nil {
		return Position{}, f
	}
	if qr.FiscalCode != h.cfg.IDPA {
		return Position{}, newFault(FaultIDDominioErrato, "il codice fiscale %s del qrCode non è di questo ente", qr.FiscalCode)
	}
	notice, err := ParseNoticeNumber(qr.NoticeNumber)
	if err != nil {
		return Position{}, newFault(FaultPagamentoSconosciuto, "codice avviso %s: %v", qr.NoticeNumber, err)
	}
	today := civil.FromTime(h.cfg.Now())
	pos, err := h.positions.Lookup(ctx, notice, today)
	switch {
	case errors.Is(err, ErrPositionNotFound):
		return Position{}, newFault(FaultPagamentoSconosciuto, "nessuna posizione per il codice avviso %s", notice)
	case err != nil:
		h.log.ErrorContext(ctx, "pagoPA position lookup failed", "notice", notice.String(), "err", err)
		return Position{}, newFault(FaultSystemError, "errore interno")
	}
	switch pos.Status {
	case PositionOpen:
	case PositionPaid:
		return pos, newFault(FaultPagamentoDuplicato, "l'avviso %s risulta già pagato", notice)
	case PositionCancelled:
		return pos, newFault(FaultPagamentoAnnullato, "l'avviso %s è stato annullato", notice)
	case PositionExpired:
		return pos, newFault(FaultPagamentoScaduto, "l'avviso %s non è più pagabile con pagoPA", notice)
	default:
		h.log.ErrorContext(ctx, "pagoPA position in unknown state", "notice", notice.String(), "status", int(pos.Status))
		return pos, newFault(FaultSystemError, "errore interno")
	}
	if pos.Amount <= 0 || pos.Amount > maxWireAmount || pos.DueDate.IsZero() || !pos.DueDate.IsValid() {
		h.log.ErrorContext(ctx, "pagoPA open position without amount or due date", "notice", notice.String(), "amount", int64(pos.Amount), "due", pos.DueDate.String())
		return pos, newFault(FaultSystemError, "errore interno")
	}
	pos.Notice = notice
	return pos, nil
}

// maxWireAmount is the largest stAmount, 999999999.99 euro.
const maxWireAmount money.Cents = 99_999_999_999

func (h *creditorHandler) verify(ctx context.Context, req *verifyRequest) (any, *paFault) {
	pos, f := h.openPosition(ctx, req.stationIDs, req.QRCode)
	if f != nil {
		return nil, f
	}
	resp := &verifyResponse{
		ctResponse:         ctResponse{Outcome: OutcomeOK},
		PaymentDescription: h.description(pos),
		FiscalCodePA:       h.cfg.IDPA,
		CompanyName:        h.cfg.CreditorName,
		OfficeName:         h.cfg.OfficeName,
	}
	resp.PaymentList = &struct {
		Option paymentOptionXML `xml:"paymentOptionDescription"`
	}{paymentOptionXML{
		Amount:  formatAmount(pos.Amount),
		Options: "EQ",
		DueDate: pos.DueDate.String(),
		AllCCP:  h.cfg.PostalIBAN != "",
	}}
	return resp, nil
}

func (h *creditorHandler) getPayment(ctx context.Context, req *getPaymentRequest, v2 bool) (any, *paFault) {
	if f := checkGetPayment(req); f != nil {
		return nil, f
	}
	pos, f := h.openPosition(ctx, req.stationIDs, req.QRCode)
	if f != nil {
		return nil, f
	}
	iban := h.cfg.IBAN
	if req.TransferType == "POSTAL" && h.cfg.PostalIBAN != "" {
		iban = h.cfg.PostalIBAN
	}
	description := h.description(pos)
	data := &paymentXML{
		CreditorReferenceID: pos.Notice.IUV(),
		PaymentAmount:       formatAmount(pos.Amount),
		DueDate:             pos.DueDate.String(),
		Description:         description,
		CompanyName:         h.cfg.CreditorName,
		OfficeName:          h.cfg.OfficeName,
		Debtor:              subjectToXML(pos.Debtor),
	}
	transfer := transferXML{
		IDTransfer:            1,
		TransferAmount:        formatAmount(pos.Amount),
		FiscalCodePA:          h.cfg.IDPA,
		IBAN:                  iban,
		RemittanceInformation: description,
		TransferCategory:      h.cfg.TransferCategory,
	}
	if v2 {
		transfer.CompanyName = h.cfg.CreditorName
	}
	data.TransferList.Transfers = []transferXML{transfer}
	return &getPaymentResponse{ctResponse: ctResponse{Outcome: OutcomeOK}, Data: data}, nil
}

// description is the position's reason cut to the 140 characters pagoPA
// allows, or a neutral one naming the notice.
func (h *creditorHandler) description(pos Position) string {
	if d := cut(pos.Description, 140); d != "" {
		return d
	}
	return "Pagamento avviso " + pos.Notice.String()
}

func (h *creditorHandler) sendRT(ctx context.Context, req *sendRTRequest, v2 bool) (any, *paFault) {
	if f := checkStation(req.stationIDs); f != nil {
		return nil, f
	}
	receipt, f := receiptFromXML(&req.Receipt, v2)
	if f != nil {
		return nil, f
	}
	if f := h.checkIDs(req.stationIDs); f != nil {
		return nil, f
	}
	if receipt.CreditorFiscalCode != h.cfg.IDPA {
		return nil, newFault(FaultIDDominioErrato, "la ricevuta %s è per l'ente %s", receipt.ReceiptID, receipt.CreditorFiscalCode)
	}
	ok := &ctResponse{Outcome: OutcomeOK}
	if receipt.Outcome != OutcomeOK {
		h.log.InfoContext(ctx, "pagoPA receipt with outcome KO acknowledged", "notice", receipt.Notice.String(), "receipt", receipt.ReceiptID)
		return ok, nil
	}
	result, err := h.positions.RecordReceipt(ctx, receipt)
	switch {
	case errors.Is(err, ErrPositionNotFound):
		return nil, newFault(FaultPagamentoSconosciuto, "nessuna posizione per il codice avviso %s", receipt.Notice)
	case err != nil:
		h.log.ErrorContext(ctx, "pagoPA receipt not recorded", "notice", receipt.Notice.String(), "receipt", receipt.ReceiptID, "err", err)
		return nil, newFault(FaultSystemError, "errore interno")
	}
	level := slog.LevelInfo
	if result == ReceiptConflict {
		// A conflicting receipt means money to reconcile by hand: the
		// alert is this log line, at a level operators watch.
		level = slog.LevelError
	}
	h.log.Log(ctx, level, "pagoPA receipt", "notice", receipt.Notice.String(), "receipt", receipt.ReceiptID, "result", result.String())
	return ok, nil
}

func faultResponse(op, idPA string, f *paFault) any {
	bean := &faultBean{
		FaultCode:   f.code,
		FaultString: faultStrings[f.code],
		ID:          idPA,
		Description: f.description,
	}
	ko := ctResponse{Outcome: OutcomeKO, Fault: bean}
	switch op {
	case opVerify:
		return &verifyResponse{ctResponse: ko}
	case opGetPayment, opGetPaymentV2:
		return &getPaymentResponse{ctResponse: ko}
	}
	return &ko
}

// writeSOAPFault answers a request that is not a paForNode call at all.
func writeSOAPFault(w http.ResponseWriter, code, text string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<soapenv:Envelope xmlns:soapenv="` + soapEnvNS + `"><soapenv:Body><soapenv:Fault><faultcode>`)
	b.WriteString(code)
	b.WriteString(`</faultcode><faultstring>`)
	xmlEscape(&b, text)
	b.WriteString(`</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	w.Write(b.Bytes())
}
