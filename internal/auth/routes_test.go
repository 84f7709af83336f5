package auth_test

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
)

func routes(svc *auth.Service) http.Handler {
	r := chi.NewRouter()
	svc.Routes(r)
	r.Route("/api/v1", svc.APIRoutes)
	return r
}
