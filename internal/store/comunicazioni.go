package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/civil"
)

// Kinds of communication to the police.
const (
	ComDatiConducente     = "dati_conducente"
	ComContestazione      = "contestazione"
	ComRichiestaDocumento = "richiesta_documento"
)

// States of a communication. A driver identification waits for the driver's
// confirmation first; the others are received, then worked on. Every kind
// ends accepted or rejected.
const (
	ComInAttesaConferma = "in_attesa_conferma"
	ComConfermata       = "confermata"
	ComRicevuta         = "ricevuta"
	ComInLavorazione    = "in_lavorazione"
	ComAccolta          = "accolta"
	ComRespinta         = "respinta"
)

// Roles of a communication's files.
const (
	FileAllegato  = "allegato"  // the sender's attachment
	FilePatente   = "patente"   // the driver's licence image
	FileDocumento = "documento" // the document the office delivers
)

// ErrDriverNamed means the verbale already has a driver identification
// that the office has not rejected.
var ErrDriverNamed = errors.New("store: driver already named for this verbale")

// ErrComunicazioneState means the communication is not in a state that
// allows the change.
var ErrComunicazioneState = errors.New("store: communication not in a state that allows this")

// Comunicazione is a communication as stored.
type Comunicazione struct {
	ID           int64
	Protocollo   string
	Tipo         string
	Sottotipo    string
	Mittente     string // codice fiscale or partita IVA
	ConducenteCF string // dati_conducente only
	Numero       string // the verbale, "" when none
	Stato        string
	Dati         []byte // JSON
	Email        string
	CreataIl     time.Time
	ConfermataIl time.Time // zero until the driver confirms
	DecisaDa     string
	DecisaIl     time.Time // zero until decided
	Risposta     string
	File         []ComunicazioneFile // without Data
}

// ComunicazioneFile is a file of a communication. Data is only read by
// ComunicazioneFiles.
type ComunicazioneFile struct {
	ID          int64
	Ruolo       string
	Nome        string
	ContentType string
	Size        int
	Data        []byte
	CaricatoIl  time.Time
}

// Outgoing is what a change to a communication tells the world, written in
// the same transaction: an event for the gestionale and, when Email is set,
// an email to the sender.
type Outgoing struct {
	EventTipo string
	Event     any
	Email     *Email
	// Audit, when set, is the back-office audit row of a staff member's
	// action, so it exists exactly when the change does.
	Audit *AuditEntry
}

// OutgoingFunc builds the Outgoing of a change from the communication as
// changed (with its id and protocollo).
type OutgoingFunc func(Comunicazione) (Outgoing, error)

// ComunicazioneChange is a change of state, and what comes with it.
type ComunicazioneChange struct {
	Stato        string
	ConfermataIl time.Time // set when the driver confirms
	DecisaDa     string
	DecisaIl     time.Time
	Risposta     string
	Files        []ComunicazioneFile
	// Points, when set, is the points movement a validated driver
	// identification adds to the driver's licence.
	Points *ProfiloRow
}

