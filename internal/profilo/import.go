package profilo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// ImportStore is what importing needs from storage.
type ImportStore interface {
	UpsertProfilo(ctx context.Context, rows []store.ProfiloRow) ([]store.UpsertOutcome, error)
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
}

// ImportOptions configure Import.
type ImportOptions struct {
	// Rules give the points of a decurtazione sent without them.
	Rules cds.Config
	// BatchSize is how many records go in one transaction (default 1000).
	BatchSize int
	// MaxErrors caps the line errors kept in the summary (default 1000);
	// the count of rejected lines is always exact.
	MaxErrors int
}

// LineError is a line that was not imported, and why.
type LineError struct {
	Riga      int    `json:"riga"`
	Tipo      string `json:"tipo,omitempty"`
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

// Summary counts what an import did.
type Summary struct {
	Letti      int         `json:"letti"`      // lines with a record
	Nuovi      int         `json:"nuovi"`      // records added
	Aggiornati int         `json:"aggiornati"` // records that changed
	Invariati  int         `json:"invariati"`  // records identical to the stored ones
	Scartati   int         `json:"scartati"`   // refused, see Errori
	Errori     []LineError `json:"errori"`
}

// newRecord makes an empty record of each kind, for decoding a line.
var newRecord = map[string]func() Record{
	TipoPatente:            func() Record { return &Patente{} },
	TipoPunti:              func() Record { return &MovimentoPunti{} },
	TipoVeicolo:            func() Record { return &Veicolo{} },
	TipoPermesso:           func() Record { return &Permesso{} },
	TipoDocumento:          func() Record { return &Documento{} },
	TipoRichiestaPagamento: func() Record { return &RichiestaPagamento{} },
}

// maxLine bounds one JSON line.
const maxLine = 1 << 20

// Import reads a profile file from r — JSON Lines, one record per line with
// its "tipo" — checks each record and stores the good ones in batches, one
// transaction per batch. A bad line is reported with its number and reason
// and skipped; the rest is imported. Records are keyed by their natural key
// (see Record), so importing the same file twice changes nothing the second
// time. A decurtazione whose points are computed from its verbale needs the
// verbale imported first.
func Import(ctx context.Context, r io.Reader, st ImportStore, opts ImportOptions) (Summary, error) {
	imp := newImporter(ctx, st, opts)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if n == 1 {
			text = bytes.TrimPrefix(text, []byte("\xEF\xBB\xBF"))
		}
		if len(text) == 0 {
			continue
		}
		rec, err := decode(text)
		if err := imp.add(n, rec, err); err != nil {
			return imp.sum, err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return imp.sum, fmt.Errorf("riga %d: più lunga di %d byte", n+1, maxLine)
	}
	if err := sc.Err(); err != nil {
		return imp.sum, err
	}
	return imp.sum, imp.flush()
}

// ImportRecords stores records as Import does a file whose lines they are:
// the same checks, the same keys, the same report (Riga is the position in
// recs, from 1).
func ImportRecords(ctx context.Context, recs []Record, st ImportStore, opts ImportOptions) (Summary, error) {
	imp := newImporter(ctx, st, opts)
	for i, rec := range recs {
		if err := imp.add(i+1, rec, nil); err != nil {
			return imp.sum, err
		}
	}
	return imp.sum, imp.flush()
}

func decode(text []byte) (Record, error) {
	var head Testata
	if err := json.Unmarshal(text, &head); err != nil {
		return nil, problem(RecordNonLeggibile, "JSON non valido: %s", jsonReason(err))
	}
	mk, ok := newRecord[head.Tipo]
	if !ok {
		return nil, unknownKind(head.Tipo)
	}
	rec := mk()
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return rec, problem(RecordNonLeggibile, "JSON non valido: %s", jsonReason(err))
	}
	if dec.More() {
		return rec, problem(RecordNonLeggibile, "più di un oggetto JSON sulla stessa riga")
	}
	return rec, nil
}

func unknownKind(tipo string) error {
	return problem(TipoNonValido, "tipo %q sconosciuto: usa patente, punti, veicolo, permesso, documento o richiesta_pagamento", tipo)
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("il campo %q ha un tipo sbagliato", te.Field)
	}
	return err.Error()
}

type importer struct {
	ctx   context.Context
	st    ImportStore
	opts  ImportOptions
	sum   Summary
	batch []store.ProfiloRow
}

