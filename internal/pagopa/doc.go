// Package pagopa speaks pagoPA for the municipal police as creditor
// institution (EC): notice numbers (NAV and IUV), the payloads printed on a
// payment notice (QR code and Poste DataMatrix), and the SOAP interface
// paForNode that the pagoPA node calls to verify a notice, fetch the payment
// data and deliver the receipt.
//
// The package owns the Positions interface through which it reads debt
// positions and records receipts; the store implements it. Amounts are
// money.Cents and travel on the wire as decimal euro with two decimals,
// converted by integer arithmetic. See docs/pagopa.md.
package pagopa
