package apiserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-torino/portale/internal/apitoken"
	"github.com/comune-torino/portale/internal/pagopa"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

var testKey = strings.Repeat("s", 32)

func gestionaleServer(t *testing.T) (*Server, *store.DB) {
	db := storetest.New(t)
	return New(Config{DB: db, Tokens: apitoken.NewVerifier([]string{testKey}), NAV: func(seq int64) (string, error) {
		n, err := pagopa.NoticeNumberFromSequence("01", seq)
		return n.String(), err
	}}), db
}

func send(t *testing.T, h http.Handler, method, target, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	return rec
}

func token(t *testing.T, scopes ...string) string {
	tok, err := apitoken.Sign(testKey, "gestionale", scopes, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const ingestBody = `{"numero":"G1","versione":1,"stato":"notificato","data_ora":"2026-03-09T10:00:00+01:00","violazioni":[{"articolo":"146","comma":"2"}],"trasgressore":{"codice_fiscale":"RSSMRA80A01L219M"},"data_notifica":"2026-03-12","spese_cent":1300}
{"numero":"G2","versione":1,"stato":"boh"}
`

func TestIngestVerbali(t *testing.T) {
	srv, db := gestionaleServer(t)
	rec := send(t, srv, "POST", "/api/v1/ingest/verbali", token(t, scopeVerbaliWrite), ingestBody)
	if rec.Code != 200 {
		t.Fatalf("ingest = %d %s", rec.Code, rec.Body)
	}
	var sum struct {
		Nuovi, Scartati int
		Errori          []struct{ Riga int }
	}
	json.Unmarshal(rec.Body.Bytes(), &sum)
	if sum.Nuovi != 1 || sum.Scartati != 1 || sum.Errori[0].Riga != 2 {
		t.Errorf("summary = %s", rec.Body)
	}
	if n, _ := db.CountVerbali(context.Background()); n != 1 {
		t.Errorf("stored %d verbali, want 1", n)
	}
}

func TestGestionaleAPINeedsAValidTokenWithItsScope(t *testing.T) {
	srv, db := gestionaleServer(t)
	cases := map[string]struct {
		method, path, token string
		status              int
	}{
		"no token":            {"POST", "/api/v1/ingest/verbali", "", 401},
		"wrong scope":         {"POST", "/api/v1/ingest/verbali", token(t, scopeEventsRead), 403},
		"events without auth": {"GET", "/api/v1/events", "", 401},
		"events wrong scope":  {"GET", "/api/v1/events", token(t, scopeVerbaliWrite), 403},
		"bad cursor":          {"GET", "/api/v1/events?after=x", token(t, scopeEventsRead), 400},
	}
	for name, c := range cases {
		if rec := send(t, srv, c.method, c.path, c.token, ingestBody); rec.Code != c.status {
			t.Errorf("%s: %d, want %d (%s)", name, rec.Code, c.status, rec.Body)
		}
	}
	if n, _ := db.CountVerbali(context.Background()); n != 0 {
		t.Errorf("a refused request stored %d verbali", n)
	}
	unconfigured := New(Config{DB: db})
	if rec := send(t, unconfigured, "GET", "/api/v1/events", token(t, scopeEventsRead), ""); rec.Code != 503 {
		t.Errorf("without keys: %d, want 503", rec.Code)
	}
}

func TestEventsFeedReadsInOrderWithACursor(t *testing.T) {
	srv, db := gestionaleServer(t)
	ctx := context.Background()
	for _, tipo := range []string{"pagamento", "proposta_rateizzazione", "comunicazione"} {
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return store.AppendEvent(ctx, tx, tipo, "G1", map[string]string{"x": tipo}) }); err != nil {
			t.Fatal(err)
		}
	}
	tok := token(t, scopeEventsRead)
	var page struct {
		Eventi []struct {
			ID   int64
			Tipo string
		}
		Cursore int64
	}
	json.Unmarshal(send(t, srv, "GET", "/api/v1/events?limit=2", tok, "").Body.Bytes(), &page)
	if len(page.Eventi) != 2 || page.Eventi[0].Tipo != "pagamento" || page.Cursore != page.Eventi[1].ID {
		t.Fatalf("first page = %+v", page)
	}
	rec := send(t, srv, "GET", "/api/v1/events?after="+itoa(page.Cursore), tok, "")
	json.Unmarshal(rec.Body.Bytes(), &page)
	if len(page.Eventi) != 1 || page.Eventi[0].Tipo != "comunicazione" {
		t.Fatalf("second page = %s", rec.Body)
	}
	rec = send(t, srv, "GET", "/api/v1/events?after="+itoa(page.Cursore), tok, "")
	json.Unmarshal(rec.Body.Bytes(), &page)
	if len(page.Eventi) != 0 {
		t.Errorf("past the end = %s", rec.Body)
	}
}
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