func newImporter(ctx context.Context, st ImportStore, opts ImportOptions) *importer {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 1000
	}
	if opts.Rules.Tariffs == nil {
		opts.Rules = cds.DefaultConfig()
	}
	return &importer{ctx: ctx, st: st, opts: opts, sum: Summary{Errori: []LineError{}}}
}

// add checks one record (or the reason it could not be read) and queues it.
// Only a failure of storage stops the import.
func (imp *importer) add(n int, rec Record, readErr error) error {
	if err := imp.ctx.Err(); err != nil {
		return err
	}
	imp.sum.Letti++
	err := readErr
	if err == nil {
		err = imp.prepare(rec)
	}
	var p *Problem
	if errors.As(err, &p) {
		imp.reject(n, rec, p)
		return nil
	}
	if err != nil {
		return err
	}
	row, err := toRow(rec)
	if err != nil {
		return err
	}
	imp.batch = append(imp.batch, row)
	if len(imp.batch) == imp.opts.BatchSize {
		return imp.flush()
	}
	return nil
}

func (imp *importer) prepare(rec Record) error {
	mk, ok := newRecord[rec.head().Tipo]
	if !ok {
		return unknownKind(rec.head().Tipo)
	}
	if reflect.TypeOf(mk()) != reflect.TypeOf(rec) {
		return problem(TipoNonValido, "il record dichiara tipo %q ma non lo è", rec.head().Tipo)
	}
	if err := rec.check(); err != nil {
		return err
	}
	if m, ok := rec.(*MovimentoPunti); ok && m.Movimento == Decurtazione {
		return imp.deduction(m)
	}
	return nil
}

// deduction ties a decurtazione to its verbale: the verbale must name the
// holder as the offender (points are taken from whoever drove), and gives
// the points when the gestionale did not send them. A verbale the portal
// never received is accepted only with its points.
func (imp *importer) deduction(m *MovimentoPunti) error {
	row, err := imp.st.VerbaleByNumero(imp.ctx, m.Verbale)
	if errors.Is(err, store.ErrNotFound) {
		if m.Punti > 0 {
			return nil
		}
		return problem(VerbaleSconosciuto, "il verbale %s non è nel portale: importalo prima, o indica i punti", m.Verbale)
	}
	if err != nil {
		return err
	}
	v, err := verbali.FromRow(row)
	if err != nil {
		return err
	}
	if v.Trasgressore == nil || v.Trasgressore.CodiceFiscale != m.CodiceFiscale {
		return problem(VerbaleDiAltri, "il verbale %s non indica questa persona come trasgressore: i punti si tolgono a chi guidava", m.Verbale)
	}
	if m.Punti > 0 {
		return nil
	}
	cv, _, err := v.CDS(imp.opts.Rules)
	if err != nil {
		return problem(PuntiNonValidi, "non riesco a calcolare i punti del verbale %s: indicali nel campo punti", m.Verbale)
	}
	if m.Punti = cds.PointsDeduction(cv, v.Neopatentato); m.Punti == 0 {
		return problem(PuntiNonValidi, "le violazioni del verbale %s non comportano la decurtazione di punti", m.Verbale)
	}
	return nil
}

func (imp *importer) reject(n int, rec Record, p *Problem) {
	imp.sum.Scartati++
	if len(imp.sum.Errori) >= imp.opts.MaxErrors {
		return
	}
	le := LineError{Riga: n, Codice: p.Codice, Messaggio: p.Messaggio}
	if rec != nil {
		le.Tipo = rec.head().Tipo
	}
	imp.sum.Errori = append(imp.sum.Errori, le)
}

func (imp *importer) flush() error {
	if len(imp.batch) == 0 {
		return nil
	}
	outcomes, err := imp.st.UpsertProfilo(imp.ctx, imp.batch)
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		switch o {
		case store.Inserted:
			imp.sum.Nuovi++
		case store.Updated:
			imp.sum.Aggiornati++
		case store.Unchanged:
			imp.sum.Invariati++
		}
	}
	imp.batch = imp.batch[:0]
	return nil
}

func toRow(rec Record) (store.ProfiloRow, error) {
	h := rec.head()
	row := store.ProfiloRow{Tipo: h.Tipo, Chiave: rec.key(), CodiceFiscale: h.CodiceFiscale}
	if v, ok := rec.(*Veicolo); ok {
		row.Veicolo = &store.Veicolo{CodiceFiscale: v.CodiceFiscale, Targa: v.Targa, Descrizione: v.Descrizione}
		return row, nil
	}
	body, err := json.Marshal(rec)
	row.Record = body
	return row, err
}
