package store

import "context"

// UnpaidNotices calls fn with the notice number of every verbale that has no
// recorded payment, in notice order, reading in pages so that a million
// verbali never sit in memory at once and no read transaction stays open
// while fn works (fn may write, e.g. record a payment it learns of). The
// verbale's own state (cancelled, under appeal, …) is for the caller to judge.
func (db *DB) UnpaidNotices(ctx context.Context, fn func(nav string) error) error {
	const page = 1000
	after := ""
	for {
		navs, err := db.unpaidNoticesAfter(ctx, after, page)
		if err != nil {
			return err
		}
		for _, nav := range navs {
			if err := fn(nav); err != nil {
				return err
			}
		}
		if len(navs) < page {
			return nil
		}
		after = navs[len(navs)-1]
	}
}

func (db *DB) unpaidNoticesAfter(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := db.query(ctx, `SELECT v.nav FROM verbali v
		WHERE v.nav > ? AND NOT EXISTS (SELECT 1 FROM pagamenti p WHERE p.nav = v.nav)
		ORDER BY v.nav LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	navs := make([]string, 0, limit)
	for rows.Next() {
		var nav string
		if err := rows.Scan(&nav); err != nil {
			return nil, err
		}
		navs = append(navs, nav)
	}
	return navs, rows.Err()
}
