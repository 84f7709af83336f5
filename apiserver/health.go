package apiserver

import (
	"net/http"
)

type healthResponse struct {
	Status     string `json:"status"`
	Version    string `json:"versione"`
	Database   any    `json:"database"`
	LiveDeploy string `json:"deploy_live"`
}

// getHealth answers GET /api/v1/health: 200 when the database answers, 503
// otherwise, so a load balancer takes a sick instance out of rotation.
func (s *Server) getHealth(w http.ResponseWriter, r *http.Request) error {
	resp := healthResponse{Status: "ok", Version: s.cfg.Version, LiveDeploy: s.cfg.LiveDeploy()}
	status := http.StatusOK
	if s.cfg.DB != nil {
		db := s.cfg.DB.Health(r.Context())
		resp.Database = db
		if db.State != "ok" {
			resp.Status, status = "degradato", http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, resp)
	return nil
}
