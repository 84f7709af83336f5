package azienda

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/staff"
)

// page is what every template receives.
type page struct {
	Title   string
	User    staff.User
	Company company
	Message string // an error page's explanation
	Success string

	Fleet []fleetRow
	// Form is the driver's or licence form sent with a mistake.
	Form formState
	// Esito is what a CSV file did; CSVError why it was not read at all.
	Esito    *comunicazioni.EsitoCSV
	CSVError string
}

// fleetRow is a fine on the fleet as the company reads it.
type fleetRow struct {
	comunicazioni.VoceFlotta
	// ID is the stem of the ids of its form's fields.
	ID       string
	Articoli string
	// MayName: the driver must be named and is not; MayAttach: named and
	// not yet decided, the licence image can be sent.
	MayName, MayAttach bool
}

// formState keeps what was typed in one fine's form and what was wrong.
type formState struct {
	Numero string
	Kind   string // conducente or patente
	Field  string
	Error  string
	Values comunicazioni.Conducente
}

// For returns the form state if it is about verbale numero's form kind.
func (f formState) For(numero, kind string) formState {
	if f.Numero == numero && f.Kind == kind {
		return f
	}
	return formState{}
}

func (h *Handler) fleet(r *http.Request) ([]fleetRow, error) {
	c := companyOf(r)
	list, err := h.cfg.Comunicazioni.Fleet(r.Context(), c.PartitaIVA, civil.FromTime(h.cfg.Now()))
	if err != nil {
		return nil, err
	}
	rows := make([]fleetRow, len(list))
	for i, v := range list {
		arts := make([]string, len(v.Violazioni))
		for j, x := range v.Violazioni {
			arts[j] = "art. " + x.Articolo + " c. " + x.Comma
			if x.Descrizione != "" {
				arts[j] += " (" + x.Descrizione + ")"
			}
		}
		rows[i] = fleetRow{VoceFlotta: v, ID: fmt.Sprintf("v%d", i+1), Articoli: strings.Join(arts, "; "),
			MayName:   v.ComunicazioneConducente != nil && v.Conducente == nil,
			MayAttach: v.Conducente != nil && (v.Conducente.Stato == "in_attesa_conferma" || v.Conducente.Stato == "confermata")}
	}
	return rows, nil
}

// showFleet answers GET /azienda/: the fleet's fines and the forms.
func (h *Handler) showFleet(w http.ResponseWriter, r *http.Request) {
	p := page{}
	q := r.URL.Query()
	switch q.Get("esito") {
	case "conducente":
		p.Success = fmt.Sprintf("Hai comunicato il conducente del verbale %s (protocollo %s). Il conducente deve confermare con il proprio accesso; allega anche l'immagine della sua patente.",
			q.Get("numero"), q.Get("protocollo"))
	case "patente":
		p.Success = fmt.Sprintf("Hai allegato la patente del conducente del verbale %s.", q.Get("numero"))
	}
	h.renderFleet(w, r, http.StatusOK, p)
}

