package comunicazioni

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
)

// emailKind names the communication emails in the outbox.
const emailKind = "comunicazione"

var emailTemplate = template.Must(template.New("email").Parse(
	`{{if eq .Stato "ricevuta" "in_attesa_conferma"}}abbiamo ricevuto la tua comunicazione.{{else}}la tua comunicazione ha un aggiornamento.{{end}}

  Protocollo:  {{.Protocollo}}
  Oggetto:     {{.Oggetto}}{{if .Numero}}
  Verbale n.:  {{.Numero}}{{end}}
  Stato:       {{.StatoLabel}}
  Data:        {{.Data}}
{{if .Risposta}}
Risposta dell'ufficio:
{{.Risposta}}
{{end}}{{if eq .Stato "in_attesa_conferma"}}
Il conducente indicato deve confermare accedendo all'area personale con la propria identità digitale (SPID o CIE): poi l'ufficio verifica i dati.
{{end}}{{if .Documento}}
Il documento è pronto: scaricalo dall'area personale.
{{end}}{{if .AreaURL}}
Segui la comunicazione nella tua area personale: {{.AreaURL}}
{{end}}
{{.Ente}} - Polizia Municipale

---

Your communication {{.Protocollo}} ({{.Oggetto}}) is now: {{.StatoLabel}}. Details are in your personal area.
`))

var labels = map[string]string{
	store.ComInAttesaConferma: "in attesa della conferma del conducente",
	store.ComConfermata:       "confermata dal conducente, in verifica",
	store.ComRicevuta:         "ricevuta",
	store.ComInLavorazione:    "in lavorazione",
	store.ComAccolta:          "accolta",
	store.ComRespinta:         "respinta",
}

var subjects = map[string]string{
	store.ComDatiConducente:     "Comunicazione dei dati del conducente",
	store.ComContestazione:      "Contestazione",
	store.ComRichiestaDocumento: "Richiesta di documento",
}

// email is the message that tells the sender of c where it stands; nil when
// no address is known.
func (s *Service) email(c store.Comunicazione) *store.Email {
	if c.Email == "" {
		return nil
	}
	var text bytes.Buffer
	at := c.CreataIl
	if !c.DecisaIl.IsZero() {
		at = c.DecisaIl
	}
	err := emailTemplate.Execute(&text, map[string]any{
		"Stato": c.Stato, "StatoLabel": labels[c.Stato], "Protocollo": c.Protocollo, "Oggetto": subjects[c.Tipo],
		"Numero": c.Numero, "Risposta": c.Risposta, "Data": civil.FromTime(at).Italian(),
		"Documento": c.Tipo == store.ComRichiestaDocumento && c.Stato == store.ComAccolta,
		"AreaURL":   s.AreaURL, "Ente": s.Ente,
	})
	if err != nil {
		panic(err) // the template and its data are fixed
	}
	return &store.Email{
		DedupKey: fmt.Sprintf("comunicazione:%d:%s", c.ID, c.Stato),
		Kind:     emailKind,
		To:       c.Email,
		Subject:  fmt.Sprintf("%s %s: %s / Your communication", subjects[c.Tipo], c.Protocollo, labels[c.Stato]),
		Text:     "Buongiorno,\n\n" + strings.TrimSpace(text.String()) + "\n",
	}
}
