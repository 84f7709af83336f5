package auth

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCookiesAreSecureUnderTLS(t *testing.T) {
	cases := map[string]struct {
		redirect string
		tls      bool
		secure   bool
	}{
		"public address is https":             {"https://portale.example/auth/callback", false, true},
		"TLS straight to the portal":          {"http://127.0.0.1:8080/auth/callback", true, true},
		"plain http on a development machine": {"http://127.0.0.1:8080/auth/callback", false, false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			svc, err := New(Config{IssuerURL: "https://sso.example", ClientID: "c", ClientSecret: "s", RedirectURL: c.redirect}, nopStore{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/auth/callback", nil)
			if c.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			svc.setCookie(rec, req, sessionCookie, "v", "/", 0)
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 || cookies[0].Secure != c.secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
				t.Fatalf("cookie = %+v, want Secure=%v, HttpOnly, SameSite=Lax", cookies, c.secure)
			}
		})
	}
}

// nopStore satisfies SessionStore for tests that never reach it.
type nopStore struct{ SessionStore }
