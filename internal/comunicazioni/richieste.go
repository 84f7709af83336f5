package comunicazioni

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/store"
)

// The kinds of contestation (A7).
const (
	CambioProprieta = "cambio_proprieta" // the vehicle was sold before the violation
	TargaErrata     = "targa_errata"     // the plate was misread
	VeicoloRubato   = "veicolo_rubato"   // the vehicle had been stolen
	Altro           = "altro"
)

// The kinds of document a citizen may ask for (A15).
const (
	CopiaVerbale      = "copia_verbale"
	RapportoIncidente = "rapporto_incidente"
	Certificato       = "certificato"
)

// Contestazione is a citizen's contestation of one of their verbali; the
// fields of Dettagli depend on Tipo.
type Contestazione struct {
	Tipo     string          `json:"tipo"`
	Numero   string          `json:"numero"`
	Dettagli json.RawMessage `json:"dettagli"`
	Email    string          `json:"email,omitempty"`
}

// DettagliCambioProprieta: the vehicle was sold before the violation.
type DettagliCambioProprieta struct {
	DataVendita  string `json:"data_vendita"` // YYYY-MM-DD
	Acquirente   string `json:"acquirente"`   // name or company name of the buyer
	AcquirenteCF string `json:"acquirente_codice_fiscale,omitempty"`
	Note         string `json:"note,omitempty"`
}

// DettagliTargaErrata: the plate on the verbale is not the citizen's
// vehicle's.
type DettagliTargaErrata struct {
	TargaVeicolo string `json:"targa_veicolo"` // the plate of the citizen's vehicle
	Descrizione  string `json:"descrizione"`   // make, model, colour: why it cannot be it
}

// DettagliVeicoloRubato: the vehicle had been stolen and the theft reported.
type DettagliVeicoloRubato struct {
	DataFurto      string `json:"data_furto"`    // YYYY-MM-DD
	DataDenuncia   string `json:"data_denuncia"` // YYYY-MM-DD
	Autorita       string `json:"autorita"`      // where it was reported
	NumeroDenuncia string `json:"numero_denuncia,omitempty"`
}

// DettagliAltro: any other reason, in the citizen's words.
type DettagliAltro struct {
	Descrizione string `json:"descrizione"`
}

// RichiestaDocumento is a request for a document within the police's remit.
type RichiestaDocumento struct {
	Tipo string `json:"tipo"`
	// Numero: copia_verbale, the citizen's verbale.
	Numero string `json:"numero,omitempty"`
	// DataIncidente and Luogo: rapporto_incidente.
	DataIncidente string `json:"data_incidente,omitempty"`
	Luogo         string `json:"luogo,omitempty"`
	// Descrizione: certificato (which and what for); a note otherwise.
	Descrizione string `json:"descrizione,omitempty"`
	Email       string `json:"email,omitempty"`
}

func invalid(code, format string, args ...any) *Error {
	return &Error{Invalid, code, fmt.Sprintf(format, args...)}
}

// strict decodes the details of a kind, refusing fields it does not have.
func strict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return invalid("DETTAGLI_MANCANTI", "Mancano i dettagli della contestazione (campo «dettagli»).")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("DETTAGLI_NON_VALIDI", "I dettagli della contestazione non sono validi per questo tipo: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func text(s string, min, max int, code, what string) (string, error) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && min > 0:
		return "", invalid(code, "%s: campo obbligatorio.", what)
	case n < min || n > max:
		return "", invalid(code, "%s: scrivi da %d a %d caratteri.", what, min, max)
	}
	return s, nil
}

func date(s, code, what string) (civil.Date, error) {
	d, err := civil.Parse(strings.TrimSpace(s))
	if err != nil {
		return d, invalid(code, "%s: scrivi la data nella forma AAAA-MM-GG.", what)
	}
	return d, nil
}

