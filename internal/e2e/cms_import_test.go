package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// zipOf packs files (name → content) into a zip archive, the container of
// both .docx and .xlsx.
func zipOf(t *testing.T, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const relsNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

// wordDocument is a real (small) Word document: a heading, a paragraph
// with bold text, a list and a table.
func wordDocument(t *testing.T) []byte {
	t.Helper()
	run := func(text string, bold bool) string {
		props := ""
		if bold {
			props = "<w:rPr><w:b/></w:rPr>"
		}
		return `<w:r>` + props + `<w:t xml:space="preserve">` + text + `</w:t></w:r>`
	}
	para := func(style string, runs ...string) string {
		props := ""
		if style != "" {
			props = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
		}
		return `<w:p>` + props + strings.Join(runs, "") + `</w:p>`
	}
	cell := func(text string) string { return `<w:tc>` + para("", run(text, false)) + `</w:tc>` }
	body := para("Heading1", run("Orari degli uffici", false)) +
		para("", run("Gli sportelli sono ", false), run("chiusi", true), run(" il 25 dicembre.", false)) +
		para("Heading2", run("Dove", false)) +
		`<w:tbl>` +
		`<w:tr>` + cell("Ufficio") + cell("Orario") + `</w:tr>` +
		`<w:tr>` + cell("Verbali") + cell("9:00-12:30") + `</w:tr>` +
		`<w:tr>` + cell("Oggetti smarriti") + cell("solo il martedì") + `</w:tr>` +
		`</w:tbl>`
	return zipOf(t, [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="` + relsNS + `/officeDocument" Target="word/document.xml"/>
</Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="` + relsNS + `/styles" Target="styles.xml"/>
</Relationships>`},
		{"word/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>
</w:styles>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`},
	})
}

