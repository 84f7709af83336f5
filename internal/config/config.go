// Package config reads an installation's settings from DIR/portale.toml.
// Every setting has a default that works for the demo; a city changes only
// what differs (its fiscal code, IBAN, identity provider, …). Secrets can be
// given through environment variables instead of the file.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/comune-torino/portale/internal/partitaiva"
)

// Example is the commented portale.toml that `portale init` writes.
//
//go:embed portale.example.toml
var Example []byte

// Config is the whole configuration.
type Config struct {
	Ente       Ente       `toml:"ente"`
	PagoPA     PagoPA     `toml:"pagopa"`
	OIDC       OIDC       `toml:"oidc"`
	Gestionale Gestionale `toml:"gestionale"`
	Server     Server     `toml:"server"`
	SMTP       SMTP       `toml:"smtp"`
	// Rateizzazioni are the choices for instalment plans (art. 202-bis).
	Rateizzazioni Rateizzazioni `toml:"rateizzazioni"`
	// Aziende are the rental, leasing and car-sharing companies' settings.
	Aziende Aziende `toml:"aziende"`
}

// Aziende are the companies' settings (A20, docs/comunicazioni.md).
type Aziende struct {
	// JWTKeys are the HMAC keys (at least 32 characters) each company's
	// systems sign their API tokens with, by partita IVA; two during a
	// rotation. PORTALE_AZIENDE_JWT_KEYS ("PARTITAIVA:chiave,…") adds to
	// them. Load writes each partita IVA in its plain 11 digits.
	JWTKeys map[string][]string `toml:"jwt_keys"`
}

// Rateizzazioni are the choices for instalment plans (docs/backoffice.md).
type Rateizzazioni struct {
	// Approvazione is who approves a plan: "polizia" (the default: an
	// operatore or responsabile), "riscossione" (the collection company's
	// staff) or "entrambi" (one of each, in any order).
	Approvazione string `toml:"approvazione"`
	// TolleranzaGiorni is how many days after its due date an unpaid
	// instalment counts as missed (default 5).
	TolleranzaGiorni int `toml:"tolleranza_giorni"`
	// PreavvisoGiorni is how many days before decadence the citizen is
	// warned by email (default 7).
	PreavvisoGiorni int `toml:"preavviso_giorni"`
}

// Ente is the city running the portal.
type Ente struct {
	Nome          string `toml:"nome"`
	CodiceFiscale string `toml:"codice_fiscale"` // 11 digits
}

// PagoPA identifies the creditor to the pagoPA node.
type PagoPA struct {
	Segregazione string `toml:"segregazione"` // segregation code, 2 digits
	IDPA         string `toml:"id_pa"`
	IDBrokerPA   string `toml:"id_broker_pa"`
	IDStation    string `toml:"id_station"`
	IBAN         string `toml:"iban"`
	// Categoria is the transfer's taxonomy code (tassonomia dei servizi).
	Categoria string `toml:"categoria"`
	// Modalita is how pagoPA learns of the debt positions: "soap" (the
	// node asks the portal, paForNode) or "gpd" (the portal publishes them
	// to pagoPA's Gestione Posizioni Debitorie; `portale pagopa gpd sync`).
	Modalita string `toml:"modalita"`
	// GPDURL is the GPD debt positions API, e.g.
	// https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1.
	GPDURL string `toml:"gpd_url"`
	// GPDSubscriptionKey is sent as Ocp-Apim-Subscription-Key; or
	// PORTALE_GPD_SUBSCRIPTION_KEY.
	GPDSubscriptionKey string `toml:"gpd_subscription_key"`
	// CheckoutURL is pagoPA Checkout's API for creditors, where the portal
	// would send a payer with the notice to pay (docs/pagopa.md, "Pagare dal
	// portale"). `portale demo` uses its simulated checkout instead.
	CheckoutURL string `toml:"checkout_url"`
}

// pagoPA modes.
const (
	ModalitaSOAP = "soap"
	ModalitaGPD  = "gpd"
)

// OIDC is the citizens' identity provider (the city's SSO or a SPID/CIE
// gateway). An empty issuer means the demo provider of `portale demo`.
type OIDC struct {
	Issuer       string   `toml:"issuer"`
	ClientID     string   `toml:"client_id"`
	ClientSecret string   `toml:"client_secret"` // or PORTALE_OIDC_CLIENT_SECRET
	Scopes       []string `toml:"scopes"`
	ClaimCF      string   `toml:"claim_codice_fiscale"`
	RedirectURL  string   `toml:"redirect_url"`
}

// Gestionale is the back-office system that sends verbali and reads events.
type Gestionale struct {
	// JWTKeys are HMAC secrets (at least 32 bytes) accepted on the bulk API
	// and the event feed; several allow rotation. Or PORTALE_GESTIONALE_JWT_KEYS,
	// comma-separated.
	JWTKeys []string `toml:"jwt_keys"`
}

