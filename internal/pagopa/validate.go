package pagopa

import (
	"bytes"
	"encoding/xml"
	"strings"
	"unicode/utf8"

	"github.com/comune-torino/portale/internal/civil"
)

// The checks below are the parts of paForNode.xsd this endpoint relies on:
// required fields, the patterns of codes, amounts and dates. Free text is
// not held to its maximum length on the way in, because refusing a
// receipt for a long description would only make the node resend it.

func checkStation(ids stationIDs) *paFault {
	for _, f := range []struct{ name, value string }{
		{"idPA", ids.IDPA}, {"idBrokerPA", ids.IDBrokerPA}, {"idStation", ids.IDStation},
	} {
		if !text35(f.value) {
			return newFault(FaultSintassiXSD, "%s deve avere da 1 a 35 caratteri", f.name)
		}
	}
	return nil
}

func checkQRCode(qr qrCodeXML) *paFault {
	if len(qr.FiscalCode) != 11 || !allDigits(qr.FiscalCode) {
		return newFault(FaultSintassiXSD, "qrCode/fiscalCode deve avere 11 cifre")
	}
	if len(qr.NoticeNumber) != 18 || !allDigits(qr.NoticeNumber) {
		return newFault(FaultSintassiXSD, "qrCode/noticeNumber deve avere 18 cifre")
	}
	return nil
}

func checkGetPayment(req *getPaymentRequest) *paFault {
	if req.Amount != "" {
		if _, err := parseAmount(req.Amount); err != nil {
			return newFault(FaultSintassiXSD, "amount %q non è un importo in euro con due decimali", req.Amount)
		}
	}
	if req.TransferType != "" && req.TransferType != "POSTAL" && req.TransferType != "PAGOPA" {
		return newFault(FaultSintassiXSD, "transferType %q non ammesso", req.TransferType)
	}
	if req.DueDate != "" {
		if _, err := civil.Parse(req.DueDate); err != nil {
			return newFault(FaultSintassiXSD, "dueDate %q non è una data AAAA-MM-GG", req.DueDate)
		}
	}
	return nil
}

// receiptFromXML checks a ctReceipt or ctReceiptV2 and turns it into a
// Receipt. A notice number with the right shape but wrong check digits is
// not a syntax error: it is a notice this creditor never issued.
func receiptFromXML(x *receiptXML, v2 bool) (Receipt, *paFault) {
	syntax := func(format string, args ...any) (Receipt, *paFault) {
		return Receipt{}, newFault(FaultSintassiXSD, "receipt/"+format, args...)
	}
	required := []struct{ name, value string }{
		{"receiptId", x.ReceiptID}, {"creditorReferenceId", x.CreditorReferenceID},
		{"description", x.Description}, {"companyName", x.CompanyName},
		{"idPSP", x.IDPSP}, {"PSPCompanyName", x.PSPCompanyName},
		{"idChannel", x.IDChannel}, {"channelDescription", x.ChannelDescription},
	}
	for _, f := range required {
		if strings.TrimSpace(f.value) == "" {
			return syntax("%s è obbligatorio", f.name)
		}
	}
	if len(x.NoticeNumber) != 18 || !allDigits(x.NoticeNumber) {
		return syntax("noticeNumber deve avere 18 cifre")
	}
	if len(x.FiscalCode) != 11 || !allDigits(x.FiscalCode) {
		return syntax("fiscalCode deve avere 11 cifre")
	}
	if x.Outcome != string(OutcomeOK) && x.Outcome != string(OutcomeKO) {
		return syntax("outcome deve essere OK o KO")
	}
	amount, err := parseAmount(x.PaymentAmount)
	if err != nil {
		return syntax("paymentAmount %q non è un importo in euro con due decimali", x.PaymentAmount)
	}
	r := Receipt{
		ReceiptID:           x.ReceiptID,
		CreditorFiscalCode:  x.FiscalCode,
		Outcome:             Outcome(x.Outcome),
		CreditorReferenceID: x.CreditorReferenceID,
		Amount:              amount,
		Description:         x.Description,
		CompanyName:         x.CompanyName,
		OfficeName:          x.OfficeName,
		PSPID:               x.IDPSP,
		PSPFiscalCode:       x.PSPFiscalCode,
		PSPCompanyName:      x.PSPCompanyName,
		ChannelID:           x.IDChannel,
		ChannelDescription:  x.ChannelDescription,
		PaymentMethod:       x.PaymentMethod,
		Version:             1,
		XML:                 x.Inner,
	}
	if v2 {
		r.Version = 2
	}
	var f *paFault
	if r.Debtor, f = subjectFromXML("debtor", x.Debtor); f != nil {
		return Receipt{}, f
	}
	if x.Payer != nil {
		payer, f := subjectFromXML("payer", *x.Payer)
		if f != nil {
			return Receipt{}, f
		}
		r.Payer = &payer
	}
	transfers := x.TransferList.Transfers
	if len(transfers) < 1 || len(transfers) > 5 {
		return syntax("transferList deve avere da 1 a 5 transfer, ne ha %d", len(transfers))
	}
	for i, t := range transfers {
		a, err := parseAmount(t.TransferAmount)
		if err != nil || a == 0 {
			return syntax("transfer %d: transferAmount %q non valido", i+1, t.TransferAmount)
		}
		if t.IDTransfer < 1 || t.IDTransfer > 5 {
			return syntax("transfer %d: idTransfer deve essere tra 1 e 5", i+1)
		}
		if len(t.FiscalCodePA) != 11 || !allDigits(t.FiscalCodePA) {
			return syntax("transfer %d: fiscalCodePA deve avere 11 cifre", i+1)
		}
		// A V2 transfer may carry a digital stamp (MBDAttachment) instead
		// of an IBAN; fines have none, but the receipt is still valid.
		if t.IBAN == "" && !v2 {
			return syntax("transfer %d: IBAN è obbligatorio", i+1)
		}
		r.Transfers = append(r.Transfers, Transfer{
			ID: t.IDTransfer, Amount: a, FiscalCodePA: t.FiscalCodePA, CompanyName: t.CompanyName,
			IBAN: t.IBAN, RemittanceInformation: t.RemittanceInformation, Category: t.TransferCategory,
		})
	}
	if x.Fee != "" {
		if r.Fee, err = parseAmount(x.Fee); err != nil {
			return syntax("fee %q non è un importo in euro con due decimali", x.Fee)
		}
	}
	if x.PaymentDateTime != "" {
		if r.PaymentTime, err = parseDateTime(x.PaymentDateTime); err != nil {
			return syntax("paymentDateTime %q non è una data e ora", x.PaymentDateTime)
		}
	}
	for _, d := range []struct {
		name, value string
		to          *civil.Date
	}{{"applicationDate", x.ApplicationDate, &r.ApplicationDate}, {"transferDate", x.TransferDate, &r.TransferDate}} {
		if d.value == "" {
			continue
		}
		if *d.to, err = civil.Parse(d.value); err != nil {
			return syntax("%s %q non è una data AAAA-MM-GG", d.name, d.value)
		}
	}
	switch x.StandIn {
	case "", "false", "0":
	case "true", "1":
		r.StandIn = true
	default:
		return syntax("standIn %q non è un booleano", x.StandIn)
	}
	notice, err := ParseNoticeNumber(x.NoticeNumber)
	if err != nil {
		return Receipt{}, newFault(FaultPagamentoSconosciuto, "codice avviso %s: %v", x.NoticeNumber, err)
	}
	r.Notice = notice
	return r, nil
}

