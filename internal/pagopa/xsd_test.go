package pagopa

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The official schemas live beside the repository, in ../shared/pagopa;
// they are read in place and never copied. Two schemas are built around
// them in a temporary directory: one imports the official SOAP envelope
// schema, whose Body is lax (it would let a misspelt element through), the
// other wraps the body in a strict wildcard over the paForNode namespace,
// so that a message must be a declared paForNode element, field by field.
var schemas struct {
	once           sync.Once
	envelope, body string
	err            error
}

func loadSchemas() (envelope, body string, err error) {
	schemas.once.Do(func() {
		schemas.envelope, schemas.body, schemas.err = buildSchemas()
	})
	return schemas.envelope, schemas.body, schemas.err
}

func buildSchemas() (string, string, error) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		return "", "", fmt.Errorf("xmllint is required to validate against the pagoPA XSD (Debian: apt-get install libxml2-utils): %w", err)
	}
	root, err := repoRoot()
	if err != nil {
		return "", "", err
	}
	shared := filepath.Join(root, "..", "shared", "pagopa")
	envelopeXSD := filepath.Join(shared, "xsd-common", "envelope.xsd")
	paForNodeXSD := filepath.Join(shared, "wsdl", "xsd", "paForNode.xsd")
	for _, f := range []string{envelopeXSD, paForNodeXSD, filepath.Join(shared, "xsd-common", "sac-common-types-1.0.xsd")} {
		if _, err := os.Stat(f); err != nil {
			return "", "", fmt.Errorf("official pagoPA schema missing: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "pagopa-xsd-")
	if err != nil {
		return "", "", err
	}
	envelope := filepath.Join(dir, "envelope-wrapper.xsd")
	body := filepath.Join(dir, "strict-body.xsd")
	if err := os.WriteFile(envelope, []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="`+soapEnvNS+`" schemaLocation="`+fileURL(envelopeXSD)+`"/>
  <xs:import namespace="`+paForNodeNS+`" schemaLocation="`+fileURL(paForNodeXSD)+`"/>
</xs:schema>
`), 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(body, []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="`+soapEnvNS+`" elementFormDefault="qualified">
  <xs:import namespace="`+paForNodeNS+`" schemaLocation="`+fileURL(paForNodeXSD)+`"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0"><xs:complexType><xs:sequence>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="Body"><xs:complexType><xs:sequence>
      <xs:any namespace="`+paForNodeNS+`" processContents="strict"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
`), 0o644); err != nil {
		return "", "", err
	}
	return envelope, body, nil
}

func fileURL(path string) string {
	return "file://" + filepath.ToSlash(path)
}

// repoRoot is the directory holding go.mod, found from the test's working
// directory (the package directory) upwards.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// validateSOAP fails the test unless msg, a whole SOAP envelope, is valid
// against the official envelope schema and its body against paForNode.xsd.
func validateSOAP(t testing.TB, msg []byte) {
	t.Helper()
	envelope, body, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	validateAgainst(t, msg, envelope, body)
}

// validateSOAPFault is validateSOAP for a SOAP Fault, which is not a
// paForNode message: only the envelope schema applies.
func validateSOAPFault(t testing.TB, msg []byte) {
	t.Helper()
	envelope, _, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	validateAgainst(t, msg, envelope)
}

func validateAgainst(t testing.TB, msg []byte, schemas ...string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(f, msg, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, schema := range schemas {
		out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
		if err != nil {
			t.Fatalf("message does not validate against %s:\n%s\nmessage:\n%s", filepath.Base(schema), strings.TrimSpace(string(out)), msg)
		}
	}
}

func TestValidateSOAPRejects(t *testing.T) {
	bad := map[string]string{
		"misspelt element": `<paf:paVerifyPaymentNoticeResponse><outcome>OK</outcome></paf:paVerifyPaymentNoticeResponse>`,
		"qualified child":  `<paf:paSendRTV2Response><paf:outcome>OK</paf:outcome></paf:paSendRTV2Response>`,
		"amount in cents":  `<paf:paVerifyPaymentNoticeRes><outcome>OK</outcome><paymentList><paymentOptionDescription><amount>5600</amount><options>EQ</options><allCCP>false</allCCP></paymentOptionDescription></paymentList></paf:paVerifyPaymentNoticeRes>`,
	}
	envelope, body, err := loadSchemas()
	if err != nil {
		t.Fatal(err)
	}
	for name, inner := range bad {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "message.xml")
			if err := os.WriteFile(f, []byte(envelopeHead+inner+envelopeTail), 0o644); err != nil {
				t.Fatal(err)
			}
			failed := false
			for _, schema := range []string{envelope, body} {
				if exec.Command("xmllint", "--noout", "--nonet", "--schema", schema, f).Run() != nil {
					failed = true
				}
			}
			if !failed {
				t.Errorf("an invalid message passed validation: %s", inner)
			}
		})
	}
}
