package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The provider side of OpenID Connect as the relying party sees it: the
// discovery document, the signing keys, and the checks an ID token must pass
// (OpenID Connect Core 1.0, §3.1.3.7). Only the standard library's crypto is
// used; the signature algorithms are the ones OpenID providers and SPID/CIE
// gateways publish.

// provider is an OpenID provider, as its discovery document describes it.
type provider struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	EndSessionEndpoint    string   `json:"end_session_endpoint"`
	SigningAlgs           []string `json:"id_token_signing_alg_values_supported"`

	keys *keySet
}

// maxDocument bounds what the portal reads from the provider.
const maxDocument = 1 << 20

// discover fetches the discovery document of issuer. The issuer it declares
// must be exactly the one configured, or tokens could be accepted from a
// provider that only shares the address.
func discover(ctx context.Context, client *http.Client, issuer string) (*provider, error) {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	var p provider
	if err := getJSON(ctx, client, wellKnown, &p); err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	if p.Issuer != issuer {
		return nil, fmt.Errorf("oidc discovery: the document declares issuer %q, configured %q", p.Issuer, issuer)
	}
	if p.AuthorizationEndpoint == "" || p.TokenEndpoint == "" || p.JWKSURI == "" {
		return nil, errors.New("oidc discovery: authorization, token or jwks endpoint missing")
	}
	p.keys = &keySet{client: client, url: p.JWKSURI}
	return &p, nil
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// signingAlg is a JWS algorithm the portal verifies.
type signingAlg struct {
	hash  crypto.Hash
	kind  string // "RSA" (PKCS #1 v1.5), "PSS" or "EC"
	curve elliptic.Curve
}

var signingAlgs = map[string]signingAlg{
	"RS256": {crypto.SHA256, "RSA", nil},
	"RS384": {crypto.SHA384, "RSA", nil},
	"RS512": {crypto.SHA512, "RSA", nil},
	"PS256": {crypto.SHA256, "PSS", nil},
	"PS384": {crypto.SHA384, "PSS", nil},
	"PS512": {crypto.SHA512, "PSS", nil},
	"ES256": {crypto.SHA256, "EC", elliptic.P256()},
	"ES384": {crypto.SHA384, "EC", elliptic.P384()},
	"ES512": {crypto.SHA512, "EC", elliptic.P521()},
}

// clockSkew is how far the provider's clock may be from ours.
const clockSkew = time.Minute

// verifyIDToken checks an ID token's signature and claims and returns the
// claims. The nonce ties the token to the login this browser started.
func (p *provider) verifyIDToken(ctx context.Context, raw, clientID, nonce string, now time.Time) (map[string]any, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("id token: not a compact JWS")
	}
	var header struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, fmt.Errorf("id token header: %w", err)
	}
	alg, ok := signingAlgs[header.Alg]
	if !ok || (len(p.SigningAlgs) > 0 && !slices.Contains(p.SigningAlgs, header.Alg)) {
		return nil, fmt.Errorf("id token: algorithm %q not accepted", header.Alg)
	}
	if header.Crit != nil {
		return nil, errors.New("id token: critical header extensions are not supported")
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("id token signature: %w", err)
	}
	key, err := p.keys.key(ctx, header.Kid, alg)
	if err != nil {
		return nil, err
	}
	if err := verifySignature(alg, key, parts[0]+"."+parts[1], sig); err != nil {
		return nil, err
	}

	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	if iss, _ := claims["iss"].(string); iss != p.Issuer {
		return nil, errors.New("id token: issued by another provider")
	}
	audiences, err := audience(claims["aud"])
	if err != nil {
		return nil, err
	}
	if !slices.Contains(audiences, clientID) {
		return nil, errors.New("id token: issued for another client")
	}
	if azp, ok := claims["azp"].(string); (ok || len(audiences) > 1) && azp != clientID {
		return nil, errors.New("id token: authorized party is another client")
	}
	exp, ok := numericDate(claims["exp"])
	if !ok || !now.Before(exp.Add(clockSkew)) {
		return nil, errors.New("id token: expired or without expiry")
	}
	iat, ok := numericDate(claims["iat"])
	if !ok || iat.After(now.Add(clockSkew)) {
		return nil, errors.New("id token: issued in the future or without issue time")
	}
	got, _ := claims["nonce"].(string)
	if subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 || nonce == "" {
		return nil, errors.New("id token: nonce does not match this login")
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, errors.New("id token: no subject")
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func audience(v any) ([]string, error) {
	switch a := v.(type) {
	case string:
		return []string{a}, nil
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				return nil, errors.New("id token: malformed audience")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errors.New("id token: no audience")
}

func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

func verifySignature(alg signingAlg, key crypto.PublicKey, signed string, sig []byte) error {
	h := alg.hash.New()
	h.Write([]byte(signed))
	digest := h.Sum(nil)
	bad := errors.New("id token: bad signature")
	switch alg.kind {
	case "RSA", "PSS":
		pub, ok := key.(*rsa.PublicKey)
		if !ok {
			return bad
		}
		if alg.kind == "RSA" {
			if rsa.VerifyPKCS1v15(pub, alg.hash, digest, sig) != nil {
				return bad
			}
			return nil
		}
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: alg.hash}
		if rsa.VerifyPSS(pub, alg.hash, digest, sig, opts) != nil {
			return bad
		}
		return nil
	case "EC":
		pub, ok := key.(*ecdsa.PublicKey)
		size := (alg.curve.Params().BitSize + 7) / 8
		if !ok || pub.Curve != alg.curve || len(sig) != 2*size {
			return bad
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return bad
		}
		return nil
	}
	return bad
}

// keySet is the provider's JSON Web Key Set, fetched when first needed and
// again when a token names a key it does not hold (keys rotate), at most once
// a minute so a stream of forged tokens cannot turn the portal against the
// provider.
type keySet struct {
	client *http.Client
	url    string

	mu      sync.Mutex
	keys    []publicKey
	fetched time.Time
}

type publicKey struct {
	kid string
	alg string
	key crypto.PublicKey
}

const keyRefreshInterval = time.Minute

func (ks *keySet) key(ctx context.Context, kid string, alg signingAlg) (crypto.PublicKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if k, ok := ks.find(kid, alg); ok {
		return k, nil
	}
	if time.Since(ks.fetched) < keyRefreshInterval {
		return nil, errors.New("id token: signed with an unknown key")
	}
	keys, err := fetchKeys(ctx, ks.client, ks.url)
	if err != nil {
		return nil, err
	}
	ks.keys, ks.fetched = keys, time.Now()
	if k, ok := ks.find(kid, alg); ok {
		return k, nil
	}
	return nil, errors.New("id token: signed with an unknown key")
}

// find picks the key named kid; a token without kid is accepted only when
// exactly one key of the right type is published.
func (ks *keySet) find(kid string, alg signingAlg) (crypto.PublicKey, bool) {
	var match []crypto.PublicKey
	for _, k := range ks.keys {
		if !keyFits(k.key, alg) || (kid != "" && k.kid != kid) {
			continue
		}
		if k.alg != "" && signingAlgs[k.alg] != alg {
			continue
		}
		match = append(match, k.key)
	}
	if len(match) != 1 {
		return nil, false
	}
	return match[0], true
}

func keyFits(key crypto.PublicKey, alg signingAlg) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg.kind == "RSA" || alg.kind == "PSS"
	case *ecdsa.PublicKey:
		return alg.kind == "EC" && k.Curve == alg.curve
	}
	return false
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// fetchKeys reads the signing keys of a JWKS; keys for encryption, of unknown
// types or too weak are left out.
func fetchKeys(ctx context.Context, client *http.Client, url string) ([]publicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := getJSON(ctx, client, url, &set); err != nil {
		return nil, fmt.Errorf("oidc keys: %w", err)
	}
	var out []publicKey
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if pub, ok := k.publicKey(); ok {
			out = append(out, publicKey{kid: k.Kid, alg: k.Alg, key: pub})
		}
	}
	return out, nil
}

func (k jwk) publicKey() (crypto.PublicKey, bool) {
	b64 := base64.RawURLEncoding.Strict()
	switch k.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, false
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 || pub.E < 3 || pub.E%2 == 0 {
			return nil, false
		}
		return pub, true
	case "EC":
		curves := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}
		curve, ok := curves[k.Crv]
		if !ok {
			return nil, false
		}
		size := (curve.Params().BitSize + 7) / 8
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, false
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, false
		}
		return pub, true
	}
	return nil, false
}