// Contest records cf's contestation with its attachments. The verbale must
// be cf's; the details are checked against the kind and the day of the
// violation; a sale or a theft needs its paper attached.
func (s *Service) Contest(ctx context.Context, cf string, req Contestazione, uploads []Upload, now time.Time) (store.Comunicazione, error) {
	_, rec, err := s.ownVerbale(ctx, cf, strings.TrimSpace(req.Numero))
	if err != nil {
		return store.Comunicazione{}, err
	}
	at, err := time.Parse(time.RFC3339, rec.DataOra)
	if err != nil {
		return store.Comunicazione{}, err
	}
	day := civil.FromTime(at)
	var details any
	switch req.Tipo {
	case CambioProprieta:
		var d DettagliCambioProprieta
		if err := strict(req.Dettagli, &d); err != nil {
			return store.Comunicazione{}, err
		}
		sold, err := date(d.DataVendita, "DATA_NON_VALIDA", "Data della vendita")
		if err != nil {
			return store.Comunicazione{}, err
		}
		if !sold.Before(day) {
			return store.Comunicazione{}, invalid("DATE_INCOERENTI",
				"La vendita (%s) non è precedente alla violazione (%s): quel giorno il veicolo risultava ancora tuo.", sold.Italian(), day.Italian())
		}
		if d.Acquirente, err = text(d.Acquirente, 1, 200, "ACQUIRENTE_MANCANTE", "Acquirente"); err != nil {
			return store.Comunicazione{}, err
		}
		if d.AcquirenteCF != "" {
			if d.AcquirenteCF, err = codicefiscale.Parse(d.AcquirenteCF); err != nil {
				return store.Comunicazione{}, invalid("CODICE_FISCALE_NON_VALIDO", "Il codice fiscale dell'acquirente non è valido: controllalo o lascialo vuoto.")
			}
		}
		if len(uploads) == 0 {
			return store.Comunicazione{}, invalid("ALLEGATO_MANCANTE", "Allega l'atto di vendita o la ricevuta del passaggio di proprietà (PDF, PNG o JPEG).")
		}
		d.DataVendita, details = sold.String(), d
	case TargaErrata:
		var d DettagliTargaErrata
		if err := strict(req.Dettagli, &d); err != nil {
			return store.Comunicazione{}, err
		}
		d.TargaVeicolo = strings.ToUpper(strings.Join(strings.Fields(d.TargaVeicolo), ""))
		if d.TargaVeicolo == "" || len(d.TargaVeicolo) > 12 {
			return store.Comunicazione{}, invalid("TARGA_NON_VALIDA", "Scrivi la targa del tuo veicolo.")
		}
		if d.Descrizione, err = text(d.Descrizione, 10, 2000, "DESCRIZIONE_MANCANTE", "Descrizione"); err != nil {
			return store.Comunicazione{}, err
		}
		details = d
	case VeicoloRubato:
		var d DettagliVeicoloRubato
		if err := strict(req.Dettagli, &d); err != nil {
			return store.Comunicazione{}, err
		}
		stolen, err := date(d.DataFurto, "DATA_NON_VALIDA", "Data del furto")
		if err != nil {
			return store.Comunicazione{}, err
		}
		reported, err := date(d.DataDenuncia, "DATA_NON_VALIDA", "Data della denuncia")
		if err != nil {
			return store.Comunicazione{}, err
		}
		if day.Before(stolen) || reported.Before(stolen) {
			return store.Comunicazione{}, invalid("DATE_INCOERENTI",
				"Il furto deve precedere la violazione (%s) e la denuncia non può precedere il furto.", day.Italian())
		}
		if d.Autorita, err = text(d.Autorita, 1, 200, "AUTORITA_MANCANTE", "Dove hai sporto denuncia"); err != nil {
			return store.Comunicazione{}, err
		}
		if len(uploads) == 0 {
			return store.Comunicazione{}, invalid("ALLEGATO_MANCANTE", "Allega la copia della denuncia di furto (PDF, PNG o JPEG).")
		}
		d.DataFurto, d.DataDenuncia, details = stolen.String(), reported.String(), d
	case Altro:
		var d DettagliAltro
		if err := strict(req.Dettagli, &d); err != nil {
			return store.Comunicazione{}, err
		}
		if d.Descrizione, err = text(d.Descrizione, 20, 4000, "DESCRIZIONE_MANCANTE", "Spiega il motivo della contestazione"); err != nil {
			return store.Comunicazione{}, err
		}
		details = d
	default:
		return store.Comunicazione{}, invalid("TIPO_NON_VALIDO",
			"Scegli il tipo di contestazione: cambio_proprieta, targa_errata, veicolo_rubato o altro.")
	}
	files, err := CheckFiles(uploads, store.FileAllegato)
	if err != nil {
		return store.Comunicazione{}, err
	}
	c := store.Comunicazione{Tipo: store.ComContestazione, Sottotipo: req.Tipo, Mittente: cf, Numero: rec.Numero,
		Stato: store.ComRicevuta, Dati: mustJSON(details), Email: emailOf(strings.TrimSpace(req.Email), rec, cf), CreataIl: now}
	return s.Store.CreateComunicazione(ctx, c, files, s.outgoing("comunicazione_ricevuta"))
}

// RequestDocument records cf's request for a document.
func (s *Service) RequestDocument(ctx context.Context, cf string, req RichiestaDocumento, now time.Time) (store.Comunicazione, error) {
	c := store.Comunicazione{Tipo: store.ComRichiestaDocumento, Sottotipo: req.Tipo, Mittente: cf,
		Stato: store.ComRicevuta, Email: strings.TrimSpace(req.Email), CreataIl: now}
	var err error
	if req.Descrizione, err = text(req.Descrizione, 0, 2000, "DESCRIZIONE_TROPPO_LUNGA", "Descrizione"); err != nil {
		return c, err
	}
	switch req.Tipo {
	case CopiaVerbale:
		_, rec, err := s.ownVerbale(ctx, cf, strings.TrimSpace(req.Numero))
		if err != nil {
			return c, err
		}
		c.Numero, c.Email = rec.Numero, emailOf(c.Email, rec, cf)
		req.Numero = rec.Numero
	case RapportoIncidente:
		d, err := date(req.DataIncidente, "DATA_NON_VALIDA", "Data dell'incidente")
		if err != nil {
			return c, err
		}
		if civil.FromTime(now).Before(d) {
			return c, invalid("DATE_INCOERENTI", "La data dell'incidente è nel futuro: controllala.")
		}
		if req.Luogo, err = text(req.Luogo, 1, 300, "LUOGO_MANCANTE", "Luogo dell'incidente"); err != nil {
			return c, err
		}
		req.DataIncidente = d.String()
	case Certificato:
		if req.Descrizione, err = text(req.Descrizione, 10, 2000, "DESCRIZIONE_MANCANTE", "Quale certificato ti serve e per quale uso"); err != nil {
			return c, err
		}
	default:
		return c, invalid("TIPO_NON_VALIDO", "Scegli il documento: copia_verbale, rapporto_incidente o certificato.")
	}
	req.Email = ""
	c.Dati = mustJSON(req)
	return s.Store.CreateComunicazione(ctx, c, nil, s.outgoing("comunicazione_ricevuta"))
}
