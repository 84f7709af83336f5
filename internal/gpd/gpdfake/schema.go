package gpdfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
	"unicode/utf8"
)

// The request models of gpd.json, written out so that the fake needs no file
// at run time; TestSchemaMatchesGPD compares them with gpd.json field by
// field. Patterns are searched, not anchored, as JSON Schema does.

type kind string

const (
	kString  kind = "string"
	kBool    kind = "boolean"
	kInteger kind = "integer"
	kArray   kind = "array"
	kObject  kind = "object"
)

type property struct {
	kind     kind
	format   string // "date-time" or ""
	minLen   int
	maxLen   int // 0: no limit
	pattern  string
	enum     []string
	minimum  *int64
	maxItems int     // 0: no limit
	object   *schema // the object, or the items of an array of objects
	readOnly bool    // set by GPD: accepted and ignored on input
}

type schema struct {
	name     string // as gpd.json names it
	required []string
	props    map[string]property
}

func one() *int64 { v := int64(1); return &v }

var (
	text140 = property{kind: kString, maxLen: 140}
	str     = property{kind: kString}

	metadataProps = map[string]property{"key": text140, "value": text140}

	optionMetadataSchema   = &schema{name: "PaymentOptionMetadataModel", required: []string{"key", "value"}, props: metadataProps}
	transferMetadataSchema = &schema{name: "TransferMetadataModel", required: []string{"key", "value"}, props: metadataProps}

	stampSchema = &schema{name: "Stamp", required: []string{"hashDocument", "provincialResidence", "stampType"},
		props: map[string]property{
			"hashDocument":        {kind: kString, maxLen: 72},
			"stampType":           {kind: kString, minLen: 2, maxLen: 2},
			"provincialResidence": {kind: kString, pattern: "[A-Z]{2}"},
		}}

	transferSchema = &schema{name: "TransferModel", required: []string{"amount", "category", "idTransfer", "remittanceInformation"},
		props: map[string]property{
			"idTransfer":             {kind: kString, enum: []string{"1", "2", "3", "4", "5"}},
			"amount":                 {kind: kInteger, minimum: one()},
			"organizationFiscalCode": str,
			"remittanceInformation":  text140,
			"category":               str,
			"iban":                   {kind: kString, minLen: 1, maxLen: 35, pattern: "^[A-Za-z0-9]{1,35}$"},
			"postalIban":             {kind: kString, minLen: 1, maxLen: 35, pattern: "^$|^[A-Za-z0-9]{1,35}$"},
			"stamp":                  {kind: kObject, object: stampSchema},
			"companyName":            text140,
			"transferMetadata":       {kind: kArray, maxItems: 10, object: transferMetadataSchema},
		}}

	optionSchema = &schema{name: "PaymentOptionModel", required: []string{"amount", "description", "dueDate", "isPartialPayment", "iuv"},
		props: map[string]property{
			"nav":                   str,
			"iuv":                   str,
			"amount":                {kind: kInteger, minimum: one()},
			"description":           text140,
			"isPartialPayment":      {kind: kBool},
			"dueDate":               {kind: kString, format: "date-time"},
			"retentionDate":         {kind: kString, format: "date-time"},
			"fee":                   {kind: kInteger},
			"notificationFee":       {kind: kInteger, readOnly: true},
			"transfer":              {kind: kArray, object: transferSchema},
			"paymentOptionMetadata": {kind: kArray, maxItems: 10, object: optionMetadataSchema},
		}}

	positionSchema = &schema{name: "PaymentPositionModel",
		required: []string{"companyName", "fiscalCode", "fullName", "iupd", "switchToExpired", "type"},
		props: map[string]property{
			"iupd":            str,
			"type":            {kind: kString, enum: []string{"F", "G"}},
			"payStandIn":      {kind: kBool},
			"fiscalCode":      str,
			"fullName":        str,
			"streetName":      str,
			"civicNumber":     str,
			"postalCode":      str,
			"city":            str,
			"province":        str,
			"region":          str,
			"country":         {kind: kString, pattern: "[A-Z]{2}"},
			"email":           str,
			"phone":           str,
			"switchToExpired": {kind: kBool},
			"companyName":     text140,
			"officeName":      text140,
			"validityDate":    {kind: kString, format: "date-time"},
			"paymentDate":     {kind: kString, format: "date-time", readOnly: true},
			"status": {kind: kString, readOnly: true,
				enum: []string{"DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED"}},
			"paymentOption": {kind: kArray, object: optionSchema},
		}}
)

// validate checks v, decoded with UseNumber, against s and returns every
// problem, each naming the field by its path.
func (s *schema) validate(v any, path string) []string {
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{path + ": must be an object"}
	}
	var problems []string
	for _, name := range s.required {
		if x, ok := obj[name]; !ok || x == nil {
			problems = append(problems, join(path, name)+": must not be null")
		}
	}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, ok := s.props[name]
		if !ok {
			problems = append(problems, join(path, name)+": unknown field of "+s.name)
			continue
		}
		if obj[name] == nil {
			continue
		}
		problems = append(problems, p.validate(obj[name], join(path, name))...)
	}
	return problems
}

func (p property) validate(v any, path string) []string {
	switch p.kind {
	case kString:
		s, ok := v.(string)
		if !ok {
			return []string{path + ": must be a string"}
		}
		n := utf8.RuneCountInString(s)
		switch {
		case n < p.minLen || (p.maxLen > 0 && n > p.maxLen):
			return []string{fmt.Sprintf("%s: size must be between %d and %d", path, p.minLen, p.maxLen)}
		case p.pattern != "" && !regexp.MustCompile(p.pattern).MatchString(s):
			return []string{fmt.Sprintf("%s: must match %q", path, p.pattern)}
		case p.enum != nil && !slices.Contains(p.enum, s):
			return []string{fmt.Sprintf("%s: must be one of %v", path, p.enum)}
		case p.format == "date-time":
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return []string{path + ": must be a date-time (RFC 3339)"}
			}
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return []string{path + ": must be a boolean"}
		}
	case kInteger:
		n, ok := v.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return []string{path + ": must be an integer"}
		}
		if p.minimum != nil && i < *p.minimum {
			return []string{fmt.Sprintf("%s: must be greater than or equal to %d", path, *p.minimum)}
		}
	case kArray:
		items, ok := v.([]any)
		if !ok {
			return []string{path + ": must be an array"}
		}
		if p.maxItems > 0 && len(items) > p.maxItems {
			return []string{fmt.Sprintf("%s: size must be between 0 and %d", path, p.maxItems)}
		}
		var problems []string
		for i, it := range items {
			problems = append(problems, p.object.validate(it, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return problems
	case kObject:
		return p.object.validate(v, path)
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
