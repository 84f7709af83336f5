package pagopa

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"strconv"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/qr"
)

// Symbol is a two-dimensional barcode ready to print: dark and light
// modules with the quiet zone its standard requires around them.
type Symbol struct {
	dark  [][]bool // [row][column], quiet zone included
	label string   // what a screen reader says instead of the image
}

// qrModules is the side of a version 4 QR symbol, the version the pagoPA
// notice specification fixes (33×33 modules, ECC M).
const qrModules = 33

// QRCode returns the QR symbol of a notice: version 4, error correction
// M, byte mode, with a quiet zone of 4 modules.
func QRCode(p QRPayload) (*Symbol, error) {
	text, err := p.Encode()
	if err != nil {
		return nil, err
	}
	// Byte mode, because '|' is outside the alphanumeric set; with ECC M a
	// payload of 44 to 53 bytes always lands on version 4.
	code, err := qr.Encode(text, qr.M, qr.Unicode)
	if err != nil {
		return nil, fmt.Errorf("pagopa: encoding QR code: %w", err)
	}
	if b := code.Bounds(); b.Dx() != qrModules || b.Dy() != qrModules {
		return nil, fmt.Errorf("pagopa: QR code is %d×%d modules, want version 4 (%d×%d)", b.Dx(), b.Dy(), qrModules, qrModules)
	}
	return newSymbol(code, 4, "Codice QR per pagare l'avviso "+p.Notice.String()), nil
}

// DataMatrix returns the ECC 200 DataMatrix symbol of a Poste bulletin,
// with a quiet zone of 1 module as ECC 200 requires.
func DataMatrix(p PostalPayload) (*Symbol, error) {
	text, err := p.Encode()
	if err != nil {
		return nil, err
	}
	code, err := datamatrix.Encode(text)
	if err != nil {
		return nil, fmt.Errorf("pagopa: encoding DataMatrix: %w", err)
	}
	return newSymbol(code, 1, "Codice DataMatrix del bollettino postale "+p.Notice.String()), nil
}

func newSymbol(code barcode.Barcode, quiet int, label string) *Symbol {
	b := code.Bounds()
	dark := make([][]bool, b.Dy()+2*quiet)
	for y := range dark {
		dark[y] = make([]bool, b.Dx()+2*quiet)
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g := color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
			dark[y+quiet][x+quiet] = g.Y < 128
		}
	}
	return &Symbol{dark: dark, label: label}
}

// Size returns the width and height in modules, quiet zone included.
func (s *Symbol) Size() (width, height int) {
	if len(s.dark) == 0 {
		return 0, 0
	}
	return len(s.dark[0]), len(s.dark)
}

// Dark reports whether the module at column x, row y (quiet zone
// included) is dark.
func (s *Symbol) Dark(x, y int) bool {
	if y < 0 || y >= len(s.dark) || x < 0 || x >= len(s.dark[y]) {
		return false
	}
	return s.dark[y][x]
}

// PNG renders the symbol with each module modulePx pixels wide; the pagoPA
// notice specification asks for 3 pixels per QR module.
func (s *Symbol) PNG(modulePx int) ([]byte, error) {
	if modulePx < 1 {
		return nil, fmt.Errorf("pagopa: module size %d px, want at least 1", modulePx)
	}
	w, h := s.Size()
	img := image.NewPaletted(image.Rect(0, 0, w*modulePx, h*modulePx), color.Palette{color.White, color.Black})
	for y := 0; y < h*modulePx; y++ {
		row := s.dark[y/modulePx]
		for x := 0; x < w*modulePx; x++ {
			if row[x/modulePx] {
				img.SetColorIndex(x, y, 1)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("pagopa: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders the symbol as one path of dark runs on a white square, sized
// modulePx CSS pixels per module; the viewBox counts modules, so the image
// scales without blur for print.
func (s *Symbol) SVG(modulePx int) []byte {
	w, h := s.Size()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="`,
		w*modulePx, h*modulePx, w, h)
	b.WriteString(html.EscapeString(s.label))
	fmt.Fprintf(&b, `"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, w, h)
	for y, row := range s.dark {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			b.WriteByte('M')
			b.WriteString(strconv.Itoa(start))
			b.WriteByte(' ')
			b.WriteString(strconv.Itoa(y))
			b.WriteByte('h')
			b.WriteString(strconv.Itoa(x - start))
			b.WriteString("v1h-")
			b.WriteString(strconv.Itoa(x - start))
			b.WriteByte('z')
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}
