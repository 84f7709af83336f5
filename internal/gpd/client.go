// Package gpd publishes the portal's debt positions to pagoPA's GPD (Gestione
// Posizioni Debitorie) REST API, the alternative to answering the node's SOAP
// calls: pagoPA then holds each position and its amount, and the portal
// reads back the payments. The API is the one of gpd.json (in
// ../shared/pagopa/openapi); gpdfake is a local fake of it for tests and the
// demo.
package gpd

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the GPD debt positions API for one creditor.
type Client struct {
	// BaseURL is the API root, e.g.
	// https://api.uat.platform.pagopa.it/gpd/debt-positions-service/v1.
	BaseURL string
	// SubscriptionKey is sent as Ocp-Apim-Subscription-Key.
	SubscriptionKey string
	// Organization is the creditor's fiscal code.
	Organization string
	// HTTPClient sends the requests; nil means a client with a 30-second
	// timeout.
	HTTPClient *http.Client
}

// Errors an *Error matches with errors.Is, by HTTP status.
var (
	ErrNotFound     = errors.New("gpd: no such debt position")                 // 404
	ErrConflict     = errors.New("gpd: conflict with the debt position state") // 409
	ErrUnauthorized = errors.New("gpd: subscription key or organization refused")
)

// Error is an answer of GPD other than success: the HTTP status and, when
// GPD sent one, the problem's title and detail.
type Error struct {
	Op         string // the operation, as gpd.json names it
	StatusCode int
	Title      string
	Detail     string
	RequestID  string // X-Request-Id, to quote to pagoPA's assistance
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("gpd: %s: HTTP %d", e.Op, e.StatusCode)
	for _, s := range []string{e.Title, e.Detail} {
		if s != "" {
			msg += ": " + s
		}
	}
	return msg + " (X-Request-Id " + e.RequestID + ")"
}

// Is matches ErrNotFound, ErrConflict and ErrUnauthorized.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	}
	return false
}

// Create creates p (createPosition); with publish it is published at once.
// A position whose IUPD or IUV GPD already holds gives ErrConflict.
func (c *Client) Create(ctx context.Context, p Position, publish bool) (Position, error) {
	var out Position
	err := c.do(ctx, "createPosition", http.MethodPost, c.positions()+"?toPublish="+fmt.Sprint(publish), p, http.StatusCreated, &out)
	return out, err
}

// Update replaces the position with p's IUPD (updatePosition); with publish
// it is published again at once. A position already paid, or no longer
// updatable, gives ErrConflict.
func (c *Client) Update(ctx context.Context, p Position, publish bool) (Position, error) {
	var out Position
	err := c.do(ctx, "updatePosition", http.MethodPut, c.position(p.IUPD)+"?toPublish="+fmt.Sprint(publish), p, http.StatusOK, &out)
	return out, err
}

// Publish makes a DRAFT position payable (publishPosition).
func (c *Client) Publish(ctx context.Context, iupd string) (Position, error) {
	var out Position
	err := c.do(ctx, "publishPosition", http.MethodPost, c.position(iupd)+"/publish", nil, http.StatusOK, &out)
	return out, err
}

// Invalidate withdraws a published position (invalidatePosition): it can no
// longer be paid. One already paid gives ErrConflict.
func (c *Client) Invalidate(ctx context.Context, iupd string) (Position, error) {
	var out Position
	err := c.do(ctx, "invalidatePosition", http.MethodPost, c.position(iupd)+"/invalidate", nil, http.StatusOK, &out)
	return out, err
}

// Get reads a position, its status and its payment (getOrganizationDebtPositionByIUPD).
func (c *Client) Get(ctx context.Context, iupd string) (PositionState, error) {
	var out PositionState
	err := c.do(ctx, "getOrganizationDebtPositionByIUPD", http.MethodGet, c.position(iupd), nil, http.StatusOK, &out)
	return out, err
}

func (c *Client) positions() string {
	return strings.TrimSuffix(c.BaseURL, "/") + "/organizations/" + url.PathEscape(c.Organization) + "/debtpositions"
}

func (c *Client) position(iupd string) string {
	return c.positions() + "/" + url.PathEscape(iupd)
}

var defaultHTTPClient = &http.Client{Timeout: 30 * time.Second}

// do sends one request with in as JSON (none when nil) and decodes the
// answer into out when the status is want.
func (c *Client) do(ctx context.Context, op, method, u string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("gpd: %s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("gpd: %s: %w", op, err)
	}
	reqID := requestID()
	req.Header.Set("Ocp-Apim-Subscription-Key", c.SubscriptionKey)
	req.Header.Set("X-Request-Id", reqID)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("gpd: %s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("gpd: %s: %w", op, err)
	}
	if resp.StatusCode != want {
		e := &Error{Op: op, StatusCode: resp.StatusCode, RequestID: reqID}
		if id := resp.Header.Get("X-Request-Id"); id != "" {
			e.RequestID = id
		}
		// A ProblemJson (title, detail) or, for 403, {statusCode, message}.
		var problem struct {
			Title   string `json:"title"`
			Detail  string `json:"detail"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &problem) == nil {
			e.Title, e.Detail = problem.Title, problem.Detail
			if e.Detail == "" {
				e.Detail = problem.Message
			}
		}
		return e
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("gpd: %s: answer is not the expected JSON: %w", op, err)
	}
	return nil
}

// requestID is a random X-Request-Id, so that a call can be traced in
// pagoPA's logs.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
