package pagopa

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// The demo configuration: the city is its own intermediary, its station is
// its fiscal code plus _01.
var testConfig = CreditorConfig{
	IDPA:             testCreditorCF,
	IDBrokerPA:       testCreditorCF,
	IDStation:        testCreditorCF + "_01",
	IBAN:             "IT60X0542811101000000123456",
	CreditorName:     "Comune di Torino",
	OfficeName:       "Polizia Municipale",
	TransferCategory: "9/0301109AP/",
	Now:              func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, civil.Rome) },
}

var (
	navOpen      = MustParseNoticeNumber("301000000000012373")
	navCompany   = mustSeq(124)
	navAnonymous = mustSeq(125)
	navPaid      = mustSeq(200)
	navCancelled = mustSeq(201)
	navExpired   = mustSeq(202)
	navBroken    = mustSeq(203) // Lookup fails
	navPanic     = mustSeq(204) // Lookup panics
	navNoAmount  = mustSeq(205) // a store bug: open with nothing due
	navNoText    = mustSeq(206) // no description
	navLongText  = mustSeq(207) // description and name beyond pagoPA's limits
	navUnknown   = mustSeq(999)
)

func mustSeq(seq int64) NoticeNumber {
	n, err := NoticeNumberFromSequence("01", seq)
	if err != nil {
		panic(err)
	}
	return n
}

// fakePositions keeps positions and receipts in memory with the
// idempotency rules Positions demands.
type fakePositions struct {
	mu        sync.Mutex
	positions map[NoticeNumber]Position
	receipts  map[string]Receipt      // by receipt id
	paidBy    map[NoticeNumber]string // notice → receipt id
	review    []Receipt               // conflicting receipts
	askedOn   map[NoticeNumber]civil.Date
}

func newFakePositions() *fakePositions {
	due := civil.New(2026, time.December, 31)
	p := &fakePositions{
		positions: map[NoticeNumber]Position{},
		receipts:  map[string]Receipt{},
		paidBy:    map[NoticeNumber]string{},
		askedOn:   map[NoticeNumber]civil.Date{},
	}
	add := func(n NoticeNumber, status PositionStatus, debtor Subject) {
		p.positions[n] = Position{
			Notice: n, Status: status, Amount: 5600, DueDate: due,
			Description: "Verbale 2026/000123 - art. 7 CdS", Debtor: debtor,
		}
	}
	mario := Subject{FiscalCode: "RSSMRA80A01L219M", Name: "Mario Rossi", Email: "mario.rossi@example.it"}
	add(navOpen, PositionOpen, mario)
	add(navCompany, PositionOpen, Subject{FiscalCode: "01234567890", Name: "Trasporti Rapidi S.r.l."})
	add(navAnonymous, PositionOpen, Subject{})
	add(navPaid, PositionPaid, mario)
	add(navCancelled, PositionCancelled, mario)
	add(navExpired, PositionExpired, mario)
	add(navNoAmount, PositionOpen, mario)
	p.positions[navNoAmount] = Position{Notice: navNoAmount, Status: PositionOpen, DueDate: due}
	add(navNoText, PositionOpen, mario)
	p.positions[navNoText] = Position{Notice: navNoText, Status: PositionOpen, Amount: 5600, DueDate: due, Debtor: mario}
	add(navLongText, PositionOpen, Subject{FiscalCode: "rssmra80a01l219m", Name: strings.Repeat("Ò", 80), Email: "not an address"})
	long := p.positions[navLongText]
	long.Description = strings.Repeat("è", 150)
	p.positions[navLongText] = long
	return p
}

