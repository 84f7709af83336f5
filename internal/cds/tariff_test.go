package cds

import (
	"errors"
	"testing"

	"github.com/comune-torino/portale/internal/money"
)

func TestLookup(t *testing.T) {
	tests := map[string]struct {
		article, comma, day string
		min, max            money.Cents
		points              int
		suspension, night   bool
		unverified          bool
		err                 error
	}{
		"art. 146 c.3 red light (violations.tsv, DM 31/12/2020)": {article: "146", comma: "3", day: "2026-03-10", min: 16700, max: 66500, points: 6, night: true},
		"art. 146 c.2 signs (violations.tsv)":                    {article: "146", comma: "2", day: "2021-01-01", min: 4200, max: 17300, points: 2, night: true},
		"art. 142 c.9 speed +40 (violations.tsv: sospensione)":   {article: "142", comma: "9", day: "2026-03-10", min: 54300, max: 217000, points: 6, suspension: true, night: true},
		"art. 142 c.9-bis spelled 9 bis":                         {article: "142", comma: "9 bis", day: "2026-03-10", min: 84500, max: 338200, points: 10, suspension: true, night: true},
		"art. 158 c.2 lett. g disabled bays (L. 177/2024)":       {article: "158", comma: "2 lett. g", day: "2024-12-14", min: 33000, max: 99000, points: 4},
		"art. 158 c.2 lett. g before L. 177/2024":                {article: "158", comma: "2-g", day: "2024-12-13", err: ErrNotInForce},
		"art. 173 c.3-bis phone (L. 177/2024, Brocardi: sosp.)":  {article: "173", comma: "3-bis", day: "2025-01-10", min: 25000, max: 100000, points: 5, suspension: true},
		"art. 7 c.14 1° periodo paid parking":                    {article: "7", comma: "14/1", day: "2026-03-10", min: 4200, max: 17300},
		"art. 7 c.14 2° periodo ZTL":                             {article: "7", comma: "14/2", day: "2026-03-10", min: 8300, max: 33200},
		"art. 141 c.8 stays flagged UNVERIFIED":                  {article: "141", comma: "8", day: "2026-03-10", min: 8700, max: 34400, points: 5, night: true, unverified: true},
		"art. 126-bis c.2 driver data":                           {article: "126-bis", comma: "2", day: "2026-03-10", min: 29100, max: 116600},
		"DM 31/12/2020 not in force in 2020":                     {article: "146", comma: "3", day: "2020-12-31", err: ErrNotInForce},
		"unknown article":                                        {article: "999", comma: "1", day: "2026-03-10", err: ErrUnknownViolation},
		"art. 181 (obligation ended 2015) is not in the table":   {article: "181", comma: "1-2", day: "2026-03-10", err: ErrUnknownViolation},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := DefaultConfig().Lookup(tc.article, tc.comma, date(tc.day))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Min != tc.min || got.Max != tc.max || got.Points != tc.points ||
				got.Suspension != tc.suspension || got.NightSurcharge != tc.night || got.Unverified != tc.unverified {
				t.Errorf("got %v–%v %dpt susp=%v night=%v unverified=%v", got.Min, got.Max, got.Points, got.Suspension, got.NightSurcharge, got.Unverified)
			}
			if got.Source == "" {
				t.Error("the row lost its source")
			}
		})
	}
}

// TestPhoneSuspensionIsConfigurable: the sources on art. 173 c.3-bis
// disagree (violations.tsv), so the choice is a Config field.
func TestPhoneSuspensionIsConfigurable(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PhoneSuspensionFirstOffence = false
	got, err := cfg.Lookup("173", "3-bis", date("2025-01-10"))
	if err != nil || got.Suspension {
		t.Fatalf("got suspension=%v, err=%v; want no suspension", got.Suspension, err)
	}
}

func TestEmbeddedTable(t *testing.T) {
	rows := DefaultTable().All()
	// violations.tsv has 40 rows; art. 181 (no longer sanctioned since
	// 18/10/2015) is left out.
	if len(rows) != 39 {
		t.Errorf("%d rows, want 39", len(rows))
	}
	unverified := 0
	for i, a := range rows {
		if a.Unverified {
			unverified++
		}
		for _, b := range rows[i+1:] {
			if key(a.Article, a.Comma) != key(b.Article, b.Comma) {
				continue
			}
			if (a.ValidTo.IsZero() || !a.ValidTo.Before(b.ValidFrom)) && (b.ValidTo.IsZero() || !b.ValidTo.Before(a.ValidFrom)) {
				t.Errorf("art. %s c.%s: overlapping validity periods", a.Article, a.Comma)
			}
		}
		if a.NightSurcharge != nightArticles[a.Article] {
			t.Errorf("art. %s c.%s: night surcharge %v, RULES.md art. 195 c.2-bis says %v", a.Article, a.Comma, a.NightSurcharge, nightArticles[a.Article])
		}
	}
	// Three rows are UNVERIFIED in violations.tsv and three more say
	// "da verificare"/"VERIFICARE".
	if unverified != 6 {
		t.Errorf("%d unverified rows, want 6", unverified)
	}
}

// nightArticles lists art. 195 c.2-bis as RULES.md gives it (176 and 174
// are not in the table); art. 40 is sanctioned through art. 146 c.2.
var nightArticles = map[string]bool{"40": true, "141": true, "142": true, "145": true, "146": true, "149": true, "154": true, "178": true}

func TestParseTableRejectsBadRows(t *testing.T) {
	header := "articolo\tcomma\tcomma_testo\tdescrizione\tminimo_cent\tmassimo_cent\tpunti\tsospensione\tconfisca\tnotturna\tsospensione_breve\tpenale\tda_verificare\tdal\tal\taccessorie\tanno_importi\tfonte\n"
	for name, body := range map[string]string{
		"bad header":      "x\n",
		"short row":       header + "146\t3\n",
		"min above max":   header + "146\t3\t3\td\t200\t100\t6\t0\t0\t1\t1\t0\t0\t2021-01-01\t\t\t\ts\n",
		"flag not 0/1":    header + "146\t3\t3\td\t100\t200\t6\t2\t0\t1\t1\t0\t0\t2021-01-01\t\t\t\ts\n",
		"no start date":   header + "146\t3\t3\td\t100\t200\t6\t0\t0\t1\t1\t0\t0\t\t\t\t\ts\n",
		"bad date":        header + "146\t3\t3\td\t100\t200\t6\t0\t0\t1\t1\t0\t0\t2021-02-30\t\t\t\ts\n",
		"amount not cent": header + "146\t3\t3\td\t1,00\t200\t6\t0\t0\t1\t1\t0\t0\t2021-01-01\t\t\t\ts\n",
	} {
		if _, err := ParseTable(body); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
