package rateizzazioni

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"strings"
	"text/template"

	"github.com/comune-torino/portale/internal/store"
	"github.com/comune-torino/portale/internal/verbali"
)

//go:embed templates/email.txt
var emailFiles embed.FS

var emailTemplates = template.Must(template.ParseFS(emailFiles, "templates/email.txt"))

// The emails a plan sends, as the outbox names them.
const (
	kindApproved = "rateizzazione_approvata"
	kindRejected = "rateizzazione_respinta"
	kindCounter  = "rateizzazione_controproposta"
	kindWarning  = "rateizzazione_preavviso"
	kindLapsed   = "rateizzazione_decaduta"
)

// emailData fills the templates; each kind uses its own fields.
type emailData struct {
	Nome, Ente, AreaURL, Verbali string
	ID                           int64
	Rate                         int
	PrimaScadenza, PrimaRata     string
	Motivo, Nota                 string
	Rata                         int
	Importo, Scadenza, NAV       string
	UltimoGiorno                 string
	Pagato, Saldo, RateNonPagate string
}

// email renders kind for plan p to its citizen, or returns nil when none of
// p's verbali has an email address for them.
func (s *Service) email(ctx context.Context, p store.Plan, kind, dedup string, d emailData) (*store.Email, error) {
	to, name, err := s.recipient(ctx, p)
	if err != nil || to == "" {
		return nil, err
	}
	set := s.settings()
	d.Nome, d.Ente, d.ID, d.Verbali = name, set.Ente, p.ID, strings.Join(p.Verbali, ", ")
	if set.PublicURL != "" {
		d.AreaURL = strings.TrimSuffix(set.PublicURL, "/") + "/area-personale/"
	}
	var subject, text bytes.Buffer
	if err := emailTemplates.ExecuteTemplate(&subject, "subject:"+kind, d); err != nil {
		return nil, fmt.Errorf("rateizzazioni: %s email: %w", kind, err)
	}
	if err := emailTemplates.ExecuteTemplate(&text, "text:"+kind, d); err != nil {
		return nil, fmt.Errorf("rateizzazioni: %s email: %w", kind, err)
	}
	return &store.Email{DedupKey: dedup, Kind: kind, To: to, Subject: subject.String(), Text: text.String()}, nil
}

// withEmail adds to c the email of kind for p's citizen, if they have an
// address.
func (s *Service) withEmail(ctx context.Context, c *store.PlanChange, p store.Plan, kind, dedup string, d emailData) error {
	e, err := s.email(ctx, p, kind, dedup, d)
	if err != nil || e == nil {
		return err
	}
	c.Emails = append(c.Emails, *e)
	return nil
}

// recipient finds the citizen's address and name on the plan's verbali.
func (s *Service) recipient(ctx context.Context, p store.Plan) (to, name string, err error) {
	for _, n := range p.Verbali {
		row, err := s.Store.VerbaleByNumero(ctx, n)
		if err != nil {
			return "", "", err
		}
		rec, err := verbali.FromRow(row)
		if err != nil {
			return "", "", err
		}
		for _, who := range []*verbali.Persona{rec.Trasgressore, rec.Obbligato} {
			if who != nil && who.CodiceFiscale == p.CodiceFiscale && strings.TrimSpace(who.Email) != "" {
				return strings.TrimSpace(who.Email), strings.TrimSpace(who.Nome + " " + who.Cognome), nil
			}
		}
	}
	return "", "", nil
}
