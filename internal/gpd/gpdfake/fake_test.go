package gpdfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	org = "00514490010"
	key = "chiave-di-prova"
)

// The official contract lives beside the repository, in ../shared/pagopa;
// it is read in place and never copied.
func loadGPD(t *testing.T) map[string]any {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test")
		}
		dir = parent
	}
	data, err := os.ReadFile(filepath.Join(dir, "..", "shared", "pagopa", "openapi", "gpd.json"))
	if err != nil {
		t.Fatalf("the GPD contract is needed beside the repository: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Every request model the fake checks is the one of gpd.json, field by
// field: the same fields, required ones, types, lengths, patterns, enums,
// minimums and nested models.
func TestSchemaMatchesGPD(t *testing.T) {
	doc := loadGPD(t)
	models := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, s := range []*schema{positionSchema, optionSchema, transferSchema, stampSchema, optionMetadataSchema, transferMetadataSchema} {
		official, ok := models[s.name].(map[string]any)
		if !ok {
			t.Errorf("%s is not in gpd.json", s.name)
			continue
		}
		var required []string
		for _, r := range official["required"].([]any) {
			required = append(required, r.(string))
		}
		sort.Strings(required)
		mine := slices.Sorted(slices.Values(s.required))
		if !slices.Equal(required, mine) {
			t.Errorf("%s: required = %v, gpd.json says %v", s.name, mine, required)
		}
		props := official["properties"].(map[string]any)
		for name := range props {
			if _, ok := s.props[name]; !ok {
				t.Errorf("%s.%s is in gpd.json, not in the fake", s.name, name)
			}
		}
		for name, p := range s.props {
			o, ok := props[name].(map[string]any)
			if !ok {
				t.Errorf("%s.%s is in the fake, not in gpd.json", s.name, name)
				continue
			}
			if got, want := describe(p), describeOfficial(o, models); got != want {
				t.Errorf("%s.%s:\n fake     %s\n gpd.json %s", s.name, name, got, want)
			}
		}
	}
}

func describe(p property) string {
	d := fmt.Sprintf("%s format=%s min=%d max=%d pattern=%q enum=%v items=%d readOnly=%t", p.kind, p.format, p.minLen, p.maxLen,
		p.pattern, p.enum, p.maxItems, p.readOnly)
	if p.minimum != nil {
		d += fmt.Sprintf(" minimum=%d", *p.minimum)
	}
	if p.object != nil {
		d += " of " + p.object.name
	}
	return d
}

func describeOfficial(o map[string]any, models map[string]any) string {
	ref := func(m map[string]any) string {
		r, _ := m["$ref"].(string)
		return strings.TrimPrefix(r, "#/components/schemas/")
	}
	p := property{kind: kind(fmt.Sprint(o["type"]))}
	var of string
	if r := ref(o); r != "" {
		p.kind, of = kObject, r
	}
	if items, ok := o["items"].(map[string]any); ok {
		of = ref(items)
	}
	if s, ok := o["format"].(string); ok && s == "date-time" {
		p.format = s
	}
	num := func(k string) int {
		f, _ := o[k].(float64)
		return int(f)
	}
	p.minLen, p.maxLen, p.maxItems = num("minLength"), num("maxLength"), num("maxItems")
	p.pattern, _ = o["pattern"].(string)
	for _, e := range asSlice(o["enum"]) {
		p.enum = append(p.enum, e.(string))
	}
	p.readOnly, _ = o["readOnly"].(bool)
	d := describe(p)
	if m, ok := o["minimum"].(float64); ok {
		d += fmt.Sprintf(" minimum=%d", int64(m))
	}
	if of != "" {
		if _, ok := models[of]; !ok {
			of = "missing " + of
		}
		d += " of " + of
	}
	return d
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// a valid position, as JSON, with one option due tomorrow.
func validBody(iupd, iuv string, change func(map[string]any)) string {
	due := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	m := map[string]any{
		"iupd": iupd, "type": "F", "fiscalCode": "RSSMRA80A01L219M", "fullName": "Mario Rossi",
		"switchToExpired": false, "companyName": "Città di Torino",
		"paymentOption": []any{map[string]any{
			"iuv": iuv, "amount": 4200, "description": "Verbale n. 1 - art. 7 CdS", "isPartialPayment": false, "dueDate": due,
			"transfer": []any{map[string]any{"idTransfer": "1", "amount": 4200, "remittanceInformation": "Verbale n. 1",
				"category": "9/0101100IM/", "iban": "IT60X0542811101000000123456"}},
		}},
	}
	if change != nil {
		change(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func option(m map[string]any) map[string]any { return m["paymentOption"].([]any)[0].(map[string]any) }

func transfer(m map[string]any) map[string]any {
	return option(m)["transfer"].([]any)[0].(map[string]any)
}

// Each bad request gets GPD's status and a ProblemJson naming the field.
func TestRequestsAreCheckedLikeGPD(t *testing.T) {
	base := "/organizations/" + org + "/debtpositions"
	type call struct {
		method, path, key, body string
		status                  int
		detail                  string
	}
	cases := map[string]call{
		"no key":      {"GET", base + "/x", "", "", 401, ""},
		"wrong key":   {"GET", base + "/x", "altra", "", 401, ""},
		"another org": {"GET", "/organizations/80016350821/debtpositions/x", key, "", 403, ""},
		"unknown":     {"GET", base + "/x", key, "", 404, "No debt position found"},
		"not JSON":    {"POST", base, key, "{", 400, "JSON"},
		"missing iupd": {"POST", base, key, validBody("", "01000000000000101", func(m map[string]any) { delete(m, "iupd") }),
			400, "iupd: must not be null"},
		"missing fullName": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { delete(m, "fullName") }),
			400, "fullName: must not be null"},
		"type X": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { m["type"] = "X" }),
			400, "type: must be one of"},
		"missing dueDate": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { delete(option(m), "dueDate") }),
			400, "paymentOption[0].dueDate: must not be null"},
		"amount 0": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { option(m)["amount"] = 0 }),
			400, "paymentOption[0].amount: must be greater than or equal to 1"},
		"amount in euro": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { option(m)["amount"] = 42.5 }),
			400, "paymentOption[0].amount: must be an integer"},
		"description 141": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) {
			option(m)["description"] = strings.Repeat("è", 141)
		}), 400, "paymentOption[0].description: size must be between 0 and 140"},
		"date without zone": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) {
			option(m)["dueDate"] = "2030-01-01"
		}), 400, "dueDate: must be a date-time"},
		"idTransfer 6": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { transfer(m)["idTransfer"] = "6" }),
			400, "transfer[0].idTransfer: must be one of"},
		"iban with spaces": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) {
			transfer(m)["iban"] = "IT60 X054"
		}), 400, "transfer[0].iban: must match"},
		"missing category": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { delete(transfer(m), "category") }),
			400, "transfer[0].category: must not be null"},
		"misspelt field": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { m["fullname"] = "x" }),
			400, "fullname: unknown field"},
		"transfers short": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { transfer(m)["amount"] = 4100 }),
			400, "the transfers add up to 4100, the amount is 4200"},
		"no transfer": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) { option(m)["transfer"] = []any{} }),
			400, "at least one transfer"},
		"due yesterday": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) {
			option(m)["dueDate"] = time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
		}), 400, "dueDate must not be before"},
		"nav of another iuv": {"POST", base, key, validBody("A", "01000000000000101", func(m map[string]any) {
			option(m)["nav"] = "301000000000000999"
		}), 400, "does not match iuv"},
		"toPublish maybe":   {"POST", base + "?toPublish=maybe", key, validBody("A", "01000000000000101", nil), 400, "toPublish"},
		"duplicate iupd":    {"POST", base, key, validBody("EXISTING", "01000000000000999", nil), 409, "duplicate debt position"},
		"duplicate iuv":     {"POST", base, key, validBody("B", "01000000000000100", nil), 409, "iuv 01000000000000100 already in EXISTING"},
		"publish twice":     {"POST", base + "/EXISTING/publish", key, "", 409, "not in publishable state"},
		"invalidate draft":  {"POST", base + "/DRAFT/invalidate", key, "", 409, "not in invalidable state"},
		"update other iupd": {"PUT", base + "/EXISTING", key, validBody("DRAFT", "01000000000000100", nil), 400, "differs from the path"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			fake := New(org, key)
			srv := httptest.NewServer(fake)
			defer srv.Close()
			for _, seed := range []struct{ path, body string }{
				{base + "?toPublish=true", validBody("EXISTING", "01000000000000100", nil)},
				{base, validBody("DRAFT", "01000000000000200", nil)},
			} {
				if status, body := send(t, srv.URL, "POST", seed.path, key, seed.body, ""); status != 201 {
					t.Fatalf("seeding: %d %s", status, body)
				}
			}
			status, body := send(t, srv.URL, c.method, c.path, c.key, c.body, "id-di-prova")
			if status != c.status {
				t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, status, body, c.status)
			}
			switch {
			case status == 401 && body != "":
				t.Errorf("401 has a body: %s", body)
			case status == 403 && !strings.Contains(body, `"statusCode":403`):
				t.Errorf("403 body = %s", body)
			case status >= 400 && status != 401 && status != 403:
				var p struct {
					Title  string `json:"title"`
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal([]byte(body), &p); err != nil || p.Status != status || p.Title == "" ||
					!strings.Contains(p.Detail, c.detail) {
					t.Errorf("ProblemJson = %s, want status %d and a detail with %q", body, status, c.detail)
				}
			}
		})
	}
}

