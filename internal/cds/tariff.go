package cds

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Tariff is one row of the tariff table: a violation with the amounts in
// force over a validity period.
type Tariff struct {
	Article     string // as the law spells it: "146", "126-bis"
	Comma       string // lookup key: "3", "3-bis", "2-g" (lett. g), "14/1" (1° periodo)
	CommaText   string // the comma as the source writes it, e.g. "2 lett. g"
	Description string
	Min, Max    money.Cents
	Points      int

	Suspension      bool // licence suspension: no 30 % discount (art. 202 c.1)
	Confiscation    bool // vehicle confiscation: no 30 % discount (art. 202 c.1)
	NightSurcharge  bool // +1/3 between 22:00 and 07:00 (art. 195 c.2-bis)
	ShortSuspension bool // listed for the short suspension of art. 218-ter
	Criminal        bool // a crime (reato): no payment in misura ridotta
	Unverified      bool // amounts not yet confirmed on the official text

	ValidFrom civil.Date // first day the amounts apply
	ValidTo   civil.Date // last day, zero while in force

	Accessory  string // accessory sanctions and notes, from the source
	ValuesYear string // which decree or law set the amounts
	Source     string // where the facts come from
}

// Table holds the tariffs, several versions per violation when amounts
// change over time.
type Table struct {
	rows  []Tariff
	index map[string][]int // normalized "article|comma" → rows
}

//go:embed tariffs.tsv
var tariffsTSV string

var defaultTable = mustParseTable(tariffsTSV)

// DefaultTable returns the embedded tariff table. It is shared: do not
// modify the rows returned by All.
func DefaultTable() *Table { return defaultTable }

func mustParseTable(s string) *Table {
	t, err := ParseTable(s)
	if err != nil {
		// The embedded file is part of the build and has its own test.
		panic(err)
	}
	return t
}

// tsvColumns is the header the table must have, in this order.
var tsvColumns = []string{
	"articolo", "comma", "comma_testo", "descrizione", "minimo_cent", "massimo_cent", "punti",
	"sospensione", "confisca", "notturna", "sospensione_breve", "penale", "da_verificare",
	"dal", "al", "accessorie", "anno_importi", "fonte",
}

// ParseTable reads a tariff table in the format of tariffs.tsv.
func ParseTable(s string) (*Table, error) {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) == 0 || lines[0] != strings.Join(tsvColumns, "\t") {
		return nil, errors.New("cds: tariff table: unexpected header")
	}
	t := &Table{index: map[string][]int{}}
	for i, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != len(tsvColumns) {
			return nil, fmt.Errorf("cds: tariff table line %d: %d fields, want %d", i+2, len(f), len(tsvColumns))
		}
		var r Tariff
		var errs []error
		num := func(s string) int64 {
			n, err := strconv.ParseInt(s, 10, 64)
			errs = append(errs, err)
			return n
		}
		flag := func(s string) bool {
			if s != "0" && s != "1" {
				errs = append(errs, fmt.Errorf("flag %q is not 0 or 1", s))
			}
			return s == "1"
		}
		date := func(s string) civil.Date {
			if s == "" {
				return civil.Date{}
			}
			d, err := civil.Parse(s)
			errs = append(errs, err)
			return d
		}
		r.Article, r.Comma, r.CommaText, r.Description = f[0], f[1], f[2], f[3]
		r.Min, r.Max, r.Points = money.Cents(num(f[4])), money.Cents(num(f[5])), int(num(f[6]))
		r.Suspension, r.Confiscation, r.NightSurcharge = flag(f[7]), flag(f[8]), flag(f[9])
		r.ShortSuspension, r.Criminal, r.Unverified = flag(f[10]), flag(f[11]), flag(f[12])
		r.ValidFrom, r.ValidTo = date(f[13]), date(f[14])
		r.Accessory, r.ValuesYear, r.Source = f[15], f[16], f[17]
		if r.ValidFrom.IsZero() {
			errs = append(errs, errors.New("missing start of validity"))
		}
		if r.Min <= 0 || r.Max < r.Min {
			errs = append(errs, fmt.Errorf("amounts %d–%d out of order", r.Min, r.Max))
		}
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("cds: tariff table line %d: %w", i+2, err)
		}
		k := key(r.Article, r.Comma)
		t.index[k] = append(t.index[k], len(t.rows))
		t.rows = append(t.rows, r)
	}
	return t, nil
}

// All returns every row of the table, in file order.
func (t *Table) All() []Tariff { return t.rows }

var (
	// ErrUnknownViolation: no row for that article and comma.
	ErrUnknownViolation = errors.New("cds: unknown article and comma")
	// ErrNotInForce: the violation is known, but no amounts cover that day.
	ErrNotInForce = errors.New("cds: no amounts in force on that day")
)

// Lookup returns the tariff of article and comma in force on day. The comma
// is matched loosely ("3 bis", "3-bis" and "3bis" are the same; so are
// "2 lett. g" and "2-g"), because people copy it from a verbale.
func (t *Table) Lookup(article, comma string, day civil.Date) (Tariff, error) {
	versions := t.index[key(article, comma)]
	for _, i := range versions {
		r := t.rows[i]
		if !day.Before(r.ValidFrom) && (r.ValidTo.IsZero() || !day.After(r.ValidTo)) {
			return r, nil
		}
	}
	if len(versions) > 0 {
		return Tariff{}, fmt.Errorf("%w: art. %s c.%s on %v", ErrNotInForce, article, comma, day)
	}
	return Tariff{}, fmt.Errorf("%w: art. %s c.%s", ErrUnknownViolation, article, comma)
}

func key(article, comma string) string { return normalize(article) + "|" + normalize(comma) }

// normalize folds the ways a comma is written onto one key.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "lett", "")
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\t':
			return -1
		}
		return r
	}, s)
}

// Lookup returns the tariff for article and comma on day, applying the
// configuration's choices where sources disagree.
func (c Config) Lookup(article, comma string, day civil.Date) (Tariff, error) {
	t, err := c.Tariffs.Lookup(article, comma, day)
	if err != nil {
		return t, err
	}
	if t.Article == "173" && t.Comma == "3-bis" {
		t.Suspension = c.PhoneSuspensionFirstOffence
	}
	return t, nil
}
