package cds

import (
	"testing"

	"github.com/comune-torino/portale/internal/civil"
)

// TestPointsDeduction: art. 126-bis (brocardi.it) and violations.tsv points.
func TestPointsDeduction(t *testing.T) {
	tests := map[string]struct {
		articles  [][2]string
		newDriver bool
		want      int
	}{
		"art. 146 c.3: 6 points":                                {[][2]string{{"146", "3"}}, false, 6},
		"art. 146 c.3, new driver: doubled to 12":               {[][2]string{{"146", "3"}}, true, 12},
		"146 c.3 + 191 c.4: 14, under the cap":                  {[][2]string{{"146", "3"}, {"191", "4"}}, false, 14},
		"146 c.3 + 191 c.4, new driver: 28 capped at 15":        {[][2]string{{"146", "3"}, {"191", "4"}}, true, 15},
		"142 c.9 carries suspension: no cap, 12 + 16 = 28":      {[][2]string{{"142", "9"}, {"191", "4"}}, true, 28},
		"142 c.9-bis + 143 c.12 + 148 c.16: 30 with suspension": {[][2]string{{"142", "9-bis"}, {"143", "12"}, {"148", "16"}}, false, 30},
		"146 c.3 + 191 c.4 + 145 c.10: 19 capped at 15":         {[][2]string{{"146", "3"}, {"191", "4"}, {"145", "10"}}, false, 15},
		"parking (art. 158 c.6): no points":                     {[][2]string{{"158", "6"}}, true, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var v Verbale
			for _, a := range tc.articles {
				v.Violations = append(v.Violations, Violation{Tariff: tariff(t, a[0], a[1])})
			}
			if got := PointsDeduction(v, tc.newDriver); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// TestPointsBalance: art. 126-bis — 20 at issue, +2 per two clean years up
// to 30, restored to 20 after two clean years, 0 → revisione.
func TestPointsBalance(t *testing.T) {
	noRestore := DefaultConfig()
	noRestore.RestoreTwentyPoints = false
	tests := map[string]struct {
		cfg       Config
		events    []PointsEvent
		today     string
		want      int
		revision  bool
		nextClean string
	}{
		"new licence":                      {DefaultConfig(), nil, "2020-06-01", 20, false, "2022-01-15"},
		"one day short of two clean years": {DefaultConfig(), nil, "2022-01-14", 20, false, "2022-01-15"},
		"two clean years: 22":              {DefaultConfig(), nil, "2022-01-15", 22, false, "2024-01-15"},
		"ten clean years: capped at 30":    {DefaultConfig(), nil, "2040-01-15", 30, false, "2042-01-15"},
		"deduction resets the clock":       {DefaultConfig(), []PointsEvent{{date("2021-06-01"), Deduction, 5}}, "2023-05-31", 15, false, "2023-06-01"},
		"two clean years restore 20":       {DefaultConfig(), []PointsEvent{{date("2021-06-01"), Deduction, 5}}, "2023-06-01", 20, false, "2025-06-01"},
		"then +2":                          {DefaultConfig(), []PointsEvent{{date("2021-06-01"), Deduction, 5}}, "2025-06-01", 22, false, "2027-06-01"},
		"without restore: +2 from 15":      {noRestore, []PointsEvent{{date("2021-06-01"), Deduction, 5}}, "2023-06-01", 17, false, "2025-06-01"},
		"course +6 (A/B)":                  {DefaultConfig(), []PointsEvent{{date("2021-06-01"), Deduction, 10}, {date("2021-09-01"), Course, 6}}, "2022-01-01", 16, false, "2023-06-01"},
		"zero points: revisione":           {DefaultConfig(), []PointsEvent{{date("2021-06-01"), Deduction, 15}, {date("2021-07-01"), Deduction, 10}}, "2021-08-01", 0, true, "2023-07-01"},
		"future events are ignored":        {DefaultConfig(), []PointsEvent{{date("2030-06-01"), Deduction, 5}}, "2022-01-15", 22, false, "2024-01-15"},
		"events out of order are sorted":   {DefaultConfig(), []PointsEvent{{date("2021-09-01"), Course, 6}, {date("2021-06-01"), Deduction, 10}}, "2022-01-01", 16, false, "2023-06-01"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.cfg.Points(date("2020-01-15"), tc.events, date(tc.today))
			if got.Points != tc.want || got.Revision != tc.revision || got.NextClean != date(tc.nextClean) {
				t.Errorf("got %+v, want %d revision=%v next %s", got, tc.want, tc.revision, tc.nextClean)
			}
		})
	}
}

func TestIsNewDriver(t *testing.T) {
	issued := date("2024-02-29")
	for day, want := range map[civil.Date]bool{
		date("2027-02-27"): true,
		date("2027-02-28"): false, // three years on, clamped from 29 February
		date("2030-01-01"): false,
	} {
		if got := IsNewDriver(issued, day); got != want {
			t.Errorf("IsNewDriver(%v, %v) = %v", issued, day, got)
		}
	}
}

// TestShortSuspension: art. 218-ter (L. 177/2024) as in RULES.md.
func TestShortSuspension(t *testing.T) {
	red := tariff(t, "146", "3")
	tests := map[string]struct {
		tr       Tariff
		balance  int
		accident bool
		want     int
	}{
		"20 points: none":             {red, 20, false, 0},
		"19 points: 7 days":           {red, 19, false, 7},
		"10 points: 7 days":           {red, 10, false, 7},
		"9 points: 15 days":           {red, 9, false, 15},
		"9 points with accident: 30":  {red, 9, true, 30},
		"15 points with accident: 14": {red, 15, true, 14},
		"art. 146 c.2 is not listed":  {tariff(t, "146", "2"), 5, false, 0},
		"art. 173 c.3-bis is listed":  {tariff(t, "173", "3-bis"), 12, false, 7},
	}
	for name, tc := range tests {
		if got := ShortSuspensionDays(tc.tr, tc.balance, tc.accident); got != tc.want {
			t.Errorf("%s: got %d, want %d", name, got, tc.want)
		}
	}
}
