package documenti

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/comune-torino/portale/internal/pagopa"
)

// Page geometry in millimetres: A4 portrait with 12 mm margins.
const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 12.0
	contentW = pageW - 2*margin
)

type rgb struct{ r, g, b int }

// Colours close to the pagoPA notice: dark blue text for headings, the
// pagoPA blue for section titles and accents, grey for secondary text.
var (
	ink   = rgb{23, 50, 77}
	blue  = rgb{0, 102, 204}
	grey  = rgb{92, 111, 130}
	tint  = rgb{235, 242, 250}
	rule  = rgb{180, 190, 200}
	black = rgb{0, 0, 0}
	white = rgb{255, 255, 255}
)

// sheet is an fpdf document with the core Helvetica font and the cp1252
// translation, so Italian accents and the € sign print without embedding a
// font. Every string goes through tr on its way to the page.
type sheet struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
}

// newSheet starts an A4 document. created fixes the PDF dates, so the same
// data always gives the same file.
func newSheet(title, author string, created time.Time) *sheet {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("Portale Multiservizi", true)
	pdf.SetLang("it-IT")
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	s := &sheet{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("cp1252")}
	pdf.AddPage()
	return s
}

func (s *sheet) font(style string, size float64) { s.pdf.SetFont("Helvetica", style, size) }

func (s *sheet) textColor(c rgb) { s.pdf.SetTextColor(c.r, c.g, c.b) }

func (s *sheet) fillColor(c rgb) { s.pdf.SetFillColor(c.r, c.g, c.b) }

func (s *sheet) drawColor(c rgb) { s.pdf.SetDrawColor(c.r, c.g, c.b) }

// text writes one line in a box w wide and h high at x, y, aligned "L", "C"
// or "R"; text wider than the box is not wrapped.
func (s *sheet) text(x, y, w, h float64, align, txt string) {
	s.pdf.SetXY(x, y)
	s.pdf.CellFormat(w, h, s.tr(txt), "", 0, align+"M", false, 0, "")
}

// paragraph wraps txt in a column w wide from x, y with lines lineH high,
// and returns the y below it.
func (s *sheet) paragraph(x, y, w, lineH float64, txt string) float64 {
	s.pdf.SetXY(x, y)
	s.pdf.MultiCell(w, lineH, s.tr(txt), "", "L", false)
	return s.pdf.GetY()
}

// lines returns how many lines paragraph would need for txt in the current font.
func (s *sheet) lines(w float64, txt string) int {
	return len(s.pdf.SplitLines([]byte(s.tr(txt)), w))
}

// label writes a small grey caption and, below it, value in the given style;
// it returns the y below the value.
func (s *sheet) label(x, y, w float64, caption, value string, style string, size float64) float64 {
	s.font("", 7)
	s.textColor(grey)
	s.text(x, y, w, 3.5, "L", caption)
	s.font(style, size)
	s.textColor(ink)
	return s.paragraph(x, y+3.5, w, size*0.45, value)
}

// sectionTitle writes a heading in pagoPA blue with a rule under it across w.
func (s *sheet) sectionTitle(x, y, w float64, title string) {
	s.font("B", 11)
	s.textColor(blue)
	s.text(x, y, w, 6, "L", title)
	s.drawColor(blue)
	s.pdf.SetLineWidth(0.4)
	s.pdf.Line(x, y+6.5, x+w, y+6.5)
}

// cutLine is the dashed line along which a printed notice is torn.
func (s *sheet) cutLine(y float64) {
	s.drawColor(rule)
	s.pdf.SetLineWidth(0.2)
	s.pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
	s.pdf.Line(margin, y, pageW-margin, y)
	s.pdf.SetDashPattern(nil, 0)
}

// symbol draws a QR code or DataMatrix side millimetres wide at x, y, one
// filled rectangle per horizontal run of dark modules: vector modules stay
// sharp at any print resolution.
func (s *sheet) symbol(sym *pagopa.Symbol, x, y, side float64) {
	w, h := sym.Size()
	m := side / float64(max(w, h))
	s.fillColor(white)
	s.pdf.Rect(x, y, float64(w)*m, float64(h)*m, "F")
	s.fillColor(black)
	for row := 0; row < h; row++ {
		for col := 0; col < w; {
			if !sym.Dark(col, row) {
				col++
				continue
			}
			start := col
			for col < w && sym.Dark(col, row) {
				col++
			}
			s.pdf.Rect(x+float64(start)*m, y+float64(row)*m, float64(col-start)*m, m, "F")
		}
	}
}

// bytes finishes the document.
func (s *sheet) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := s.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("documenti: writing PDF: %w", err)
	}
	return buf.Bytes(), nil
}