func (h *Handler) renderFleet(w http.ResponseWriter, r *http.Request, status int, p page) {
	c := companyOf(r)
	p.Title = "Area aziende"
	if c.Chosen {
		var err error
		if p.Fleet, err = h.fleet(r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, status, "flotta.html", p)
}

// fieldOf is the field an error code is about.
func fieldOf(codice string) string {
	switch codice {
	case "CODICE_FISCALE_NON_VALIDO":
		return "codice_fiscale"
	case "NUMERO_PATENTE_NON_VALIDO":
		return "numero_patente"
	case "CATEGORIA_NON_VALIDA":
		return "categoria"
	case "DATA_NON_VALIDA", "DATE_INCOERENTI", "PATENTE_NON_VALIDA":
		return "rilasciata_il"
	case "FILE_VUOTO", "FILE_TROPPO_GRANDE", "TIPO_FILE_NON_AMMESSO", "PATENTE_MANCANTE_FILE":
		return "patente"
	}
	return ""
}

// answered shows the fleet again with a refusal (422 for a mistake in the
// form, 404 or 409 when the fine does not allow it), or goes back to it
// with a confirmation.
func (h *Handler) answered(w http.ResponseWriter, r *http.Request, f formState, success url.Values, err error) {
	var ce *comunicazioni.Error
	if errors.As(err, &ce) {
		status := http.StatusUnprocessableEntity
		switch ce.Kind {
		case comunicazioni.NotFound:
			status = http.StatusNotFound
		case comunicazioni.Conflict:
			status = http.StatusConflict
		case comunicazioni.TooLarge:
			status = http.StatusRequestEntityTooLarge
		}
		f.Error, f.Field = ce.Messaggio, fieldOf(ce.Codice)
		h.renderFleet(w, r, status, page{Form: f})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, home(companyOf(r), success), http.StatusSeeOther)
}

var errNoCompany = &comunicazioni.Error{Kind: comunicazioni.Invalid, Codice: "PARTITA_IVA_MANCANTE",
	Messaggio: "Scegli prima l'azienda: scrivi la sua partita IVA."}

// nameDriver answers POST /azienda/conducente: the driver of one fine.
func (h *Handler) nameDriver(w http.ResponseWriter, r *http.Request) {
	c := companyOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	f := formState{Numero: strings.TrimSpace(r.PostFormValue("numero")), Kind: "conducente", Values: comunicazioni.Conducente{
		CodiceFiscale: r.PostFormValue("codice_fiscale"), NumeroPatente: r.PostFormValue("numero_patente"),
		Categoria: r.PostFormValue("categoria"), RilasciataIl: r.PostFormValue("rilasciata_il"),
		ScadeIl: r.PostFormValue("scade_il"), Email: r.PostFormValue("email")}}
	if !c.Chosen {
		h.answered(w, r, f, nil, errNoCompany)
		return
	}
	com, err := h.cfg.Comunicazioni.NameDriver(r.Context(), c.PartitaIVA, f.Numero, f.Values, h.cfg.Now())
	h.answered(w, r, f, url.Values{"esito": {"conducente"}, "numero": {f.Numero}, "protocollo": {com.Protocollo}}, err)
}

// maxLicenceBody bounds the licence form: the image and the verbale.
const maxLicenceBody = comunicazioni.MaxFileSize + 16<<10

var (
	errLicenceMissing = &comunicazioni.Error{Kind: comunicazioni.Invalid, Codice: "PATENTE_MANCANTE_FILE",
		Messaggio: "Scegli il file con l'immagine della patente (PDF, PNG o JPEG, al massimo 5 MB)."}
	errLicenceTooLarge = &comunicazioni.Error{Kind: comunicazioni.TooLarge, Codice: "FILE_TROPPO_GRANDE",
		Messaggio: "Il file supera 5 MB: riducine la dimensione (per esempio scansionando a 150 dpi) e riprova."}
)

// attachLicence answers POST /azienda/patente: the named driver's licence
// image, multipart field patente.
func (h *Handler) attachLicence(w http.ResponseWriter, r *http.Request) {
	c := companyOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxLicenceBody)
	f := formState{Kind: "patente"}
	if err := r.ParseMultipartForm(maxLicenceBody); err != nil {
		f.Numero = r.URL.Query().Get("numero")
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.answered(w, r, f, nil, errLicenceTooLarge)
			return
		}
		h.answered(w, r, f, nil, errLicenceMissing)
		return
	}
	f.Numero = strings.TrimSpace(r.PostFormValue("numero"))
	if !c.Chosen {
		h.answered(w, r, f, nil, errNoCompany)
		return
	}
	file, hdr, err := r.FormFile("patente")
	if err != nil {
		h.answered(w, r, f, nil, errLicenceMissing)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, err = h.cfg.Comunicazioni.AttachLicence(r.Context(), c.PartitaIVA, f.Numero,
		comunicazioni.Upload{Nome: hdr.Filename, Dati: data}, h.cfg.Now())
	h.answered(w, r, f, url.Values{"esito": {"patente"}, "numero": {f.Numero}}, err)
}

// maxCSV bounds a driver file, as the JSON API does.
const maxCSV = 1 << 20

// importDrivers answers POST /azienda/conducenti: a CSV file (multipart
// field file) naming many drivers; the page lists the lines applied and
// those refused, with their number and reason.
func (h *Handler) importDrivers(w http.ResponseWriter, r *http.Request) {
	c := companyOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, maxCSV+16<<10)
	if err := r.ParseMultipartForm(maxCSV); err != nil {
		var mbe *http.MaxBytesError
		msg := "Scegli il file CSV da caricare."
		if errors.As(err, &mbe) {
			msg = "Il file supera 1 MB: dividilo in più file."
		}
		h.renderFleet(w, r, http.StatusUnprocessableEntity, page{CSVError: msg})
		return
	}
	if !c.Chosen {
		h.renderFleet(w, r, http.StatusUnprocessableEntity, page{CSVError: errNoCompany.Messaggio})
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		h.renderFleet(w, r, http.StatusUnprocessableEntity, page{CSVError: "Scegli il file CSV da caricare."})
		return
	}
	defer file.Close()
	esito, err := h.cfg.Comunicazioni.ImportDrivers(r.Context(), c.PartitaIVA, file, h.cfg.Now())
	var ce *comunicazioni.Error
	switch {
	case errors.As(err, &ce) && len(esito.Applicate) == 0:
		h.renderFleet(w, r, http.StatusUnprocessableEntity, page{CSVError: ce.Messaggio})
		return
	case errors.As(err, &ce):
		// Too many lines: those before the limit applied.
		h.renderFleet(w, r, http.StatusUnprocessableEntity, page{CSVError: ce.Messaggio, Esito: &esito})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.renderFleet(w, r, http.StatusOK, page{Esito: &esito})
}
