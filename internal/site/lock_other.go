//go:build !unix

package site

import "sync"

// Without flock, the lock only covers this process: on such systems do not
// run two portal processes on the same data directory.
var (
	locksMu sync.Mutex
	locks   = map[string]bool{}
)

func lockDest(dest string) (unlock func(), err error) {
	locksMu.Lock()
	defer locksMu.Unlock()
	if locks[dest] {
		return nil, ErrBusy
	}
	locks[dest] = true
	return func() {
		locksMu.Lock()
		defer locksMu.Unlock()
		delete(locks, dest)
	}, nil
}
