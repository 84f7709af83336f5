package apiserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/store/storetest"
)

var (
	specDoc    *openapi3.T
	specRouter routers.Router
	coveredMu  sync.Mutex
	covered    = map[string]bool{} // "METHOD /path" of documented operations answered in tests
)

func TestMain(m *testing.M) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err == nil {
		err = doc.Validate(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi.yaml is not valid OpenAPI:", err)
		os.Exit(1)
	}
	specDoc = doc
	if specRouter, err = gorillamux.NewRouter(doc); err != nil {
		fmt.Fprintln(os.Stderr, "openapi.yaml:", err)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 && allTestsRan() {
		if missing := uncoveredOperations(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "documented operations no test answered: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// allTestsRan is false under -run, where coverage of every operation cannot
// be expected.
func allTestsRan() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.run") {
			return false
		}
	}
	return true
}

func uncoveredOperations() []string {
	var missing []string
	for path, item := range specDoc.Paths.Map() {
		for method := range item.Operations() {
			if !covered[method+" "+path] {
				missing = append(missing, method+" "+path)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// checkAgainstSpec validates an API answer against openapi.yaml and records
// the operation as covered. Every helper that sends API requests in these
// tests calls it.
func checkAgainstSpec(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/") {
		return
	}
	route, params, err := specRouter.FindRoute(req)
	if err != nil {
		return // undocumented paths are caught by TestEveryRouteIsDocumented
	}
	coveredMu.Lock()
	covered[req.Method+" "+route.Path] = true
	coveredMu.Unlock()
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s %s → %d does not match openapi.yaml: %v\nbody: %.300s", req.Method, req.URL.Path, rec.Code, err, rec.Body)
	}
}

func TestEveryRouteIsDocumented(t *testing.T) {
	a, err := auth.New(auth.Config{IssuerURL: "http://127.0.0.1:1/demo-idp", ClientID: "c", ClientSecret: "s",
		RedirectURL: "http://127.0.0.1:1/auth/callback"}, storetest.New(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Auth: a})
	err = chi.Walk(srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/api/") || strings.HasSuffix(route, "/*") {
			return nil
		}
		item := specDoc.Paths.Find(route)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("route %s %s is not in openapi.yaml", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	rec := serveOnce(t, New(Config{}), "GET", "/api/v1/openapi.yaml")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "openapi: 3") {
		t.Errorf("GET /api/v1/openapi.yaml = %d", rec.Code)
	}
}
