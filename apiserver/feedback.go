package apiserver

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/comune-torino/portale/internal/store"
)

func errFeedback(msg string) error {
	return &Error{Status: http.StatusBadRequest, Codice: "VALUTAZIONE_NON_VALIDA", Messaggio: msg}
}

type feedbackRequest struct {
	Pagina   string `json:"pagina"`
	Lingua   string `json:"lingua"`
	Voto     int    `json:"voto"`
	Motivo   string `json:"motivo"`
	Commento string `json:"commento"`
}

// postFeedback answers POST /api/v1/feedback, the rating component on every
// public page: JSON from the island, or the plain form without JavaScript
// (then the page comes from the Referer and the reader is sent back to it).
func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	var req feedbackRequest
	form := false
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return errFeedback("La valutazione non è leggibile.")
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return errFeedback("La valutazione non è leggibile.")
		}
		form = true
		req.Pagina, req.Lingua, req.Commento = r.PostForm.Get("pagina"), r.PostForm.Get("lingua"), r.PostForm.Get("commento")
		req.Voto, _ = strconv.Atoi(r.PostForm.Get("voto"))
		req.Motivo = r.PostForm.Get("motivo_positivo") + r.PostForm.Get("motivo_negativo")
		if req.Pagina == "" {
			if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
				req.Pagina = ref.Path
			}
		}
	default:
		return errFeedback("Invia la valutazione come modulo o come JSON.")
	}
	rating, err := checkFeedback(req)
	if err != nil {
		return err
	}
	if err := s.cfg.DB.SaveRating(r.Context(), rating); err != nil {
		return err
	}
	if form {
		http.Redirect(w, r, rating.Page+"?valutazione=grazie#feedback-title", http.StatusSeeOther)
		return nil
	}
	writeJSON(w, http.StatusCreated, map[string]bool{"ricevuta": true})
	return nil
}

func checkFeedback(req feedbackRequest) (store.Rating, error) {
	switch {
	case req.Voto < 1 || req.Voto > 5:
		return store.Rating{}, errFeedback("Scegli da 1 a 5 stelle.")
	case !strings.HasPrefix(req.Pagina, "/") || strings.HasPrefix(req.Pagina, "//") || len(req.Pagina) > 300:
		return store.Rating{}, errFeedback("Manca la pagina valutata.")
	case req.Lingua != "it" && req.Lingua != "en":
		return store.Rating{}, errFeedback("Lingua non riconosciuta.")
	case len(req.Motivo) > 100 || utf8.RuneCountInString(req.Commento) > 200:
		return store.Rating{}, errFeedback("Il commento può avere al massimo 200 caratteri.")
	}
	return store.Rating{Page: req.Pagina, Lang: req.Lingua, Stars: req.Voto, Reason: req.Motivo,
		Comment: strings.TrimSpace(req.Commento)}, nil
}
