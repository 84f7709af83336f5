//go:build !unix

package deploy

import "sync"

// Without flock, the lock only covers this process: on such systems run Prune
// only when no other process is creating a deploy.
var storeLock sync.RWMutex

func (s *Store) lock(exclusive bool) (unlock func(), err error) {
	if exclusive {
		storeLock.Lock()
		return storeLock.Unlock, nil
	}
	storeLock.RLock()
	return storeLock.RUnlock, nil
}
