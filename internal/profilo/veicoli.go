package profilo

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/comune-torino/portale/internal/store"
)

// Registry is the national vehicle registries behind an adapter: the PRA
// (ACI) for ownership and the MCTC (Motorizzazione) for registration. The
// portal asks it who owns a plate before adding it to a citizen's list (A8).
//
// An implementation answers ErrPlateUnknown for a plate the registries do
// not hold, and any other error when they cannot be asked; its errors are
// logged, so they must not carry the plate or anyone's fiscal code.
type Registry interface {
	Vehicle(ctx context.Context, targa string) (RegisteredVehicle, error)
}

// RegisteredVehicle is what the registries know of a plate.
type RegisteredVehicle struct {
	Targa       string
	Descrizione string   // make and model, e.g. "Fiat Panda 1.2"
	Intestatari []string // fiscal codes of the owners (more than one when co-owned)
}

// ErrPlateUnknown is a plate the registries do not hold.
var ErrPlateUnknown = errors.New("profilo: plate not in the vehicle registries")

// Codes of the answers to a vehicle the citizen adds.
const (
	TargaSconosciuta    = "TARGA_SCONOSCIUTA"
	VeicoloNonIntestato = "VEICOLO_NON_INTESTATO"
)

// CheckOwner refuses a vehicle that is not cf's according to the
// registries. The reason never says whose it is.
func CheckOwner(v RegisteredVehicle, cf string) error {
	if !slices.Contains(v.Intestatari, cf) {
		return problem(VeicoloNonIntestato, "Il veicolo targato %s non risulta intestato a te nel Pubblico Registro Automobilistico: puoi aggiungere solo i veicoli di cui sei proprietario o comproprietario.", v.Targa)
	}
	return nil
}

// UnknownPlate is the answer to a plate the registries do not hold.
func UnknownPlate(targa string) error {
	return problem(TargaSconosciuta, "La targa %s non risulta nei registri dei veicoli (PRA e Motorizzazione): controlla di averla scritta bene.", targa)
}

// VoceVeicolo is a vehicle in the citizen's list.
type VoceVeicolo struct {
	Targa       string    `json:"targa"`
	Descrizione string    `json:"descrizione"`
	Origine     string    `json:"origine"` // gestionale or cittadino
	AggiuntoIl  time.Time `json:"aggiunto_il"`
}

// Vehicles is the citizen's vehicle list as they read it.
func Vehicles(rows []store.Veicolo) []VoceVeicolo {
	out := make([]VoceVeicolo, 0, len(rows))
	for _, v := range rows {
		out = append(out, Vehicle(v))
	}
	return out
}

// Vehicle is one vehicle as the citizen reads it.
func Vehicle(v store.Veicolo) VoceVeicolo {
	return VoceVeicolo{Targa: v.Targa, Descrizione: v.Descrizione, Origine: v.Origine, AggiuntoIl: v.AggiuntoIl}
}
