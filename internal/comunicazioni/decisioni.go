package comunicazioni

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// outgoing makes the event for the gestionale (tipo) and the sender's email
// of a change.
func (s *Service) outgoing(tipo string) store.OutgoingFunc {
	return func(c store.Comunicazione) (store.Outgoing, error) {
		ev := map[string]any{
			"comunicazione_id": c.ID, "protocollo": c.Protocollo, "tipo": c.Tipo, "stato": c.Stato,
			"mittente": c.Mittente, "dati": json.RawMessage(c.Dati), "allegati": len(c.File),
		}
		if c.Sottotipo != "" {
			ev["sottotipo"] = c.Sottotipo
		}
		if c.DecisaDa != "" {
			ev["autore"] = c.DecisaDa
		}
		if c.Risposta != "" {
			ev["risposta"] = c.Risposta
		}
		return store.Outgoing{EventTipo: tipo, Event: ev, Email: s.email(c)}, nil
	}
}

// update applies ch to id when it is in one of from, mapping the store's
// refusals.
func (s *Service) update(ctx context.Context, id int64, from []string, ch store.ComunicazioneChange) (store.Comunicazione, error) {
	out := s.outgoing("comunicazione_" + ch.Stato)
	if s.actor != nil {
		// The state before, for the audit row; a missing communication is
		// refused by the store below.
		if before, err := s.Store.Comunicazione(ctx, id); err == nil {
			out = s.audited(out, before, ch)
		}
	}
	c, err := s.Store.UpdateComunicazione(ctx, id, from, ch, out)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c, errNotFound
	case errors.Is(err, store.ErrComunicazioneState):
		return c, errState
	}
	return c, err
}

// TakeCharge moves a contestation or document request to in_lavorazione:
// the citizen sees someone is working on it.
func (s *Service) TakeCharge(ctx context.Context, id int64, by string, now time.Time) (store.Comunicazione, error) {
	c, err := s.ByID(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Tipo == store.ComDatiConducente {
		return c, errState
	}
	return s.update(ctx, id, []string{store.ComRicevuta},
		store.ComunicazioneChange{Stato: store.ComInLavorazione, DecisaDa: by, DecisaIl: now})
}

// Accept accepts communication id on behalf of by, with an optional reply.
// A driver identification must be confirmed by the driver and carry the
// licence image; accepting it puts the points on the driver's licence. A
// document request is accepted by delivering the document (Deliver).
func (s *Service) Accept(ctx context.Context, id int64, by, risposta string, now time.Time) (store.Comunicazione, error) {
	c, err := s.ByID(ctx, id)
	if err != nil {
		return c, err
	}
	ch := store.ComunicazioneChange{Stato: store.ComAccolta, DecisaDa: by, DecisaIl: now, Risposta: strings.TrimSpace(risposta)}
	from := []string{store.ComRicevuta, store.ComInLavorazione}
	switch c.Tipo {
	case store.ComRichiestaDocumento:
		return c, &Error{Conflict, "DOCUMENTO_MANCANTE",
			"Una richiesta di documento si accoglie allegando il documento (…/documento)."}
	case store.ComDatiConducente:
		if c.Stato == store.ComInAttesaConferma {
			return c, &Error{Conflict, "CONFERMA_MANCANTE",
				"Il conducente indicato non ha ancora confermato con il proprio accesso: non si può ancora validare."}
		}
		if !hasFile(c, store.FilePatente) {
			return c, errNoLicenceImage
		}
		from = []string{store.ComConfermata}
		if ch.Points, err = s.driverPoints(ctx, c, now); err != nil {
			return c, err
		}
	}
	return s.update(ctx, id, from, ch)
}

// Reject rejects communication id on behalf of by, with the reason the
// sender reads.
func (s *Service) Reject(ctx context.Context, id int64, by, motivo string, now time.Time) (store.Comunicazione, error) {
	motivo = strings.TrimSpace(motivo)
	if motivo == "" {
		return store.Comunicazione{}, &Error{Invalid, "MOTIVO_MANCANTE",
			"Scrivi il motivo per cui la comunicazione è respinta: chi l'ha inviata lo leggerà."}
	}
	return s.update(ctx, id, []string{store.ComInAttesaConferma, store.ComConfermata, store.ComRicevuta, store.ComInLavorazione},
		store.ComunicazioneChange{Stato: store.ComRespinta, DecisaDa: by, DecisaIl: now, Risposta: motivo})
}

// Deliver attaches the document asked for in request id and accepts it: the
// citizen downloads it from the personal area.
func (s *Service) Deliver(ctx context.Context, id int64, by string, doc Upload, risposta string, now time.Time) (store.Comunicazione, error) {
	c, err := s.ByID(ctx, id)
	if err != nil {
		return c, err
	}
	if c.Tipo != store.ComRichiestaDocumento {
		return c, &Error{Conflict, "NON_RICHIESTA_DOCUMENTO", "Si allega un documento solo a una richiesta di documento."}
	}
	f, err := CheckFile(doc, store.FileDocumento)
	if err != nil {
		return c, err
	}
	return s.update(ctx, id, []string{store.ComRicevuta, store.ComInLavorazione}, store.ComunicazioneChange{
		Stato: store.ComAccolta, DecisaDa: by, DecisaIl: now, Risposta: strings.TrimSpace(risposta),
		Files: []store.ComunicazioneFile{f}})
}

func hasFile(c store.Comunicazione, ruolo string) bool {
	for _, f := range c.File {
		if f.Ruolo == ruolo {
			return true
		}
	}
	return false
}
