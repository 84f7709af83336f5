package limitazioni

import (
	"time"

	"github.com/gorilla/feeds"
)

// FeedInfo names the feed.
type FeedInfo struct {
	Title       string
	Description string
	// Link is the HTML page listing the restrictions; Self the feed's own
	// address.
	Link, Self string
	Author     string
	Email      string
}

// Feed builds the feed of the restrictions in force (gorilla/feeds writes
// it as Atom or JSON Feed). updated is the newest publication among them,
// or now when there are none, so readers see when the list last changed.
func Feed(info FeedInfo, items []Limitazione, now time.Time) *feeds.Feed {
	f := &feeds.Feed{
		Title:       info.Title,
		Description: info.Description,
		Link:        &feeds.Link{Href: info.Link},
		Id:          info.Self,
		Author:      &feeds.Author{Name: info.Author, Email: info.Email},
		Created:     now,
		Updated:     now,
	}
	var newest time.Time
	for _, l := range items {
		if l.Dal.After(newest) {
			newest = l.Dal
		}
		content := l.Descrizione
		if l.Livello != "" {
			content = "Livello: " + l.Livello + ". " + content
		}
		f.Items = append(f.Items, &feeds.Item{
			Id:          l.URL,
			Title:       l.Titolo,
			Link:        &feeds.Link{Href: l.URL},
			Description: content,
			Content:     l.Testo,
			Created:     l.Dal,
			Updated:     l.Dal,
		})
	}
	if !newest.IsZero() {
		f.Updated = newest
		f.Created = newest
	}
	return f
}
