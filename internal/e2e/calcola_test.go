package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func portaleStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCalcolaCLI(t *testing.T) {
	cases := map[string]struct {
		args  []string
		stdin string
		code  int
		want  map[string]any
	}{
		// RULES.md, art. 195 c.2-bis: 42 → 56 at night → 39,20 with 30 % off.
		"importo": {[]string{"calcola", "importo"},
			`{"violazioni":[{"articolo":"146","comma":"2"}],"data_ora_violazione":"2026-03-09T23:10:00+01:00","data_notifica":"2026-03-12","spese_cent":1300,"data_pagamento":"2026-03-15"}`,
			0, map[string]any{"importo_cent": 5220.0, "sanzione_cent": 3920.0, "spese_cent": 1300.0, "fase": "riduzione_30", "scadenza_fase": "2026-03-17"}},
		"rateizzazione": {[]string{"calcola", "rateizzazione"},
			`{"importo_cent":250000,"reddito_cent":900000,"familiari_conviventi":0,"rate":24,"data_prima_rata":"2026-04-01"}`,
			0, map[string]any{"ammissibile": true, "max_rate": 24.0}},
		"bad input": {[]string{"calcola", "importo"}, `{"violazioni": "tante"}`,
			2, map[string]any{"codice": "JSON_NON_VALIDO"}},
		"empty input": {[]string{"calcola", "rateizzazione"}, ``,
			2, map[string]any{"codice": "JSON_NON_VALIDO"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := portaleStdin(t, c.stdin, c.args...)
			if res.code != c.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", res.code, c.code, res.stdout, res.stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(res.stdout), &got); err != nil {
				t.Fatalf("stdout is not one JSON value: %v\n%s", err, res.stdout)
			}
			if e, ok := got["errore"].(map[string]any); ok {
				if e["messaggio"] == "" {
					t.Errorf("error without a message")
				}
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

func TestPagoPANavCLI(t *testing.T) {
	// ../shared/pagopa/README.md: seg 01, base 0000000000123 → 301000000000012373.
	if res := portale(t, "pagopa", "nav", "--segregazione", "01", "--base", "0000000000123"); res.code != 0 || res.stdout != "301000000000012373\n" {
		t.Errorf("nav = %d %q %q", res.code, res.stdout, res.stderr)
	}
	if res := portale(t, "pagopa", "nav", "--check", "301000000000012373"); res.code != 0 {
		t.Errorf("check of a valid NAV = %d %q", res.code, res.stderr)
	}
	cases := map[string]string{
		"301000000000012374": "73",
		"30100000000001237":  "18 cifre",
		"201000000000012373": "3",
		"30100000000001237A": "cifr",
	}
	for nav, want := range cases {
		res := portale(t, "pagopa", "nav", "--check", nav)
		if res.code != 1 || !strings.Contains(res.stderr, want) || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("check %s = %d %q, want exit 1 with a reason mentioning %q", nav, res.code, res.stderr, want)
		}
	}
}
