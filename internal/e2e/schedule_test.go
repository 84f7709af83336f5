package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A page whose expiryDate comes while the portal runs leaves the site by
// itself: nobody rebuilds or publishes anything (C6).
func TestExpiredPageLeavesTheSiteWithNoAction(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	expiry := time.Now().Add(20 * time.Second).Format(time.RFC3339)
	page := "---\ntitle: Chiusura temporanea di via Po\ndate: 2026-01-01\nexpiryDate: '" + expiry + "'\n---\n\nVia Po è chiusa al traffico.\n"
	if err := os.WriteFile(filepath.Join(data, "site", "content", "notizie", "chiusura-via-po.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := portale(t, "build", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	s := start(t, "serve", "--data", data)
	if resp, _ := get(t, s.url+"/notizie/chiusura-via-po/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("before its expiry the page answers %d", resp.StatusCode)
	}
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, _ := get(t, s.url+"/notizie/chiusura-via-po/"); resp.StatusCode == http.StatusNotFound {
			if _, list := get(t, s.url+"/notizie/"); strings.Contains(list, "Chiusura temporanea di via Po") {
				t.Errorf("the expired page is gone but still listed in /notizie/")
			}
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("the page is still online 90 s after it expired:\n%s", s.output())
}
