package profilo

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/codicefiscale"
	"github.com/comune-torino/portale/internal/pagopa"
)

// Problem is why a record or a request was refused: a stable code and a plain
// Italian reason.
type Problem struct {
	Codice    string `json:"codice"`
	Messaggio string `json:"messaggio"`
}

func (p *Problem) Error() string { return p.Codice + ": " + p.Messaggio }

func problem(code, format string, args ...any) *Problem {
	return &Problem{Codice: code, Messaggio: fmt.Sprintf(format, args...)}
}

// The codes of Problem. They are stable: the gestionale and the islands may
// match on them.
const (
	TipoNonValido          = "TIPO_NON_VALIDO"
	RecordNonLeggibile     = "RECORD_NON_LEGGIBILE"
	CodiceFiscaleNonValido = "CODICE_FISCALE_NON_VALIDO"
	CampoMancante          = "CAMPO_MANCANTE"
	DataNonValida          = "DATA_NON_VALIDA"
	DateIncoerenti         = "DATE_INCOERENTI"
	MovimentoNonValido     = "MOVIMENTO_NON_VALIDO"
	PuntiNonValidi         = "PUNTI_NON_VALIDI"
	VerbaleSconosciuto     = "VERBALE_SCONOSCIUTO"
	VerbaleDiAltri         = "VERBALE_DI_ALTRI"
	TargaNonValida         = "TARGA_NON_VALIDA"
	DocumentoNonValido     = "DOCUMENTO_NON_VALIDO"
	ImportoNonValido       = "IMPORTO_NON_VALIDO"
	NAVNonValido           = "NAV_NON_VALIDO"
	StatoNonValido         = "STATO_NON_VALIDO"
)

// maxText bounds free-text and identifier fields.
const maxText = 200

func checkHead(t *Testata) error {
	cf, err := codicefiscale.Parse(t.CodiceFiscale)
	var e *codicefiscale.Error
	if errors.As(err, &e) {
		return problem(CodiceFiscaleNonValido, "codice fiscale non valido: %s", e.Messaggio)
	}
	if err != nil {
		return err
	}
	t.CodiceFiscale = cf
	return nil
}

// field is a named text field of a record, for the checks.
type field struct {
	name  string
	value *string
}

// required trims the fields and refuses an empty or overlong one, in order.
func required(fields ...field) error {
	for _, f := range fields {
		*f.value = strings.TrimSpace(*f.value)
		if *f.value == "" {
			return problem(CampoMancante, "manca %s", f.name)
		}
		if err := checkText(f.name, *f.value); err != nil {
			return err
		}
	}
	return nil
}

func checkText(name, v string) error {
	if utf8.RuneCountInString(v) > maxText || strings.IndexFunc(v, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		return problem(RecordNonLeggibile, "%s è più lungo di %d caratteri o contiene caratteri non stampabili", name, maxText)
	}
	return nil
}

func checkDate(name, v string) error {
	if _, err := civil.Parse(v); err != nil {
		return problem(DataNonValida, "%s %q non è una data AAAA-MM-GG valida", name, v)
	}
	return nil
}

func (p *Patente) check() error {
	if err := checkHead(&p.Testata); err != nil {
		return err
	}
	if err := required(field{"numero", &p.Numero}, field{"categoria", &p.Categoria},
		field{"rilasciata_il", &p.RilasciataIl}, field{"scadenza", &p.Scadenza}); err != nil {
		return err
	}
	p.Numero = strings.ToUpper(p.Numero)
	for _, f := range []field{{"rilasciata_il", &p.RilasciataIl}, {"scadenza", &p.Scadenza}} {
		if err := checkDate(f.name, *f.value); err != nil {
			return err
		}
	}
	if !day(p.RilasciataIl).Before(day(p.Scadenza)) {
		return problem(DateIncoerenti, "la scadenza (%s) deve essere dopo il rilascio (%s)", p.Scadenza, p.RilasciataIl)
	}
	return nil
}

