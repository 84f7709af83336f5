package backoffice

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/comunicazioni"
	"github.com/comune-torino/portale/internal/staff"
	"github.com/comune-torino/portale/internal/store"
)

// comRoles answer citizens' communications; the collector's staff do not.
var comRoles = []staff.Role{staff.Operatore, staff.Responsabile, staff.Amministratore}

// comStates and comKinds are the list's filters, in the order shown.
var (
	comStates = []string{store.ComInAttesaConferma, store.ComConfermata, store.ComRicevuta, store.ComInLavorazione,
		store.ComAccolta, store.ComRespinta}
	comKinds = []string{store.ComDatiConducente, store.ComContestazione, store.ComRichiestaDocumento}
)

var comStateLabels = map[string]string{
	store.ComInAttesaConferma: "In attesa della conferma del conducente", store.ComConfermata: "Confermata dal conducente, da validare",
	store.ComRicevuta: "Ricevuta", store.ComInLavorazione: "In lavorazione", store.ComAccolta: "Accolta", store.ComRespinta: "Respinta",
}

var comKindLabels = map[string]string{
	store.ComDatiConducente: "Dati del conducente", store.ComContestazione: "Contestazione",
	store.ComRichiestaDocumento:   "Richiesta di documento",
	comunicazioni.CambioProprieta: "cambio di proprietà", comunicazioni.TargaErrata: "targa errata",
	comunicazioni.VeicoloRubato: "veicolo rubato", comunicazioni.Altro: "altro motivo",
	comunicazioni.CopiaVerbale: "copia del verbale", comunicazioni.RapportoIncidente: "rapporto d'incidente",
	comunicazioni.Certificato: "certificato",
}

var fileRoleLabels = map[string]string{
	store.FileAllegato: "Allegato del mittente", store.FilePatente: "Patente del conducente",
	store.FileDocumento: "Documento consegnato dall'ufficio",
}

// datiLabels name the fields a citizen filled in, whatever the kind.
var datiLabels = map[string]string{
	"codice_fiscale": "Codice fiscale del conducente", "numero_patente": "Numero di patente", "categoria": "Categoria",
	"rilasciata_il": "Patente rilasciata il", "scade_il": "Patente valida fino al", "data_vendita": "Data della vendita",
	"acquirente": "Acquirente", "acquirente_codice_fiscale": "Codice fiscale dell'acquirente", "note": "Note",
	"targa_veicolo": "Targa del veicolo del cittadino", "descrizione": "Descrizione", "data_furto": "Data del furto",
	"data_denuncia": "Data della denuncia", "autorita": "Denuncia presentata a", "numero_denuncia": "Numero della denuncia",
	"tipo": "Documento chiesto", "numero": "Verbale", "data_incidente": "Data dell'incidente", "luogo": "Luogo dell'incidente",
}

