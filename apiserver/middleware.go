package apiserver

import (
	"context"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
)

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests writes one structured line per request. API paths are logged by
// their route pattern ("/api/v1/me/verbali/{numero}"), never with the values
// in them, and query strings are never logged: both can carry fiscal codes,
// plates or names.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.logRequest(r.Context(), r.Method, routeOf(r), rec.status, rec.bytes, time.Since(start))
	})
}

func (s *Server) logRequest(ctx context.Context, method, route string, status int, bytes int64, elapsed time.Duration) {
	s.cfg.Logger.InfoContext(ctx, "request",
		"method", method, "route", route, "status", status, "bytes", bytes, "ms", elapsed.Milliseconds())
}

// routeOf names a request without personal data: the chi pattern for API
// routes, the path (public site pages only) otherwise.
func routeOf(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" && p != "/*" && !strings.HasSuffix(p, "/*") {
			return p
		}
	}
	return pathRoute(r.URL.Path)
}

// pathRoute names a request by its path, hiding what follows /api/.
func pathRoute(path string) string {
	if strings.HasPrefix(path, "/api/") {
		return "/api/…"
	}
	return path
}

// recoverPanics turns a panic into the standard error answer, so a bug never
// shows a stack trace to a citizen.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Logger.ErrorContext(r.Context(), "panic", "route", routeOf(r), "panic", v, "stack", string(debug.Stack()))
				writeJSON(w, errInternal.Status, map[string]*Error{"errore": errInternal})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var errTooManyRequests = &Error{Status: http.StatusTooManyRequests, Codice: "TROPPE_RICHIESTE",
	Messaggio: "Hai fatto troppe richieste in poco tempo. Attendi un minuto e riprova."}

// rateLimit allows perMinute requests a minute from one client address, so a
// public endpoint cannot be used to load the server.
func (s *Server) rateLimit(perMinute int) func(http.Handler) http.Handler {
	return httprate.Limit(perMinute, time.Minute,
		httprate.WithKeyFuncs(httprate.KeyByIP),
		httprate.WithLimitHandler(s.handle(func(http.ResponseWriter, *http.Request) error { return errTooManyRequests })),
	)
}
