package comunicazioni

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/profilo"
	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

// Conducente is the driver an owner names (art. 126-bis c.2): who, and the
// licence they drove with.
type Conducente struct {
	CodiceFiscale string `json:"codice_fiscale"`
	NumeroPatente string `json:"numero_patente"`
	Categoria     string `json:"categoria"`
	RilasciataIl  string `json:"rilasciata_il"` // YYYY-MM-DD
	ScadeIl       string `json:"scade_il"`      // YYYY-MM-DD
	// Email, optional, is where the sender is told of the outcome.
	Email string `json:"email,omitempty"`
}

// The licence categories (art. 116).
var categorie = map[string]bool{
	"AM": true, "A1": true, "A2": true, "A": true, "B1": true, "B": true, "BE": true, "C1": true, "C1E": true,
	"C": true, "CE": true, "D1": true, "D1E": true, "D": true, "DE": true,
}

var numeroPatente = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)

var (
	errNoPoints = &Error{Conflict, "CONDUCENTE_NON_RICHIESTO",
		"Per questo verbale non serve comunicare il conducente: non comporta la decurtazione di punti, o il conducente è già stato identificato."}
	errNotOwner = &Error{Conflict, "NON_OBBLIGATO",
		"Il conducente lo comunica il proprietario del veicolo (obbligato in solido) a cui è stato notificato il verbale."}
	errDriverNamed = &Error{Conflict, "CONDUCENTE_GIA_COMUNICATO",
		"Il conducente di questo verbale è già stato comunicato: trovi la comunicazione nell'elenco, con il suo stato."}
	errNoLicenceImage = &Error{Conflict, "PATENTE_MANCANTE",
		"Manca l'immagine della patente del conducente: non si può validare la comunicazione senza."}
	errNotDriver = &Error{NotFound, "COMUNICAZIONE_NON_TROVATA", "Questa comunicazione non esiste."}
)

// check normalises c and reports the first mistake, for a violation on day.
func (c *Conducente) check(day civil.Date) error {
	cf, err := codicefiscale.Parse(c.CodiceFiscale)
	if err != nil {
		msg := "Il codice fiscale non è valido."
		var e *codicefiscale.Error
		if errors.As(err, &e) {
			msg = e.Messaggio
		}
		return &Error{Invalid, "CODICE_FISCALE_NON_VALIDO", "Controlla il codice fiscale del conducente. " + msg}
	}
	c.CodiceFiscale = cf
	c.NumeroPatente = strings.ToUpper(strings.Join(strings.Fields(c.NumeroPatente), ""))
	if !numeroPatente.MatchString(c.NumeroPatente) {
		return &Error{Invalid, "NUMERO_PATENTE_NON_VALIDO",
			"Scrivi il numero della patente come è stampato al punto 5 (da 5 a 20 lettere e cifre, per esempio TO1234567X)."}
	}
	var cats []string
	for _, k := range strings.FieldsFunc(strings.ToUpper(c.Categoria), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !categorie[k] {
			return &Error{Invalid, "CATEGORIA_NON_VALIDA",
				fmt.Sprintf("La categoria «%s» non esiste: usa AM, A1, A2, A, B1, B, BE, C1, C1E, C, CE, D1, D1E, D o DE.", k)}
		}
		cats = append(cats, k)
	}
	if len(cats) == 0 {
		return &Error{Invalid, "CATEGORIA_NON_VALIDA", "Scrivi la categoria della patente, per esempio B."}
	}
	c.Categoria = strings.Join(cats, ", ")
	issued, err1 := civil.Parse(c.RilasciataIl)
	expires, err2 := civil.Parse(c.ScadeIl)
	if err1 != nil || err2 != nil {
		return &Error{Invalid, "DATA_NON_VALIDA", "Scrivi le date di rilascio e di scadenza della patente nella forma AAAA-MM-GG."}
	}
	if !issued.Before(expires) {
		return &Error{Invalid, "DATE_INCOERENTI", "La data di scadenza della patente viene prima di quella di rilascio: controllale."}
	}
	if day.Before(issued) || expires.Before(day) {
		return &Error{Invalid, "PATENTE_NON_VALIDA",
			fmt.Sprintf("Il giorno della violazione (%s) la patente indicata non era valida: controlla le date di rilascio e di scadenza.", day.Italian())}
	}
	c.Email = strings.TrimSpace(c.Email)
	return nil
}

