// Package demoidp is a demo OpenID provider for local use and tests, served
// by the portal itself at /demo-idp and labelled "Ambiente di prova". It
// speaks the real protocol — discovery, JWKS, authorization code flow with
// PKCE, RS256-signed ID tokens, userinfo, end_session — so the portal logs in
// through it exactly as through the city's SSO or a SPID/CIE gateway. Instead
// of a password it asks which demo citizen to be (form field codice_fiscale).
//
// Everything is kept in memory and the signing key is made at start: a
// restart logs nobody out of the portal, but codes in flight are lost.
// Never expose it on a production address.
package demoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/comune-torino/portale/internal/codicefiscale"
)

// Citizen is a person one can log in as.
type Citizen struct {
	CodiceFiscale string
	Nome          string
	Cognome       string
}

// Citizens are the demo citizens of `portale demo`.
func Citizens() []Citizen {
	return []Citizen{
		{CodiceFiscale: "RSSMRA80A01L219M", Nome: "Mario", Cognome: "Rossi"},
		{CodiceFiscale: "BNCLRA85M41L219R", Nome: "Laura", Cognome: "Bianchi"},
	}
}

// Client is a relying party registered with the provider.
type Client struct {
	ID     string
	Secret string
	// RedirectURIs are the callbacks the client may ask for, compared exactly.
	RedirectURIs []string
	// PostLogoutRedirectURIs are where end_session may send the browser back.
	PostLogoutRedirectURIs []string
}

// Config describes the provider.
type Config struct {
	// Issuer is the provider's public address, e.g.
	// http://127.0.0.1:8080/demo-idp; its path is where the handler answers.
	Issuer   string
	Clients  []Client
	Citizens []Citizen
	Logger   *slog.Logger
	// PersonClaimsInUserinfo leaves fiscalNumber and the names out of the ID
	// token, for userinfo only: how providers that follow OpenID Connect Core
	// §5.4 to the letter behave. Off by default.
	PersonClaimsInUserinfo bool
	// Now is the clock for token times. Default: time.Now.
	Now func() time.Time
}

// Lifetimes of what the provider hands out.
const (
	requestTTL = 10 * time.Minute
	codeTTL    = time.Minute
	tokenTTL   = 5 * time.Minute
)

// Provider is the demo OpenID provider, an http.Handler.
type Provider struct {
	cfg    Config
	prefix string // path of the issuer, e.g. /demo-idp
	key    *rsa.PrivateKey
	keyID  string
	mux    *http.ServeMux

	mu       sync.Mutex
	requests map[string]authRequest // login pages shown, by id
	codes    map[string]grant       // authorization codes not yet exchanged
	tokens   map[string]grant       // access tokens, for userinfo
}

// authRequest is an authorization request that passed its checks and waits
// for the person to choose who they are.
type authRequest struct {
	client        Client
	redirectURI   string
	state         string
	nonce         string
	codeChallenge string
	expires       time.Time
}

// grant is what a code or an access token stands for.
type grant struct {
	clientID      string
	redirectURI   string
	nonce         string
	codeChallenge string
	citizen       Citizen
	expires       time.Time
}

// New makes a provider with a fresh RSA 2048 signing key.
func New(cfg Config) (*Provider, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("demoidp: issuer %q is not an absolute http(s) address", cfg.Issuer)
	}
	if len(cfg.Clients) == 0 {
		return nil, errors.New("demoidp: no client registered")
	}
	citizens := make([]Citizen, len(cfg.Citizens))
	for i, c := range cfg.Citizens {
		cf, err := codicefiscale.Parse(c.CodiceFiscale)
		if err != nil {
			return nil, fmt.Errorf("demoidp: demo citizen %d: %w", i+1, err)
		}
		citizens[i] = Citizen{CodiceFiscale: cf, Nome: c.Nome, Cognome: c.Cognome}
	}
	cfg.Citizens = citizens
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demoidp: signing key: %w", err)
	}
	sum := sha256.Sum256(key.N.Bytes())
	p := &Provider{
		cfg:      cfg,
		prefix:   strings.TrimSuffix(u.Path, "/"),
		key:      key,
		keyID:    hex.EncodeToString(sum[:8]),
		requests: map[string]authRequest{},
		codes:    map[string]grant{},
		tokens:   map[string]grant{},
	}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET "+p.prefix+"/.well-known/openid-configuration", p.discovery)
	p.mux.HandleFunc("GET "+p.prefix+"/jwks", p.jwks)
	p.mux.HandleFunc("GET "+p.prefix+"/authorize", p.authorize)
	p.mux.HandleFunc("POST "+p.prefix+"/login", p.login)
	p.mux.HandleFunc("POST "+p.prefix+"/token", p.token)
	p.mux.HandleFunc("GET "+p.prefix+"/userinfo", p.userinfo)
	p.mux.HandleFunc("POST "+p.prefix+"/userinfo", p.userinfo)
	p.mux.HandleFunc("GET "+p.prefix+"/end_session", p.endSession)
	return p, nil
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p.mux.ServeHTTP(w, r)
}

func (p *Provider) endpoint(name string) string {
	return strings.TrimSuffix(p.cfg.Issuer, "/") + "/" + name
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *Provider) client(id string) (Client, bool) {
	for _, c := range p.cfg.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

func (p *Provider) citizen(cf string) Citizen {
	for _, c := range p.cfg.Citizens {
		if c.CodiceFiscale == cf {
			return c
		}
	}
	return Citizen{CodiceFiscale: cf, Nome: "Persona", Cognome: "Di Prova"}
}

// subject is the stable, opaque identifier of a citizen at this provider.
func (p *Provider) subject(cf string) string {
	sum := sha256.Sum256([]byte(p.cfg.Issuer + "|" + cf))
	return hex.EncodeToString(sum[:16])
}

// prune drops what expired; called with mu held whenever something is added.
func (p *Provider) prune(now time.Time) {
	for k, v := range p.requests {
		if now.After(v.expires) {
			delete(p.requests, k)
		}
	}
	for k, v := range p.codes {
		if now.After(v.expires) {
			delete(p.codes, k)
		}
	}
	for k, v := range p.tokens {
		if now.After(v.expires) {
			delete(p.tokens, k)
		}
	}
}
