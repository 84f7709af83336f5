package comunicazioni

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// VoceFlotta is a verbale on a company's vehicle, with the driver the
// company named for it, if any.
type VoceFlotta struct {
	verbali.VoceEstratto
	Conducente *ConducenteNominato `json:"conducente"`
}

// ConducenteNominato is where the company's driver identification stands.
type ConducenteNominato struct {
	ID            int64  `json:"id"`
	Protocollo    string `json:"protocollo"`
	Stato         string `json:"stato"`
	CodiceFiscale string `json:"codice_fiscale"`
}

// Fleet returns the verbali whose owner jointly liable is the company piva,
// newest first, computed on today.
func (s *Service) Fleet(ctx context.Context, piva string, today civil.Date) ([]VoceFlotta, error) {
	rows, err := s.Store.VerbaliOf(ctx, piva)
	if err != nil {
		return nil, err
	}
	st, err := verbali.Statement(piva, rows, today, verbali.StatementOptions{Rules: s.Rules})
	if err != nil {
		return nil, err
	}
	out := make([]VoceFlotta, 0, len(st.Verbali))
	for _, v := range st.Verbali {
		v.Ruolo = "obbligato"
		f := VoceFlotta{VoceEstratto: v}
		c, err := s.Store.DriverIdentificationOf(ctx, v.Numero)
		switch {
		case err == nil && c.Mittente == piva:
			f.Conducente = &ConducenteNominato{ID: c.ID, Protocollo: c.Protocollo, Stato: c.Stato, CodiceFiscale: c.ConducenteCF}
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// CSVHeader is the header of a company's driver file, in this order.
var CSVHeader = []string{"numero_verbale", "codice_fiscale", "numero_patente", "categoria", "rilasciata_il", "scade_il"}

// MaxCSVLines bounds one upload; larger fleets send several files.
const MaxCSVLines = 2000

// RigaApplicata is a line of the file that named a driver.
type RigaApplicata struct {
	Riga          int    `json:"riga"`
	NumeroVerbale string `json:"numero_verbale"`
	ID            int64  `json:"id"`
	Protocollo    string `json:"protocollo"`
	Stato         string `json:"stato"`
}

// RigaScartata is a line that changed nothing, and why.
type RigaScartata struct {
	Riga          int    `json:"riga"`
	NumeroVerbale string `json:"numero_verbale,omitempty"`
	Codice        string `json:"codice"`
	Messaggio     string `json:"messaggio"`
}

// EsitoCSV is what an upload did, line by line.
type EsitoCSV struct {
	Applicate []RigaApplicata `json:"applicate"`
	Scartate  []RigaScartata  `json:"scartate"`
}

// ImportDrivers names the drivers listed in a CSV file for company piva:
// each line on its own, so a bad line is reported with its number and
// reason and the others apply; a line is never half-applied. The separator
// is a comma, or a semicolon as spreadsheets write it in Italy.
func (s *Service) ImportDrivers(ctx context.Context, piva string, r io.Reader, now time.Time) (EsitoCSV, error) {
	out := EsitoCSV{Applicate: []RigaApplicata{}, Scartate: []RigaScartata{}}
	br := bufio.NewReader(r)
	first, _ := br.Peek(512)
	cr := csv.NewReader(br)
	if line, _, _ := strings.Cut(string(first), "\n"); strings.Count(line, ";") > strings.Count(line, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return out, invalid("CSV_NON_VALIDO", "Il file è vuoto o non è un CSV: la prima riga deve essere %s.", strings.Join(CSVHeader, ","))
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, h := range CSVHeader {
		if _, ok := col[h]; !ok {
			return out, invalid("CSV_NON_VALIDO", "Manca la colonna «%s»: la prima riga deve essere %s.", h, strings.Join(CSVHeader, ","))
		}
	}
	field := func(rec []string, name string) string {
		if i := col[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if n >= MaxCSVLines {
			return out, invalid("CSV_TROPPO_LUNGO", "Il file ha più di %d righe: dividilo in più file (le righe fin qui sono state applicate).", MaxCSVLines)
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return out, err
			}
			line = pe.Line
			out.Scartate = append(out.Scartate, RigaScartata{Riga: line, Codice: "RIGA_NON_LEGGIBILE",
				Messaggio: "La riga non è leggibile come CSV: controlla virgolette e separatori."})
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		numero := field(rec, "numero_verbale")
		if len(rec) != len(head) {
			out.Scartate = append(out.Scartate, RigaScartata{Riga: line, NumeroVerbale: numero, Codice: "RIGA_NON_VALIDA",
				Messaggio: fmt.Sprintf("La riga ha %d campi, l'intestazione %d.", len(rec), len(head))})
			continue
		}
		c, err := s.NameDriver(ctx, piva, numero, Conducente{
			CodiceFiscale: field(rec, "codice_fiscale"), NumeroPatente: field(rec, "numero_patente"),
			Categoria: field(rec, "categoria"), RilasciataIl: field(rec, "rilasciata_il"), ScadeIl: field(rec, "scade_il"),
		}, now)
		var e *Error
		switch {
		case errors.As(err, &e):
			out.Scartate = append(out.Scartate, RigaScartata{Riga: line, NumeroVerbale: numero, Codice: e.Codice, Messaggio: e.Messaggio})
		case err != nil:
			return out, err
		default:
			out.Applicate = append(out.Applicate, RigaApplicata{Riga: line, NumeroVerbale: numero, ID: c.ID, Protocollo: c.Protocollo, Stato: c.Stato})
		}
	}
	slices.SortStableFunc(out.Scartate, func(a, b RigaScartata) int { return a.Riga - b.Riga })
	return out, nil
}
