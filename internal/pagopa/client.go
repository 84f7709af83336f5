package pagopa

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// NodeClient calls a creditor's paForNode endpoint the way the pagoPA node
// does. The demo's simulated checkout uses it to play the node and the PSP
// against the portal's own endpoint, over HTTP, so that a demo payment
// goes through the real interface; tests use it the same way.
type NodeClient struct {
	// URL is the endpoint, e.g. http://localhost:8080/pagopa/paForNode.
	URL string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// IDPA, IDBrokerPA and IDStation are sent in every request, as the
	// node knows them from the creditor's registration.
	IDPA, IDBrokerPA, IDStation string
}

// Fault is a KO answer from the creditor, or a SOAP Fault (then Code is
// the SOAP faultcode).
type Fault struct {
	Code        string // e.g. PAA_PAGAMENTO_SCONOSCIUTO
	String      string
	ID          string
	Description string
}

func (f *Fault) Error() string {
	if f.Description == "" {
		return "pagopa: " + f.Code + ": " + f.String
	}
	return "pagopa: " + f.Code + ": " + f.String + " (" + f.Description + ")"
}

// NoticeInfo is what a creditor says about a notice before payment
// (paVerifyPaymentNotice).
type NoticeInfo struct {
	Amount             money.Cents
	DueDate            civil.Date // zero when the creditor gave none
	AllCCP             bool
	Description        string
	CreditorFiscalCode string
	CompanyName        string
	OfficeName         string
}

// Payment is the payment data a creditor gives when a payment starts
// (paGetPayment, paGetPaymentV2).
type Payment struct {
	Notice              NoticeNumber
	CreditorFiscalCode  string
	CreditorReferenceID string
	Amount              money.Cents
	DueDate             civil.Date
	Description         string
	CompanyName         string
	OfficeName          string
	Debtor              Subject
	Transfers           []Transfer
}

// PSP is the payment service provider a receipt names; the demo checkout
// names itself.
type PSP struct {
	ID                 string // idPSP
	CompanyName        string
	ChannelID          string
	ChannelDescription string
	PaymentMethod      string
}

// Receipt returns the successful receipt for this payment as psp would
// issue it, paid at paidAt with no fee.
func (p Payment) Receipt(receiptID string, psp PSP, paidAt time.Time) Receipt {
	return Receipt{
		ReceiptID:           receiptID,
		Notice:              p.Notice,
		CreditorFiscalCode:  p.CreditorFiscalCode,
		Outcome:             OutcomeOK,
		CreditorReferenceID: p.CreditorReferenceID,
		Amount:              p.Amount,
		Description:         p.Description,
		CompanyName:         p.CompanyName,
		OfficeName:          p.OfficeName,
		Debtor:              p.Debtor,
		Transfers:           append([]Transfer(nil), p.Transfers...),
		PSPID:               psp.ID,
		PSPCompanyName:      psp.CompanyName,
		ChannelID:           psp.ChannelID,
		ChannelDescription:  psp.ChannelDescription,
		PaymentMethod:       psp.PaymentMethod,
		PaymentTime:         paidAt,
		ApplicationDate:     civil.FromTime(paidAt),
		Version:             2,
	}
}

func (c *NodeClient) ids() stationIDs {
	return stationIDs{IDPA: c.IDPA, IDBrokerPA: c.IDBrokerPA, IDStation: c.IDStation}
}

// VerifyPaymentNotice asks the creditor whose fiscal code is creditorCF
// what notice is due today.
func (c *NodeClient) VerifyPaymentNotice(ctx context.Context, creditorCF string, notice NoticeNumber) (NoticeInfo, error) {
	req := verifyRequest{stationIDs: c.ids(), QRCode: qrCodeXML{FiscalCode: creditorCF, NoticeNumber: notice.String()}}
	var resp verifyResponse
	if err := c.call(ctx, opVerify, &req, &resp); err != nil {
		return NoticeInfo{}, err
	}
	if resp.PaymentList == nil {
		return NoticeInfo{}, errors.New("pagopa: paVerifyPaymentNoticeRes OK without paymentList")
	}
	o := resp.PaymentList.Option
	amount, err := parseAmount(o.Amount)
	if err != nil {
		return NoticeInfo{}, err
	}
	info := NoticeInfo{
		Amount: amount, AllCCP: o.AllCCP, Description: resp.PaymentDescription,
		CreditorFiscalCode: resp.FiscalCodePA, CompanyName: resp.CompanyName, OfficeName: resp.OfficeName,
	}
	if o.DueDate != "" {
		if info.DueDate, err = civil.Parse(o.DueDate); err != nil {
			return NoticeInfo{}, err
		}
	}
	return info, nil
}

