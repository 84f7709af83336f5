package documenti

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// keep, when set, is a directory where the tests leave the PDFs they make
// and page 1 rendered as PNG, for a person to look at:
//
//	go test ./internal/documenti -args -keep /tmp/documenti
var keep = flag.String("keep", "", "directory to write the generated PDFs and PNG previews to")

// poppler runs one of the poppler-utils tools. They are required: without
// them the text of the PDFs cannot be checked, and a skipped check would
// pass for a good one. Debian: apt-get install poppler-utils.
func poppler(t *testing.T, tool string, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils (Debian: apt-get install poppler-utils)", tool)
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return out
}

func writePDF(t *testing.T, name string, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	if *keep != "" {
		dir = *keep
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var spaces = regexp.MustCompile(`[ \t]+`)

// pdfText extracts the text of a PDF as pdftotext reads it, in reading order,
// with runs of blanks folded to one space.
func pdfText(t *testing.T, name string, pdf []byte) string {
	t.Helper()
	path := writePDF(t, name, pdf)
	return spaces.ReplaceAllString(string(poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")), " ")
}

// pages counts the pages of a PDF.
func pages(t *testing.T, pdf []byte) int {
	t.Helper()
	info := string(poppler(t, "pdfinfo", writePDF(t, "info", pdf)))
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo: %v", err)
			}
			return n
		}
	}
	t.Fatalf("pdfinfo gave no page count:\n%s", info)
	return 0
}

// renderPage1 renders page 1 at 50 dpi and checks it is an A4 portrait
// page: 210 × 297 mm is 413 × 585 pixels at that resolution.
func renderPage1(t *testing.T, name string, pdf []byte) {
	t.Helper()
	path := writePDF(t, name, pdf)
	prefix := strings.TrimSuffix(path, ".pdf")
	poppler(t, "pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-singlefile", "-png", path, prefix)
	b, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 410 || w > 416 || h < 582 || h > 588 {
		t.Errorf("page 1 of %s is %d×%d px at 50 dpi, want A4 (413×585)", name, w, h)
	}
}

// mustContain fails for every want missing from text.
func mustContain(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}
