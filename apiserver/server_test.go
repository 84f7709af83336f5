package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/store/storetest"
)

// sickDB is a database whose health check fails.
type sickDB struct{ *store.DB }

func (sickDB) Health(context.Context) store.Status { return store.Status{State: "errore"} }

func serveOnce(t testing.TB, h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, nil)
	h.ServeHTTP(rec, req)
	checkAgainstSpec(t, req, rec)
	return rec
}

func TestHealth(t *testing.T) {
	cases := map[string]struct {
		db         Store
		wantStatus int
		wantState  string
	}{
		"database answers": {storetest.New(t), http.StatusOK, "ok"},
		"database is sick": {sickDB{storetest.New(t)}, http.StatusServiceUnavailable, "degradato"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := New(Config{Version: "1.2.3", DB: c.db, LiveDeploy: func() string { return "d42" }})
			rec := serveOnce(t, srv, "GET", "/api/v1/health")
			if rec.Code != c.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, c.wantStatus)
			}
			var got healthResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Status != c.wantState || got.Version != "1.2.3" || got.LiveDeploy != "d42" {
				t.Errorf("health = %+v", got)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("API answers must not be cached")
			}
		})
	}
}

func TestAPIErrorsAreJSONWithAStableCode(t *testing.T) {
	srv := New(Config{Static: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("static " + r.URL.Path))
	})})
	cases := map[string]struct {
		method, path string
		status       int
		code         string
	}{
		"unknown API path":  {"GET", "/api/v1/nope", 404, "NON_TROVATO"},
		"wrong method":      {"DELETE", "/api/v1/health", 405, "METODO_NON_CONSENTITO"},
		"unknown API child": {"GET", "/api/v1/health/x", 404, "NON_TROVATO"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rec := serveOnce(t, srv, c.method, c.path)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d", rec.Code, c.status)
			}
			var body struct {
				Errore Error `json:"errore"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			if body.Errore.Codice != c.code || body.Errore.Messaggio == "" {
				t.Errorf("error = %+v, want code %s with a message", body.Errore, c.code)
			}
		})
	}
}

func TestOtherPathsGoToTheStaticSite(t *testing.T) {
	srv := New(Config{Static: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("static " + r.URL.Path))
	})})
	for _, p := range []string{"/", "/servizi/pagare-una-multa/", "/en/"} {
		if rec := serveOnce(t, srv, "GET", p); rec.Code != 200 || rec.Body.String() != "static "+p {
			t.Errorf("GET %s = %d %q, want the static site", p, rec.Code, rec.Body)
		}
	}
}

func TestPanicsBecomeAPlainErrorWithoutStackTrace(t *testing.T) {
	var logs bytes.Buffer
	srv := New(Config{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Static: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }),
	})
	rec := serveOnce(t, srv, "GET", "/qualcosa")
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "ERRORE_INTERNO") {
		t.Fatalf("panic answer = %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "kaboom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("the answer leaks the panic: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("the panic is not logged for the operator")
	}
}

// The content history lives in the CMS; /backoffice/storico leads there.
func TestBackofficeStoricoLeadsToTheCMSHistory(t *testing.T) {
	cms := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	srv := New(Config{CMS: cms, Backoffice: http.NotFoundHandler()})
	for from, to := range map[string]string{
		"/backoffice/storico":                           "/cms/storico/",
		"/backoffice/storico/":                          "/cms/storico/",
		"/backoffice/storico/pagina?path=content%2Ffaq": "/cms/storico/pagina?path=content%2Ffaq",
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, from, nil))
		if rec.Code != http.StatusFound || rec.Header().Get("Location") != to {
			t.Errorf("%s → %d %q, want a redirect to %s", from, rec.Code, rec.Header().Get("Location"), to)
		}
	}
}
