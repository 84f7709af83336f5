package documenti

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/comune-torino/portale/internal/auth"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/store"
)

// Store is what the handlers need from storage; *store.DB implements it.
type Store interface {
	VerbaleByNumero(ctx context.Context, numero string) (store.VerbaleRow, error)
	PaymentOf(ctx context.Context, nav string) (store.Payment, error)
}

// HandlerConfig configures the download handlers.
type HandlerConfig struct {
	Ente   EnteInfo
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Only tests set it.
	Now func() time.Time
}

func (c HandlerConfig) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c HandlerConfig) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// apiError is an answer the citizen can act on, in the API's shape:
// {"errore":{"codice","messaggio"}}.
type apiError struct {
	Status    int    `json:"-"`
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

func (e *apiError) Error() string { return e.Codice + ": " + e.Messaggio }

var (
	errLoginRequired = &apiError{Status: http.StatusUnauthorized, Codice: "ACCESSO_RICHIESTO",
		Messaggio: "Accedi all'area personale per scaricare i documenti dei tuoi verbali."}
	errVerbaleNotFound = &apiError{Status: http.StatusNotFound, Codice: "VERBALE_NON_TROVATO",
		Messaggio: "Non troviamo questo verbale tra i tuoi. Controlla il numero."}
	errNotPaid = &apiError{Status: http.StatusNotFound, Codice: "QUIETANZA_NON_DISPONIBILE",
		Messaggio: "Per questo verbale non risulta ancora un pagamento: la quietanza sarà disponibile dopo il pagamento."}
	errMethod = &apiError{Status: http.StatusMethodNotAllowed, Codice: "METODO_NON_CONSENTITO",
		Messaggio: "Questa operazione non è disponibile per questo indirizzo."}
	errInternal = &apiError{Status: http.StatusInternalServerError, Codice: "ERRORE_INTERNO",
		Messaggio: "Non è stato possibile preparare il documento. Riprova tra qualche minuto; se il problema continua, contatta l'assistenza."}
)

// AvvisoHandler answers GET with the payment notice of the citizen's
// verbale {numero} (chi URL parameter, path-escaped: numbers hold "/") as
// a PDF attachment. Another person's verbale, or one that does not exist,
// is 404 VERBALE_NON_TROVATO, so numbers cannot be probed; a verbale that
// cannot be paid with pagoPA is 409 AVVISO_NON_DISPONIBILE with the reason.
// Mount it behind auth's RequireCitizen.
func AvvisoHandler(st Store, cfg HandlerConfig) http.HandlerFunc {
	return serve(st, cfg, "avviso", func(r *http.Request, row store.VerbaleRow) ([]byte, error) {
		d, err := AvvisoFromVerbale(row, civil.FromTime(cfg.now()), cfg.Ente)
		var np *NotPayableError
		if errors.As(err, &np) {
			return nil, &apiError{Status: http.StatusConflict, Codice: "AVVISO_NON_DISPONIBILE", Messaggio: np.Motivo}
		}
		if err != nil {
			return nil, err
		}
		return AvvisoPagamento(d)
	})
}

// QuietanzaHandler answers GET with the receipt of the payment of the
// citizen's verbale {numero} as a PDF attachment: the pagoPA receipt the
// portal recorded or, failing that, the payment the gestionale reports.
// 404 VERBALE_NON_TROVATO as for AvvisoHandler; 404
// QUIETANZA_NON_DISPONIBILE while the verbale is not paid.
func QuietanzaHandler(st Store, cfg HandlerConfig) http.HandlerFunc {
	return serve(st, cfg, "quietanza", func(r *http.Request, row store.VerbaleRow) ([]byte, error) {
		var d QuietanzaData
		p, err := st.PaymentOf(r.Context(), row.NAV)
		switch {
		case err == nil:
			d, err = QuietanzaFromPayment(row, p, cfg.Ente, cfg.now())
		case errors.Is(err, store.ErrNotFound):
			d, err = QuietanzaFromVerbale(row, cfg.Ente, cfg.now())
			if errors.Is(err, ErrNotPaid) {
				return nil, errNotPaid
			}
		}
		if err != nil {
			return nil, err
		}
		return Quietanza(d)
	})
}

// serve finds the citizen's verbale, makes the document and sends it as
// kind-<numero>.pdf.
func serve(st Store, cfg HandlerConfig, kind string, build func(*http.Request, store.VerbaleRow) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		row, err := ownVerbale(r, st)
		var pdf []byte
		if err == nil {
			pdf, err = build(r, row)
		}
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) {
				// The detail goes to the log without personal data: the
				// route, not the verbale number or the citizen.
				cfg.logger().ErrorContext(r.Context(), "document failed", "document", kind, "err", err)
				e = errInternal
			}
			writeError(w, e)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/pdf")
		h.Set("Content-Disposition", `attachment; filename="`+kind+"-"+fileSafe(row.Numero)+`.pdf"`)
		h.Set("Content-Length", strconv.Itoa(len(pdf)))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(pdf)
		}
	}
}

// ownVerbale returns the verbale {numero} when the logged-in citizen is its
// offender or the owner jointly liable; any other case is not found.
func ownVerbale(r *http.Request, st Store) (store.VerbaleRow, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return store.VerbaleRow{}, errMethod
	}
	c, ok := auth.CitizenFrom(r.Context())
	if !ok || c.CodiceFiscale == "" {
		return store.VerbaleRow{}, errLoginRequired
	}
	// chi routes on the raw path, so a number with slashes, sent as %2F,
	// arrives still escaped.
	numero, err := url.PathUnescape(chi.URLParam(r, "numero"))
	if err != nil || numero == "" {
		return store.VerbaleRow{}, errVerbaleNotFound
	}
	row, err := st.VerbaleByNumero(r.Context(), numero)
	if errors.Is(err, store.ErrNotFound) {
		return row, errVerbaleNotFound
	}
	if err != nil {
		return row, err
	}
	if row.TrasgressoreCF != c.CodiceFiscale && row.ObbligatoCF != c.CodiceFiscale {
		return store.VerbaleRow{}, errVerbaleNotFound
	}
	return row, nil
}

// fileSafe turns a verbale number into a file name part: "2026/PM/000101"
// becomes "2026-PM-000101".
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(map[string]*apiError{"errore": e})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	w.Write(append(body, '\n'))
}