func subjectFromXML(name string, x subjectXML) (Subject, *paFault) {
	id := x.UniqueIdentifier
	if (id.Type != "F" && id.Type != "G") || len(id.Value) < 2 || len(id.Value) > 16 || strings.TrimSpace(x.FullName) == "" {
		return Subject{}, newFault(FaultSintassiXSD, "receipt/%s: uniqueIdentifier (F o G, da 2 a 16 caratteri) e fullName sono obbligatori", name)
	}
	s := Subject{FiscalCode: id.Value, Name: x.FullName, Email: x.Email}
	if s.FiscalCode == anonymous {
		s.FiscalCode = ""
	}
	return s, nil
}

// anonymous is the identifier pagoPA uses for a debtor nobody knows yet.
const anonymous = "ANONIMO"

// subjectToXML writes a Subject as ctSubject: type G for an 11-digit code
// (a company), F otherwise; an unknown debtor becomes ANONIMO.
func subjectToXML(s Subject) subjectXML {
	if s.FiscalCode == "" {
		return subjectXML{UniqueIdentifier: uniqueIdentifierXML{Type: "F", Value: anonymous}, FullName: anonymous}
	}
	kind := "F"
	if len(s.FiscalCode) == 11 && allDigits(s.FiscalCode) {
		kind = "G"
	}
	name := cut(s.Name, 70)
	if name == "" {
		name = anonymous
	}
	x := subjectXML{UniqueIdentifier: uniqueIdentifierXML{Type: kind, Value: cut(strings.ToUpper(s.FiscalCode), 16)}, FullName: name}
	if validEmail(s.Email) {
		x.Email = s.Email
	}
	return x
}

// validEmail applies stEMail's pattern, so that an address the schema
// would reject is left out rather than breaking the whole response.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || len(s) > 256 {
		return false
	}
	for _, c := range []byte(local) {
		if !isAlnum(c) && !strings.ContainsRune("_.+-", rune(c)) {
			return false
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return false
		}
		for _, c := range []byte(label) {
			if !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// cut trims s and keeps at most n characters, never splitting one.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

func xmlEscape(b *bytes.Buffer, s string) {
	// EscapeText fails only when the writer does; a bytes.Buffer never does.
	_ = xml.EscapeText(b, []byte(s))
}
