package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleIsTheDefault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portale.toml")
	os.WriteFile(path, Example, 0o600)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	if got.Ente != want.Ente || got.PagoPA != want.PagoPA || got.OIDC.ClaimCF != want.OIDC.ClaimCF {
		t.Errorf("the example file differs from the defaults:\n%+v\n%+v", got, want)
	}
}

func TestMissingFileGivesDefaults(t *testing.T) {
	got, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if err != nil || got.PagoPA.IDStation != "00514490010_01" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestBadConfigSaysWhere(t *testing.T) {
	cases := map[string]string{
		"[ente]\ncodice_fiscale = \"123\"\n":         "ente.codice_fiscale",
		"[pagopa]\niban = \"IT00\"\n":                "pagopa.iban",
		"[ente]\nnomme = \"x\"\n":                    "chiave sconosciuta",
		"[ente\n":                                    "riga 1",
		"[gestionale]\njwt_keys = [\"corta\"]\n":     "jwt_keys",
		"[oidc]\nissuer = \"https://idp.example\"\n": "client_id",
	}
	for body, want := range cases {
		path := filepath.Join(t.TempDir(), "portale.toml")
		os.WriteFile(path, []byte(body), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to mention %q", body, err, want)
		}
	}
}

func TestSecretsFromEnvironment(t *testing.T) {
	t.Setenv("PORTALE_GESTIONALE_JWT_KEYS", strings.Repeat("a", 32)+","+strings.Repeat("b", 32))
	got, err := Load(filepath.Join(t.TempDir(), "none.toml"))
	if err != nil || len(got.Gestionale.JWTKeys) != 2 {
		t.Fatalf("got %v, %v", got.Gestionale.JWTKeys, err)
	}
}
