package apiserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/store/storetest"
)

func TestFeedback(t *testing.T) {
	db := storetest.New(t)
	srv := New(Config{DB: db})
	cases := map[string]struct {
		body   string
		status int
	}{
		"good":         {`{"pagina":"/servizi/pagare-una-multa/","lingua":"it","voto":4,"motivo":"feedbackPos1","commento":"chiaro"}`, 201},
		"no stars":     {`{"pagina":"/","lingua":"it","voto":0}`, 400},
		"six stars":    {`{"pagina":"/","lingua":"it","voto":6}`, 400},
		"other site":   {`{"pagina":"//evil.example/","lingua":"it","voto":3}`, 400},
		"long comment": {`{"pagina":"/","lingua":"en","voto":2,"commento":"` + strings.Repeat("x", 201) + `"}`, 400},
		"not JSON":     {`stelle`, 400},
	}
	for name, c := range cases {
		if rec := post(t, srv, "/api/v1/feedback", c.body); rec.Code != c.status {
			t.Errorf("%s: %d, want %d (%s)", name, rec.Code, c.status, rec.Body)
		}
	}

	// Without JavaScript: a form post, the page from the Referer, back to it.
	req := httptest.NewRequest("POST", "/api/v1/feedback", strings.NewReader("lingua=it&voto=2&motivo_negativo=feedbackNeg1&commento="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "http://example.com/faq/")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/faq/") {
		t.Errorf("form post = %d to %q, want 303 back to /faq/", rec.Code, rec.Header().Get("Location"))
	}
	got, err := db.PageRatings(context.Background(), time.Now().Add(-time.Hour), 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("ratings = %+v, %v; want the two good ones", got, err)
	}
}
