package apitoken

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var (
	key1 = strings.Repeat("k", 32)
	key2 = strings.Repeat("z", 32)
)

func TestVerify(t *testing.T) {
	good, _ := Sign(key1, "gestionale", []string{"verbali:write", "events:read"}, time.Hour)
	rotated, _ := Sign(key2, "gestionale", []string{"events:read"}, time.Hour)
	expired, _ := Sign(key1, "gestionale", nil, -time.Hour)
	tooLong, _ := Sign(key1, "gestionale", nil, 30*24*time.Hour)
	foreign, _ := Sign(strings.Repeat("x", 32), "gestionale", nil, time.Hour)
	v := NewVerifier([]string{key1, key2})
	cases := map[string]struct {
		header string
		ok     bool
		scope  string
	}{
		"valid":            {"Bearer " + good, true, "verbali:write"},
		"second key":       {"Bearer " + rotated, true, "events:read"},
		"expired":          {"Bearer " + expired, false, ""},
		"too long-lived":   {"Bearer " + tooLong, false, ""},
		"other key":        {"Bearer " + foreign, false, ""},
		"no header":        {"", false, ""},
		"not bearer":       {"Basic abc", false, ""},
		"garbage":          {"Bearer a.b.c", false, ""},
		"alg none attempt": {"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", false, ""},
	}
	for name, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		claims, err := v.Verify(r)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, c.ok)
		}
		if c.ok && !claims.Has(c.scope) {
			t.Errorf("%s: claims %+v lack %s", name, claims, c.scope)
		}
	}
	if _, err := NewVerifier(nil).Verify(httptest.NewRequest("GET", "/", nil)); err != ErrNoKeys {
		t.Errorf("no keys: err = %v", err)
	}
}
