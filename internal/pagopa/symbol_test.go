package pagopa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/money"
)

func TestQRCode(t *testing.T) {
	amounts := map[string]money.Cents{"one cent": 1, "fine": 5600, "largest": maxQRAmount - 1}
	for name, amount := range amounts {
		t.Run(name, func(t *testing.T) {
			sym, err := QRCode(QRPayload{testNotice, testCreditorCF, amount})
			if err != nil {
				t.Fatal(err)
			}
			w, h := sym.Size()
			if w != qrModules+8 || h != qrModules+8 {
				t.Fatalf("size %d×%d, want version 4 plus quiet zone (41×41)", w, h)
			}
			if level, ok := qrECLevel(sym); !ok || level != "M" {
				t.Errorf("error correction level %q (format info readable: %v), want M", level, ok)
			}
			checkPNG(t, sym, 3)
			checkSVG(t, sym)
		})
	}
	if _, err := QRCode(QRPayload{Notice: testNotice, CreditorFiscalCode: "1", Amount: 1}); err == nil {
		t.Error("QRCode accepted an invalid payload")
	}
}

func TestDataMatrix(t *testing.T) {
	sym, err := DataMatrix(PostalPayload{
		Notice: testNotice, PostalAccount: "1234567", Amount: 5600, CreditorFiscalCode: testCreditorCF,
		DebtorFiscalCode: "RSSMRA80A01L219M", DebtorName: "Mario Rossi", Subject: "Verbale 2025/000123",
	})
	if err != nil {
		t.Fatal(err)
	}
	w, h := sym.Size()
	if w != h || w < 12 {
		t.Fatalf("size %d×%d, want a square ECC 200 symbol", w, h)
	}
	// The finder pattern of ECC 200: a solid L on the left and bottom
	// edges, inside the 1-module quiet zone.
	for i := 1; i < w-1; i++ {
		if !sym.Dark(1, i) || !sym.Dark(i, h-2) {
			t.Fatalf("finder pattern broken at %d", i)
		}
		if sym.Dark(0, i) || sym.Dark(i, 0) {
			t.Fatalf("quiet zone not light at %d", i)
		}
	}
	checkPNG(t, sym, 2)
	checkSVG(t, sym)
	if _, err := DataMatrix(PostalPayload{Notice: testNotice}); err == nil {
		t.Error("DataMatrix accepted an invalid payload")
	}
}

func checkPNG(t *testing.T, sym *Symbol, px int) {
	t.Helper()
	b, err := sym.PNG(px)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, h := sym.Size()
	if img.Bounds().Dx() != w*px || img.Bounds().Dy() != h*px {
		t.Fatalf("PNG is %v, want %d×%d", img.Bounds(), w*px, h*px)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, _, _, _ := img.At(x*px+px/2, y*px+px/2).RGBA()
			if (r < 0x8000) != sym.Dark(x, y) {
				t.Fatalf("PNG module (%d,%d) does not match the symbol", x, y)
			}
		}
	}
	if _, err := sym.PNG(0); err == nil {
		t.Error("PNG(0) did not fail")
	}
}

// checkSVG parses the SVG and repaints the path on a grid, to prove the
// drawing says exactly what the symbol says.
func checkSVG(t *testing.T, sym *Symbol) {
	t.Helper()
	var doc struct {
		Label string `xml:"aria-label,attr"`
		Path  struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(sym.SVG(3), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Label, testNotice.String()) {
		t.Errorf("aria-label %q does not name the notice", doc.Label)
	}
	w, h := sym.Size()
	painted := make([][]bool, h)
	for y := range painted {
		painted[y] = make([]bool, w)
	}
	for _, run := range strings.Split(strings.TrimSuffix(doc.Path.D, "z"), "z") {
		var x, y, n, n2 int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &n, &n2); err != nil || n != n2 {
			t.Fatalf("path run %q: %v", run, err)
		}
		for i := 0; i < n; i++ {
			painted[y][x+i] = true
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if painted[y][x] != sym.Dark(x, y) {
				t.Fatalf("SVG module (%d,%d) does not match the symbol", x, y)
			}
		}
	}
}

// qrECLevel reads the format information next to the top-left finder
// pattern and returns the error correction level it declares. The 15 bits
// are matched against the 32 valid (BCH-coded, masked) format words.
func qrECLevel(sym *Symbol) (string, bool) {
	const q = 4 // quiet zone
	var bits uint32
	at := func(x, y int) {
		bits <<= 1
		if sym.Dark(x+q, y+q) {
			bits |= 1
		}
	}
	for _, x := range []int{0, 1, 2, 3, 4, 5, 7, 8} {
		at(x, 8)
	}
	for _, y := range []int{7, 5, 4, 3, 2, 1, 0} {
		at(8, y)
	}
	levels := [4]string{"M", "L", "H", "Q"} // the 2-bit codes 00, 01, 10, 11
	for data := uint32(0); data < 32; data++ {
		rem := data << 10
		for i := 14; i >= 10; i-- {
			if rem&(1<<i) != 0 {
				rem ^= 0x537 << (i - 10)
			}
		}
		if word := (data<<10 | rem) ^ 0x5412; word == bits {
			return levels[data>>3], true
		}
	}
	return "", false
}
