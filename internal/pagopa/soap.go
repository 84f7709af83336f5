package pagopa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Namespaces of the paForNode messages. Only the body element is
// qualified: its children are unqualified, as paForNode.xsd declares no
// elementFormDefault.
const (
	soapEnvNS   = "http://schemas.xmlsoap.org/soap/envelope/"
	paForNodeNS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
)

// The operations of paForNode and their body elements, whose suffixes are
// not consistent (Req/Res for some, Request/Response for others).
const (
	opVerify       = "paVerifyPaymentNotice"
	opGetPayment   = "paGetPayment"
	opGetPaymentV2 = "paGetPaymentV2"
	opSendRT       = "paSendRT"
	opSendRTV2     = "paSendRTV2"
	opDemand       = "paDemandPaymentNotice"
)

var requestElements = map[string]string{
	"paVerifyPaymentNoticeReq":     opVerify,
	"paGetPaymentReq":              opGetPayment,
	"paGetPaymentV2Request":        opGetPaymentV2,
	"paSendRTReq":                  opSendRT,
	"paSendRTV2Request":            opSendRTV2,
	"paDemandPaymentNoticeRequest": opDemand,
}

var responseElements = map[string]string{
	opVerify:       "paVerifyPaymentNoticeRes",
	opGetPayment:   "paGetPaymentRes",
	opGetPaymentV2: "paGetPaymentV2Response",
	opSendRT:       "paSendRTRes",
	opSendRTV2:     "paSendRTV2Response",
	opDemand:       "paDemandPaymentNoticeResponse",
}

func requestElement(op string) string {
	for el, o := range requestElements {
		if o == op {
			return el
		}
	}
	return ""
}

// Messages, field by field in the order of paForNode.xsd: xsd:sequence
// makes the order part of the contract.

type qrCodeXML struct {
	FiscalCode   string `xml:"fiscalCode"`
	NoticeNumber string `xml:"noticeNumber"`
}

// stationIDs are the three identifiers every request from the node starts
// with.
type stationIDs struct {
	IDPA       string `xml:"idPA"`
	IDBrokerPA string `xml:"idBrokerPA"`
	IDStation  string `xml:"idStation"`
}

type verifyRequest struct {
	stationIDs
	QRCode qrCodeXML `xml:"qrCode"`
}

// getPaymentRequest serves paGetPaymentReq and paGetPaymentV2Request, which
// have the same fields.
type getPaymentRequest struct {
	stationIDs
	QRCode       qrCodeXML `xml:"qrCode"`
	Amount       string    `xml:"amount,omitempty"`
	PaymentNote  string    `xml:"paymentNote,omitempty"`
	TransferType string    `xml:"transferType,omitempty"`
	DueDate      string    `xml:"dueDate,omitempty"`
}

type sendRTRequest struct {
	stationIDs
	Receipt receiptXML `xml:"receipt"`
}

type faultBean struct {
	FaultCode   string `xml:"faultCode"`
	FaultString string `xml:"faultString"`
	ID          string `xml:"id"`
	Description string `xml:"description,omitempty"`
}

type ctResponse struct {
	Outcome Outcome    `xml:"outcome"`
	Fault   *faultBean `xml:"fault,omitempty"`
}

type paymentOptionXML struct {
	Amount            string `xml:"amount"`
	Options           string `xml:"options"`
	DueDate           string `xml:"dueDate,omitempty"`
	DetailDescription string `xml:"detailDescription,omitempty"`
	AllCCP            bool   `xml:"allCCP"`
}

type verifyResponse struct {
	ctResponse
	PaymentList *struct {
		Option paymentOptionXML `xml:"paymentOptionDescription"`
	} `xml:"paymentList,omitempty"`
	PaymentDescription string `xml:"paymentDescription,omitempty"`
	FiscalCodePA       string `xml:"fiscalCodePA,omitempty"`
	CompanyName        string `xml:"companyName,omitempty"`
	OfficeName         string `xml:"officeName,omitempty"`
}

type uniqueIdentifierXML struct {
	Type  string `xml:"entityUniqueIdentifierType"`
	Value string `xml:"entityUniqueIdentifierValue"`
}

type subjectXML struct {
	UniqueIdentifier uniqueIdentifierXML `xml:"uniqueIdentifier"`
	FullName         string              `xml:"fullName"`
	Email            string              `xml:"e-mail,omitempty"`
}

// transferXML is ctTransferPA (V1, no companyName), ctTransferPAV2 and
// ctTransferPAReceiptV2: CompanyName is left empty for V1.
type transferXML struct {
	IDTransfer            int    `xml:"idTransfer"`
	TransferAmount        string `xml:"transferAmount"`
	FiscalCodePA          string `xml:"fiscalCodePA"`
	CompanyName           string `xml:"companyName,omitempty"`
	IBAN                  string `xml:"IBAN"`
	RemittanceInformation string `xml:"remittanceInformation"`
	TransferCategory      string `xml:"transferCategory"`
}