func (m *MovimentoPunti) check() error {
	if err := checkHead(&m.Testata); err != nil {
		return err
	}
	if err := required(field{"id", &m.ID}, field{"data", &m.Data}, field{"movimento", &m.Movimento}); err != nil {
		return err
	}
	if err := checkDate("data", m.Data); err != nil {
		return err
	}
	m.Verbale = strings.TrimSpace(m.Verbale)
	if err := checkText("verbale", m.Verbale); err != nil {
		return err
	}
	if err := checkText("descrizione", m.Descrizione); err != nil {
		return err
	}
	if m.Punti < 0 || m.Punti > 30 {
		return problem(PuntiNonValidi, "punti deve essere un numero da 1 a 30 (il segno lo dà il movimento)")
	}
	switch m.Movimento {
	case Decurtazione:
		if m.Verbale == "" {
			return problem(CampoMancante, "una decurtazione indica il verbale da cui nasce")
		}
	case Corso:
		if m.Punti == 0 {
			return problem(PuntiNonValidi, "un corso di recupero indica i punti recuperati (6 per le patenti A e B, 9 per le professionali)")
		}
	default:
		return problem(MovimentoNonValido, "movimento %q sconosciuto: usa decurtazione o corso", m.Movimento)
	}
	return nil
}

func (v *Veicolo) check() error {
	if err := checkHead(&v.Testata); err != nil {
		return err
	}
	targa, err := NormalizePlate(v.Targa)
	if err != nil {
		return err
	}
	v.Targa = targa
	v.Descrizione = strings.TrimSpace(v.Descrizione)
	return checkText("descrizione", v.Descrizione)
}

func (p *Permesso) check() error {
	if err := checkHead(&p.Testata); err != nil {
		return err
	}
	if err := required(field{"id", &p.ID}, field{"categoria", &p.Categoria}, field{"descrizione", &p.Descrizione},
		field{"valido_dal", &p.ValidoDal}, field{"scadenza", &p.Scadenza}); err != nil {
		return err
	}
	for _, f := range []field{{"valido_dal", &p.ValidoDal}, {"scadenza", &p.Scadenza}} {
		if err := checkDate(f.name, *f.value); err != nil {
			return err
		}
	}
	if day(p.Scadenza).Before(day(p.ValidoDal)) {
		return problem(DateIncoerenti, "la scadenza (%s) è prima dell'inizio di validità (%s)", p.Scadenza, p.ValidoDal)
	}
	for i, t := range p.Targhe {
		targa, err := NormalizePlate(t)
		if err != nil {
			return err
		}
		p.Targhe[i] = targa
	}
	return nil
}

func (d *Documento) check() error {
	if err := checkHead(&d.Testata); err != nil {
		return err
	}
	if d.Documento != CartaIdentita && d.Documento != Passaporto {
		return problem(DocumentoNonValido, "documento %q sconosciuto: usa carta_identita o passaporto (la patente arriva con tipo patente)", d.Documento)
	}
	d.Numero = strings.ToUpper(strings.TrimSpace(d.Numero))
	if err := checkText("numero", d.Numero); err != nil {
		return err
	}
	if err := required(field{"scadenza", &d.Scadenza}); err != nil {
		return err
	}
	return checkDate("scadenza", d.Scadenza)
}

func (r *RichiestaPagamento) check() error {
	if err := checkHead(&r.Testata); err != nil {
		return err
	}
	if err := required(field{"id", &r.ID}, field{"ufficio", &r.Ufficio}, field{"oggetto", &r.Oggetto},
		field{"scadenza", &r.Scadenza}, field{"stato", &r.Stato}); err != nil {
		return err
	}
	if err := checkDate("scadenza", r.Scadenza); err != nil {
		return err
	}
	if r.ImportoCent <= 0 {
		return problem(ImportoNonValido, "importo_cent deve essere un numero intero di centesimi maggiore di zero")
	}
	if r.Stato != DaPagare && r.Stato != Pagata && r.Stato != Annullata {
		return problem(StatoNonValido, "stato %q sconosciuto: usa da_pagare, pagata o annullata", r.Stato)
	}
	if r.NAV = strings.TrimSpace(r.NAV); r.NAV != "" {
		if _, err := pagopa.ParseNoticeNumber(r.NAV); err != nil {
			return problem(NAVNonValido, "nav %q non è un numero avviso pagoPA valido (18 cifre con il codice di controllo)", r.NAV)
		}
	}
	return nil
}

// NormalizePlate writes a plate as the registries do: capitals, no spaces or
// hyphens. It refuses what cannot be a plate.
func NormalizePlate(s string) (string, error) {
	t := strings.ToUpper(strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' || c == '\t' {
			return -1
		}
		return c
	}, s))
	ok := len(t) >= 5 && len(t) <= 10 && strings.ContainsAny(t, "0123456789")
	for _, c := range t {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			ok = false
		}
	}
	if !ok {
		return "", problem(TargaNonValida, "la targa %q non è valida: scrivila con lettere e numeri, senza spazi (per esempio GH482KL)", strings.TrimSpace(s))
	}
	return t, nil
}
