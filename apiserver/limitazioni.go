package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gorilla/feeds"

	"github.com/comune-torino/portale/internal/limitazioni"
)

var errLingua = &Error{Status: http.StatusBadRequest, Codice: "LINGUA_NON_DISPONIBILE",
	Messaggio: "Lingua non disponibile: usa it oppure en."}

var errLimitazioniNonDisponibili = &Error{Status: http.StatusServiceUnavailable, Codice: "LIMITAZIONI_NON_DISPONIBILI",
	Messaggio: "Le limitazioni al traffico non sono disponibili su questa installazione."}

// limitazioniOf reads the restrictions in force now in the language the
// query asks for (it by default).
func (s *Server) limitazioniOf(r *http.Request) (string, []limitazioni.Limitazione, error) {
	if s.cfg.Limitazioni == nil {
		return "", nil, errLimitazioniNonDisponibili
	}
	lang := r.URL.Query().Get("lingua")
	if lang == "" {
		lang = "it"
	}
	list, err := s.cfg.Limitazioni.Current(lang, s.cfg.Now())
	if errors.Is(err, limitazioni.ErrLingua) {
		return "", nil, errLingua
	}
	return lang, list, err
}

// publicFor lets shared caches keep a public answer for a minute: live
// data, but the same for everyone.
func publicFor(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "public, max-age=60")
}

// getLimitazioni answers GET /api/v1/limitazioni: the traffic
// restrictions in force at this moment.
func (s *Server) getLimitazioni(w http.ResponseWriter, r *http.Request) error {
	_, list, err := s.limitazioniOf(r)
	if err != nil {
		return err
	}
	publicFor(w)
	writeJSON(w, http.StatusOK, map[string]any{"aggiornato_il": s.cfg.Now().UTC(), "limitazioni": list})
	return nil
}

// restrictionsFeed is the feed of the restrictions in force, named in lang.
func (s *Server) restrictionsFeed(r *http.Request, self string) (string, *feeds.Feed, error) {
	lang, list, err := s.limitazioniOf(r)
	if err != nil {
		return "", nil, err
	}
	base := s.cfg.Limitazioni.BaseURL
	info := limitazioni.FeedInfo{
		Title:       "Limitazioni al traffico in vigore - Polizia Municipale",
		Description: "Le limitazioni al traffico in vigore in questo momento: semaforo antismog, lavori, eventi.",
		Link:        base + "/limitazioni/",
		Author:      "Polizia Municipale",
	}
	if s.cfg.Ente.Nome != "" {
		info.Author = s.cfg.Ente.Nome + " - Polizia Municipale"
	}
	if lang == "en" {
		info.Title = "Traffic restrictions in force - Municipal Police"
		info.Description = "The traffic restrictions in force right now: anti-smog levels, roadworks, events."
		info.Link = base + "/en/limitazioni/"
	}
	info.Self = base + "/api/v1/limitazioni/" + self + "?lingua=" + lang
	return lang, limitazioni.Feed(info, list, s.cfg.Now()), nil
}

// getLimitazioniAtom answers GET /api/v1/limitazioni/feed.atom.
func (s *Server) getLimitazioniAtom(w http.ResponseWriter, r *http.Request) error {
	_, f, err := s.restrictionsFeed(r, "feed.atom")
	if err != nil {
		return err
	}
	// gorilla/feeds takes the page's address as the feed's id; the feed's
	// own address is the stable one (RFC 4287 §4.2.6).
	af := (&feeds.Atom{Feed: f}).AtomFeed()
	af.Id = f.Id
	var buf bytes.Buffer
	if err := feeds.WriteXML(af, &buf); err != nil {
		return err
	}
	publicFor(w)
	writeBody(w, "application/atom+xml; charset=utf-8", buf.Bytes())
	return nil
}

// getLimitazioniJSONFeed answers GET /api/v1/limitazioni/feed.json
// (JSON Feed).
func (s *Server) getLimitazioniJSONFeed(w http.ResponseWriter, r *http.Request) error {
	lang, f, err := s.restrictionsFeed(r, "feed.json")
	if err != nil {
		return err
	}
	jf := (&feeds.JSON{Feed: f}).JSONFeed()
	jf.FeedUrl = f.Id
	jf.Language = lang
	body, err := json.Marshal(jf)
	if err != nil {
		return err
	}
	publicFor(w)
	writeBody(w, "application/feed+json; charset=utf-8", append(body, '\n'))
	return nil
}

func writeBody(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