// paymentXML is ctPaymentPA and ctPaymentPAV2; companyName is optional in
// the first and required in the second, and always sent.
type paymentXML struct {
	CreditorReferenceID string     `xml:"creditorReferenceId"`
	PaymentAmount       string     `xml:"paymentAmount"`
	DueDate             string     `xml:"dueDate"`
	Description         string     `xml:"description"`
	CompanyName         string     `xml:"companyName"`
	OfficeName          string     `xml:"officeName,omitempty"`
	Debtor              subjectXML `xml:"debtor"`
	TransferList        struct {
		Transfers []transferXML `xml:"transfer"`
	} `xml:"transferList"`
}

type getPaymentResponse struct {
	ctResponse
	Data *paymentXML `xml:"data,omitempty"`
}

// receiptXML is ctReceipt and ctReceiptV2; the V2-only fields are left
// empty when talking V1.
type receiptXML struct {
	ReceiptID           string     `xml:"receiptId"`
	NoticeNumber        string     `xml:"noticeNumber"`
	FiscalCode          string     `xml:"fiscalCode"`
	Outcome             string     `xml:"outcome"`
	CreditorReferenceID string     `xml:"creditorReferenceId"`
	PaymentAmount       string     `xml:"paymentAmount"`
	Description         string     `xml:"description"`
	CompanyName         string     `xml:"companyName"`
	OfficeName          string     `xml:"officeName,omitempty"`
	Debtor              subjectXML `xml:"debtor"`
	TransferList        struct {
		Transfers []transferXML `xml:"transfer"`
	} `xml:"transferList"`
	IDPSP              string      `xml:"idPSP"`
	PSPFiscalCode      string      `xml:"pspFiscalCode,omitempty"`
	PSPPartitaIVA      string      `xml:"pspPartitaIVA,omitempty"`
	PSPCompanyName     string      `xml:"PSPCompanyName"`
	IDChannel          string      `xml:"idChannel"`
	ChannelDescription string      `xml:"channelDescription"`
	Payer              *subjectXML `xml:"payer,omitempty"`
	PaymentMethod      string      `xml:"paymentMethod,omitempty"`
	PaymentNote        string      `xml:"paymentNote,omitempty"`
	Fee                string      `xml:"fee,omitempty"`
	PaymentDateTime    string      `xml:"paymentDateTime,omitempty"`
	ApplicationDate    string      `xml:"applicationDate,omitempty"`
	TransferDate       string      `xml:"transferDate,omitempty"`
	StandIn            string      `xml:"standIn,omitempty"`
	Inner              string      `xml:",innerxml"`
}

// errSyntax marks a request that does not follow the schema: the endpoint
// answers PAA_SINTASSI_XSD.
var errSyntax = errors.New("richiesta non conforme a paForNode.xsd")

// maxMessageBytes bounds a message read from the network; a receipt with
// five transfers is a few kilobytes.
const maxMessageBytes = 1 << 20

// soapRequest is a decoded paForNode request.
type soapRequest struct {
	op   string // operation, from the body element
	body any    // *verifyRequest, *getPaymentRequest or *sendRTRequest; nil for paDemandPaymentNotice
}

// decodeRequest reads a SOAP 1.1 envelope and the paForNode request in its
// body. soapAction, when not empty, must name the same operation as the
// body element. An error wraps errSyntax; op is set whenever the body
// element or the action names an operation, so that even a broken request
// gets its answer in the operation's own response element.
func decodeRequest(r io.Reader, soapAction string) (soapRequest, error) {
	action := strings.Trim(strings.TrimSpace(soapAction), `"`)
	if _, known := responseElements[action]; !known {
		action = ""
	}
	req := soapRequest{op: action}
	fail := func(format string, args ...any) (soapRequest, error) {
		return req, fmt.Errorf("%w: "+format, append([]any{errSyntax}, args...)...)
	}
	dec := xml.NewDecoder(r)
	start, err := openBody(dec)
	if err != nil {
		return fail("%v", err)
	}
	op, known := requestElements[start.Name.Local]
	if !known || start.Name.Space != paForNodeNS {
		return fail("elemento {%s}%s sconosciuto", start.Name.Space, start.Name.Local)
	}
	req.op = op
	if action != "" && action != op {
		return fail("la SOAPAction %s non corrisponde all'elemento %s", action, start.Name.Local)
	}
	switch op {
	case opVerify:
		req.body = new(verifyRequest)
	case opGetPayment, opGetPaymentV2:
		req.body = new(getPaymentRequest)
	case opSendRT, opSendRTV2:
		req.body = new(sendRTRequest)
	case opDemand:
		return req, nil
	}
	if err := dec.DecodeElement(req.body, &start); err != nil {
		return fail("%s: %v", start.Name.Local, err)
	}
	return req, nil
}

