package calcolo

import (
	"strings"
	"testing"
)

// BenchmarkImporto measures the whole answer of the calculator, timeline
// and explanation included, from decoded request to response struct.
func BenchmarkImporto(b *testing.B) {
	var req ImportoRequest
	body := `{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2026-03-09T23:10:00+01:00","data_notifica":"2026-03-10","spese_cent":1300,"data_pagamento":"2026-03-12"}`
	if err := Decode(strings.NewReader(body), &req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Importo(req, today); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRateizzazione60(b *testing.B) {
	n := 60
	req := RateizzazioneRequest{ImportoCent: 1_000_000, RedditoCent: 900_000, Rate: &n, DataPrimaRata: "2026-03-31"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rateizzazione(req, today); err != nil {
			b.Fatal(err)
		}
	}
}
