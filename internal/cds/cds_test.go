package cds

import (
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

func date(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, civil.Rome)
	if err != nil {
		panic(err)
	}
	return t
}

func tariff(t *testing.T, article, comma string) Tariff {
	t.Helper()
	tr, err := DefaultConfig().Lookup(article, comma, date("2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