// CreateComunicazione stores c with its files, giving it the next protocollo
// (PM-YYYY-NNNNNN, the year of c.CreataIl in Rome), and what out says in the
// same transaction. A second live driver identification of a verbale is
// ErrDriverNamed.
func (db *DB) CreateComunicazione(ctx context.Context, c Comunicazione, files []ComunicazioneFile, out OutgoingFunc) (Comunicazione, error) {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if c.Tipo == ComDatiConducente {
			var live int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM comunicazioni
				WHERE tipo = ? AND numero = ? AND stato <> ?`, ComDatiConducente, c.Numero, ComRespinta).Scan(&live); err != nil {
				return err
			}
			if live > 0 {
				return ErrDriverNamed
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM comunicazioni`).Scan(&c.ID); err != nil {
			return err
		}
		c.Protocollo = fmt.Sprintf("PM-%d-%06d", civil.FromTime(c.CreataIl).Year, c.ID)
		if _, err := tx.ExecContext(ctx, `INSERT INTO comunicazioni (id, protocollo, tipo, sottotipo, mittente,
			conducente_cf, numero, stato, dati, email, creata_il) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Protocollo, c.Tipo, c.Sottotipo, c.Mittente, c.ConducenteCF, c.Numero, c.Stato, string(c.Dati),
			c.Email, formatTime(c.CreataIl)); err != nil {
			return err
		}
		for _, f := range files {
			if err := insertFile(ctx, tx, c.ID, f, c.CreataIl); err != nil {
				return err
			}
		}
		return emit(ctx, tx, c, out)
	})
	if err != nil {
		return Comunicazione{}, err
	}
	return db.Comunicazione(ctx, c.ID)
}

func insertFile(ctx context.Context, tx *sql.Tx, id int64, f ComunicazioneFile, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO comunicazioni_file (comunicazione_id, ruolo, nome, content_type, dati, caricato_il)
		VALUES (?, ?, ?, ?, ?, ?)`, id, f.Ruolo, f.Nome, f.ContentType, f.Data, formatTime(at))
	return err
}

func emit(ctx context.Context, tx *sql.Tx, c Comunicazione, out OutgoingFunc) error {
	if out == nil {
		return nil
	}
	o, err := out(c)
	if err != nil {
		return err
	}
	if o.EventTipo != "" {
		if err := AppendEvent(ctx, tx, o.EventTipo, c.Numero, o.Event); err != nil {
			return err
		}
	}
	if o.Email != nil && o.Email.To != "" {
		if _, _, err := EnqueueEmail(ctx, tx, *o.Email, time.Now()); err != nil {
			return err
		}
	}
	if o.Audit != nil {
		return appendAudit(ctx, tx, *o.Audit)
	}
	return nil
}

// AddComunicazioneFile adds f to communication id while it is in one of
// states; ErrNotFound or ErrComunicazioneState otherwise.
func (db *DB) AddComunicazioneFile(ctx context.Context, id int64, states []string, f ComunicazioneFile, at time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var stato string
		err := tx.QueryRowContext(ctx, `SELECT stato FROM comunicazioni WHERE id = ?`, id).Scan(&stato)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !slices.Contains(states, stato) {
			return ErrComunicazioneState
		}
		return insertFile(ctx, tx, id, f, at)
	})
}

