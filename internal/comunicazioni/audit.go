package comunicazioni

import (
	"fmt"

	"github.com/comune-torino/portale/internal/store"
)

// Actor is a staff member answering communications in the back office.
type Actor struct {
	Username string
	Role     string
}

// As returns a copy of s whose decisions (TakeCharge, Accept, Reject,
// Deliver) also write a's row in the back-office audit log — who, with
// which role, when, what, the communication before and after — in the same
// transaction as the change.
func (s *Service) As(a Actor) *Service {
	c := *s
	c.actor = &a
	return &c
}

// Audit actions of the decisions on a communication.
const (
	AuditPrendiInCarico = "comunicazione.prendi_in_carico"
	AuditAccogli        = "comunicazione.accogli"
	AuditRespingi       = "comunicazione.respingi"
	AuditDocumento      = "comunicazione.documento"
)

// AuditActions lists them, for the audit log's filter.
var AuditActions = []string{AuditPrendiInCarico, AuditAccogli, AuditRespingi, AuditDocumento}

// audited adds the audit row of change ch, from before, to out.
func (s *Service) audited(out store.OutgoingFunc, before store.Comunicazione, ch store.ComunicazioneChange) store.OutgoingFunc {
	return func(c store.Comunicazione) (store.Outgoing, error) {
		o, err := out(c)
		if err != nil {
			return o, err
		}
		action := AuditAccogli
		switch {
		case ch.Stato == store.ComInLavorazione:
			action = AuditPrendiInCarico
		case ch.Stato == store.ComRespinta:
			action = AuditRespingi
		case len(ch.Files) > 0:
			action = AuditDocumento
		}
		after := auditSummary(c)
		if len(ch.Files) > 0 {
			after["documento"] = ch.Files[0].Nome
		}
		if ch.Points != nil {
			after["punti_al_conducente"] = "sì"
		}
		o.Audit = &store.AuditEntry{At: ch.DecisaIl, Username: s.actor.Username, Role: s.actor.Role, Action: action,
			Target: fmt.Sprintf("comunicazione:%d", c.ID), Before: auditSummary(before), After: after}
		return o, nil
	}
}

// auditSummary is what the audit keeps of a communication.
func auditSummary(c store.Comunicazione) map[string]any {
	return map[string]any{"stato": c.Stato, "risposta": c.Risposta, "decisa_da": c.DecisaDa}
}