// decodeMessage is decodeRequest over a message held in memory: a
// paVerifyPaymentNoticeReq in the node's usual shape is read by fastVerify,
// anything else by encoding/xml.
func decodeMessage(msg []byte, soapAction string) (soapRequest, error) {
	action := strings.Trim(strings.TrimSpace(soapAction), `"`)
	if _, known := responseElements[action]; !known || action == opVerify {
		if v, ok := fastVerify(msg); ok {
			return soapRequest{op: opVerify, body: &v}, nil
		}
	}
	return decodeRequest(bytes.NewReader(msg), soapAction)
}

// openBody reads a SOAP 1.1 envelope up to the first element inside its
// Body, skipping the Header, and returns that element's start.
func openBody(dec *xml.Decoder) (xml.StartElement, error) {
	start, err := nextStart(dec)
	if err != nil {
		return start, fmt.Errorf("manca la Envelope: %w", err)
	}
	if start.Name.Space != soapEnvNS || start.Name.Local != "Envelope" {
		return start, fmt.Errorf("l'elemento radice {%s}%s non è una Envelope SOAP 1.1", start.Name.Space, start.Name.Local)
	}
	if start, err = nextStart(dec); err != nil {
		return start, fmt.Errorf("manca il Body: %w", err)
	}
	if start.Name.Space == soapEnvNS && start.Name.Local == "Header" {
		if err := dec.Skip(); err != nil {
			return start, fmt.Errorf("Header illeggibile: %w", err)
		}
		if start, err = nextStart(dec); err != nil {
			return start, fmt.Errorf("manca il Body: %w", err)
		}
	}
	if start.Name.Space != soapEnvNS || start.Name.Local != "Body" {
		return start, fmt.Errorf("atteso Body, trovato %s", start.Name.Local)
	}
	if start, err = nextStart(dec); err != nil {
		return start, fmt.Errorf("Body vuoto: %w", err)
	}
	return start, nil
}

// nextStart returns the next start element, skipping text, comments and
// processing instructions; the end of a parent before any child is an
// error.
func nextStart(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, fmt.Errorf("</%s> inatteso", t.Name.Local)
		}
	}
}

// The envelope around every message this package writes: the body element
// carries the paf prefix, its children none.
const (
	envelopeHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenv="` + soapEnvNS + `" xmlns:paf="` + paForNodeNS + `"><soapenv:Body>`
	envelopeTail = `</soapenv:Body></soapenv:Envelope>`
)

// envelopeEncoder is an XML encoder with the buffer it writes to, reused
// across messages: a new encoder allocates a 4 KB buffer each time, the
// largest allocation of a paVerifyPaymentNotice.
type envelopeEncoder struct {
	buf bytes.Buffer
	enc *xml.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := new(envelopeEncoder)
	e.enc = xml.NewEncoder(&e.buf)
	return e
}}

// writeEnvelope writes a SOAP envelope whose body is v as element
// paf:<element>.
func writeEnvelope(w *bytes.Buffer, element string, v any) error {
	e := encoders.Get().(*envelopeEncoder)
	e.buf.Reset()
	err := e.enc.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: "paf:" + element}})
	if err == nil {
		err = e.enc.Flush()
	}
	if err != nil {
		// An encoder that failed midway may hold state: it is not reused.
		return fmt.Errorf("pagopa: encoding %s: %w", element, err)
	}
	w.WriteString(envelopeHead)
	w.Write(e.buf.Bytes())
	w.WriteString(envelopeTail)
	encoders.Put(e)
	return nil
}

// formatAmount writes cents as decimal euro with two decimals, the form
// stAmount requires ("56.00"), by integer arithmetic.
func formatAmount(c money.Cents) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-c)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// parseAmount reads a stAmount: digits, a dot, exactly two decimals, at
// most 999999999.99.
func parseAmount(s string) (money.Cents, error) {
	units, cents, ok := strings.Cut(s, ".")
	if !ok || len(units) == 0 || len(units) > 9 || len(cents) != 2 || !allDigits(units) || !allDigits(cents) {
		return 0, fmt.Errorf("%w: l'importo %q non è in euro con due decimali", errSyntax, s)
	}
	var v int64
	for i := 0; i < len(units); i++ {
		v = v*10 + int64(units[i]-'0')
	}
	return money.Cents(v*100 + int64(cents[0]-'0')*10 + int64(cents[1]-'0')), nil
}

// formatDateTime writes an instant as xsd:dateTime in Europe/Rome, the
// zone pagoPA's receipts are read in.
func formatDateTime(t time.Time) string {
	return t.In(civil.Rome).Format("2006-01-02T15:04:05.000Z07:00")
}

// parseDateTime reads xsd:dateTime; a value without a zone, as the node
// often sends, is taken in Europe/Rome.
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, civil.Rome)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q non è una data e ora", errSyntax, s)
	}
	return t, nil
}