// UpdateComunicazione applies ch to communication id if it is in one of
// from, with what out says, in one transaction; ErrNotFound or
// ErrComunicazioneState otherwise.
func (db *DB) UpdateComunicazione(ctx context.Context, id int64, from []string, ch ComunicazioneChange, out OutgoingFunc) (Comunicazione, error) {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var stato string
		err := tx.QueryRowContext(ctx, `SELECT stato FROM comunicazioni WHERE id = ?`, id).Scan(&stato)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !slices.Contains(from, stato) {
			return fmt.Errorf("communication %d is %s: %w", id, stato, ErrComunicazioneState)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comunicazioni SET stato = ?,
			confermata_il = CASE WHEN ? = '' THEN confermata_il ELSE ? END,
			decisa_da = CASE WHEN ? = '' THEN decisa_da ELSE ? END,
			decisa_il = CASE WHEN ? = '' THEN decisa_il ELSE ? END,
			risposta = CASE WHEN ? = '' THEN risposta ELSE ? END
			WHERE id = ?`, ch.Stato,
			comOptTime(ch.ConfermataIl), comOptTime(ch.ConfermataIl), ch.DecisaDa, ch.DecisaDa,
			comOptTime(ch.DecisaIl), comOptTime(ch.DecisaIl), ch.Risposta, ch.Risposta, id); err != nil {
			return err
		}
		at := ch.DecisaIl
		if at.IsZero() {
			at = time.Now()
		}
		for _, f := range ch.Files {
			if err := insertFile(ctx, tx, id, f, at); err != nil {
				return err
			}
		}
		if ch.Points != nil {
			if _, err := upsertProfiloRecord(ctx, tx, *ch.Points, formatTime(at)); err != nil {
				return err
			}
		}
		c, err := comunicazioneTx(ctx, tx, id)
		if err != nil {
			return err
		}
		return emit(ctx, tx, c, out)
	})
	if err != nil {
		return Comunicazione{}, err
	}
	return db.Comunicazione(ctx, id)
}

func comOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

const comunicazioneColumns = `id, protocollo, tipo, sottotipo, mittente, conducente_cf, numero, stato, dati, email,
	creata_il, confermata_il, decisa_da, decisa_il, risposta`

func scanComunicazione(scan func(...any) error) (Comunicazione, error) {
	var c Comunicazione
	var dati, created, confirmed, decided string
	if err := scan(&c.ID, &c.Protocollo, &c.Tipo, &c.Sottotipo, &c.Mittente, &c.ConducenteCF, &c.Numero, &c.Stato,
		&dati, &c.Email, &created, &confirmed, &c.DecisaDa, &decided, &c.Risposta); err != nil {
		return c, err
	}
	c.Dati = []byte(dati)
	var err error
	if c.CreataIl, err = parseTime(created); err != nil {
		return c, err
	}
	if confirmed != "" {
		if c.ConfermataIl, err = parseTime(confirmed); err != nil {
			return c, err
		}
	}
	if decided != "" {
		if c.DecisaIl, err = parseTime(decided); err != nil {
			return c, err
		}
	}
	return c, nil
}

func comunicazioneTx(ctx context.Context, tx *sql.Tx, id int64) (Comunicazione, error) {
	return scanComunicazione(tx.QueryRowContext(ctx, `SELECT `+comunicazioneColumns+` FROM comunicazioni WHERE id = ?`, id).Scan)
}

// Comunicazione returns one communication with its files' metadata, or
// ErrNotFound.
func (db *DB) Comunicazione(ctx context.Context, id int64) (Comunicazione, error) {
	list, err := db.comunicazioni(ctx, `WHERE id = ?`, id)
	if err != nil {
		return Comunicazione{}, err
	}
	if len(list) == 0 {
		return Comunicazione{}, ErrNotFound
	}
	return list[0], nil
}

// ComunicazioniOf returns the communications cf sent or is named in as the
// driver, newest first.
func (db *DB) ComunicazioniOf(ctx context.Context, cf string) ([]Comunicazione, error) {
	return db.comunicazioni(ctx, `WHERE mittente = ? OR conducente_cf = ?`, cf, cf)
}

// ComunicazioniIn returns the communications in stato (all when ""), of
// kind tipo (all when ""), newest first.
func (db *DB) ComunicazioniIn(ctx context.Context, stato, tipo string) ([]Comunicazione, error) {
	return db.comunicazioni(ctx, `WHERE (? = '' OR stato = ?) AND (? = '' OR tipo = ?)`, stato, stato, tipo, tipo)
}

// DriverIdentificationOf returns the live driver identification of verbale
// numero (not rejected), or ErrNotFound.
func (db *DB) DriverIdentificationOf(ctx context.Context, numero string) (Comunicazione, error) {
	list, err := db.comunicazioni(ctx, `WHERE tipo = ? AND numero = ? AND stato <> ?`, ComDatiConducente, numero, ComRespinta)
	if err != nil {
		return Comunicazione{}, err
	}
	if len(list) == 0 {
		return Comunicazione{}, ErrNotFound
	}
	return list[0], nil
}

func (db *DB) comunicazioni(ctx context.Context, where string, args ...any) ([]Comunicazione, error) {
	rows, err := db.query(ctx, `SELECT `+comunicazioneColumns+` FROM comunicazioni `+where+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Comunicazione{}
	for rows.Next() {
		c, err := scanComunicazione(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// The files of all of them in one query, whatever their number.
	ids := make([]int64, len(out))
	at := make(map[int64]int, len(out))
	for i := range out {
		ids[i], at[out[i].ID] = out[i].ID, i
		out[i].File = []ComunicazioneFile{}
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	frows, err := db.query(ctx, `SELECT comunicazione_id, id, ruolo, nome, content_type, length(dati), caricato_il
		FROM comunicazioni_file WHERE comunicazione_id IN (SELECT value FROM json_each(?)) ORDER BY id`, string(list))
	if err != nil {
		return nil, err
	}
	defer frows.Close()
	for frows.Next() {
		var owner int64
		var f ComunicazioneFile
		var when string
		if err := frows.Scan(&owner, &f.ID, &f.Ruolo, &f.Nome, &f.ContentType, &f.Size, &when); err != nil {
			return nil, err
		}
		if f.CaricatoIl, err = parseTime(when); err != nil {
			return nil, err
		}
		i := at[owner]
		out[i].File = append(out[i].File, f)
	}
	return out, frows.Err()
}

// ComunicazioneFiles returns the files of communication id in role ruolo
// (all when ""), with their data, oldest first.
func (db *DB) ComunicazioneFiles(ctx context.Context, id int64, ruolo string) ([]ComunicazioneFile, error) {
	return db.files(ctx, id, ruolo, true)
}

func (db *DB) files(ctx context.Context, id int64, ruolo string, data bool) ([]ComunicazioneFile, error) {
	col := `CAST('' AS BLOB)`
	if data {
		col = `dati`
	}
	rows, err := db.query(ctx, `SELECT id, ruolo, nome, content_type, length(dati), `+col+`, caricato_il
		FROM comunicazioni_file WHERE comunicazione_id = ? AND (? = '' OR ruolo = ?) ORDER BY id`, id, ruolo, ruolo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ComunicazioneFile{}
	for rows.Next() {
		var f ComunicazioneFile
		var at string
		if err := rows.Scan(&f.ID, &f.Ruolo, &f.Nome, &f.ContentType, &f.Size, &f.Data, &at); err != nil {
			return nil, err
		}
		if !data {
			f.Data = nil
		}
		if f.CaricatoIl, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenPreNotices returns the verbali still in stato preavviso, unpaid
// through the portal and not yet sent on to formal notification.
func (db *DB) OpenPreNotices(ctx context.Context) ([]VerbaleRow, error) {
	rows, err := db.query(ctx, `SELECT `+verbaleColumns+verbaleFrom+`WHERE v.stato = 'preavviso' AND p.nav IS NULL
		AND NOT EXISTS (SELECT 1 FROM notifiche_formali n WHERE n.numero = v.numero) ORDER BY v.numero`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VerbaleRow
	for rows.Next() {
		v, err := scanVerbale(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// RecordFormalNotification records that verbale numero goes on to formal
// notification through canale, with its event for the gestionale, once: it
// reports false, and writes nothing, when it was recorded before.
func (db *DB) RecordFormalNotification(ctx context.Context, numero, canale string, at time.Time, event any) (bool, error) {
	recorded := false
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notifiche_formali (numero, canale, creata_il) VALUES (?, ?, ?)
			ON CONFLICT (numero) DO NOTHING`, numero, canale, formatTime(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		recorded = true
		return AppendEvent(ctx, tx, "notifica_formale_richiesta", numero, event)
	})
	return recorded, err
}

// SetStaffPartitaIVA ties the account username to a company's partita IVA
// (role azienda); ErrNotFound when there is no such account.
func (db *DB) SetStaffPartitaIVA(ctx context.Context, username, piva string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE staff_users SET partita_iva = ? WHERE username = ?`,
			strings.TrimSpace(piva), username)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// StaffPartitaIVA returns the partita IVA the account username is tied to
// ("" when none), or ErrNotFound.
func (db *DB) StaffPartitaIVA(ctx context.Context, username string) (string, error) {
	var piva string
	err := db.queryRow(ctx, `SELECT partita_iva FROM staff_users WHERE username = ?`, username).Scan(&piva)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return piva, err
}
