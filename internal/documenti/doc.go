// Package documenti produces the PDF documents a citizen downloads from the
// personal area: the pagoPA payment notice of a traffic fine (avviso di
// pagamento, Avvisi pagoPA 3.x layout, variant for Codice della Strada
// fines) and the quietanza, the receipt of a payment.
//
// Each document is built in two steps: a data struct computed from the
// stored verbale (AvvisoFromVerbale, QuietanzaFromPayment), then the PDF
// drawn from it (AvvisoPagamento, Quietanza). The HTTP handlers join the
// two for the logged-in citizen. See docs/documenti.md.
package documenti
