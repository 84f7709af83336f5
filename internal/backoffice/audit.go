package backoffice

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// auditFilter is the audit page's filter form as typed.
type auditFilter struct {
	Utente, Azione, Oggetto, Dal, Al string
	Error                            string
}

// auditActions are the actions the filter offers.
var auditActions = append([]string{"rateizzazione.approva", "rateizzazione.approva_parziale", "rateizzazione.respingi",
	"rateizzazione.controproponi"}, comunicazioni.AuditActions...)

// showAudit answers GET /backoffice/audit?utente=&azione=&oggetto=&dal=&al=:
// the back-office actions, newest first (at most 200).
func (h *Handler) showAudit(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	q := r.URL.Query()
	f := auditFilter{Utente: q.Get("utente"), Azione: q.Get("azione"), Oggetto: strings.TrimSpace(q.Get("oggetto")),
		Dal: q.Get("dal"), Al: q.Get("al")}
	filter := store.AuditFilter{Username: f.Utente, Target: f.Oggetto}
	if slices.Contains(auditActions, f.Azione) {
		filter.Action = f.Azione
	}
	status := http.StatusOK
	if from, ok := parseDay(f.Dal); ok {
		filter.From = from
	} else if f.Dal != "" {
		f.Error, status = "La data «dal» non è valida: usa il formato GG/MM/AAAA.", http.StatusUnprocessableEntity
	}
	if to, ok := parseDay(f.Al); ok {
		filter.To = to.AddDate(0, 0, 1)
	} else if f.Al != "" {
		f.Error, status = "La data «al» non è valida: usa il formato GG/MM/AAAA.", http.StatusUnprocessableEntity
	}
	var entries []store.AuditEntry
	var err error
	if f.Error == "" {
		if entries, err = h.cfg.Store.AuditLog(r.Context(), filter); err != nil {
			h.fail(w, r, u, err)
			return
		}
	}
	users, err := h.cfg.Store.AuditUsernames(r.Context())
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	h.render(w, status, "audit.html", page{Title: "Registro delle azioni", User: u, Section: "audit",
		Audit: entries, AuditFilter: f, Usernames: users, Actions: auditActions})
}

// parseDay reads a day (AAAA-MM-GG from a date input, or GG/MM/AAAA) as
// its first instant in Rome.
func parseDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	d, err := civil.Parse(s)
	if err != nil {
		var t time.Time
		if t, err = time.ParseInLocation("02/01/2006", s, civil.Rome); err != nil {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, civil.Rome), true
}
