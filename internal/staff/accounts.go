package staff

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/comune-torino/portale/internal/store"
)

// NewAccount is what an administrator gives to create an account.
type NewAccount struct {
	Username string
	Name     string
	Email    string
	Role     Role
	Sections []string
	Password string
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

var (
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
	sectionPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// ErrExists means the username is taken.
var ErrExists = errors.New("nome utente già in uso")

// AddAccount checks a and stores it with the password hashed by bcrypt.
// Name defaults to the username and Email to username@localhost: commits in
// the site repository need both.
func AddAccount(ctx context.Context, st Store, a NewAccount, now time.Time) (User, error) {
	a.Username = strings.TrimSpace(a.Username)
	if !usernamePattern.MatchString(a.Username) {
		return User{}, fmt.Errorf("nome utente %q non valido: da 2 a 64 caratteri tra lettere minuscole, cifre, punto, trattino e trattino basso", a.Username)
	}
	if _, err := ParseRole(string(a.Role)); err != nil {
		return User{}, err
	}
	for _, s := range a.Sections {
		if !sectionPattern.MatchString(s) {
			return User{}, fmt.Errorf("sezione %q non valida: usa il nome della cartella sotto content/, es. notizie", s)
		}
	}
	if len([]rune(a.Password)) < MinPasswordLength {
		return User{}, fmt.Errorf("la password deve avere almeno %d caratteri", MinPasswordLength)
	}
	if strings.TrimSpace(a.Name) == "" {
		a.Name = a.Username
	}
	if strings.TrimSpace(a.Email) == "" {
		a.Email = a.Username + "@localhost"
	}
	if strings.ContainsAny(a.Name+a.Email, "<>\n\r") || !strings.Contains(a.Email, "@") {
		return User{}, errors.New("nome o email non validi")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(a.Password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, err
	}
	id, err := st.CreateStaffUser(ctx, store.StaffUser{Username: a.Username, DisplayName: a.Name, Email: a.Email,
		Role: string(a.Role), Sections: a.Sections, PasswordHash: string(hash), CreatedAt: now})
	if errors.Is(err, store.ErrStaffExists) {
		return User{}, fmt.Errorf("%w: %s", ErrExists, a.Username)
	}
	if err != nil {
		return User{}, err
	}
	return User{ID: id, Username: a.Username, Name: a.Name, Email: a.Email, Role: a.Role, Sections: a.Sections}, nil
}

// Accounts lists every account, with the end of its lock if locked.
func Accounts(ctx context.Context, st Store) ([]Account, error) {
	rows, err := st.StaffUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(rows))
	for i, u := range rows {
		out[i] = Account{User: userOf(u), LockedUntil: u.LockedUntil}
	}
	return out, nil
}

// Account is a user as an administrator sees it.
type Account struct {
	User
	LockedUntil time.Time
}

// GeneratePassword returns 16 random characters, unambiguous to read aloud
// (no 0/O, 1/l/I).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	return randomFrom(alphabet, 16)
}

// randomFrom draws n characters of alphabet uniformly: bytes past the last
// whole multiple of the alphabet's length are drawn again.
func randomFrom(alphabet string, n int) string {
	limit := byte(256 - 256%len(alphabet))
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	for len(out) < n {
		rand.Read(b)
		if b[0] < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}

// DemoAccounts are the demo's staff, each with password "demo-" + username.
var DemoAccounts = []NewAccount{
	{Username: "redattore", Name: "Redattore di prova", Role: Redattore, Sections: []string{"notizie", "limitazioni", "faq"}},
	{Username: "redattore-esperto", Name: "Redattore esperto di prova", Role: RedattoreEsperto},
	{Username: "validatore", Name: "Validatore di prova", Role: Validatore},
	{Username: "admin", Name: "Amministratore di prova", Role: Amministratore},
	{Username: "operatore", Name: "Operatore di prova", Role: Operatore},
	{Username: "responsabile", Name: "Responsabile di prova", Role: Responsabile},
}

// SeedDemo creates the demo staff that are missing; those already there
// are left as they are.
func SeedDemo(ctx context.Context, db *store.DB) error {
	for _, a := range DemoAccounts {
		a.Password = "demo-" + a.Username
		a.Email = a.Username + "@demo.portale.invalid"
		if _, err := AddAccount(ctx, db, a, time.Now()); err != nil && !errors.Is(err, ErrExists) {
			return fmt.Errorf("account di prova %s: %w", a.Username, err)
		}
	}
	return nil
}
