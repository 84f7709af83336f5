// Package schedule finds when the public site must be rebuilt without any
// change to its content: the next moment a page's publishDate, date or
// expiryDate is reached (C6). Hugo leaves future and expired pages out of a
// build, so an ordinance must leave menus and lists when it expires, and a
// page must appear when it is due, with nobody pressing a button.
package schedule

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

// boundaryKeys are the front matter dates Hugo publishes or expires by.
var boundaryKeys = map[string]bool{"date": true, "publishdate": true, "expirydate": true}

// NextBoundary returns the earliest publish or expiry moment after now among
// the Markdown files under contentDir, and false when there is none.
func NextBoundary(contentDir string, now time.Time) (time.Time, bool, error) {
	var next time.Time
	err := filepath.WalkDir(contentDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, t := range frontMatterDates(data) {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		return nil
	})
	return next, !next.IsZero(), err
}

// frontMatterDates reads the boundary dates of a YAML front matter: only
// top-level "key: value" lines, which is how the CMS and the starter site
// write them.
func frontMatterDates(data []byte) []time.Time {
	if !bytes.HasPrefix(data, []byte("---")) {
		return nil
	}
	var out []time.Time
	sc := bufio.NewScanner(bytes.NewReader(data[3:]))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "---" {
			break
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(key, " ") || !boundaryKeys[strings.ToLower(strings.TrimSpace(key))] {
			continue
		}
		if t, ok := parseDate(strings.Trim(strings.TrimSpace(value), `'"`)); ok {
			out = append(out, t)
		}
	}
	return out
}

// parseDate reads the date forms Hugo accepts in front matter that the site
// uses; a date without a time is midnight in Rome, as Hugo reads it with the
// site's timeZone.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, civil.Rome); err == nil {
			return t, true
		}
	}
	if d, err := civil.Parse(s); err == nil {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, civil.Rome), true
	}
	return time.Time{}, false
}
