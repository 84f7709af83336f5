// Command cms measures edit-to-live on a running portal: it logs in as the
// demo validatore, writes news items through the CMS proxy protocol (the
// actions Decap CMS sends: persistEntry, updateUnpublishedEntryStatus,
// publishUnpublishedEntry) and, from the moment it asks to publish, polls the
// page's public address until it answers 200 with the new title. Even edits
// add a page, odd ones change the title and text of the page added just
// before. See run.sh and docs/benchmarks.md.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:18190", "the portal's address")
	edits := flag.Int("edits", 12, "how many edits to publish and time")
	password := flag.String("password", "demo-validatore", "the validatore's password")
	timeout := flag.Duration("timeout", 60*time.Second, "longest wait for one page to go live")
	pause := flag.Duration("pause", 0, "wait between one edit going live and the next edit (an editor's pace; 0 = back to back)")
	flag.Parse()
	log.SetFlags(0)

	c := login(*base, "validatore", *password)
	run := time.Now().Format("150405")
	today := time.Now().Format("2006-01-02")
	var live, publish []time.Duration
	var slug string
	for i := range *edits {
		if i > 0 {
			time.Sleep(*pause)
		}
		kind := "new page"
		if i%2 == 0 {
			slug = fmt.Sprintf("%s-banco-cms-%s-%d", today, run, i/2)
		} else {
			kind = "edit"
		}
		title := fmt.Sprintf("Banco di prova %s, modifica %d", run, i)
		raw := fmt.Sprintf("---\ntitle: %q\ndescription: Una notizia scritta dal banco di prova del CMS.\ndate: %s\n---\n\nTesto della modifica %d.\n", title, today, i)
		call(c, *base, "persistEntry", map[string]any{
			"branch": "main", "assets": []any{},
			"dataFiles": []map[string]string{{"slug": slug, "path": "content/notizie/" + slug + ".it.md", "raw": raw}},
			"options":   map[string]any{"collectionName": "notizie", "useWorkflow": true, "status": "draft"},
		})
		call(c, *base, "updateUnpublishedEntryStatus", map[string]any{
			"branch": "main", "collection": "notizie", "slug": slug, "newStatus": "pending_publish"})

		start := time.Now()
		call(c, *base, "publishUnpublishedEntry", map[string]any{"branch": "main", "collection": "notizie", "slug": slug})
		answered := time.Since(start)
		page := *base + "/notizie/" + slug + "/"
		for !served(page, title) {
			if time.Since(start) > *timeout {
				log.Fatalf("%s: not live after %s", page, *timeout)
			}
			time.Sleep(10 * time.Millisecond)
		}
		took := time.Since(start)
		live, publish = append(live, took), append(publish, answered)
		fmt.Printf("edit %2d (%-8s): publish answered in %6.0f ms, page served after %6.0f ms\n",
			i+1, kind, ms(answered), ms(took))
	}
	fmt.Printf("edit-to-live over %d edits: p50 %.0f ms, p90 %.0f ms, max %.0f ms (publish request alone: p50 %.0f ms)\n",
		len(live), ms(pct(live, 50)), ms(pct(live, 90)), ms(pct(live, 100)), ms(pct(publish, 50)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the p-th percentile by the nearest-rank method.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}

// login signs in at the staff login form, as a browser does.
func login(base, username, password string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/auth/staff/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		log.Fatalf("login as %s: %d", username, resp.StatusCode)
	}
	return c
}

// call sends one action of Decap's proxy protocol and stops on failure.
func call(c *http.Client, base, action string, params map[string]any) {
	body, _ := json.Marshal(map[string]any{"action": action, "params": params})
	req, _ := http.NewRequest(http.MethodPost, base+"/cms/api/v1", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("%s: %d %s", action, resp.StatusCode, b)
	}
}

// served reports whether page answers 200 with title in its body.
func served(page, title string) bool {
	resp, err := http.Get(page)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(b), title)
}
