package profilo

import (
	"net/mail"
	"strings"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// The channels a citizen may choose for notifications (A9).
const (
	CanalePEC   = "pec"
	CanalePosta = "posta"
)

// Codes of the answers to a preference.
const (
	CanaleNonValido = "CANALE_NON_VALIDO"
	PECMancante     = "PEC_MANCANTE"
	PECNonValida    = "PEC_NON_VALIDA"
)

// Preferenza is how the citizen wants notifications to arrive.
type Preferenza struct {
	Canale string `json:"canale"`
	PEC    string `json:"pec,omitempty"`
	// Predefinita: the citizen never chose, notifications go by post.
	Predefinita  bool       `json:"predefinita"`
	AggiornataIl *time.Time `json:"aggiornata_il,omitempty"`
}

// DefaultPreference is what applies until the citizen chooses: ordinary post,
// to the address the registry office holds.
func DefaultPreference() Preferenza {
	return Preferenza{Canale: CanalePosta, Predefinita: true}
}

// Preference is a stored choice as the citizen reads it.
func Preference(p store.PreferenzaNotifica) Preferenza {
	at := p.AggiornatoIl
	return Preferenza{Canale: p.Canale, PEC: p.PEC, AggiornataIl: &at}
}

// CheckPreference validates a choice: a channel, and for PEC an address in
// the form of an email address. Whether the mailbox really is certified
// (PEC) cannot be told from the address, so the message asks for one.
func CheckPreference(canale, pec string) (Preferenza, error) {
	canale, pec = strings.TrimSpace(canale), strings.TrimSpace(pec)
	switch canale {
	case CanalePosta:
		return Preferenza{Canale: CanalePosta}, nil
	case CanalePEC:
	default:
		return Preferenza{}, problem(CanaleNonValido, "Scegli come ricevere le notifiche: «pec» (posta elettronica certificata) o «posta» (raccomandata all'indirizzo di residenza).")
	}
	if pec == "" {
		return Preferenza{}, problem(PECMancante, "Scrivi l'indirizzo della tua casella PEC, per esempio mario.rossi@pec.it.")
	}
	addr, err := mail.ParseAddress(pec)
	at := strings.LastIndex(pec, "@")
	if err != nil || addr.Address != pec || len(pec) > 254 || at < 1 || !strings.Contains(pec[at+1:], ".") ||
		strings.HasSuffix(pec, ".") {
		return Preferenza{}, problem(PECNonValida, "L'indirizzo «%s» non è valido: scrivilo nella forma nome@dominio.it. Deve essere una casella di posta elettronica certificata (PEC): a un indirizzo email ordinario le notifiche non hanno valore legale.", pec)
	}
	return Preferenza{Canale: CanalePEC, PEC: strings.ToLower(pec)}, nil
}
