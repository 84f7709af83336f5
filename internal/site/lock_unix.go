//go:build unix

package site

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDest takes an exclusive lock on dest+".lock" for the Builder's life,
// failing with ErrBusy when another process holds it.
func lockDest(dest string) (unlock func(), err error) {
	f, err := os.OpenFile(dest+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("site: lock %s: %w", dest, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return nil, ErrBusy
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("site: lock %s: %w", dest, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
