package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// provider is the OpenID provider as its discovery document describes it,
// with the verifier of its ID tokens. go-oidc checks that the document names
// the configured issuer, fetches and rotates the signing keys, and checks an
// ID token's signature, issuer, audience and expiry; the rest of OpenID
// Connect Core §3.1.3.7 (nonce, authorized party, subject) is checked here.
type provider struct {
	oidc               *oidc.Provider
	verifier           *oidc.IDTokenVerifier
	endSessionEndpoint string
}

// discover fetches the discovery document of issuer with client.
func discover(ctx context.Context, client *http.Client, issuer, clientID string, now func() time.Time) (*provider, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	var extra struct {
		EndSessionEndpoint string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	return &provider{
		oidc:               p,
		verifier:           p.Verifier(&oidc.Config{ClientID: clientID, Now: now}),
		endSessionEndpoint: extra.EndSessionEndpoint,
	}, nil
}

// verifyIDToken checks an ID token and returns its claims. The nonce ties the
// token to the login this browser started.
func (p *provider) verifyIDToken(ctx context.Context, raw, clientID, nonce string) (map[string]any, error) {
	tok, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(nonce)) != 1 {
		return nil, errors.New("id token: nonce does not match this login")
	}
	if tok.Subject == "" {
		return nil, errors.New("id token: no subject")
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	// A token for several audiences must name this portal as the party it
	// was issued to, and a named party must be this portal.
	if azp, ok := claims["azp"].(string); (ok || len(tok.Audience) > 1) && azp != clientID {
		return nil, errors.New("id token: authorized party is another client")
	}
	if !slices.Contains(tok.Audience, clientID) {
		return nil, errors.New("id token: issued for another client")
	}
	return claims, nil
}

// userinfo returns the claims of the userinfo endpoint, for the person the
// ID token (whose claims are idClaims) is about: the two subjects must match
// (OpenID Connect Core §5.3.2), or the answer is about someone else.
func (p *provider) userinfo(ctx context.Context, tok *oauth2.Token, idClaims map[string]any) (map[string]any, error) {
	info, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, err
	}
	if sub, _ := idClaims["sub"].(string); info.Subject != sub {
		return nil, errors.New("userinfo: the answer is about another subject")
	}
	var claims map[string]any
	if err := info.Claims(&claims); err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	return claims, nil
}
