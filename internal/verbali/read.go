package verbali

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/comune-torino/portale/internal/money"
)

// Line is one record read from a file, or why it could not be read. N is its
// line number in the file, for the import report.
type Line struct {
	N      int
	Record Record
	Err    error
}

// maxLine bounds one JSON line: a verbale with many images is a few KB.
const maxLine = 1 << 20

// Read reads records from r, JSON Lines (one verbale per line) or CSV with a
// header (the format is told by the first character: '{' is JSON), and calls
// fn for each. A line that cannot be read reaches fn with Err set, and
// reading goes on; an error from fn stops it.
func Read(r io.Reader, fn func(Line) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := peekFirst(br)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if first == '{' {
		return readJSONLines(br, fn)
	}
	return readCSV(br, fn)
}

func peekFirst(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		// Skip a UTF-8 byte order mark, which spreadsheets like to write.
		if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
			continue
		}
		if b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n' {
			br.Discard(1)
			continue
		}
		return b[0], nil
	}
}

func readJSONLines(r io.Reader, fn func(Line) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		line := Line{N: n}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&line.Record); err != nil {
			line.Err = problem(RecordNonLeggibile, "JSON non valido: %s", jsonReason(err))
		} else if dec.More() {
			line.Err = problem(RecordNonLeggibile, "più di un oggetto JSON sulla stessa riga")
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("riga %d: più lunga di %d byte", n+1, maxLine)
	}
	return sc.Err()
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("il campo %q ha un tipo sbagliato", te.Field)
	}
	return err.Error()
}

// csvColumns are the columns a CSV file may have; numero, versione, stato,
// data_ora and violazioni are required. violazioni lists "articolo/comma"
// pairs separated by ";" (e.g. "146/3; 7/14"); immagini lists URLs separated
// by spaces.
var csvColumns = []string{
	"numero", "versione", "stato", "data_ora", "luogo", "targa", "violazioni",
	"trasgressore_cf", "trasgressore_nome", "trasgressore_cognome",
	"obbligato_cf", "obbligato_nome", "obbligato_cognome",
	"data_contestazione", "data_notifica", "spese_cent", "immagini",
}

func readCSV(r io.Reader, fn func(Line) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("intestazione CSV non leggibile: %w", err)
	}
	col := map[string]int{}
	known := map[string]bool{}
	for _, c := range csvColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !known[h] {
			return fmt.Errorf("colonna CSV %q sconosciuta: le colonne ammesse sono %s", h, strings.Join(csvColumns, ", "))
		}
		col[h] = i
	}
	for _, req := range []string{"numero", "versione", "stato", "data_ora", "violazioni"} {
		if _, ok := col[req]; !ok {
			return fmt.Errorf("manca la colonna CSV obbligatoria %q", req)
		}
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		n, _ := cr.FieldPos(0)
		line := Line{N: n}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			line.N, line.Err = pe.Line, problem(RecordNonLeggibile, "CSV non valido: %v", pe.Err)
		} else if len(row) != len(header) {
			line.Err = problem(RecordNonLeggibile, "la riga ha %d campi, l'intestazione %d", len(row), len(header))
		} else {
			line.Record, line.Err = fromCSV(row, col)
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

func fromCSV(row []string, col map[string]int) (Record, error) {
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	r := Record{
		Numero: get("numero"), Stato: Stato(get("stato")), DataOra: get("data_ora"),
		Luogo: get("luogo"), Targa: get("targa"),
		DataContestazione: get("data_contestazione"), DataNotifica: get("data_notifica"),
		Immagini: strings.Fields(get("immagini")),
	}
	var err error
	if r.Versione, err = strconv.ParseInt(get("versione"), 10, 64); err != nil {
		return r, problem(VersioneNonValida, "versione %q non è un numero", get("versione"))
	}
	if s := get("spese_cent"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return r, problem(ImportoNonValido, "spese_cent %q non è un numero intero di centesimi", s)
		}
		r.SpeseCent = money.Cents(v)
	}
	for _, pair := range strings.Split(get("violazioni"), ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		art, comma, ok := strings.Cut(pair, "/")
		if !ok {
			return r, problem(RecordNonLeggibile, "violazione %q: scrivila come articolo/comma, es. 146/3", pair)
		}
		r.Violazioni = append(r.Violazioni, Violazione{Articolo: strings.TrimSpace(art), Comma: strings.TrimSpace(comma)})
	}
	if cf := get("trasgressore_cf"); cf != "" {
		r.Trasgressore = &Persona{CodiceFiscale: cf, Nome: get("trasgressore_nome"), Cognome: get("trasgressore_cognome")}
	}
	if cf := get("obbligato_cf"); cf != "" {
		r.Obbligato = &Persona{CodiceFiscale: cf, Nome: get("obbligato_nome"), Cognome: get("obbligato_cognome")}
	}
	return r, nil
}