func (p *fakePositions) Lookup(_ context.Context, n NoticeNumber, today civil.Date) (Position, error) {
	switch n {
	case navBroken:
		return Position{}, errors.New("database is locked")
	case navPanic:
		panic("nil map in the store")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.askedOn[n] = today
	pos, ok := p.positions[n]
	if !ok {
		return Position{}, fmt.Errorf("notice %s: %w", n, ErrPositionNotFound)
	}
	return pos, nil
}

func (p *fakePositions) RecordReceipt(_ context.Context, r Receipt) (RecordResult, error) {
	if r.Notice == navBroken {
		return 0, errors.New("disk full")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pos, ok := p.positions[r.Notice]
	if !ok {
		return 0, ErrPositionNotFound
	}
	r.XML = "" // whitespace may differ between resends of the same receipt
	if prev, ok := p.receipts[r.ReceiptID]; ok {
		prev.XML = ""
		if fmt.Sprint(prev) == fmt.Sprint(r) {
			return ReceiptDuplicate, nil
		}
		p.review = append(p.review, r)
		return ReceiptConflict, nil
	}
	if _, paid := p.paidBy[r.Notice]; paid || pos.Status != PositionOpen {
		p.review = append(p.review, r)
		return ReceiptConflict, nil
	}
	p.receipts[r.ReceiptID] = r
	p.paidBy[r.Notice] = r.ReceiptID
	pos.Status = PositionPaid
	p.positions[r.Notice] = pos
	return ReceiptRecorded, nil
}

// soapRequest wraps a request element the way the node writes it: its
// own prefix, unqualified children.
func soapEnvelope(element, inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:nod="http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd">
  <soapenv:Header/>
  <soapenv:Body>
    <nod:` + element + `>` + inner + `</nod:` + element + `>
  </soapenv:Body>
</soapenv:Envelope>`
}

func ids(idPA, broker, station string) string {
	return "<idPA>" + idPA + "</idPA><idBrokerPA>" + broker + "</idBrokerPA><idStation>" + station + "</idStation>"
}

var goodIDs = ids(testConfig.IDPA, testConfig.IDBrokerPA, testConfig.IDStation)

func qrCode(cf string, n string) string {
	return "<qrCode><fiscalCode>" + cf + "</fiscalCode><noticeNumber>" + n + "</noticeNumber></qrCode>"
}

func verifyReq(n NoticeNumber) string {
	return soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+qrCode(testCreditorCF, n.String()))
}

// testResponse is a paForNode response read loosely, to assert on it.
type testResponse struct {
	Status int
	Raw    []byte
	Body   struct {
		Message struct {
			XMLName xml.Name
			Outcome string    `xml:"outcome"`
			Fault   faultBean `xml:"fault"`
			Option  struct {
				Amount  string `xml:"amount"`
				Options string `xml:"options"`
				DueDate string `xml:"dueDate"`
				AllCCP  bool   `xml:"allCCP"`
			} `xml:"paymentList>paymentOptionDescription"`
			PaymentDescription string     `xml:"paymentDescription"`
			FiscalCodePA       string     `xml:"fiscalCodePA"`
			CompanyName        string     `xml:"companyName"`
			Data               paymentXML `xml:"data"`
		} `xml:",any"`
		Fault struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

func call(t testing.TB, h http.Handler, action, body string) testResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/pagopa/paForNode", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	if action != "" {
		req.Header.Set("SOAPAction", action)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp testResponse
	resp.Status = rec.Code
	resp.Raw = rec.Body.Bytes()
	if ct := rec.Header().Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := xml.Unmarshal(resp.Raw, &resp); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, resp.Raw)
	}
	return resp
}

func newTestHandler(t testing.TB) (http.Handler, *fakePositions) {
	t.Helper()
	if err := testConfig.Check(); err != nil {
		t.Fatal(err)
	}
	p := newFakePositions()
	return NewCreditorHandler(testConfig, p, slog.New(slog.DiscardHandler)), p
}

func TestVerifyPaymentNotice(t *testing.T) {
	h, positions := newTestHandler(t)
	tests := map[string]struct {
		action, body string
		wantFault    string
	}{
		"open":                   {action: "paVerifyPaymentNotice", body: verifyReq(navOpen)},
		"quoted SOAPAction":      {action: `"paVerifyPaymentNotice"`, body: verifyReq(navOpen)},
		"no SOAPAction":          {body: verifyReq(navOpen)},
		"wrong idPA":             {body: soapEnvelope("paVerifyPaymentNoticeReq", ids("99999999999", testConfig.IDBrokerPA, testConfig.IDStation)+qrCode(testCreditorCF, navOpen.String())), wantFault: FaultIDDominioErrato},
		"wrong broker":           {body: soapEnvelope("paVerifyPaymentNoticeReq", ids(testConfig.IDPA, "99999999999", testConfig.IDStation)+qrCode(testCreditorCF, navOpen.String())), wantFault: FaultIDIntermediarioErrato},
		"wrong station":          {body: soapEnvelope("paVerifyPaymentNoticeReq", ids(testConfig.IDPA, testConfig.IDBrokerPA, testCreditorCF+"_02")+qrCode(testCreditorCF, navOpen.String())), wantFault: FaultStazioneIntErrata},
		"notice of another city": {body: soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+qrCode("99999999999", navOpen.String())), wantFault: FaultIDDominioErrato},
		"unknown notice":         {body: verifyReq(navUnknown), wantFault: FaultPagamentoSconosciuto},
		"wrong check digits":     {body: soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+qrCode(testCreditorCF, "301000000000012374")), wantFault: FaultPagamentoSconosciuto},
		"aux digit 0":            {body: soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+qrCode(testCreditorCF, "001000000000012373")), wantFault: FaultPagamentoSconosciuto},
		"already paid":           {body: verifyReq(navPaid), wantFault: FaultPagamentoDuplicato},
		"cancelled":              {body: verifyReq(navCancelled), wantFault: FaultPagamentoAnnullato},
		"expired":                {body: verifyReq(navExpired), wantFault: FaultPagamentoScaduto},
		"store error":            {body: verifyReq(navBroken), wantFault: FaultSystemError},
		"store panic":            {body: verifyReq(navPanic), wantFault: FaultSystemError},
		"missing notice number":  {body: soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+"<qrCode><fiscalCode>"+testCreditorCF+"</fiscalCode></qrCode>"), wantFault: FaultSintassiXSD},
		"notice number too long": {body: soapEnvelope("paVerifyPaymentNoticeReq", goodIDs+qrCode(testCreditorCF, navOpen.String()+"0")), wantFault: FaultSintassiXSD},
		"idStation too long":     {body: soapEnvelope("paVerifyPaymentNoticeReq", ids(testConfig.IDPA, testConfig.IDBrokerPA, strings.Repeat("9", 36))+qrCode(testCreditorCF, navOpen.String())), wantFault: FaultSintassiXSD},
		"not XML":                {action: "paVerifyPaymentNotice", body: "idPA=00514490010", wantFault: FaultSintassiXSD},
		"truncated":              {action: "paVerifyPaymentNotice", body: verifyReq(navOpen)[:300], wantFault: FaultSintassiXSD},
		"action disagrees":       {action: "paSendRTV2", body: verifyReq(navOpen), wantFault: FaultSintassiXSD},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp := call(t, h, tt.action, tt.body)
			validateSOAP(t, resp.Raw)
			msg := resp.Body.Message
			if resp.Status != http.StatusOK {
				t.Errorf("HTTP %d, want 200", resp.Status)
			}
			// Even a request whose SOAPAction disagrees is answered in the
			// element of the operation its body asks for.
			if msg.XMLName.Local != "paVerifyPaymentNoticeRes" {
				t.Errorf("answered with %s, want paVerifyPaymentNoticeRes", msg.XMLName.Local)
			}
			if tt.wantFault != "" {
				if msg.Outcome != "KO" || msg.Fault.FaultCode != tt.wantFault || msg.Fault.ID != testConfig.IDPA || msg.Fault.FaultString == "" {
					t.Fatalf("outcome %s fault %+v, want KO %s", msg.Outcome, msg.Fault, tt.wantFault)
				}
				if strings.Contains(string(resp.Raw), "goroutine") || strings.Contains(string(resp.Raw), "database is locked") || strings.Contains(string(resp.Raw), "nil map") {
					t.Errorf("internal detail leaked to the node:\n%s", resp.Raw)
				}
				return
			}
			if msg.Outcome != "OK" {
				t.Fatalf("outcome %s, fault %+v", msg.Outcome, msg.Fault)
			}
			o := msg.Option
			if o.Amount != "56.00" || o.Options != "EQ" || o.DueDate != "2026-12-31" || o.AllCCP {
				t.Errorf("payment option %+v", o)
			}
			if msg.FiscalCodePA != testCreditorCF || msg.CompanyName != "Comune di Torino" || msg.PaymentDescription != "Verbale 2026/000123 - art. 7 CdS" {
				t.Errorf("creditor data: %s %q %q", msg.FiscalCodePA, msg.CompanyName, msg.PaymentDescription)
			}
		})
	}
	if got := positions.askedOn[navOpen]; got != civil.New(2026, time.November, 26) {
		t.Errorf("Lookup asked for the amount due on %v, want the day of the call in Rome", got)
	}
}

// TestVerifyTodayInRome pins the clock just after midnight in Rome, still
// the previous day in UTC: the amount due must be the one of the Roman day.
func TestVerifyTodayInRome(t *testing.T) {
	cfg := testConfig
	cfg.Now = func() time.Time { return time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC) }
	p := newFakePositions()
	h := NewCreditorHandler(cfg, p, nil)
	resp := call(t, h, "paVerifyPaymentNotice", verifyReq(navOpen))
	if resp.Body.Message.Outcome != "OK" {
		t.Fatalf("outcome %s", resp.Body.Message.Outcome)
	}
	if got := p.askedOn[navOpen]; got != civil.New(2026, time.November, 26) {
		t.Errorf("asked for %v, want 2026-11-26", got)
	}
}

func getPaymentReq(element string, n NoticeNumber, extra string) string {
	return soapEnvelope(element, goodIDs+qrCode(testCreditorCF, n.String())+extra)
}

func TestGetPayment(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := map[string]struct {
		action, body string
		wantFault    string
		wantDebtor   uniqueIdentifierXML
		wantName     string
	}{
		"V2": {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navOpen, "<amount>56.00</amount>"),
			wantDebtor: uniqueIdentifierXML{"F", "RSSMRA80A01L219M"}, wantName: "Mario Rossi"},
		"V1": {action: "paGetPayment", body: getPaymentReq("paGetPaymentReq", navOpen, "<amount>56.00</amount><transferType>PAGOPA</transferType>"),
			wantDebtor: uniqueIdentifierXML{"F", "RSSMRA80A01L219M"}, wantName: "Mario Rossi"},
		"company debtor": {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navCompany, ""),
			wantDebtor: uniqueIdentifierXML{"G", "01234567890"}, wantName: "Trasporti Rapidi S.r.l."},
		"pre-notice, debtor unknown": {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navAnonymous, ""),
			wantDebtor: uniqueIdentifierXML{"F", "ANONIMO"}, wantName: "ANONIMO"},
		"paid":            {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navPaid, ""), wantFault: FaultPagamentoDuplicato},
		"V1 cancelled":    {action: "paGetPayment", body: getPaymentReq("paGetPaymentReq", navCancelled, ""), wantFault: FaultPagamentoAnnullato},
		"unknown":         {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navUnknown, ""), wantFault: FaultPagamentoSconosciuto},
		"amount in cents": {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navOpen, "<amount>5600</amount>"), wantFault: FaultSintassiXSD},
		"transfer type":   {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navOpen, "<transferType>CASH</transferType>"), wantFault: FaultSintassiXSD},
		"bad due date":    {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navOpen, "<dueDate>31/12/2026</dueDate>"), wantFault: FaultSintassiXSD},
		"store panic":     {action: "paGetPaymentV2", body: getPaymentReq("paGetPaymentV2Request", navPanic, ""), wantFault: FaultSystemError},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp := call(t, h, tt.action, tt.body)
			validateSOAP(t, resp.Raw)
			msg := resp.Body.Message
			if want := responseElements[tt.action]; msg.XMLName.Local != want {
				t.Errorf("answered with %s, want %s", msg.XMLName.Local, want)
			}
			if tt.wantFault != "" {
				if msg.Outcome != "KO" || msg.Fault.FaultCode != tt.wantFault {
					t.Fatalf("outcome %s fault %+v, want KO %s", msg.Outcome, msg.Fault, tt.wantFault)
				}
				return
			}
			if msg.Outcome != "OK" {
				t.Fatalf("outcome %s, fault %+v", msg.Outcome, msg.Fault)
			}
			d := msg.Data
			notice := MustParseNoticeNumber(strings.Split(strings.Split(tt.body, "<noticeNumber>")[1], "<")[0])
			if d.CreditorReferenceID != notice.IUV() || d.PaymentAmount != "56.00" || d.DueDate != "2026-12-31" {
				t.Errorf("payment %s %s %s", d.CreditorReferenceID, d.PaymentAmount, d.DueDate)
			}
			if d.Debtor.UniqueIdentifier != tt.wantDebtor || d.Debtor.FullName != tt.wantName {
				t.Errorf("debtor %+v, want %+v %q", d.Debtor, tt.wantDebtor, tt.wantName)
			}
			if len(d.TransferList.Transfers) != 1 {
				t.Fatalf("%d transfers, want 1", len(d.TransferList.Transfers))
			}
			tr := d.TransferList.Transfers[0]
			if tr.IDTransfer != 1 || tr.TransferAmount != "56.00" || tr.FiscalCodePA != testCreditorCF || tr.IBAN != testConfig.IBAN || tr.TransferCategory != testConfig.TransferCategory {
				t.Errorf("transfer %+v", tr)
			}
		})
	}
}

func TestGetPaymentPostal(t *testing.T) {
	cfg := testConfig
	cfg.PostalIBAN = "IT20O0760101000000012345678"
	h := NewCreditorHandler(cfg, newFakePositions(), nil)
	resp := call(t, h, "paGetPayment", getPaymentReq("paGetPaymentReq", navOpen, "<transferType>POSTAL</transferType>"))
	validateSOAP(t, resp.Raw)
	if tr := resp.Body.Message.Data.TransferList.Transfers; len(tr) != 1 || tr[0].IBAN != cfg.PostalIBAN {
		t.Errorf("transfers %+v, want the postal IBAN", tr)
	}
	resp = call(t, h, "paVerifyPaymentNotice", verifyReq(navOpen))
	validateSOAP(t, resp.Raw)
	if !resp.Body.Message.Option.AllCCP {
		t.Error("allCCP false with a postal account configured")
	}
}

// receiptXMLFor writes a ctReceiptV2 (or ctReceipt) for notice, paid with
// amount, as the node would.
func receiptXMLFor(id string, n NoticeNumber, amount money.Cents, outcome string, v2 bool) string {
	company := ""
	if v2 {
		company = "<companyName>Comune di Torino</companyName>"
	}
	return `<receipt>
  <receiptId>` + id + `</receiptId>
  <noticeNumber>` + n.String() + `</noticeNumber>
  <fiscalCode>` + testCreditorCF + `</fiscalCode>
  <outcome>` + outcome + `</outcome>
  <creditorReferenceId>` + n.IUV() + `</creditorReferenceId>
  <paymentAmount>` + formatAmount(amount) + `</paymentAmount>
  <description>Verbale 2026/000123 - art. 7 CdS</description>
  <companyName>Comune di Torino</companyName>
  <debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType><entityUniqueIdentifierValue>RSSMRA80A01L219M</entityUniqueIdentifierValue></uniqueIdentifier><fullName>Mario Rossi</fullName></debtor>
  <transferList><transfer><idTransfer>1</idTransfer><transferAmount>` + formatAmount(amount) + `</transferAmount><fiscalCodePA>` + testCreditorCF + `</fiscalCodePA>` + company + `<IBAN>IT60X0542811101000000123456</IBAN><remittanceInformation>Verbale 2026/000123</remittanceInformation><transferCategory>9/0301109AP/</transferCategory></transfer></transferList>
  <idPSP>BCITITMM</idPSP>
  <PSPCompanyName>Banca di prova</PSPCompanyName>
  <idChannel>BCITITMM_01</idChannel>
  <channelDescription>app</channelDescription>
  <paymentMethod>creditCard</paymentMethod>
  <fee>1.50</fee>
  <paymentDateTime>2026-11-26T10:01:02</paymentDateTime>
  <applicationDate>2026-11-26</applicationDate>
  <transferDate>2026-11-27</transferDate>
</receipt>`
}

func sendRTV2Req(receipt string) string { return soapEnvelope("paSendRTV2Request", goodIDs+receipt) }

func TestSendRT(t *testing.T) {
	h, positions := newTestHandler(t)
	steps := []struct {
		name, action, body string
		wantFault          string
		wantReview         int
	}{
		{name: "first receipt", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-1", navOpen, 5600, "OK", true))},
		{name: "same receipt again", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-1", navOpen, 5600, "OK", true))},
		{name: "same id, other amount", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-1", navOpen, 7000, "OK", true)), wantReview: 1},
		{name: "second payment of a paid notice", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-2", navOpen, 5600, "OK", true)), wantReview: 2},
		{name: "V1 receipt", action: "paSendRT", body: soapEnvelope("paSendRTReq", goodIDs+receiptXMLFor("r-3", navCompany, 5600, "OK", false)), wantReview: 2},
		{name: "failed payment is not recorded", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-4", navAnonymous, 5600, "KO", true)), wantReview: 2},
		{name: "unknown notice", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-5", navUnknown, 5600, "OK", true)), wantFault: FaultPagamentoSconosciuto, wantReview: 2},
		{name: "store error", action: "paSendRTV2", body: sendRTV2Req(receiptXMLFor("r-6", navBroken, 5600, "OK", true)), wantFault: FaultSystemError, wantReview: 2},
		{name: "wrong station", action: "paSendRTV2", body: soapEnvelope("paSendRTV2Request", ids(testConfig.IDPA, testConfig.IDBrokerPA, "x")+receiptXMLFor("r-7", navAnonymous, 5600, "OK", true)), wantFault: FaultStazioneIntErrata, wantReview: 2},
		{name: "amount without decimals", action: "paSendRTV2", body: sendRTV2Req(strings.Replace(receiptXMLFor("r-8", navAnonymous, 5600, "OK", true), "<paymentAmount>56.00", "<paymentAmount>56", 1)), wantFault: FaultSintassiXSD, wantReview: 2},
		{name: "no transfers", action: "paSendRTV2", body: sendRTV2Req(strings.Split(receiptXMLFor("r-9", navAnonymous, 5600, "OK", true), "<transferList>")[0] + "<idPSP>x</idPSP></receipt>"), wantFault: FaultSintassiXSD, wantReview: 2},
	}
	for _, s := range steps {
		resp := call(t, h, s.action, s.body)
		validateSOAP(t, resp.Raw)
		msg := resp.Body.Message
		if want := responseElements[s.action]; msg.XMLName.Local != want {
			t.Errorf("%s: answered with %s, want %s", s.name, msg.XMLName.Local, want)
		}
		if s.wantFault == "" && msg.Outcome != "OK" {
			t.Errorf("%s: outcome %s fault %+v, want OK", s.name, msg.Outcome, msg.Fault)
		}
		if s.wantFault != "" && (msg.Outcome != "KO" || msg.Fault.FaultCode != s.wantFault) {
			t.Errorf("%s: outcome %s fault %+v, want KO %s", s.name, msg.Outcome, msg.Fault, s.wantFault)
		}
		if len(positions.review) != s.wantReview {
			t.Errorf("%s: %d receipts kept for review, want %d", s.name, len(positions.review), s.wantReview)
		}
	}
	if len(positions.receipts) != 2 {
		t.Errorf("%d receipts recorded, want 2 (r-1 and r-3)", len(positions.receipts))
	}
	r := positions.receipts["r-1"]
	want := Receipt{
		ReceiptID: "r-1", Notice: navOpen, CreditorFiscalCode: testCreditorCF, Outcome: OutcomeOK,
		CreditorReferenceID: navOpen.IUV(), Amount: 5600, Description: "Verbale 2026/000123 - art. 7 CdS",
		CompanyName: "Comune di Torino", Debtor: Subject{FiscalCode: "RSSMRA80A01L219M", Name: "Mario Rossi"},
		Transfers: []Transfer{{ID: 1, Amount: 5600, FiscalCodePA: testCreditorCF, CompanyName: "Comune di Torino",
			IBAN: "IT60X0542811101000000123456", RemittanceInformation: "Verbale 2026/000123", Category: "9/0301109AP/"}},
		PSPID: "BCITITMM", PSPCompanyName: "Banca di prova", ChannelID: "BCITITMM_01", ChannelDescription: "app",
		PaymentMethod: "creditCard", Fee: 150, PaymentTime: time.Date(2026, 11, 26, 10, 1, 2, 0, civil.Rome),
		ApplicationDate: civil.New(2026, time.November, 26), TransferDate: civil.New(2026, time.November, 27), Version: 2,
	}
	if fmt.Sprint(r) != fmt.Sprint(want) {
		t.Errorf("recorded receipt\n%+v\nwant\n%+v", r, want)
	}
	if positions.positions[navOpen].Status != PositionPaid {
		t.Error("the notice is not paid after its receipt")
	}
}

func TestReceiptKeepsXML(t *testing.T) {
	h, positions := newTestHandler(t)
	var kept string
	recorder := recordingPositions{fakePositions: positions, onRecord: func(r Receipt) { kept = r.XML }}
	h = NewCreditorHandler(testConfig, recorder, nil)
	call(t, h, "paSendRTV2", sendRTV2Req(receiptXMLFor("r-1", navOpen, 5600, "OK", true)))
	if !strings.Contains(kept, "<receiptId>r-1</receiptId>") || !strings.Contains(kept, "<idPSP>BCITITMM</idPSP>") {
		t.Errorf("Receipt.XML does not hold the receipt as sent: %q", kept)
	}
}

type recordingPositions struct {
	*fakePositions
	onRecord func(Receipt)
}

func (p recordingPositions) RecordReceipt(ctx context.Context, r Receipt) (RecordResult, error) {
	p.onRecord(r)
	return p.fakePositions.RecordReceipt(ctx, r)
}

func TestNotAPaForNodeCall(t *testing.T) {
	h, _ := newTestHandler(t)
	tests := map[string]struct{ action, body string }{
		"empty body":      {body: ""},
		"unknown element": {body: soapEnvelope("paPayNow", goodIDs)},
		"unknown action":  {action: "paPayNow", body: "garbage"},
		"SOAP 1.2":        {body: strings.ReplaceAll(verifyReq(navOpen), "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")},
		"wrong namespace": {body: strings.ReplaceAll(verifyReq(navOpen), "pa/paForNode.xsd", "pa/other.xsd")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp := call(t, h, tt.action, tt.body)
			validateSOAPFault(t, resp.Raw)
			if resp.Status != http.StatusInternalServerError || resp.Body.Fault.Code != "soapenv:Client" || !strings.HasPrefix(resp.Body.Fault.String, FaultSintassiXSD) {
				t.Errorf("HTTP %d, fault %+v; want 500 with a SOAP Client fault", resp.Status, resp.Body.Fault)
			}
		})
	}
}

func TestDemandPaymentNoticeNotOffered(t *testing.T) {
	h, _ := newTestHandler(t)
	body := soapEnvelope("paDemandPaymentNoticeRequest", goodIDs+"<idServizio>00001</idServizio><idSoggettoServizio>00001</idSoggettoServizio><datiSpecificiServizioRequest>AAAA</datiSpecificiServizioRequest>")
	resp := call(t, h, "paDemandPaymentNotice", body)
	validateSOAP(t, resp.Raw)
	if m := resp.Body.Message; m.XMLName.Local != "paDemandPaymentNoticeResponse" || m.Fault.FaultCode != FaultSemantica {
		t.Errorf("answered %s with %+v, want PAA_SEMANTICA", m.XMLName.Local, m.Fault)
	}
}

func TestOnlyPost(t *testing.T) {
	h, _ := newTestHandler(t)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/pagopa/paForNode", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
		t.Errorf("GET: HTTP %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestCreditorConfigCheck(t *testing.T) {
	broken := map[string]func(c *CreditorConfig){
		"idPA not a fiscal code": func(c *CreditorConfig) { c.IDPA = "TORINO" },
		"no broker":              func(c *CreditorConfig) { c.IDBrokerPA = "" },
		"no station":             func(c *CreditorConfig) { c.IDStation = "" },
		"no IBAN":                func(c *CreditorConfig) { c.IBAN = "" },
		"postal IBAN too long":   func(c *CreditorConfig) { c.PostalIBAN = strings.Repeat("X", 36) },
		"no creditor name":       func(c *CreditorConfig) { c.CreditorName = "" },
		"office name too long":   func(c *CreditorConfig) { c.OfficeName = strings.Repeat("x", 141) },
		"no category":            func(c *CreditorConfig) { c.TransferCategory = "" },
	}
	for name, breakIt := range broken {
		t.Run(name, func(t *testing.T) {
			c := testConfig
			breakIt(&c)
			if c.Check() == nil {
				t.Error("Check() accepted a broken configuration")
			}
		})
	}
}

// TestTextLimits shows that text beyond pagoPA's limits is cut, a missing
// description replaced and an invalid e-mail left out, rather than making
// the response invalid.
func TestTextLimits(t *testing.T) {
	h, _ := newTestHandler(t)
	resp := call(t, h, "paGetPaymentV2", getPaymentReq("paGetPaymentV2Request", navLongText, ""))
	validateSOAP(t, resp.Raw)
	d := resp.Body.Message.Data
	if d.Description != strings.Repeat("è", 140) || d.Debtor.FullName != strings.Repeat("Ò", 70) || d.Debtor.Email != "" {
		t.Errorf("description %q, name %q, e-mail %q", d.Description, d.Debtor.FullName, d.Debtor.Email)
	}
	if d.Debtor.UniqueIdentifier.Value != "RSSMRA80A01L219M" {
		t.Errorf("fiscal code %q, want upper case", d.Debtor.UniqueIdentifier.Value)
	}
	resp = call(t, h, "paVerifyPaymentNotice", verifyReq(navNoText))
	validateSOAP(t, resp.Raw)
	if got := resp.Body.Message.PaymentDescription; got != "Pagamento avviso "+navNoText.String() {
		t.Errorf("description %q", got)
	}
}

func TestAmounts(t *testing.T) {
	for cents, text := range map[money.Cents]string{0: "0.00", 1: "0.01", 5600: "56.00", 123456: "1234.56", -150: "-1.50", maxWireAmount: "999999999.99"} {
		if got := formatAmount(cents); got != text {
			t.Errorf("formatAmount(%d) = %q, want %q", cents, got, text)
		}
		if cents < 0 {
			continue
		}
		if got, err := parseAmount(text); err != nil || got != cents {
			t.Errorf("parseAmount(%q) = %d, %v", text, got, err)
		}
	}
	for _, bad := range []string{"", "56", "56.0", "56,00", ".50", "-1.00", "1000000000.00", "5 6.00", "56.001"} {
		if _, err := parseAmount(bad); err == nil {
			t.Errorf("parseAmount(%q) accepted", bad)
		}
	}
}

func TestFaultError(t *testing.T) {
	f := &Fault{Code: FaultPagamentoSconosciuto, String: "Pagamento in attesa risulta sconosciuto all'Ente Creditore"}
	if got := f.Error(); got != "pagopa: PAA_PAGAMENTO_SCONOSCIUTO: Pagamento in attesa risulta sconosciuto all'Ente Creditore" {
		t.Errorf("Error() = %q", got)
	}
	f.Description = "nessuna posizione"
	if !strings.HasSuffix(f.Error(), "(nessuna posizione)") {
		t.Errorf("Error() = %q", f.Error())
	}
}

// A message over the size limit is a syntax fault in the operation's own
// answer, and the buffers reused for it leave no trace in the next call.
func TestOversizedMessageIsASyntaxFault(t *testing.T) {
	h, _ := newTestHandler(t)
	huge := strings.Replace(verifyReq(navOpen), "<soapenv:Header/>", "<soapenv:Header><x>"+strings.Repeat("a", maxMessageBytes)+"</x></soapenv:Header>", 1)
	resp := call(t, h, "paVerifyPaymentNotice", huge)
	if resp.Body.Message.Outcome != "KO" || resp.Body.Message.Fault.FaultCode != FaultSintassiXSD {
		t.Fatalf("oversized message → %d %+v; want KO with %s", resp.Status, resp.Body.Message.Fault, FaultSintassiXSD)
	}
	if resp := call(t, h, "paVerifyPaymentNotice", verifyReq(navOpen)); resp.Body.Message.Outcome != "OK" {
		t.Fatalf("the call after an oversized one → %+v", resp.Body.Message)
	}
}
