package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo company logs in, lands on its area, and uploads a CSV file in
// the browser naming the drivers of its two fines with points: one line has
// a wrong fiscal code. The page lists that line with its number and reason,
// and the other line applied; the fleet then shows the driver named.
func TestCompanyUploadsDriversInABrowser(t *testing.T) {
	s := start(t, "demo", "--data", filepath.Join(t.TempDir(), "data"))
	ctx := staffBrowser(t, s.url, "azienda", "/azienda/")
	axe := axeSource(t)
	if text := pageText(t, ctx); !strings.Contains(text, "Area aziende: partita IVA 09827610016") || !strings.Contains(text, demoVerbale(301)) {
		t.Fatalf("the company's area:\n%.800s", text)
	}
	for _, width := range []int64{1280, 390} {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		checkAccessibility(t, ctx, axe, fmt.Sprintf("/azienda/ at %d px", width))
	}

	issued := time.Now().AddDate(0, 0, -420).Format("2006-01-02")
	expires := time.Now().AddDate(9, 0, 0).Format("2006-01-02")
	csv := "numero_verbale,codice_fiscale,numero_patente,categoria,rilasciata_il,scade_il\n" +
		demoVerbale(301) + ",BNCLRA85M41L219R,TO7740219M,B," + issued + "," + expires + "\n" +
		demoVerbale(302) + ",BNCLRA85M41L219X,TO7740219M,B," + issued + "," + expires + "\n"
	file := filepath.Join(t.TempDir(), "conducenti.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.SetUploadFiles("#csv-file", []string{file}), chromedp.Focus("#csv-file"))
	press(t, ctx, "\t", "\r")
	waitFor(t, ctx, `document.querySelector('#esito-csv')`)
	text := pageText(t, ctx)
	for _, want := range []string{"Esito del file: 1 righe applicate, 1 scartate",
		"3\t" + demoVerbale(302) + "\tControlla il codice fiscale del conducente.",
		"2\t" + demoVerbale(301) + "\tPM-"} {
		if !strings.Contains(text, want) {
			t.Errorf("the result lacks %q:\n%.2000s", want, text)
		}
	}
	checkAccessibility(t, ctx, axe, "/azienda/ with a CSV result")

	open(t, ctx, s.url+"/azienda/")
	if text := pageText(t, ctx); !strings.Contains(text, "BNCLRA85M41L219R: comunicato, in attesa della conferma del conducente") {
		t.Errorf("the fleet after the upload:\n%.1500s", text)
	}
}