func comLabel(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

// kindLabel names a communication's kind, with its subkind if any.
func kindLabel(tipo, sottotipo string) string {
	l := comLabel(comKindLabels, tipo)
	if sottotipo != "" {
		l += " (" + comLabel(comKindLabels, sottotipo) + ")"
	}
	return l
}

// comDatum is one field of what the citizen sent.
type comDatum struct{ Label, Value string }

// comEvent is a line of a communication's history.
type comEvent struct {
	At      time.Time
	Who     string
	Role    string
	What    string
	Changes []change
}

// comDetail is everything a communication's page shows.
type comDetail struct {
	C          store.Comunicazione
	Dati       []comDatum
	History    []comEvent
	MayTake    bool // prendi in carico
	MayAccept  bool
	MayDeliver bool
	MayReject  bool
	// Waiting explains why a driver identification cannot be validated yet.
	Waiting string
}

// comFilter is the list's URL with stato and tipo.
func comFilter(stato, tipo string) string {
	v := url.Values{}
	if stato != "" {
		v.Set("stato", stato)
	}
	if tipo != "" {
		v.Set("tipo", tipo)
	}
	if len(v) == 0 {
		return "/backoffice/comunicazioni"
	}
	return "/backoffice/comunicazioni?" + v.Encode()
}

// comQueues are the desk's queues of communications.
func (h *Handler) comQueues(r *http.Request) ([]queue, error) {
	all, err := h.cfg.Comunicazioni.In(r.Context(), "", "")
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, c := range all {
		n[c.Stato]++
	}
	return []queue{
		{Label: "Conducenti confermati da validare", Count: n[store.ComConfermata], URL: comFilter(store.ComConfermata, "")},
		{Label: "Comunicazioni ricevute da prendere in carico", Count: n[store.ComRicevuta], URL: comFilter(store.ComRicevuta, "")},
		{Label: "Comunicazioni in lavorazione", Count: n[store.ComInLavorazione], URL: comFilter(store.ComInLavorazione, "")},
		{Label: "Conducenti in attesa della conferma", Count: n[store.ComInAttesaConferma], URL: comFilter(store.ComInAttesaConferma, "")},
	}, nil
}

// showComunicazioni answers GET /backoffice/comunicazioni?stato=&tipo=:
// the communications, newest first, with the count of each state and kind.
func (h *Handler) showComunicazioni(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	stato, tipo := r.URL.Query().Get("stato"), r.URL.Query().Get("tipo")
	if (stato != "" && !slices.Contains(comStates, stato)) || (tipo != "" && !slices.Contains(comKinds, tipo)) {
		h.renderError(w, u, http.StatusNotFound, "Filtro sconosciuto: scegli uno degli stati e dei tipi elencati nella pagina delle comunicazioni.")
		return
	}
	all, err := h.cfg.Comunicazioni.In(r.Context(), "", "")
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	byState, byKind := map[string]int{}, map[string]int{}
	var rows []store.Comunicazione
	for _, c := range all {
		if tipo == "" || c.Tipo == tipo {
			byState[c.Stato]++
			byState[""]++
		}
		if stato == "" || c.Stato == stato {
			byKind[c.Tipo]++
			byKind[""]++
		}
		if (stato == "" || c.Stato == stato) && (tipo == "" || c.Tipo == tipo) {
			rows = append(rows, c)
		}
	}
	states := []tab{{Label: "Tutti gli stati", Count: byState[""], URL: comFilter("", tipo), Current: stato == ""}}
	for _, s := range comStates {
		states = append(states, tab{Stato: s, Label: comStateLabels[s], Count: byState[s], URL: comFilter(s, tipo), Current: s == stato})
	}
	kinds := []tab{{Label: "Tutti i tipi", Count: byKind[""], URL: comFilter(stato, ""), Current: tipo == ""}}
	for _, k := range comKinds {
		kinds = append(kinds, tab{Stato: k, Label: comKindLabels[k], Count: byKind[k], URL: comFilter(stato, k), Current: k == tipo})
	}
	title := "Comunicazioni"
	if stato != "" {
		title += ": " + strings.ToLower(comStateLabels[stato])
	}
	h.render(w, http.StatusOK, "comunicazioni.html", page{Title: title, User: u, Section: "comunicazioni",
		Stato: stato, Tipo: tipo, Tabs: states, Kinds: kinds, Comunicazioni: rows})
}

func comID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id, err == nil && id > 0
}

const msgComNotFound = "Questa comunicazione non esiste."

func (h *Handler) showComunicazione(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, msgComNotFound)
		return
	}
	p := page{User: u}
	switch r.URL.Query().Get("esito") {
	case "presa":
		p.Success = "Hai preso in carico la comunicazione: chi l'ha inviata la vede «in lavorazione»."
	case "accolta":
		p.Success = "Hai accolto la comunicazione. Chi l'ha inviata riceve un'email e trova la risposta nella sua area personale."
	case "validata":
		p.Success = "Hai validato il conducente: la decurtazione dei punti è sulla sua patente e il proprietario riceve un'email."
	case "respinta":
		p.Success = "Hai respinto la comunicazione. Chi l'ha inviata riceve un'email con il motivo."
	case "documento":
		p.Success = "Hai consegnato il documento: il cittadino lo scarica dalla sua area personale e riceve un'email."
	}
	h.renderComunicazione(w, r, http.StatusOK, id, p)
}

