// Package gpdfake is a local, in-memory stand-in for pagoPA's GPD debt
// positions API (gpd.json): the tests run the gpd client against it over real
// HTTP, and the demo can publish to it (`portale pagopa gpd fake`). It checks
// requests as GPD does — the subscription key, the organization, every field
// of the request models (required, type, length, pattern, enum), the
// business rules on amounts, transfers and dates, the state machine of a
// position — and answers with GPD's status codes and ProblemJson bodies. It
// is stricter in one way: a field the models do not declare is refused, so
// that a misspelt field in the client fails a test instead of being dropped.
//
// What GPD does on its own, the node paying an option, is played by Pay (or
// POST /fake/pay/{nav}, which is not part of GPD).
package gpdfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is a fake GPD for one organization. Create it with New.
type Server struct {
	// Now tells the time (due dates are checked against it); nil means
	// time.Now.
	Now func() time.Time

	organization, key string
	mux               *http.ServeMux

	mu        sync.Mutex
	positions map[string]*position // by IUPD
	byIUV     map[string]string    // IUV → IUPD
}

type position struct {
	model     map[string]any // the request as accepted: a PaymentPositionModel
	status    string
	inserted  time.Time
	updated   time.Time
	published time.Time
	paid      time.Time
	payments  map[string]Payment // by IUV
}

// Payment is a payment of one option, as the node reports it to GPD.
type Payment struct {
	ReceiptID     string    `json:"idReceipt"`
	PSPCompany    string    `json:"pspCompany"`
	PaymentMethod string    `json:"paymentMethod"`
	Fee           int64     `json:"fee"`
	At            time.Time `json:"paymentDate"`
}

// The fake's answers to Pay.
var (
	ErrUnknownNotice = errors.New("gpdfake: no payment option with this notice number")
	ErrNotPayable    = errors.New("gpdfake: the debt position is not VALID")
)