// GetPaymentV2 asks for the payment data of notice, as the node does when
// a payment starts.
func (c *NodeClient) GetPaymentV2(ctx context.Context, creditorCF string, notice NoticeNumber, amount money.Cents) (Payment, error) {
	return c.getPayment(ctx, opGetPaymentV2, creditorCF, notice, amount)
}

// GetPayment is GetPaymentV2 in the first version of the interface.
func (c *NodeClient) GetPayment(ctx context.Context, creditorCF string, notice NoticeNumber, amount money.Cents) (Payment, error) {
	return c.getPayment(ctx, opGetPayment, creditorCF, notice, amount)
}

func (c *NodeClient) getPayment(ctx context.Context, op, creditorCF string, notice NoticeNumber, amount money.Cents) (Payment, error) {
	req := getPaymentRequest{stationIDs: c.ids(), QRCode: qrCodeXML{FiscalCode: creditorCF, NoticeNumber: notice.String()}}
	if amount > 0 {
		req.Amount = formatAmount(amount)
	}
	var resp getPaymentResponse
	if err := c.call(ctx, op, &req, &resp); err != nil {
		return Payment{}, err
	}
	d := resp.Data
	if d == nil {
		return Payment{}, fmt.Errorf("pagopa: %s OK without data", responseElements[op])
	}
	p := Payment{
		Notice: notice, CreditorFiscalCode: creditorCF, CreditorReferenceID: d.CreditorReferenceID,
		Description: d.Description, CompanyName: d.CompanyName, OfficeName: d.OfficeName,
	}
	var err error
	if p.Amount, err = parseAmount(d.PaymentAmount); err != nil {
		return Payment{}, err
	}
	if p.DueDate, err = civil.Parse(d.DueDate); err != nil {
		return Payment{}, fmt.Errorf("pagopa: dueDate: %w", err)
	}
	var f *paFault
	if p.Debtor, f = subjectFromXML("debtor", d.Debtor); f != nil {
		return Payment{}, fmt.Errorf("pagopa: %s: %s", op, f.description)
	}
	for _, t := range d.TransferList.Transfers {
		a, err := parseAmount(t.TransferAmount)
		if err != nil {
			return Payment{}, err
		}
		p.Transfers = append(p.Transfers, Transfer{
			ID: t.IDTransfer, Amount: a, FiscalCodePA: t.FiscalCodePA, CompanyName: t.CompanyName,
			IBAN: t.IBAN, RemittanceInformation: t.RemittanceInformation, Category: t.TransferCategory,
		})
	}
	return p, nil
}

// SendRTV2 delivers a receipt with paSendRTV2.
func (c *NodeClient) SendRTV2(ctx context.Context, r Receipt) error {
	return c.sendRT(ctx, opSendRTV2, r)
}

// SendRT delivers a receipt with paSendRT, the first version.
func (c *NodeClient) SendRT(ctx context.Context, r Receipt) error {
	return c.sendRT(ctx, opSendRT, r)
}

func (c *NodeClient) sendRT(ctx context.Context, op string, r Receipt) error {
	req := sendRTRequest{stationIDs: c.ids(), Receipt: receiptToXML(r, op == opSendRTV2)}
	var resp ctResponse
	return c.call(ctx, op, &req, &resp)
}