// renderComunicazione shows communication id on p (which may carry a
// form's error).
func (h *Handler) renderComunicazione(w http.ResponseWriter, r *http.Request, status int, id int64, p page) {
	c, err := h.cfg.Comunicazioni.ByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, p.User, err)
		return
	}
	audit, err := h.cfg.Store.AuditLog(r.Context(), store.AuditFilter{Target: fmt.Sprintf("comunicazione:%d", id)})
	if err != nil {
		h.fail(w, r, p.User, err)
		return
	}
	p.Title, p.Section = c.Protocollo+" — "+kindLabel(c.Tipo, ""), "comunicazioni"
	p.Com = comDetailOf(c, audit)
	h.render(w, status, "comunicazione.html", p)
}

func comDetailOf(c store.Comunicazione, audit []store.AuditEntry) *comDetail {
	d := &comDetail{C: c}
	var dati map[string]any
	if json.Unmarshal(c.Dati, &dati) == nil {
		keys := make([]string, 0, len(dati))
		for k := range dati {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return comLabel(datiLabels, keys[i]) < comLabel(datiLabels, keys[j]) })
		for _, k := range keys {
			v := show(dati[k])
			if s, ok := dati[k].(string); ok {
				v = s
				if k == "tipo" {
					v = comLabel(comKindLabels, s)
				} else if len(s) == 10 && s[4] == '-' && s[7] == '-' {
					v = formatDay(s)
				}
			}
			if v != "" {
				d.Dati = append(d.Dati, comDatum{Label: comLabel(datiLabels, k), Value: v})
			}
		}
	}
	open := c.Stato != store.ComAccolta && c.Stato != store.ComRespinta
	d.MayReject = open
	switch c.Tipo {
	case store.ComDatiConducente:
		d.MayAccept = c.Stato == store.ComConfermata
		switch {
		case c.Stato == store.ComInAttesaConferma:
			d.Waiting = "Il conducente indicato non ha ancora confermato con il proprio accesso: si potrà validare dopo la sua conferma."
		case d.MayAccept && !hasRole(c, store.FilePatente):
			d.Waiting = "Manca l'immagine della patente del conducente: si potrà validare quando il proprietario l'avrà allegata."
			d.MayAccept = false
		}
	case store.ComContestazione:
		d.MayTake = c.Stato == store.ComRicevuta
		d.MayAccept = open
	case store.ComRichiestaDocumento:
		d.MayTake = c.Stato == store.ComRicevuta
		d.MayDeliver = open
	}

	d.History = append(d.History, comEvent{At: c.CreataIl, Who: c.Mittente, What: "Inviata"})
	for _, f := range c.File {
		if f.CaricatoIl.After(c.CreataIl) && f.Ruolo != store.FileDocumento {
			d.History = append(d.History, comEvent{At: f.CaricatoIl, Who: c.Mittente, What: comLabel(fileRoleLabels, f.Ruolo) + " caricato: " + f.Nome})
		}
	}
	if !c.ConfermataIl.IsZero() && c.ConducenteCF != c.Mittente {
		d.History = append(d.History, comEvent{At: c.ConfermataIl, Who: c.ConducenteCF, What: "Confermata dal conducente"})
	}
	for _, a := range audit {
		d.History = append(d.History, comEvent{At: a.At, Who: a.Username, Role: a.Role, What: actionLabel(a.Action),
			Changes: changes(a.Before, a.After)})
	}
	if len(audit) == 0 && c.DecisaDa != "" {
		// Decided through the JSON API (the gestionale): no audit row.
		d.History = append(d.History, comEvent{At: c.DecisaIl, Who: c.DecisaDa, What: "Ultima decisione: " + comLabel(comStateLabels, c.Stato)})
	}
	sort.SliceStable(d.History, func(i, j int) bool { return d.History[i].At.Before(d.History[j].At) })
	return d
}

func hasRole(c store.Comunicazione, ruolo string) bool {
	return slices.ContainsFunc(c.File, func(f store.ComunicazioneFile) bool { return f.Ruolo == ruolo })
}

// officeOf is the communications service acting as u, so each decision is
// audited with the change.
func (h *Handler) officeOf(u staff.User) *comunicazioni.Service {
	return h.cfg.Comunicazioni.As(comunicazioni.Actor{Username: u.Username, Role: string(u.Role)})
}

