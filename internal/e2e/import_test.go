package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An import with bad lines reports each with its number and reason, keeps
// the rest, and a second run of the same file changes nothing.
func TestImportVerbaliReportsBadLinesAndKeepsTheRest(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	file := filepath.Join(t.TempDir(), "verbali.jsonl")
	lines := []string{
		`{"numero":"I1","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"RSSMRA80A01L219M"},"data_notifica":"2026-03-12","spese_cent":1300}`,
		`{"numero":"I2","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"RSSMRA80A01L219A"},"data_notifica":"2026-03-12"}`,
		`{"numero":"I3","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"BNCLRA85M41L219R"},"data_notifica":"2026-03-12"}`,
	}
	os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	report := filepath.Join(t.TempDir(), "report.json")
	res := portale(t, "import", "verbali", "--data", data, "--report", report, file)
	if res.code != 0 {
		t.Fatalf("import exit %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"nuovi:       2", "scartati:    1", "riga 2 (verbale I2): CODICE_FISCALE_NON_VALIDO"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.stdout)
		}
	}
	var sum struct {
		Errori []struct {
			Riga   int    `json:"riga"`
			Codice string `json:"codice"`
		} `json:"errori"`
	}
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &sum); err != nil || len(sum.Errori) != 1 || sum.Errori[0].Riga != 2 {
		t.Errorf("report = %s (%v)", b, err)
	}
	again := portale(t, "import", "verbali", "--data", data, file)
	if !strings.Contains(again.stdout, "invariati:   2") || !strings.Contains(again.stdout, "nuovi:       0") {
		t.Errorf("second import changed something:\n%s", again.stdout)
	}
	if res := portale(t, "import", "verbali", "--data", data, filepath.Join(t.TempDir(), "missing.jsonl")); res.code != 1 || !strings.Contains(res.stderr, "non riesco ad aprire") {
		t.Errorf("missing file = %d %q", res.code, res.stderr)
	}
}