// receiptToXML writes r as ctReceiptV2 (v2) or ctReceipt, leaving out the
// optional fields r does not have.
func receiptToXML(r Receipt, v2 bool) receiptXML {
	x := receiptXML{
		ReceiptID:           r.ReceiptID,
		NoticeNumber:        r.Notice.String(),
		FiscalCode:          r.CreditorFiscalCode,
		Outcome:             string(r.Outcome),
		CreditorReferenceID: r.CreditorReferenceID,
		PaymentAmount:       formatAmount(r.Amount),
		Description:         cut(r.Description, 140),
		CompanyName:         r.CompanyName,
		OfficeName:          r.OfficeName,
		Debtor:              subjectToXML(r.Debtor),
		IDPSP:               r.PSPID,
		PSPFiscalCode:       r.PSPFiscalCode,
		PSPCompanyName:      r.PSPCompanyName,
		IDChannel:           r.ChannelID,
		ChannelDescription:  r.ChannelDescription,
		PaymentMethod:       r.PaymentMethod,
	}
	for _, t := range r.Transfers {
		tx := transferXML{
			IDTransfer: t.ID, TransferAmount: formatAmount(t.Amount), FiscalCodePA: t.FiscalCodePA,
			IBAN: t.IBAN, RemittanceInformation: cut(t.RemittanceInformation, 140), TransferCategory: t.Category,
		}
		if v2 {
			tx.CompanyName = t.CompanyName
		}
		x.TransferList.Transfers = append(x.TransferList.Transfers, tx)
	}
	if r.Payer != nil {
		p := subjectToXML(*r.Payer)
		x.Payer = &p
	}
	if r.Fee > 0 {
		x.Fee = formatAmount(r.Fee)
	}
	if !r.PaymentTime.IsZero() {
		x.PaymentDateTime = formatDateTime(r.PaymentTime)
	}
	if !r.ApplicationDate.IsZero() {
		x.ApplicationDate = r.ApplicationDate.String()
	}
	if !r.TransferDate.IsZero() {
		x.TransferDate = r.TransferDate.String()
	}
	if r.StandIn {
		x.StandIn = "true"
	}
	return x
}

// call posts one request and decodes the response element into resp,
// whose ctResponse says OK or carries the fault returned as *Fault.
func (c *NodeClient) call(ctx context.Context, op string, req any, resp interface{ result() *ctResponse }) error {
	var body bytes.Buffer
	if err := writeEnvelope(&body, requestElement(op), req); err != nil {
		return err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, &body)
	if err != nil {
		return fmt.Errorf("pagopa: %s: %w", op, err)
	}
	httpReq.Header.Set("Content-Type", "text/xml; charset=utf-8")
	httpReq.Header.Set("SOAPAction", op)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	httpResp, err := hc.Do(httpReq)
	if err != nil {
		return fmt.Errorf("pagopa: %s: %w", op, err)
	}
	defer httpResp.Body.Close()
	if httpResp.StatusCode != http.StatusOK && httpResp.StatusCode != http.StatusInternalServerError {
		return fmt.Errorf("pagopa: %s: HTTP %s", op, httpResp.Status)
	}
	dec := xml.NewDecoder(io.LimitReader(httpResp.Body, maxMessageBytes))
	start, err := openBody(dec)
	if err != nil {
		return fmt.Errorf("pagopa: %s: response: %w", op, err)
	}
	if start.Name.Space == soapEnvNS && start.Name.Local == "Fault" {
		var f struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
		}
		if err := dec.DecodeElement(&f, &start); err != nil {
			return fmt.Errorf("pagopa: %s: SOAP Fault: %w", op, err)
		}
		return &Fault{Code: f.Code, String: f.String}
	}
	if want := responseElements[op]; start.Name.Local != want || start.Name.Space != paForNodeNS {
		return fmt.Errorf("pagopa: %s: response element {%s}%s, want %s", op, start.Name.Space, start.Name.Local, want)
	}
	if err := dec.DecodeElement(resp, &start); err != nil {
		return fmt.Errorf("pagopa: %s: response: %w", op, err)
	}
	r := resp.result()
	switch {
	case r.Outcome == OutcomeOK:
		return nil
	case r.Fault != nil:
		return &Fault{Code: r.Fault.FaultCode, String: r.Fault.FaultString, ID: r.Fault.ID, Description: r.Fault.Description}
	}
	return fmt.Errorf("pagopa: %s: outcome %q without fault", op, r.Outcome)
}

func (r *ctResponse) result() *ctResponse { return r }