// NameDriver records that owner (a citizen's codice fiscale or a company's
// partita IVA) names d as the driver of verbale numero. The verbale must be
// owner's as the owner jointly liable, carry points and have no identified
// driver. The driver confirms next, unless the owner named themselves.
func (s *Service) NameDriver(ctx context.Context, owner, numero string, d Conducente, now time.Time) (store.Comunicazione, error) {
	row, rec, err := s.ownVerbale(ctx, owner, numero)
	if err != nil {
		return store.Comunicazione{}, err
	}
	if row.ObbligatoCF != owner {
		return store.Comunicazione{}, errNotOwner
	}
	cv, _, err := rec.CDS(s.Rules)
	if err != nil || rec.Trasgressore != nil || rec.Stato == verbali.StatoArchiviato || cds.PointsDeduction(cv, false) == 0 {
		return store.Comunicazione{}, errNoPoints
	}
	if err := d.check(civil.FromTime(cv.At)); err != nil {
		return store.Comunicazione{}, err
	}
	stato := store.ComInAttesaConferma
	var confirmed time.Time
	if d.CodiceFiscale == owner {
		stato, confirmed = store.ComConfermata, now
	}
	email := emailOf(d.Email, rec, owner)
	d.Email = ""
	c := store.Comunicazione{Tipo: store.ComDatiConducente, Mittente: owner, ConducenteCF: d.CodiceFiscale,
		Numero: numero, Stato: stato, Dati: mustJSON(d), Email: email, CreataIl: now, ConfermataIl: confirmed}
	out, err := s.Store.CreateComunicazione(ctx, c, nil, s.outgoing("comunicazione_ricevuta"))
	if errors.Is(err, store.ErrDriverNamed) {
		return out, errDriverNamed
	}
	return out, err
}

// AttachLicence adds the image of the driver's licence to owner's live
// driver identification of verbale numero, until the office decides.
func (s *Service) AttachLicence(ctx context.Context, owner, numero string, u Upload, now time.Time) (store.Comunicazione, error) {
	c, err := s.Store.DriverIdentificationOf(ctx, numero)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Mittente != owner) {
		return c, &Error{NotFound, "COMUNICAZIONE_NON_TROVATA",
			"Prima comunica i dati del conducente di questo verbale, poi allega l'immagine della patente."}
	}
	if err != nil {
		return c, err
	}
	f, err := CheckFile(u, store.FilePatente)
	if err != nil {
		return c, err
	}
	err = s.Store.AddComunicazioneFile(ctx, c.ID, []string{store.ComInAttesaConferma, store.ComConfermata}, f, now)
	if errors.Is(err, store.ErrComunicazioneState) {
		return c, errState
	}
	if err != nil {
		return c, err
	}
	return s.Store.Comunicazione(ctx, c.ID)
}

// Confirm is the named driver cf confirming driver identification id with
// their own login.
func (s *Service) Confirm(ctx context.Context, cf string, id int64, now time.Time) (store.Comunicazione, error) {
	c, ruolo, err := s.Get(ctx, cf, id)
	if err != nil {
		return c, err
	}
	if ruolo != RuoloConducente || c.Tipo != store.ComDatiConducente {
		return c, errNotDriver
	}
	return s.update(ctx, id, []string{store.ComInAttesaConferma},
		store.ComunicazioneChange{Stato: store.ComConfermata, ConfermataIl: now})
}

// driverPoints is the points movement a validated identification puts on
// the driver's licence: the verbale's points, doubled when the licence was
// less than three years old on the day of the violation.
func (s *Service) driverPoints(ctx context.Context, c store.Comunicazione, at time.Time) (*store.ProfiloRow, error) {
	var d Conducente
	if err := json.Unmarshal(c.Dati, &d); err != nil {
		return nil, err
	}
	row, err := s.Store.VerbaleByNumero(ctx, c.Numero)
	if err != nil {
		return nil, err
	}
	rec, err := verbali.FromRow(row)
	if err != nil {
		return nil, err
	}
	cv, _, err := rec.CDS(s.Rules)
	if err != nil {
		return nil, err
	}
	issued, _ := civil.Parse(d.RilasciataIl)
	points := cds.PointsDeduction(cv, cds.IsNewDriver(issued, civil.FromTime(cv.At)))
	m := profilo.MovimentoPunti{
		Testata: profilo.Testata{Tipo: profilo.TipoPunti, CodiceFiscale: d.CodiceFiscale},
		ID:      "COM-" + c.Protocollo, Data: civil.FromTime(at).String(), Movimento: profilo.Decurtazione,
		Punti: points, Verbale: c.Numero,
		Descrizione: fmt.Sprintf("Decurtazione per il verbale %s (conducente comunicato, protocollo %s)", c.Numero, c.Protocollo),
	}
	return &store.ProfiloRow{Tipo: profilo.TipoPunti, Chiave: m.ID, CodiceFiscale: d.CodiceFiscale, Record: mustJSON(m)}, nil
}
