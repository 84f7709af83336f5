package apiserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func post(t testing.TB, h http.Handler, target, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	return rec
}

func fixedNow() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }

func TestCalcoloImporto(t *testing.T) {
	srv := New(Config{Now: fixedNow})
	cases := map[string]struct {
		body   string
		status int
		want   map[string]any
	}{
		// RULES.md, art. 195 c.2-bis: 42 → 56 at night, then 30 % off → 39,20; costs in full.
		"night surcharge then 30 % (art. 146 c.2, RULES.md)": {
			`{"violazioni":[{"articolo":"146","comma":"2"}],"data_ora_violazione":"2026-03-09T23:10:00+01:00",
			  "data_notifica":"2026-03-12","spese_cent":1300}`,
			200, map[string]any{"sanzione_cent": 3920.0, "importo_cent": 5220.0, "fase": "riduzione_30", "scadenza_fase": "2026-03-17"},
		},
		// RULES.md, art. 203 c.3: after 60 days, half the maximum: 665 → 332,50.
		"half the maximum after 60 days (art. 146 c.3)": {
			`{"violazioni":[{"articolo":"146","comma":"3"}],"data_ora_violazione":"2025-12-01T10:00:00+01:00",
			  "data_notifica":"2025-12-05","spese_cent":0,"data_pagamento":"2026-03-15"}`,
			200, map[string]any{"sanzione_cent": 33250.0, "fase": "meta_massimo"},
		},
		"explicit amounts": {
			`{"violazioni":[{"minimo_cent":4200,"massimo_cent":17300}],"data_ora_violazione":"2026-03-10T10:00:00+01:00",
			  "data_contestazione":"2026-03-10","spese_cent":0}`,
			200, map[string]any{"sanzione_cent": 2940.0, "fase": "riduzione_30"},
		},
		"unknown article": {
			`{"violazioni":[{"articolo":"999","comma":"1"}],"data_ora_violazione":"2026-03-10T10:00:00+01:00","data_notifica":"2026-03-12"}`,
			400, map[string]any{"codice": "ARTICOLO_SCONOSCIUTO"},
		},
		"typo in a field": {`{"violazione":[]}`, 400, map[string]any{"codice": "JSON_NON_VALIDO"}},
		"not JSON":        {`ciao`, 400, map[string]any{"codice": "JSON_NON_VALIDO"}},
		"too large":       {`{"violazioni":[` + strings.Repeat(`{"articolo":"146","comma":"2"},`, 3000) + `]}`, 413, map[string]any{"codice": "RICHIESTA_TROPPO_GRANDE"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := post(t, srv, "/api/v1/calcolo/importo", c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			if e, ok := got["errore"].(map[string]any); ok {
				got = e
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestCalcoloRateizzazione(t *testing.T) {
	srv := New(Config{Now: fixedNow})
	rec := post(t, srv, "/api/v1/calcolo/rateizzazione", `{"importo_cent":250000,"reddito_cent":900000,"familiari_conviventi":0,"rate":24}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got struct {
		Ammissibile bool `json:"ammissibile"`
		MaxRate     int  `json:"max_rate"`
		Piano       []struct {
			Capitale int64 `json:"capitale_cent"`
		} `json:"piano"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// RULES.md art. 202-bis: up to € 5.000 → at most 24 instalments.
	if !got.Ammissibile || got.MaxRate != 24 || len(got.Piano) != 24 {
		t.Fatalf("got %+v", got)
	}
	var principal int64
	for _, r := range got.Piano {
		principal += r.Capitale
	}
	if principal != 250000 {
		t.Errorf("the plan repays %d cents, want exactly 250000", principal)
	}

	rec = post(t, srv, "/api/v1/calcolo/rateizzazione", `{"importo_cent":250000,"reddito_cent":2000000,"familiari_conviventi":0}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ammissibile":false`) || !strings.Contains(rec.Body.String(), `"motivo"`) {
		t.Errorf("income above the limit: %d %s", rec.Code, rec.Body)
	}
}

func TestCalcoloIsRateLimited(t *testing.T) {
	srv := New(Config{Now: fixedNow, CalcoloRate: 3})
	var last int
	for range 4 {
		last = post(t, srv, "/api/v1/calcolo/rateizzazione", `{"importo_cent":25000,"reddito_cent":0,"familiari_conviventi":0}`).Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("4th request within a minute = %d, want 429", last)
	}
}

func TestCalcoloViolazioniList(t *testing.T) {
	rec := serveOnce(t, New(Config{Now: fixedNow}), "GET", "/api/v1/calcolo/violazioni")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"articolo":"146"`) {
		t.Errorf("violazioni = %d %.200s", rec.Code, rec.Body)
	}
}
