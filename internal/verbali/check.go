package verbali

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/comune-torino/portale/internal/cds"
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/partitaiva"
)

// Problem is why a record was refused: a stable code and a plain Italian
// reason for the operator who reads the import report.
type Problem struct {
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

func (p *Problem) Error() string { return p.Codice + ": " + p.Messaggio }

func problem(code, format string, args ...any) *Problem {
	return &Problem{Codice: code, Messaggio: fmt.Sprintf(format, args...)}
}

// The codes of Problem. They are stable: the gestionale may match on them.
const (
	NumeroNonValido        = "NUMERO_NON_VALIDO"
	VersioneNonValida      = "VERSIONE_NON_VALIDA"
	StatoNonValido         = "STATO_NON_VALIDO"
	DataNonValida          = "DATA_NON_VALIDA"
	DateIncoerenti         = "DATE_INCOERENTI"
	ViolazioniMancanti     = "VIOLAZIONI_MANCANTI"
	ArticoloSconosciuto    = "ARTICOLO_SCONOSCIUTO"
	TariffaNonInVigore     = "TARIFFA_NON_IN_VIGORE"
	ImportoNonValido       = "IMPORTO_NON_VALIDO"
	CodiceFiscaleNonValido = "CODICE_FISCALE_NON_VALIDO"
	PartitaIVANonValida    = "PARTITA_IVA_NON_VALIDA"
	PersonaMancante        = "PERSONA_MANCANTE"
	TargaNonValida         = "TARGA_NON_VALIDA"
	RecordNonLeggibile     = "RECORD_NON_LEGGIBILE"
)

// Check normalises r in place (codes and plates in capitals, no spaces) and
// reports the first reason it cannot be imported, as a *Problem.
func Check(r *Record, rules cds.Config) error {
	r.Numero = strings.TrimSpace(r.Numero)
	if r.Numero == "" || len(r.Numero) > 40 || strings.IndexFunc(r.Numero, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		return problem(NumeroNonValido, "manca il numero del verbale, o è più lungo di 40 caratteri")
	}
	if r.Versione < 1 {
		return problem(VersioneNonValida, "la versione deve essere un numero da 1 in su")
	}
	if !stati[r.Stato] {
		return problem(StatoNonValido, "stato %q sconosciuto: usa preavviso, contestato, notificato, pagato, ricorso, rateizzato, coattivo o archiviato", r.Stato)
	}
	at, err := time.Parse(time.RFC3339, r.DataOra)
	if err != nil {
		return problem(DataNonValida, "data_ora %q non è nel formato 2026-03-09T23:10:00+01:00", r.DataOra)
	}
	day := civil.FromTime(at)
	r.Targa = strings.ToUpper(strings.Join(strings.Fields(r.Targa), ""))
	if len(r.Targa) > 12 || strings.IndexFunc(r.Targa, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) }) >= 0 {
		return problem(TargaNonValida, "targa %q non valida", r.Targa)
	}
	if len(r.Violazioni) == 0 {
		return problem(ViolazioniMancanti, "il verbale non ha violazioni")
	}
	for i := range r.Violazioni {
		if err := checkViolazione(&r.Violazioni[i], rules, day); err != nil {
			return err
		}
	}
	if r.Trasgressore == nil && r.Obbligato == nil {
		return problem(PersonaMancante, "manca sia il trasgressore sia l'obbligato in solido")
	}
	for _, p := range []*Persona{r.Trasgressore, r.Obbligato} {
		if p == nil {
			continue
		}
		if p.PartitaIVA != "" {
			if p == r.Trasgressore {
				return problem(PartitaIVANonValida, "il trasgressore è una persona: la partita IVA va solo sull'obbligato in solido")
			}
			piva, err := partitaiva.Parse(p.PartitaIVA)
			if err != nil {
				return problem(PartitaIVANonValida, "%v", err)
			}
			// A company's codice fiscale is, for the portal, its partita IVA:
			// pagoPA names it as a legal person (11 digits).
			p.PartitaIVA = piva
			if p.CodiceFiscale == "" || p.CodiceFiscale == piva {
				p.CodiceFiscale = piva
				continue
			}
		}
		cf, err := codicefiscale.Parse(p.CodiceFiscale)
		if err != nil {
			return problem(CodiceFiscaleNonValido, "codice fiscale non valido: %s", reason(err))
		}
		p.CodiceFiscale = cf
	}
	served := map[string]*string{"data_contestazione": &r.DataContestazione, "data_notifica": &r.DataNotifica}
	for name, v := range served {
		if *v == "" {
			continue
		}
		d, err := civil.Parse(*v)
		if err != nil {
			return problem(DataNonValida, "%s %q non è una data AAAA-MM-GG valida", name, *v)
		}
		if d.Before(day) {
			return problem(DateIncoerenti, "%s %s è prima della violazione (%s)", name, *v, day)
		}
	}
	if r.DataContestazione == "" && r.DataNotifica == "" && r.Stato != StatoPreavviso && r.Stato != StatoArchiviato {
		return problem(DataNonValida, "manca data_contestazione o data_notifica (obbligatoria salvo che per i preavvisi)")
	}
	if r.SpeseCent < 0 {
		return problem(ImportoNonValido, "spese_cent non può essere negativo")
	}
	if r.Pagamento != nil {
		if _, err := civil.Parse(r.Pagamento.Data); err != nil {
			return problem(DataNonValida, "pagamento.data %q non è una data AAAA-MM-GG valida", r.Pagamento.Data)
		}
		if r.Pagamento.ImportoCent <= 0 {
			return problem(ImportoNonValido, "pagamento.importo_cent deve essere positivo")
		}
	}
	return nil
}

func checkViolazione(v *Violazione, rules cds.Config, day civil.Date) error {
	v.Articolo, v.Comma = strings.TrimSpace(v.Articolo), strings.TrimSpace(v.Comma)
	if v.TariffaNonPagataCent < 0 {
		return problem(ImportoNonValido, "tariffa_non_pagata_cent non può essere negativa (art. %s)", v.Articolo)
	}
	if v.MinimoCent != nil || v.MassimoCent != nil {
		if v.MinimoCent == nil || v.MassimoCent == nil || *v.MinimoCent <= 0 || *v.MassimoCent < *v.MinimoCent {
			return problem(ImportoNonValido, "art. %s c. %s: servono minimo_cent e massimo_cent, positivi, con il minimo non oltre il massimo", v.Articolo, v.Comma)
		}
		if v.Punti != nil && (*v.Punti < 0 || *v.Punti > 20) {
			return problem(ImportoNonValido, "art. %s c. %s: punti fuori da 0–20", v.Articolo, v.Comma)
		}
		return nil
	}
	if _, err := rules.Lookup(v.Articolo, v.Comma, day); err != nil {
		if errors.Is(err, cds.ErrUnknownViolation) {
			return problem(ArticoloSconosciuto, "art. %s comma %s non è nella tabella delle sanzioni: invia anche minimo_cent e massimo_cent", v.Articolo, v.Comma)
		}
		return problem(TariffaNonInVigore, "art. %s comma %s: nessun importo in vigore il %s: invia anche minimo_cent e massimo_cent", v.Articolo, v.Comma, day)
	}
	return nil
}

func reason(err error) string {
	var e *codicefiscale.Error
	if errors.As(err, &e) {
		return e.Messaggio
	}
	return err.Error()
}
