// Package comunicazioni runs what citizens and companies send to the police
// and the office's answers: driver identifications (dati conducente, art.
// 126-bis: the owner names the driver, the driver confirms, the office
// validates and the points go to the driver's licence), contestations
// (change of ownership, wrong plate, stolen vehicle, other) and requests for
// documents (copy of a verbale, accident report, certificates). Each has a
// tracking number (protocollo) and a state; each submission and decision is
// an event for the gestionale and an email to the sender. It also sends
// unpaid pre-notices on to formal notification (A14).
//
// HTTP lives in apiserver; this package holds the rules and calls the store.
package comunicazioni

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Store is what communications need from storage; *store.DB implements it.
type Store interface {
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
	VerbaliOf(ctx context.Context, cf string) ([]store.VerbaleRow, error)
	CreateComunicazione(ctx context.Context, c store.Comunicazione, files []store.ComunicazioneFile, out store.OutgoingFunc) (store.Comunicazione, error)
	AddComunicazioneFile(ctx context.Context, id int64, states []string, f store.ComunicazioneFile, at time.Time) error
	UpdateComunicazione(ctx context.Context, id int64, from []string, ch store.ComunicazioneChange, out store.OutgoingFunc) (store.Comunicazione, error)
	Comunicazione(ctx context.Context, id int64) (store.Comunicazione, error)
	ComunicazioniOf(ctx context.Context, cf string) ([]store.Comunicazione, error)
	ComunicazioniIn(ctx context.Context, stato, tipo string) ([]store.Comunicazione, error)
	DriverIdentificationOf(ctx context.Context, numero string) (store.Comunicazione, error)
	ComunicazioneFiles(ctx context.Context, id int64, ruolo string) ([]store.ComunicazioneFile, error)
	OpenPreNotices(ctx context.Context) ([]store.VerbaleRow, error)
	RecordFormalNotification(ctx context.Context, numero, canale string, at time.Time, event any) (bool, error)
	NotificationPreference(ctx context.Context, cf string) (store.PreferenzaNotifica, error)
}

// Kind is what went wrong with a request, for the HTTP status.
type Kind int

// The kinds of refusal.
const (
	Invalid  Kind = iota + 1 // the request cannot be granted as written
	NotFound                 // no such verbale or communication for this person
	Conflict                 // the state of the verbale or communication forbids it
	TooLarge                 // a file is too large
)

// Error is a refusal a person can act on: a stable code and an Italian
// message.
type Error struct {
	Kind      Kind
	Codice    string
	Messaggio string
}

func (e *Error) Error() string { return e.Codice + ": " + e.Messaggio }

var (
	errVerbaleNotFound = &Error{NotFound, "VERBALE_NON_TROVATO",
		"Non troviamo questo verbale tra i tuoi. Controlla il numero."}
	errNotFound = &Error{NotFound, "COMUNICAZIONE_NON_TROVATA",
		"Questa comunicazione non esiste."}
	errState = &Error{Conflict, "STATO_NON_VALIDO",
		"La comunicazione non è nello stato che permette questa operazione: ricarica la pagina per vedere lo stato attuale."}
	errNoDocument = &Error{NotFound, "DOCUMENTO_NON_DISPONIBILE",
		"Il documento non è ancora disponibile: lo trovi qui quando l'ufficio lo allega."}
)

// Service runs communications.
type Service struct {
	Store Store
	Rules cds.Config
	// Ente names the city in emails; AreaURL is the personal area's
	// address for links ("" for none).
	Ente    string
	AreaURL string
	// PreavvisoDays is how long an unpaid pre-notice waits before formal
	// notification, from the day of the violation (default 60: the term of
	// the misura ridotta the statement shows for a pre-notice).
	PreavvisoDays int
	// actor, set by As, is the staff member whose decisions go to the
	// back-office audit log.
	actor *Actor
}

// Ruolo is how the person reading a communication is concerned by it.
const (
	RuoloMittente   = "mittente"
	RuoloConducente = "conducente"
)

// Of returns the communications cf sent or is named in as the driver,
// newest first.
func (s *Service) Of(ctx context.Context, cf string) ([]store.Comunicazione, error) {
	return s.Store.ComunicazioniOf(ctx, cf)
}

// Get returns communication id if cf may read it, with cf's role in it;
// another's communication is "not found", so ids cannot be probed.
func (s *Service) Get(ctx context.Context, cf string, id int64) (store.Comunicazione, string, error) {
	c, err := s.Store.Comunicazione(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, "", errNotFound
	}
	if err != nil {
		return c, "", err
	}
	switch cf {
	case c.Mittente:
		return c, RuoloMittente, nil
	case c.ConducenteCF:
		return c, RuoloConducente, nil
	}
	return store.Comunicazione{}, "", errNotFound
}

// In returns the communications in stato and of tipo ("" for all), newest
// first, for the office.
func (s *Service) In(ctx context.Context, stato, tipo string) ([]store.Comunicazione, error) {
	return s.Store.ComunicazioniIn(ctx, stato, tipo)
}

// ByID returns communication id for the office.
func (s *Service) ByID(ctx context.Context, id int64) (store.Comunicazione, error) {
	c, err := s.Store.Comunicazione(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return c, errNotFound
	}
	return c, err
}

// File returns file fileID of communication id, for the office.
func (s *Service) File(ctx context.Context, id, fileID int64) (store.ComunicazioneFile, error) {
	files, err := s.Store.ComunicazioneFiles(ctx, id, "")
	if err != nil {
		return store.ComunicazioneFile{}, err
	}
	for _, f := range files {
		if f.ID == fileID {
			return f, nil
		}
	}
	return store.ComunicazioneFile{}, &Error{NotFound, "FILE_NON_TROVATO", "Questo file non esiste."}
}

// Document returns the document the office delivered for cf's request id.
func (s *Service) Document(ctx context.Context, cf string, id int64) (store.ComunicazioneFile, error) {
	c, ruolo, err := s.Get(ctx, cf, id)
	if err != nil {
		return store.ComunicazioneFile{}, err
	}
	if ruolo != RuoloMittente {
		return store.ComunicazioneFile{}, errNoDocument
	}
	files, err := s.Store.ComunicazioneFiles(ctx, c.ID, store.FileDocumento)
	if err != nil {
		return store.ComunicazioneFile{}, err
	}
	if len(files) == 0 {
		return store.ComunicazioneFile{}, errNoDocument
	}
	return files[len(files)-1], nil
}

// ownVerbale returns verbale numero if sender is its offender or owner.
func (s *Service) ownVerbale(ctx context.Context, sender, numero string) (store.VerbaleRow, *verbali.Record, error) {
	row, err := s.Store.VerbaleByNumero(ctx, numero)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.TrasgressoreCF != sender && row.ObbligatoCF != sender) {
		return row, nil, errVerbaleNotFound
	}
	if err != nil {
		return row, nil, err
	}
	rec, err := verbali.FromRow(row)
	return row, rec, err
}

// emailOf is where sender is told of decisions: the address given, else the
// one the verbale holds for them.
func emailOf(given string, rec *verbali.Record, sender string) string {
	if given != "" {
		return given
	}
	if rec == nil {
		return ""
	}
	for _, p := range []*verbali.Persona{rec.Trasgressore, rec.Obbligato} {
		if p != nil && p.Email != "" && (p.CodiceFiscale == sender || p.PartitaIVA == sender) {
			return p.Email
		}
	}
	return ""
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are marshalled here
	}
	return b
}
