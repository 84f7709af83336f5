package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// Event is something a citizen did that the gestionale must learn of
// (a payment, a plan proposal, a communication), in the order it happened.
type Event struct {
	ID      int64           `json:"id"`
	Tipo    string          `json:"tipo"`
	Numero  string          `json:"numero,omitempty"` // the verbale concerned, if any
	Payload json.RawMessage `json:"dati"`
	Created time.Time       `json:"creato"`
}

// AppendEvent records an event inside tx, so it is written exactly when the
// change it describes is.
func AppendEvent(ctx context.Context, tx *sql.Tx, tipo, numero string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO events (tipo, numero, payload, created_at) VALUES (?, NULLIF(?, ''), ?, ?)`,
		tipo, numero, body, time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// EventsAfter returns up to limit events with id greater than after, oldest
// first: the gestionale reads the feed with the last id as its cursor.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := db.query(ctx, `SELECT id, tipo, COALESCE(numero, ''), payload, created_at
		FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var payload, created string
		if err := rows.Scan(&e.ID, &e.Tipo, &e.Numero, &payload, &created); err != nil {
			return nil, err
		}
		e.Payload = json.RawMessage(payload)
		if e.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
