package apiserver

import (
	"context"
	"time"

	"github.com/go-chi/chi/v5"
)

// ReachesStatic reports whether a request with method and (unescaped) path
// is handed to Config.Static: whether no route of the API, the staff
// pages or the other areas claims it, as the router itself decides.
// deploy.FastServer asks it, so that its fast path answers only what this
// handler would give the static site.
//
// The middleware around the router leaves a static GET or HEAD answer as
// it is and logs it; LogStatic writes that log line for the fast path. A
// middleware that changed static answers would have to be reproduced
// there too, or ReachesStatic would have to say no.
func (s *Server) ReachesStatic(method, path string) bool {
	rctx := chi.NewRouteContext()
	s.router.Find(rctx, method, path)
	// The router records the pattern of any of its own routes that takes
	// the request, a mounted router's (/api/v1, with its own 404) too;
	// none means the request falls to the static site.
	return len(rctx.RoutePatterns) == 0
}

// LogStatic writes the request log line of a static answer given without
// this handler, as logRequests would have.
func (s *Server) LogStatic(method, path string, status int, bytes int64, elapsed time.Duration) {
	s.logRequest(context.Background(), method, pathRoute(path), status, bytes, elapsed)
}
