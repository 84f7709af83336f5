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
	if got.Ente != want.Ente || got.PagoPA != want.PagoPA || got.OIDC.ClaimCF != want.OIDC.ClaimCF || got.SMTP != want.SMTP {
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
		"[smtp]\ntls = \"ssl\"\n":                    "smtp.tls",
		"[smtp]\nport = 0\n":                         "smtp.port",
		"[smtp]\nhost = \"mail.example\"\n":          "smtp.from",
		"[smtp]\nhost = \"mail.example\"\nfrom = \"pm@example.org\"\nusername = \"pm\"\n": "smtp.password",
		"[pagopa]\ncheckout_url = \"http://checkout.example\"\n":                          "pagopa.checkout_url",
		"[pagopa]\nmodalita = \"rest\"\n":                                                 "pagopa.modalita",
		"[pagopa]\nmodalita = \"gpd\"\n":                                                  "pagopa.gpd_url",
		"[pagopa]\nmodalita = \"gpd\"\ngpd_url = \"api.example\"\n":                       "pagopa.gpd_url",
		"[pagopa]\nmodalita = \"gpd\"\ngpd_url = \"https://api.example/gpd\"\n":           "pagopa.gpd_subscription_key",
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

func TestSMTP(t *testing.T) {
	t.Setenv("PORTALE_SMTP_PASSWORD", "segreta")
	path := filepath.Join(t.TempDir(), "portale.toml")
	os.WriteFile(path, []byte("[smtp]\nhost = \"smtp.example.org\"\nport = 465\ntls = \"tls\"\n"+
		"username = \"portale\"\nfrom = \"Polizia Municipale <noreply@example.org>\"\n"), 0o600)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Host: "smtp.example.org", Port: 465, Username: "portale", Password: "segreta", TLS: SMTPImplicitTLS,
		From: "Polizia Municipale <noreply@example.org>"}
	if got.SMTP != want {
		t.Errorf("smtp = %+v, want %+v", got.SMTP, want)
	}
}

func TestGPDMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portale.toml")
	os.WriteFile(path, []byte("[pagopa]\nmodalita = \"gpd\"\n"+
		"gpd_url = \"https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1\"\n"), 0o600)
	t.Setenv("PORTALE_GPD_SUBSCRIPTION_KEY", "chiave-di-prova")
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.PagoPA.Modalita != ModalitaGPD || got.PagoPA.GPDSubscriptionKey != "chiave-di-prova" ||
		got.PagoPA.GPDURL != "https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1" || got.PagoPA.IDPA != "00514490010" {
		t.Errorf("pagopa = %+v", got.PagoPA)
	}
	if Default().PagoPA.Modalita != ModalitaSOAP {
		t.Errorf("the default mode is %q, want soap", Default().PagoPA.Modalita)
	}
}

// The companies' keys come from the [aziende.jwt_keys] table and from the
// environment, each under its partita IVA written plainly.
func TestCompanyKeys(t *testing.T) {
	key := func(c string) string { return strings.Repeat(c, 32) }
	t.Setenv("PORTALE_AZIENDE_JWT_KEYS", "IT 09827610016:"+key("c")+", 12345678903:"+key("d"))
	path := filepath.Join(t.TempDir(), "portale.toml")
	os.WriteFile(path, []byte("[aziende.jwt_keys]\n\"09827610016\" = [\""+key("a")+"\", \""+key("b")+"\"]\n"), 0o600)
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if k := got.Aziende.JWTKeys["09827610016"]; len(k) != 3 || k[0] != key("a") || k[2] != key("c") {
		t.Errorf("keys of 09827610016: %v", k)
	}
	if k := got.Aziende.JWTKeys["12345678903"]; len(k) != 1 {
		t.Errorf("keys of 12345678903: %v", k)
	}

	cases := map[string]struct{ file, env, want string }{
		"a wrong partita IVA": {"[aziende.jwt_keys]\n\"12345678901\" = [\"" + key("a") + "\"]\n", "", "aziende.jwt_keys: «12345678901» non è una partita IVA valida"},
		"a short key":         {"[aziende.jwt_keys]\n\"09827610016\" = [\"corta\"]\n", "", "più corta di 32 caratteri"},
		"a short key in env":  {"", "09827610016:corta", "PORTALE_AZIENDE_JWT_KEYS: la chiave della partita IVA 09827610016"},
		"no separator in env": {"", key("a"), "PORTALE_AZIENDE_JWT_KEYS: ogni voce è PARTITAIVA:chiave"},
		"a key not in a list": {"[aziende.jwt_keys]\n\"09827610016\" = \"" + key("a") + "\"\n", "", "riga 2"},
	}
	for name, c := range cases {
		t.Setenv("PORTALE_AZIENDE_JWT_KEYS", c.env)
		os.WriteFile(path, []byte(c.file), 0o600)
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}
