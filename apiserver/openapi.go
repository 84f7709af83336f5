package apiserver

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the API's description, apiserver/openapi.yaml. A test fails when
// a route is missing from it or an answer does not match it.
//
//go:embed openapi.yaml
var OpenAPI []byte

// getOpenAPI answers GET /api/v1/openapi.yaml.
func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(OpenAPI)
	return err
}
