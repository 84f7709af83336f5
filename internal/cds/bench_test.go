package cds

import "testing"

// The target of issue 3 is under 2 µs per violation, so that the engine
// never limits the statement endpoint. Results go in docs/benchmarks.md.

func benchVerbale(b *testing.B, n int) Verbale {
	v := Verbale{At: rome("2026-03-09 23:10"), Served: date("2026-03-10"), Costs: 1300}
	rows := [][2]string{{"146", "3"}, {"142", "9"}, {"7", "14/1"}}
	for i := range n {
		r := rows[i%len(rows)]
		tr, err := DefaultConfig().Lookup(r[0], r[1], date("2026-03-09"))
		if err != nil {
			b.Fatal(err)
		}
		v.Violations = append(v.Violations, Violation{Tariff: tr})
	}
	return v
}

func benchmarkAmount(b *testing.B, n int, pay string) {
	cfg := DefaultConfig()
	v := benchVerbale(b, n)
	day := date(pay)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.AmountDue(v, day); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAmountOneViolationReduced(b *testing.B)   { benchmarkAmount(b, 1, "2026-03-12") }
func BenchmarkAmountOneViolationIncreased(b *testing.B) { benchmarkAmount(b, 1, "2028-01-01") }
func BenchmarkAmountThreeViolations(b *testing.B)       { benchmarkAmount(b, 3, "2026-03-12") }

func BenchmarkLookup(b *testing.B) {
	cfg := DefaultConfig()
	day := date("2026-03-09")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.Lookup("173", "3-bis", day); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkSchedule(b *testing.B, n int) {
	cfg := DefaultConfig()
	first := date("2026-03-31")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cfg.Schedule(1_000_000, n, first); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSchedule12(b *testing.B) { benchmarkSchedule(b, 12) }
func BenchmarkSchedule60(b *testing.B) { benchmarkSchedule(b, 60) }
