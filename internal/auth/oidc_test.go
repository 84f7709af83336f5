package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testKeys are the keys a test provider publishes (and one it does not).
type testKeys struct {
	rsa, rsaUnpublished *rsa.PrivateKey
	ec                  *ecdsa.PrivateKey
}

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	r1, err1 := rsa.GenerateKey(rand.Reader, 2048)
	r2, err2 := rsa.GenerateKey(rand.Reader, 2048)
	ec, err3 := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	return testKeys{rsa: r1, rsaUnpublished: r2, ec: ec}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (k testKeys) jwks() map[string]any {
	x, y := make([]byte, 32), make([]byte, 32)
	k.ec.X.FillBytes(x)
	k.ec.Y.FillBytes(y)
	return map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "r1", "use": "sig", "n": b64(k.rsa.N.Bytes()), "e": b64(big.NewInt(int64(k.rsa.E)).Bytes())},
		{"kty": "EC", "kid": "e1", "crv": "P-256", "x": b64(x), "y": b64(y)},
	}}
}

// sign makes a compact JWS the way a provider would.
func sign(t *testing.T, alg, kid string, key any, claims map[string]any) string {
	t.Helper()
	header, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	payload, _ := json.Marshal(claims)
	signed := b64(header) + "." + b64(payload)
	digest := sha256.Sum256([]byte(signed))
	var sig []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
		}
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k, digest[:])
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case []byte:
		m := hmac.New(sha256.New, k)
		m.Write([]byte(signed))
		sig = m.Sum(nil)
	case nil:
	}
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + b64(sig)
}

// fakeProvider serves a discovery document and the JWKS of keys, as an
// OpenID provider does; algs are the signing algorithms it advertises.
func fakeProvider(t *testing.T, keys testKeys, algs ...string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
				"token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/jwks", "id_token_signing_alg_values_supported": algs})
		case "/jwks":
			json.NewEncoder(w).Encode(keys.jwks())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestVerifyIDToken(t *testing.T) {
	keys := newTestKeys(t)
	srv := fakeProvider(t, keys, "RS256", "PS256", "ES256")
	now := time.Now()
	valid := func() map[string]any {
		return map[string]any{"iss": srv.URL, "aud": "portale", "sub": "s1", "nonce": "n1",
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "fiscalNumber": "TINIT-RSSMRA80A01L219M"}
	}
	with := func(edit func(c map[string]any)) map[string]any {
		c := valid()
		edit(c)
		return c
	}
	cases := map[string]struct {
		token string
		ok    bool
	}{
		"RS256":                      {sign(t, "RS256", "r1", keys.rsa, valid()), true},
		"PS256":                      {sign(t, "PS256", "r1", keys.rsa, valid()), true},
		"ES256":                      {sign(t, "ES256", "e1", keys.ec, valid()), true},
		"audience list with azp":     {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["aud"] = []string{"portale", "altro"}; c["azp"] = "portale" })), true},
		"alg none":                   {sign(t, "none", "r1", nil, valid()), false},
		"HS256 with the public key":  {sign(t, "HS256", "r1", keys.rsa.N.Bytes(), valid()), false},
		"unpublished key":            {sign(t, "RS256", "r1", keys.rsaUnpublished, valid()), false},
		"unknown kid":                {sign(t, "RS256", "r9", keys.rsa, valid()), false},
		"EC key named for RSA":       {sign(t, "RS256", "e1", keys.rsa, valid()), false},
		"other issuer":               {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["iss"] = "https://evil.example" })), false},
		"other audience":             {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["aud"] = "altro" })), false},
		"audience list without azp":  {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["aud"] = []string{"portale", "altro"} })), false},
		"azp of another client":      {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["azp"] = "altro" })), false},
		"expired":                    {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), false},
		"no expiry":                  {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { delete(c, "exp") })), false},
		"other nonce":                {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { c["nonce"] = "n2" })), false},
		"no nonce":                   {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { delete(c, "nonce") })), false},
		"no subject":                 {sign(t, "RS256", "r1", keys.rsa, with(func(c map[string]any) { delete(c, "sub") })), false},
		"not three parts":            {"a.b", false},
		"garbage":                    {"!!.!!.!!", false},
		"payload swapped after sign": {swapPayload(sign(t, "RS256", "r1", keys.rsa, valid()), with(func(c map[string]any) { c["fiscalNumber"] = "TINIT-BNCLRA85M41L219R" })), false},
	}
	p, err := discover(context.Background(), srv.Client(), srv.URL, "portale", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			claims, err := p.verifyIDToken(context.Background(), c.token, "portale", "n1")
			if c.ok && (err != nil || claims["fiscalNumber"] != "TINIT-RSSMRA80A01L219M") {
				t.Fatalf("valid token refused: %v", err)
			}
			if !c.ok && err == nil {
				t.Fatalf("bad token accepted: %v", claims)
			}
		})
	}
}

func swapPayload(token string, claims map[string]any) string {
	parts := strings.Split(token, ".")
	payload, _ := json.Marshal(claims)
	return parts[0] + "." + b64(payload) + "." + parts[2]
}

func TestAlgorithmsMustBeAdvertised(t *testing.T) {
	keys := newTestKeys(t)
	srv := fakeProvider(t, keys, "RS256")
	now := time.Now()
	p, err := discover(context.Background(), srv.Client(), srv.URL, "portale", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	token := sign(t, "ES256", "e1", keys.ec, map[string]any{"iss": srv.URL, "aud": "portale", "sub": "s",
		"nonce": "n", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
	if _, err := p.verifyIDToken(context.Background(), token, "portale", "n"); err == nil {
		t.Fatal("a token signed with an algorithm the provider does not advertise was accepted")
	}
}

func TestDiscoveryMustNameTheConfiguredIssuer(t *testing.T) {
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "authorization_endpoint": "a", "token_endpoint": "t", "jwks_uri": "j"})
	}))
	defer srv.Close()
	cases := map[string]struct {
		declared string
		ok       bool
	}{
		"same":           {srv.URL, true},
		"another":        {"https://evil.example", false},
		"trailing slash": {srv.URL + "/", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			issuer = c.declared
			_, err := discover(context.Background(), srv.Client(), srv.URL, "portale", time.Now)
			if (err == nil) != c.ok {
				t.Fatalf("discover with issuer %q: %v", c.declared, err)
			}
		})
	}
}