func send(t *testing.T, base, method, path, key, body, requestID string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Ocp-Apim-Subscription-Key", key)
	}
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if requestID != "" && resp.Header.Get("X-Request-Id") != requestID {
		t.Errorf("X-Request-Id not echoed: %q", resp.Header.Get("X-Request-Id"))
	}
	return resp.StatusCode, string(b)
}

// What the fake answers to a read follows the response models of gpd.json:
// no field they do not declare.
func TestAnswersUseTheResponseModels(t *testing.T) {
	doc := loadGPD(t)
	models := doc["components"].(map[string]any)["schemas"].(map[string]any)
	fields := func(model string) map[string]any {
		return models[model].(map[string]any)["properties"].(map[string]any)
	}
	fake := New(org, key)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	base := "/organizations/" + org + "/debtpositions"
	status, created := send(t, srv.URL, "POST", base+"?toPublish=true", key, validBody("P", "01000000000000300", nil), "")
	if status != 201 {
		t.Fatalf("create: %d %s", status, created)
	}
	if err := fake.Pay("301000000000000300", Payment{ReceiptID: "R1", PSPCompany: "PSP di prova", PaymentMethod: "CP"}); err != nil {
		t.Fatal(err)
	}
	_, read := send(t, srv.URL, "GET", base+"/P", key, "", "")
	check := func(what string, body string, model, optionModel, transferModel string) {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		unknown := func(obj map[string]any, model string) {
			for k := range obj {
				if _, ok := fields(model)[k]; !ok {
					t.Errorf("%s: %q is not a field of %s", what, k, model)
				}
			}
		}
		unknown(m, model)
		for _, o := range asSlice(m["paymentOption"]) {
			unknown(o.(map[string]any), optionModel)
			for _, tr := range asSlice(o.(map[string]any)["transfer"]) {
				unknown(tr.(map[string]any), transferModel)
			}
		}
	}
	check("create", created, "PaymentPositionModel", "PaymentOptionModel", "TransferModel")
	check("read", read, "PaymentPositionModelBaseResponse", "PaymentOptionModelResponse", "TransferModelResponse")
	if !strings.Contains(read, `"status":"PAID"`) || !strings.Contains(read, `"idReceipt":"R1"`) {
		t.Errorf("a paid position reads %s", read)
	}
}

func TestPayOnlyWhatIsValid(t *testing.T) {
	fake := New(org, key)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	base := "/organizations/" + org + "/debtpositions"
	send(t, srv.URL, "POST", base, key, validBody("D", "01000000000000400", nil), "")
	if err := fake.Pay("301000000000000400", Payment{}); err == nil || !strings.Contains(err.Error(), "not VALID") {
		t.Errorf("paying a draft: %v", err)
	}
	if err := fake.Pay("301000000000000401", Payment{}); err == nil || !strings.Contains(err.Error(), "no payment option") {
		t.Errorf("paying an unknown notice: %v", err)
	}
	send(t, srv.URL, "POST", base+"/D/publish", key, "", "")
	if status, body := send(t, srv.URL, "POST", "/fake/pay/301000000000000400", key, `{"pspCompany":"PSP di prova"}`, ""); status != 200 ||
		!strings.Contains(body, `"status":"PO_PAID"`) {
		t.Errorf("POST /fake/pay = %d %s", status, body)
	}
	if status, _ := send(t, srv.URL, "POST", "/fake/pay/301000000000000400", key, "", ""); status != 409 {
		t.Errorf("paying twice = %d, want 409", status)
	}
}
