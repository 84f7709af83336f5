// Package apitoken checks the bearer tokens that ecosystem systems (the
// gestionale, the collector) present on the machine-to-machine API: JWTs
// signed with HS256 using a shared key from configuration. Several keys can be
// valid at once so that a key can be rotated without downtime.
package apitoken

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Claims are what a valid token says.
type Claims struct {
	Subject string   // the calling system, e.g. "gestionale"
	Scopes  []string // what it may do, e.g. "verbali:write", "events:read"
}

// Has reports whether the token grants scope.
func (c Claims) Has(scope string) bool {
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

type tokenClaims struct {
	jwt.Claims
	Scope string `json:"scope"`
}

// Verifier checks tokens against the configured keys.
type Verifier struct {
	keys [][]byte
	now  func() time.Time
}

// ErrNoKeys means the API is not configured: no token can be valid.
var ErrNoKeys = errors.New("apitoken: no keys configured")

// ErrInvalid is any problem with the token: missing, malformed, badly
// signed, expired. Callers answer 401 without saying which.
var ErrInvalid = errors.New("apitoken: invalid token")

// NewVerifier accepts tokens signed with any of keys.
func NewVerifier(keys []string) *Verifier {
	v := &Verifier{now: time.Now}
	for _, k := range keys {
		v.keys = append(v.keys, []byte(k))
	}
	return v
}

// maxLifetime bounds how long a token may be valid: a leaked token must not
// work for long.
const maxLifetime = 24 * time.Hour

// Verify reads the bearer token of r and returns its claims.
func (v *Verifier) Verify(r *http.Request) (Claims, error) {
	if len(v.keys) == 0 {
		return Claims{}, ErrNoKeys
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return Claims{}, ErrInvalid
	}
	tok, err := jwt.ParseSigned(strings.TrimSpace(raw), []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		return Claims{}, ErrInvalid
	}
	for _, key := range v.keys {
		var c tokenClaims
		if tok.Claims(key, &c) != nil {
			continue
		}
		now := v.now()
		if c.Expiry == nil || c.Subject == "" {
			return Claims{}, ErrInvalid
		}
		if err := c.ValidateWithLeeway(jwt.Expected{Time: now}, time.Minute); err != nil {
			return Claims{}, ErrInvalid
		}
		if c.Expiry.Time().Sub(now) > maxLifetime {
			return Claims{}, ErrInvalid
		}
		return Claims{Subject: c.Subject, Scopes: strings.Fields(c.Scope)}, nil
	}
	return Claims{}, ErrInvalid
}

// Sign makes a token for subject with scopes, valid for ttl: for the
// gestionale's operators (`portale token`) and for tests.
func Sign(key, subject string, scopes []string, ttl time.Duration) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(key)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	now := time.Now()
	return jwt.Signed(signer).Claims(tokenClaims{
		Claims: jwt.Claims{Subject: subject, IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(ttl))},
		Scope:  strings.Join(scopes, " "),
	}).Serialize()
}