// spreadsheet is a real (small) Excel workbook of two sheets; the first
// holds a table whose header is its first row, with a pipe in a cell.
func spreadsheet(t *testing.T) []byte {
	t.Helper()
	row := func(n string, cells ...string) string {
		out := `<row r="` + n + `">`
		for i, c := range cells {
			ref := string(rune('A'+i)) + n
			if c == "42" {
				out += `<c r="` + ref + `"><v>42</v></c>`
				continue
			}
			out += `<c r="` + ref + `" t="inlineStr"><is><t>` + c + `</t></is></c>`
		}
		return out + `</row>`
	}
	sheet := func(rows ...string) string {
		return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + strings.Join(rows, "") + `</sheetData></worksheet>`
	}
	return zipOf(t, [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="` + relsNS + `/officeDocument" Target="xl/workbook.xml"/>
</Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + relsNS + `">
<sheets><sheet name="Divieti" sheetId="1" r:id="rId1"/><sheet name="Note" sheetId="2" r:id="rId2"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="` + relsNS + `/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="` + relsNS + `/worksheet" Target="worksheets/sheet2.xml"/>
</Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet(
			row("1", "Via", "Divieto", "Posti"),
			row("2", "Via Po", "Sosta vietata | carico e scarico", "42"),
			row("3", "Corso Francia", "Corsia riservata", "0"),
		)},
		{"xl/worksheets/sheet2.xml", sheet(row("1", "Da non importare"))},
	})
}

// convertInPage runs the CMS page's converter on a file and returns the
// Markdown, or the Italian message of the error.
func convertInPage(t *testing.T, ctx context.Context, name string, data []byte) (markdown, errMsg string) {
	t.Helper()
	type result struct {
		Markdown string `json:"markdown"`
		Error    string `json:"error"`
	}
	r := eval[result](t, ctx, `(() => {
		const bytes = Uint8Array.from(atob("`+base64.StdEncoding.EncodeToString(data)+`"), c => c.charCodeAt(0));
		return portaleImporta.convert(new File([bytes], "`+name+`"))
			.then(r => ({markdown: r.markdown, error: ""}), e => ({markdown: "", error: portaleImporta.message(e)}));
	})()`)
	return r.Markdown, r.Error
}

// "Importa da Word/Excel" (C10) in the real CMS page: Word and Excel files
// become Markdown in the browser (headings, bold, tables, pipes escaped), a
// bad file gets a clear Italian message, and a redattore who imports a
// document into a news item saves it as ordinary Markdown in the draft.
func TestCMSImportsWordAndExcel(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := start(t, "demo", "--data", data)
	red := cmsBrowser(t, s.url, "redattore", "")

	md, msg := convertInPage(t, red, "orari.docx", wordDocument(t))
	for _, want := range []string{
		"# Orari degli uffici\n\n",
		"Gli sportelli sono **chiusi** il 25 dicembre.",
		"## Dove",
		"| Ufficio | Orario |\n| --- | --- |\n| Verbali | 9:00-12:30 |\n| Oggetti smarriti | solo il martedì |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Word → Markdown lacks %q (error %q):\n%s", want, msg, md)
		}
	}

	md, msg = convertInPage(t, red, "divieti.xlsx", spreadsheet(t))
	if want := "| Via | Divieto | Posti |\n| --- | --- | --- |\n| Via Po | Sosta vietata \\| carico e scarico | 42 |\n| Corso Francia | Corsia riservata | 0 |"; md != want {
		t.Errorf("Excel → Markdown (error %q):\n%s\nwant\n%s", msg, md, want)
	}

	for name, content := range map[string][]byte{
		"rotto.docx":  []byte("questo non è un documento"),
		"rotto.xlsx":  []byte("né un foglio di calcolo"),
		"tabella.csv": []byte("a,b\n1,2\n"),
	} {
		md, msg := convertInPage(t, red, name, content)
		if md != "" || !strings.Contains(msg, name) || !strings.Contains(msg, "valido") && !strings.Contains(msg, "Posso importare solo") {
			t.Errorf("%s: markdown %q, message %q", name, md, msg)
		}
	}

	// In the editor: Aggiungi componente → Importa da Word/Excel, pick the
	// document, save the draft.
	doc := filepath.Join(t.TempDir(), "orari.docx")
	if err := os.WriteFile(doc, wordDocument(t), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, red, chromedp.Navigate(s.url+"/cms/#/collections/notizie/new"), chromedp.WaitVisible("#title-field-1"))
	do(t, red,
		chromedp.SendKeys("#title-field-1", "Orari di fine anno"),
		chromedp.SendKeys("#description-field-2", "Gli orari degli sportelli durante le feste."),
		chromedp.Click(`//button[normalize-space()="Adesso"]`),
		chromedp.Click(`button[title="Aggiungi componente"]`),
	)
	clickText(t, red, "[role=menuitem]", "Importa da Word/Excel")
	do(t, red, chromedp.WaitReady(`input[type=file][accept=".docx,.xlsx,.ods"]`),
		chromedp.SetUploadFiles(`input[type=file][accept=".docx,.xlsx,.ods"]`, []string{doc}))
	waitInPage(t, red, "the import", `document.querySelector("[data-importa-stato=fatto]")`)
	clickText(t, red, "button", "Salva")
	waitInPage(t, red, "the saved draft", `location.hash.includes("/entries/")`)

	branches, err := exec.Command("git", "-C", filepath.Join(data, "site"), "for-each-ref", "--format=%(refname:short)", "refs/heads/cms/notizie/").Output()
	if err != nil {
		t.Fatal(err)
	}
	branch := strings.TrimSpace(string(branches))
	slug := strings.TrimPrefix(branch, "cms/notizie/")
	saved, err := exec.Command("git", "-C", filepath.Join(data, "site"), "show", branch+":content/notizie/"+slug+".md").Output()
	if err != nil {
		t.Fatalf("draft %q: %v", branch, err)
	}
	for _, want := range []string{"# Orari degli uffici", "**chiusi**", "| Ufficio | Orario |", "| Verbali | 9:00-12:30 |"} {
		if !strings.Contains(string(saved), want) {
			t.Errorf("the saved draft lacks %q:\n%s", want, saved)
		}
	}
}
