package store

import (
	"context"
	"database/sql"
	"time"
)

// Rating is a reader's rating of a public page.
type Rating struct {
	Page    string
	Lang    string
	Stars   int
	Reason  string
	Comment string
}

// SaveRating records a rating.
func (db *DB) SaveRating(ctx context.Context, r Rating) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO valutazioni (pagina, lingua, voto, motivo, commento, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.Page, r.Lang, r.Stars, r.Reason, r.Comment, time.Now().UTC().Format(time.RFC3339))
		return err
	})
}

// PageRating is the average rating of a page and how many rated it.
type PageRating struct {
	Page    string  `json:"pagina"`
	Count   int     `json:"valutazioni"`
	Average float64 `json:"media"`
}

// PageRatings returns pages by number of ratings since a time, most rated first.
func (db *DB) PageRatings(ctx context.Context, since time.Time, limit int) ([]PageRating, error) {
	rows, err := db.query(ctx, `SELECT pagina, COUNT(*), AVG(voto) FROM valutazioni WHERE created_at >= ?
		GROUP BY pagina ORDER BY COUNT(*) DESC, pagina LIMIT ?`, since.UTC().Format(time.RFC3339), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PageRating
	for rows.Next() {
		var p PageRating
		if err := rows.Scan(&p.Page, &p.Count, &p.Average); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
