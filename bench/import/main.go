// Command import writes the same generated verbali twice: as the JSON Lines
// that `portale import verbali` reads, and as CSV rows of the verbali table
// that the sqlite3 CLI's .import loads into the same schema. run.sh times both.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/demo"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/verbali"
)

func main() {
	n := flag.Int("n", 1000000, "how many verbali")
	jsonlPath := flag.String("jsonl", "verbali.jsonl", "JSON Lines output")
	csvPath := flag.String("csv", "verbali.csv", "CSV output (rows of the verbali table, no header)")
	flag.Parse()
	if err := run(*n, *jsonlPath, *csvPath); err != nil {
		log.Fatal(err)
	}
}

func run(n int, jsonlPath, csvPath string) error {
	jf, err := os.Create(jsonlPath)
	if err != nil {
		return err
	}
	defer jf.Close()
	cf, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	defer cf.Close()
	jw, cw := bufio.NewWriterSize(jf, 1<<20), csv.NewWriter(bufio.NewWriterSize(cf, 1<<20))
	enc := json.NewEncoder(jw)
	now := time.Now().UTC().Format(time.RFC3339)
	seq := int64(0)
	err = demo.Generate(n, civil.FromTime(time.Now()), 1, func(r verbali.Record) error {
		if err := enc.Encode(r); err != nil {
			return err
		}
		seq++
		nav, err := pagopa.NoticeNumberFromSequence("01", seq)
		if err != nil {
			return err
		}
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		off := ""
		if r.Trasgressore != nil {
			off = r.Trasgressore.CodiceFiscale
		}
		return cw.Write([]string{r.Numero, strconv.FormatInt(r.Versione, 10), string(r.Stato), off,
			r.Obbligato.CodiceFiscale, r.Targa, nav.String(), string(body), now, now})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return jw.Flush()
}