// comDecided answers a decision's form like decided does for plans; a
// refusal that depends on the communication's state shows its page again
// with the reason (409), so the officer sees the state it is in.
func (h *Handler) comDecided(w http.ResponseWriter, r *http.Request, id int64, esito string, f formState, err error) {
	u, _ := staff.UserFrom(r.Context())
	var ce *comunicazioni.Error
	if errors.As(err, &ce) && ce.Kind != comunicazioni.NotFound {
		status := http.StatusUnprocessableEntity
		switch ce.Kind {
		case comunicazioni.Conflict:
			status = http.StatusConflict
		case comunicazioni.TooLarge:
			status = http.StatusRequestEntityTooLarge
		}
		f.Error, f.Field = ce.Messaggio, comFieldOf(ce.Codice)
		h.renderComunicazione(w, r, status, id, page{User: u, Form: f})
		return
	}
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/backoffice/comunicazioni/%d?esito=%s", id, esito), http.StatusSeeOther)
}

func comFieldOf(codice string) string {
	switch codice {
	case "MOTIVO_MANCANTE":
		return "motivo"
	case "FILE_VUOTO", "FILE_TROPPO_GRANDE", "TIPO_FILE_NON_AMMESSO", "DOCUMENTO_MANCANTE_FILE":
		return "documento"
	}
	return ""
}

func (h *Handler) takeComunicazione(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, msgComNotFound)
		return
	}
	_, err := h.officeOf(u).TakeCharge(r.Context(), id, u.Username, h.cfg.Now())
	h.comDecided(w, r, id, "presa", formState{Form: "prendi"}, err)
}

func (h *Handler) acceptComunicazione(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, msgComNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	risposta := r.PostFormValue("risposta")
	c, err := h.officeOf(u).Accept(r.Context(), id, u.Username, risposta, h.cfg.Now())
	esito := "accolta"
	if c.Tipo == store.ComDatiConducente {
		esito = "validata"
	}
	h.comDecided(w, r, id, esito, formState{Form: "accogli", Risposta: risposta}, err)
}

func (h *Handler) rejectComunicazione(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, msgComNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	motivo := r.PostFormValue("motivo")
	_, err := h.officeOf(u).Reject(r.Context(), id, u.Username, motivo, h.cfg.Now())
	h.comDecided(w, r, id, "respinta", formState{Form: "respingi", Motivo: motivo}, err)
}

// maxDocumentBody bounds the document form: the file and a reply.
const maxDocumentBody = comunicazioni.MaxFileSize + 64<<10

var (
	errDocumentMissing = &comunicazioni.Error{Kind: comunicazioni.Invalid, Codice: "DOCUMENTO_MANCANTE_FILE",
		Messaggio: "Scegli il file del documento da consegnare (PDF, PNG o JPEG, al massimo 5 MB)."}
	errDocumentTooLarge = &comunicazioni.Error{Kind: comunicazioni.TooLarge, Codice: "FILE_TROPPO_GRANDE",
		Messaggio: "Il file supera 5 MB: riducine la dimensione (per esempio scansionando a 150 dpi) e riprova."}
)

func (h *Handler) deliverDocument(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	if !ok {
		h.renderError(w, u, http.StatusNotFound, msgComNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxDocumentBody)
	f := formState{Form: "documento"}
	if err := r.ParseMultipartForm(maxDocumentBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.comDecided(w, r, id, "", f, errDocumentTooLarge)
			return
		}
		h.comDecided(w, r, id, "", f, errDocumentMissing)
		return
	}
	f.Risposta = r.PostFormValue("risposta")
	file, hdr, err := r.FormFile("documento")
	if err != nil {
		h.comDecided(w, r, id, "", f, errDocumentMissing)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	_, err = h.officeOf(u).Deliver(r.Context(), id, u.Username, comunicazioni.Upload{Nome: hdr.Filename, Dati: data},
		f.Risposta, h.cfg.Now())
	h.comDecided(w, r, id, "documento", f, err)
}

func (h *Handler) downloadComFile(w http.ResponseWriter, r *http.Request) {
	u, _ := staff.UserFrom(r.Context())
	id, ok := comID(r)
	fid, err := strconv.ParseInt(chi.URLParam(r, "file"), 10, 64)
	if !ok || err != nil {
		h.renderError(w, u, http.StatusNotFound, "Questo file non esiste.")
		return
	}
	f, err := h.cfg.Comunicazioni.File(r.Context(), id, fid)
	if err != nil {
		h.fail(w, r, u, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Nome}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	w.Write(f.Data)
}
