package demoidp

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/codicefiscale"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// oauthError is an error answer of the token and userinfo endpoints (RFC 6749 §5.2).
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.cfg.Issuer,
		"authorization_endpoint":                p.endpoint("authorize"),
		"token_endpoint":                        p.endpoint("token"),
		"userinfo_endpoint":                     p.endpoint("userinfo"),
		"jwks_uri":                              p.endpoint("jwks"),
		"end_session_endpoint":                  p.endpoint("end_session"),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nonce", "fiscalNumber", "given_name", "family_name"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": p.keyID,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize checks an authorization request and shows the login page. As
// OpenID Connect requires, a request with an unknown client or redirect_uri
// gets an error page (never a redirect); other errors go back to the client.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	client, ok := p.client(q.Get("client_id"))
	redirectURI := q.Get("redirect_uri")
	if !ok || !slices.Contains(client.RedirectURIs, redirectURI) {
		p.render(w, http.StatusBadRequest, "errore", "Il servizio che ti ha mandato qui non è registrato presso questo fornitore di identità di prova.")
		return
	}
	state := q.Get("state")
	fail := func(code, description string) {
		v := url.Values{"error": {code}, "error_description": {description}}
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, withQuery(redirectURI, v), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "the openid scope is required")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	}
	id := randomToken()
	now := p.cfg.Now()
	p.mu.Lock()
	p.prune(now)
	p.requests[id] = authRequest{client: client, redirectURI: redirectURI, state: state, nonce: q.Get("nonce"),
		codeChallenge: q.Get("code_challenge"), expires: now.Add(requestTTL)}
	p.mu.Unlock()
	p.render(w, http.StatusOK, "login", loginPage{Request: id, Citizens: p.cfg.Citizens})
}

// login answers the login form: fields richiesta (the request shown) and
// codice_fiscale (who to be). A valid code sends the browser back to the
// client with an authorization code; an invalid one shows the form again
// with the reason.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("richiesta")
	now := p.cfg.Now()
	p.mu.Lock()
	req, ok := p.requests[id]
	p.mu.Unlock()
	if !ok || now.After(req.expires) {
		p.render(w, http.StatusBadRequest, "errore", "La richiesta di accesso è scaduta: torna al portale e riprova.")
		return
	}
	cf, err := codicefiscale.Parse(r.PostFormValue("codice_fiscale"))
	if err != nil {
		var e *codicefiscale.Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Messaggio
		}
		p.render(w, http.StatusUnprocessableEntity, "login", loginPage{Request: id, Citizens: p.cfg.Citizens,
			Error: msg, Typed: r.PostFormValue("codice_fiscale")})
		return
	}
	code := randomToken()
	p.mu.Lock()
	delete(p.requests, id)
	p.prune(now)
	p.codes[code] = grant{clientID: req.client.ID, redirectURI: req.redirectURI, nonce: req.nonce,
		codeChallenge: req.codeChallenge, citizen: p.citizen(cf), expires: now.Add(codeTTL)}
	p.mu.Unlock()
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusSeeOther)
}

// token exchanges a code for an ID token and an access token. The client
// authenticates with client_secret_basic or client_secret_post, and proves
// with its PKCE verifier that it is the one that started the login.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	clientID, secret, basic := r.BasicAuth()
	if basic {
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	client, ok := p.client(clientID)
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="demo-idp"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if r.PostFormValue("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	now := p.cfg.Now()
	code := r.PostFormValue("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code) // a code is good once, even when the exchange fails
	p.mu.Unlock()
	verifier := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case !ok || now.After(g.expires) || g.clientID != client.ID:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case g.redirectURI != r.PostFormValue("redirect_uri"):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	case base64.RawURLEncoding.EncodeToString(verifier[:]) != g.codeChallenge:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verifier does not match")
		return
	}
	idToken, err := p.idToken(g, now)
	if err != nil {
		p.cfg.Logger.ErrorContext(r.Context(), "demo-idp: sign id token", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "cannot sign the ID token")
		return
	}
	access := randomToken()
	g.expires = now.Add(tokenTTL)
	p.mu.Lock()
	p.prune(now)
	p.tokens[access] = g
	p.mu.Unlock()
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(tokenTTL.Seconds()),
		"id_token":     idToken,
	})
}

func (p *Provider) claims(c Citizen) map[string]any {
	return map[string]any{
		"sub":          p.subject(c.CodiceFiscale),
		"fiscalNumber": codicefiscale.FiscalNumber(c.CodiceFiscale),
		"given_name":   c.Nome,
		"family_name":  c.Cognome,
	}
}

// idToken signs the ID token of a grant with RS256.
func (p *Provider) idToken(g grant, now time.Time) (string, error) {
	claims := p.claims(g.citizen)
	if p.cfg.PersonClaimsInUserinfo {
		claims = map[string]any{"sub": claims["sub"]}
	}
	claims["iss"] = p.cfg.Issuer
	claims["aud"] = g.clientID
	claims["iat"] = now.Unix()
	claims["auth_time"] = now.Unix()
	claims["exp"] = now.Add(tokenTTL).Unix()
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": p.keyID})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, p.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// userinfo answers with the claims of the citizen behind a bearer token.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g, found := p.tokens[token]
	p.mu.Unlock()
	if !ok || !found || p.cfg.Now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown or expired access token")
		return
	}
	writeJSON(w, http.StatusOK, p.claims(g.citizen))
}

// endSession answers RP-initiated logout. The demo provider keeps no login of
// its own (it asks every time), so there is nothing to end here: it sends the
// browser back to a registered post_logout_redirect_uri, or says goodbye.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back := q.Get("post_logout_redirect_uri")
	if back != "" && p.logoutAllowed(q.Get("client_id"), back) {
		v := url.Values{}
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		http.Redirect(w, r, withQuery(back, v), http.StatusFound)
		return
	}
	p.render(w, http.StatusOK, "uscita", nil)
}

func (p *Provider) logoutAllowed(clientID, uri string) bool {
	for _, c := range p.cfg.Clients {
		if (clientID == "" || c.ID == clientID) && slices.Contains(c.PostLogoutRedirectURIs, uri) {
			return true
		}
	}
	return false
}

func withQuery(base string, v url.Values) string {
	if len(v) == 0 {
		return base
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}