// New returns a fake GPD that serves organization (a fiscal code) to
// callers sending key as Ocp-Apim-Subscription-Key.
func New(organization, key string) *Server {
	s := &Server{organization: organization, key: key, positions: map[string]*position{}, byIUV: map[string]string{}}
	m := http.NewServeMux()
	m.HandleFunc("POST /organizations/{org}/debtpositions", s.guard(s.createPosition))
	m.HandleFunc("GET /organizations/{org}/debtpositions/{iupd}", s.guard(s.getPosition))
	m.HandleFunc("PUT /organizations/{org}/debtpositions/{iupd}", s.guard(s.updatePosition))
	m.HandleFunc("POST /organizations/{org}/debtpositions/{iupd}/publish", s.guard(s.publishPosition))
	m.HandleFunc("POST /organizations/{org}/debtpositions/{iupd}/invalidate", s.guard(s.invalidatePosition))
	m.HandleFunc("POST /fake/pay/{nav}", s.guard(s.pay))
	s.mux = m
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// problem is an answer other than success: the status and the ProblemJson.
type problem struct {
	status int
	detail string
}

func (p *problem) Error() string { return p.detail }

func fail(status int, format string, args ...any) *problem {
	return &problem{status: status, detail: fmt.Sprintf(format, args...)}
}

// guard checks the subscription key (401, no body, as the API gateway
// answers) and the organization (403), echoes X-Request-Id, and writes the
// handler's answer or its problem.
func (s *Server) guard(h func(r *http.Request) (int, any, *problem)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			var b [16]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		if s.key == "" || r.Header.Get("Ocp-Apim-Subscription-Key") != s.key {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if org := r.PathValue("org"); org != "" && org != s.organization {
			writeJSON(w, http.StatusForbidden, map[string]any{"statusCode": 403, "message": "You are not allowed to access this resource."})
			return
		}
		s.mu.Lock()
		status, body, p := h(r)
		s.mu.Unlock()
		if p != nil {
			writeJSON(w, p.status, map[string]any{"title": http.StatusText(p.status), "status": p.status, "detail": p.detail})
			return
		}
		writeJSON(w, status, body)
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (s *Server) createPosition(r *http.Request) (int, any, *problem) {
	publish, p := toPublish(r)
	if p != nil {
		return 0, nil, p
	}
	model, p := s.readModel(r, "")
	if p != nil {
		return 0, nil, p
	}
	iupd := model["iupd"].(string)
	if _, ok := s.positions[iupd]; ok {
		return 0, nil, fail(http.StatusConflict, "Conflict: duplicate debt position found: iupd %s already exists", iupd)
	}
	now := s.now()
	pos := &position{model: model, status: "DRAFT", inserted: now, updated: now, payments: map[string]Payment{}}
	s.positions[iupd] = pos
	s.index(iupd, model)
	if publish {
		s.publish(pos)
	}
	return http.StatusCreated, pos.modelAnswer(), nil
}

func (s *Server) getPosition(r *http.Request) (int, any, *problem) {
	pos, p := s.find(r.PathValue("iupd"))
	if p != nil {
		return 0, nil, p
	}
	return http.StatusOK, pos.stateAnswer(s.organization), nil
}

func (s *Server) updatePosition(r *http.Request) (int, any, *problem) {
	iupd := r.PathValue("iupd")
	pos, p := s.find(iupd)
	if p != nil {
		return 0, nil, p
	}
	publish, p := toPublish(r)
	if p != nil {
		return 0, nil, p
	}
	switch pos.status {
	case "DRAFT", "PUBLISHED", "VALID":
	case "PAID", "PARTIALLY_PAID", "REPORTED":
		return 0, nil, fail(http.StatusConflict, "Conflict: existing related payment found for iupd %s", iupd)
	default:
		return 0, nil, fail(http.StatusConflict, "Conflict: debt position %s is %s and cannot be updated", iupd, pos.status)
	}
	model, p := s.readModel(r, iupd)
	if p != nil {
		return 0, nil, p
	}
	s.unindex(pos.model)
	pos.model, pos.status, pos.updated = model, "DRAFT", s.now()
	s.index(iupd, model)
	if publish {
		s.publish(pos)
	}
	return http.StatusOK, pos.modelAnswer(), nil
}

func (s *Server) publishPosition(r *http.Request) (int, any, *problem) {
	pos, p := s.find(r.PathValue("iupd"))
	if p != nil {
		return 0, nil, p
	}
	if pos.status != "DRAFT" {
		return 0, nil, fail(http.StatusConflict, "Conflict: debt position is not in publishable state (%s)", pos.status)
	}
	s.publish(pos)
	return http.StatusOK, pos.modelAnswer(), nil
}

func (s *Server) invalidatePosition(r *http.Request) (int, any, *problem) {
	pos, p := s.find(r.PathValue("iupd"))
	if p != nil {
		return 0, nil, p
	}
	if pos.status != "PUBLISHED" && pos.status != "VALID" {
		return 0, nil, fail(http.StatusConflict, "Conflict: debt position is not in invalidable state (%s)", pos.status)
	}
	pos.status, pos.updated = "INVALID", s.now()
	return http.StatusOK, pos.modelAnswer(), nil
}

func (s *Server) pay(r *http.Request) (int, any, *problem) {
	var pay Payment
	if err := json.NewDecoder(r.Body).Decode(&pay); err != nil && !errors.Is(err, io.EOF) {
		return 0, nil, fail(http.StatusBadRequest, "body: %v", err)
	}
	switch err := s.payLocked(r.PathValue("nav"), pay); {
	case errors.Is(err, ErrUnknownNotice):
		return 0, nil, fail(http.StatusNotFound, "%v", err)
	case err != nil:
		return 0, nil, fail(http.StatusConflict, "%v", err)
	}
	iupd := s.byIUV[strings.TrimPrefix(r.PathValue("nav"), "3")]
	return http.StatusOK, s.positions[iupd].stateAnswer(s.organization), nil
}

// Pay plays the node paying the option with notice number nav (aux digit 3
// and the IUV): the option becomes PO_PAID with p's receipt, the position
// PAID. A zero p.At means now; an empty ReceiptID gets one made up.
func (s *Server) Pay(nav string, p Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payLocked(nav, p)
}

func (s *Server) payLocked(nav string, p Payment) error {
	iuv, ok := strings.CutPrefix(nav, "3")
	iupd, known := s.byIUV[iuv]
	if !ok || !known {
		return fmt.Errorf("%w: %s", ErrUnknownNotice, nav)
	}
	pos := s.positions[iupd]
	if pos.status != "VALID" {
		return fmt.Errorf("%w: %s is %s", ErrNotPayable, iupd, pos.status)
	}
	if p.At.IsZero() {
		p.At = s.now()
	}
	if p.ReceiptID == "" {
		var b [8]byte
		rand.Read(b[:])
		p.ReceiptID = hex.EncodeToString(b[:])
	}
	pos.payments[iuv] = p
	pos.status, pos.paid, pos.updated = "PAID", p.At, p.At
	return nil
}

func (s *Server) find(iupd string) (*position, *problem) {
	pos, ok := s.positions[iupd]
	if !ok {
		return nil, fail(http.StatusNotFound, "No debt position found with iupd %s", iupd)
	}
	return pos, nil
}

func (s *Server) publish(pos *position) {
	now := s.now()
	pos.status, pos.published, pos.updated = "VALID", now, now
	if v, ok := pos.model["validityDate"].(string); ok {
		if t, _ := time.Parse(time.RFC3339, v); t.After(now) {
			pos.status = "PUBLISHED"
		}
	}
}

func toPublish(r *http.Request) (bool, *problem) {
	switch r.URL.Query().Get("toPublish") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, fail(http.StatusBadRequest, "toPublish must be true or false")
}

// readModel reads and checks a PaymentPositionModel: the schema, then GPD's
// rules. With iupd set (an update) the body must name the same position.
func (s *Server) readModel(r *http.Request, iupd string) (map[string]any, *problem) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, fail(http.StatusBadRequest, "body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fail(http.StatusBadRequest, "JSON parse error: %v", err)
	}
	if problems := positionSchema.validate(v, ""); len(problems) > 0 {
		return nil, fail(http.StatusBadRequest, "%s", strings.Join(problems, "; "))
	}
	model := v.(map[string]any)
	delete(model, "status")
	delete(model, "paymentDate")
	if iupd != "" && model["iupd"] != iupd {
		return nil, fail(http.StatusBadRequest, "iupd in the body (%v) differs from the path (%s)", model["iupd"], iupd)
	}
	if p := s.checkRules(model); p != nil {
		return nil, p
	}
	return model, nil
}

// checkRules applies what GPD checks beyond the schema: each option has
// transfers with distinct ids adding up to its amount; dates are in order
// and not past; an IUV belongs to one position only.
func (s *Server) checkRules(model map[string]any) *problem {
	now := s.now()
	validity := now
	if v, ok := model["validityDate"].(string); ok {
		validity, _ = time.Parse(time.RFC3339, v)
		if validity.Before(now) {
			return fail(http.StatusBadRequest, "validityDate must be in the future")
		}
	}
	seen := map[string]bool{}
	options, _ := model["paymentOption"].([]any)
	for i, o := range options {
		opt := o.(map[string]any)
		iuv := opt["iuv"].(string)
		if seen[iuv] {
			return fail(http.StatusBadRequest, "paymentOption[%d].iuv %s repeated", i, iuv)
		}
		seen[iuv] = true
		if other, ok := s.byIUV[iuv]; ok && other != model["iupd"] {
			return fail(http.StatusConflict, "Conflict: duplicate debt position found: iuv %s already in %s", iuv, other)
		}
		if nav, ok := opt["nav"].(string); ok && nav != "3"+iuv {
			return fail(http.StatusBadRequest, "paymentOption[%d].nav %s does not match iuv %s", i, nav, iuv)
		}
		due, _ := time.Parse(time.RFC3339, opt["dueDate"].(string))
		if due.Before(validity) {
			return fail(http.StatusBadRequest, "paymentOption[%d].dueDate must not be before the validity date (or now)", i)
		}
		if v, ok := opt["retentionDate"].(string); ok {
			if ret, _ := time.Parse(time.RFC3339, v); ret.Before(due) {
				return fail(http.StatusBadRequest, "paymentOption[%d].retentionDate must not be before dueDate", i)
			}
		}
		amount, _ := opt["amount"].(json.Number).Int64()
		transfers, _ := opt["transfer"].([]any)
		if len(transfers) == 0 {
			return fail(http.StatusBadRequest, "paymentOption[%d].transfer: at least one transfer is required", i)
		}
		var sum int64
		ids := map[string]bool{}
		for j, t := range transfers {
			tr := t.(map[string]any)
			id := tr["idTransfer"].(string)
			if ids[id] {
				return fail(http.StatusBadRequest, "paymentOption[%d].transfer[%d].idTransfer %s repeated", i, j, id)
			}
			ids[id] = true
			a, _ := tr["amount"].(json.Number).Int64()
			sum += a
			_, iban := tr["iban"]
			_, stamp := tr["stamp"]
			if iban == stamp {
				return fail(http.StatusBadRequest, "paymentOption[%d].transfer[%d]: exactly one of iban and stamp is required", i, j)
			}
		}
		if sum != amount {
			return fail(http.StatusBadRequest, "paymentOption[%d]: the transfers add up to %d, the amount is %d", i, sum, amount)
		}
	}
	return nil
}

func (s *Server) index(iupd string, model map[string]any) {
	options, _ := model["paymentOption"].([]any)
	for _, o := range options {
		s.byIUV[o.(map[string]any)["iuv"].(string)] = iupd
	}
}

func (s *Server) unindex(model map[string]any) {
	options, _ := model["paymentOption"].([]any)
	for _, o := range options {
		delete(s.byIUV, o.(map[string]any)["iuv"].(string))
	}
}

const dateTime = "2006-01-02T15:04:05.000Z07:00"

// modelAnswer is the PaymentPositionModel GPD returns: the request, with
// status, paymentDate and each option's nav.
func (pos *position) modelAnswer() map[string]any {
	out := make(map[string]any, len(pos.model)+2)
	for k, v := range pos.model {
		out[k] = v
	}
	out["status"] = pos.status
	if !pos.paid.IsZero() {
		out["paymentDate"] = pos.paid.UTC().Format(dateTime)
	}
	options, _ := pos.model["paymentOption"].([]any)
	answered := make([]any, len(options))
	for i, o := range options {
		opt := map[string]any{}
		for k, v := range o.(map[string]any) {
			opt[k] = v
		}
		opt["nav"] = "3" + opt["iuv"].(string)
		answered[i] = opt
	}
	out["paymentOption"] = answered
	return out
}

// stateAnswer is the PaymentPositionModelBaseResponse of a read.
func (pos *position) stateAnswer(org string) map[string]any {
	out := map[string]any{
		"iupd": pos.model["iupd"], "organizationFiscalCode": org, "type": pos.model["type"],
		"companyName": pos.model["companyName"], "status": pos.status,
		"insertedDate": pos.inserted.UTC().Format(dateTime), "lastUpdatedDate": pos.updated.UTC().Format(dateTime),
	}
	for k, v := range map[string]time.Time{"publishDate": pos.published, "paymentDate": pos.paid} {
		if !v.IsZero() {
			out[k] = v.UTC().Format(dateTime)
		}
	}
	for _, k := range []string{"officeName", "validityDate"} {
		if v, ok := pos.model[k]; ok {
			out[k] = v
		}
	}
	options, _ := pos.model["paymentOption"].([]any)
	answered := make([]any, len(options))
	for i, o := range options {
		opt := o.(map[string]any)
		iuv := opt["iuv"].(string)
		a := map[string]any{
			"nav": "3" + iuv, "iuv": iuv, "organizationFiscalCode": org, "amount": opt["amount"],
			"description": opt["description"], "isPartialPayment": opt["isPartialPayment"], "dueDate": opt["dueDate"],
			"insertedDate": pos.inserted.UTC().Format(dateTime), "lastUpdatedDate": pos.updated.UTC().Format(dateTime),
			"status": "PO_UNPAID",
		}
		for _, k := range []string{"retentionDate", "fee"} {
			if v, ok := opt[k]; ok {
				a[k] = v
			}
		}
		if p, ok := pos.payments[iuv]; ok {
			a["status"], a["idReceipt"], a["pspCompany"] = "PO_PAID", p.ReceiptID, p.PSPCompany
			a["paymentMethod"], a["fee"], a["paymentDate"] = p.PaymentMethod, p.Fee, p.At.UTC().Format(dateTime)
		}
		transfers, _ := opt["transfer"].([]any)
		ta := make([]any, len(transfers))
		for j, t := range transfers {
			tr := map[string]any{"status": "T_UNREPORTED", "insertedDate": pos.inserted.UTC().Format(dateTime),
				"lastUpdatedDate": pos.updated.UTC().Format(dateTime)}
			for k, v := range t.(map[string]any) {
				tr[k] = v
			}
			ta[j] = tr
		}
		a["transfer"] = ta
		answered[i] = a
	}
	out["paymentOption"] = answered
	return out
}