// Server holds settings of `portale serve`.
type Server struct {
	// PublicURL is the origin citizens reach, e.g. https://multe.comune.torino.it;
	// empty means the address served on.
	PublicURL string `toml:"public_url"`
}

// SMTP is the mail server that sends email to citizens (payment receipts).
// An empty host sends nothing: messages wait in the outbox until one is set.
type SMTP struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`
	Username string `toml:"username"`
	Password string `toml:"password"` // or PORTALE_SMTP_PASSWORD
	// TLS is how the connection is protected: "starttls" (required, the
	// default, usually port 587), "tls" (implicit TLS, usually port 465),
	// "opportunistic" (STARTTLS when offered) or "none" (local relays only).
	TLS string `toml:"tls"`
	// From is the sender, e.g. "Polizia Municipale <noreply@comune.torino.it>".
	From string `toml:"from"`
}

// SMTP TLS modes.
const (
	SMTPStartTLS      = "starttls"
	SMTPImplicitTLS   = "tls"
	SMTPOpportunistic = "opportunistic"
	SMTPNoTLS         = "none"
)

// Default is the configuration of the demo: the City of Turin's fiscal code
// (00514490010), segregation code 01, and the station naming that pagoPA's
// demo uses (broker = the creditor, station = its fiscal code + "_01").
func Default() Config {
	return Config{
		Ente: Ente{Nome: "Città di Torino", CodiceFiscale: "00514490010"},
		PagoPA: PagoPA{
			Segregazione: "01", IDPA: "00514490010", IDBrokerPA: "00514490010", IDStation: "00514490010_01",
			IBAN: "IT60X0542811101000000123456", Categoria: "9/0101100IM/", Modalita: ModalitaSOAP,
		},
		OIDC:          OIDC{Scopes: []string{"openid", "profile"}, ClaimCF: "fiscalNumber"},
		SMTP:          SMTP{Port: 587, TLS: SMTPStartTLS},
		Rateizzazioni: Rateizzazioni{Approvazione: "polizia", TolleranzaGiorni: 5, PreavvisoGiorni: 7},
	}
}

var (
	elevenDigits = regexp.MustCompile(`^[0-9]{11}$`)
	twoDigits    = regexp.MustCompile(`^[0-9]{2}$`)
	ibanShape    = regexp.MustCompile(`^IT[0-9]{2}[A-Z][0-9]{10}[0-9A-Z]{12}$`)
)

// Load reads path over the defaults; a missing file gives the defaults.
// Environment variables override secrets.
func Load(path string) (Config, error) {
	c := Default()
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return c, fmt.Errorf("configurazione %s non leggibile: %w", path, err)
	default:
		dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			var sm *toml.StrictMissingError
			if errors.As(err, &sm) {
				return c, fmt.Errorf("configurazione %s: chiave sconosciuta: %s", path, strings.TrimSpace(sm.String()))
			}
			var de *toml.DecodeError
			if errors.As(err, &de) {
				row, col := de.Position()
				return c, fmt.Errorf("configurazione %s, riga %d colonna %d: %s", path, row, col, de.Error())
			}
			return c, fmt.Errorf("configurazione %s: %w", path, err)
		}
	}
	if s := os.Getenv("PORTALE_OIDC_CLIENT_SECRET"); s != "" {
		c.OIDC.ClientSecret = s
	}
	if s := os.Getenv("PORTALE_GESTIONALE_JWT_KEYS"); s != "" {
		c.Gestionale.JWTKeys = strings.Split(s, ",")
	}
	if s := os.Getenv("PORTALE_SMTP_PASSWORD"); s != "" {
		c.SMTP.Password = s
	}
	if s := os.Getenv("PORTALE_GPD_SUBSCRIPTION_KEY"); s != "" {
		c.PagoPA.GPDSubscriptionKey = s
	}
	if err := c.Aziende.load(path, os.Getenv("PORTALE_AZIENDE_JWT_KEYS")); err != nil {
		return c, err
	}
	return c, c.validate(path)
}

// load checks the companies' keys of the file, each under its partita IVA
// written plainly, and adds those of env ("PARTITAIVA:chiave" pairs
// separated by commas).
func (a *Aziende) load(path, env string) error {
	keys := map[string][]string{}
	add := func(where, piva string, k ...string) error {
		p, err := partitaiva.Parse(piva)
		if err != nil {
			return fmt.Errorf("%s: «%s» non è una partita IVA valida", where, piva)
		}
		for _, key := range k {
			if len(key) < 32 {
				return fmt.Errorf("%s: la chiave della partita IVA %s è più corta di 32 caratteri", where, p)
			}
		}
		keys[p] = append(keys[p], k...)
		return nil
	}
	for piva, k := range a.JWTKeys {
		if err := add("configurazione "+path+": aziende.jwt_keys", piva, k...); err != nil {
			return err
		}
	}
	for _, pair := range strings.Split(env, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		piva, key, ok := strings.Cut(pair, ":")
		if !ok {
			return errors.New("PORTALE_AZIENDE_JWT_KEYS: ogni voce è PARTITAIVA:chiave, separate da virgole")
		}
		if err := add("PORTALE_AZIENDE_JWT_KEYS", piva, key); err != nil {
			return err
		}
	}
	a.JWTKeys = keys
	return nil
}

func (c Config) validate(path string) error {
	bad := func(key, why string) error {
		return fmt.Errorf("configurazione %s: %s %s", path, key, why)
	}
	switch {
	case !elevenDigits.MatchString(c.Ente.CodiceFiscale):
		return bad("ente.codice_fiscale", "deve avere 11 cifre")
	case !twoDigits.MatchString(c.PagoPA.Segregazione):
		return bad("pagopa.segregazione", "deve avere 2 cifre")
	case !elevenDigits.MatchString(c.PagoPA.IDPA):
		return bad("pagopa.id_pa", "deve avere 11 cifre (il codice fiscale dell'ente)")
	case c.PagoPA.IDBrokerPA == "" || c.PagoPA.IDStation == "":
		return bad("pagopa.id_broker_pa e pagopa.id_station", "sono obbligatori")
	case !ibanShape.MatchString(c.PagoPA.IBAN):
		return bad("pagopa.iban", "non è un IBAN italiano (27 caratteri, senza spazi)")
	}
	for _, k := range c.Gestionale.JWTKeys {
		if len(k) < 32 {
			return bad("gestionale.jwt_keys", "contiene una chiave più corta di 32 caratteri")
		}
	}
	if c.OIDC.Issuer != "" && (c.OIDC.ClientID == "" || c.OIDC.RedirectURL == "") {
		return bad("oidc", "con issuer servono anche client_id e redirect_url")
	}
	if u, err := url.Parse(c.PagoPA.CheckoutURL); c.PagoPA.CheckoutURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		return bad("pagopa.checkout_url", "deve essere un indirizzo https, es. https://api.platform.pagopa.it/checkout/ec/v1")
	}
	if err := c.PagoPA.validateMode(bad); err != nil {
		return err
	}
	switch c.Rateizzazioni.Approvazione {
	case "polizia", "riscossione", "entrambi":
	default:
		return bad("rateizzazioni.approvazione", "deve essere polizia, riscossione o entrambi")
	}
	if c.Rateizzazioni.TolleranzaGiorni < 0 || c.Rateizzazioni.TolleranzaGiorni > 60 {
		return bad("rateizzazioni.tolleranza_giorni", "deve essere tra 0 e 60")
	}
	if c.Rateizzazioni.PreavvisoGiorni < 1 || c.Rateizzazioni.PreavvisoGiorni > 60 {
		return bad("rateizzazioni.preavviso_giorni", "deve essere tra 1 e 60")
	}
	return c.SMTP.validate(bad)
}

func (p PagoPA) validateMode(bad func(key, why string) error) error {
	switch p.Modalita {
	case ModalitaSOAP:
		return nil
	case ModalitaGPD:
	default:
		return bad("pagopa.modalita", "deve essere soap o gpd")
	}
	u, err := url.Parse(p.GPDURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("pagopa.gpd_url", "deve essere l'indirizzo http(s) dell'API GPD, es. https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1")
	}
	if p.GPDSubscriptionKey == "" {
		return bad("pagopa.gpd_subscription_key", "è obbligatoria con modalita = \"gpd\" (o PORTALE_GPD_SUBSCRIPTION_KEY)")
	}
	return nil
}

func (s SMTP) validate(bad func(key, why string) error) error {
	switch s.TLS {
	case SMTPStartTLS, SMTPImplicitTLS, SMTPOpportunistic, SMTPNoTLS:
	default:
		return bad("smtp.tls", "deve essere starttls, tls, opportunistic o none")
	}
	if s.Port < 1 || s.Port > 65535 {
		return bad("smtp.port", "deve essere tra 1 e 65535")
	}
	if s.Host == "" {
		return nil
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return bad("smtp.from", "deve essere un indirizzo email, es. \"Polizia Municipale <noreply@comune.torino.it>\"")
	}
	if (s.Username == "") != (s.Password == "") {
		return bad("smtp.username e smtp.password", "vanno indicati insieme (la password anche in PORTALE_SMTP_PASSWORD)")
	}
	return nil
}
