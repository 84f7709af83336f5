package deploy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// FastServer serves plain-TCP HTTP/1.1 connections with a loop of its own
// for the request that makes most of a public site's traffic — a GET or
// HEAD of a file of the live deploy held in memory, answered 200 or 304 —
// and hands every other connection, with the bytes already read, to
// Fallback, which keeps it to the end. The answers are byte for byte those
// of Site behind net/http, Date aside; what the fast path skips is
// net/http's cost per request (a Request, a header map, a context and a
// goroutine reading in the background), which on a small machine is most of
// the time a static answer takes.
//
// The fast path takes only what it is sure of: a GET or HEAD with an
// origin-form target of plain characters (letters, digits, - . _ ~ /),
// HTTP/1.1, one Host, no body, and none of Range, If-Range, If-Match,
// If-Unmodified-Since, Expect, Upgrade or Transfer-Encoding. Redirects,
// 404s, previews, files read from disk, deploys with forced rules, and every
// request Reaches says the application routes elsewhere go to Fallback.
// It is meant for plain-TCP listeners: a TLS connection goes to Fallback
// untouched.
type FastServer struct {
	// Site is the deploy server whose live deploy the fast path answers from.
	Site *Server
	// Fallback serves the connections the fast path hands over.
	Fallback *http.Server
	// Reaches reports whether Fallback's handler hands a request with this
	// method and (unescaped) path to Site; nil means it always does. It is
	// asked once per path of each live deploy.
	Reaches func(method, path string) bool
	// Log, when set, is called after each answer of the fast path, so the
	// request log stays what Fallback's handler writes.
	Log func(method, path string, status int, bytes int64, elapsed time.Duration)
	// ReadHeaderTimeout bounds the time to read a request head, IdleTimeout
	// the wait for the next request on a kept-alive connection, and
	// WriteTimeout the time to write an answer. Unset, they are Fallback's
	// (ReadTimeout standing in for the first two, as in net/http), else 10 s,
	// 120 s and 120 s: a connection that sends nothing, or a head byte by
	// byte, does not hold a goroutine for ever.
	ReadHeaderTimeout, IdleTimeout, WriteTimeout time.Duration

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*fastConn]struct{}
	handover  *handoverListener
	shutdown  atomic.Bool
	date      atomic.Pointer[dateLines]
	reachMu   sync.Mutex
	reach     atomic.Pointer[reachTable]
}

// Serve accepts connections on ln until Shutdown or Close, serving each
// with the fast path and Fallback. It always returns a non-nil error:
// http.ErrServerClosed after Shutdown or Close.
func (fs *FastServer) Serve(ln net.Listener) error {
	if fs.Site == nil || fs.Fallback == nil {
		return errors.New("deploy: a FastServer needs a Site and a Fallback")
	}
	if !fs.track(ln) {
		ln.Close()
		return http.ErrServerClosed
	}
	defer fs.untrack(ln)
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if fs.shutdown.Load() {
				return http.ErrServerClosed
			}
			// Running out of file descriptors passes; back off as net/http does.
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		fc := &fastConn{Conn: c, accepted: time.Now()}
		if !fs.add(fc) {
			c.Close()
			return http.ErrServerClosed
		}
		go fs.serveConn(fc)
	}
}

// Shutdown stops accepting connections, closes the idle ones, waits for
// those answering to finish, then shuts Fallback down with ctx.
func (fs *FastServer) Shutdown(ctx context.Context) error {
	fs.shutdown.Store(true)
	fs.closeListeners()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !fs.closeIdle() {
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), fs.Fallback.Shutdown(ctx))
		case <-tick.C:
		}
	}
	return fs.Fallback.Shutdown(ctx)
}

// Close closes the listeners and every connection at once, Fallback's too.
func (fs *FastServer) Close() error {
	fs.shutdown.Store(true)
	fs.closeListeners()
	fs.mu.Lock()
	for c := range fs.conns {
		c.state.Store(connClosed)
		c.Close()
	}
	fs.mu.Unlock()
	return fs.Fallback.Close()
}

// track records a listener and, the first time, starts Fallback on the
// connections to be handed over.
func (fs *FastServer) track(ln net.Listener) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.shutdown.Load() {
		return false
	}
	if fs.listeners == nil {
		fs.listeners = map[net.Listener]struct{}{}
		fs.conns = map[*fastConn]struct{}{}
	}
	fs.listeners[ln] = struct{}{}
	if fs.handover == nil {
		fs.handover = &handoverListener{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
		// Fallback.Serve closes the listener when it returns (after
		// Shutdown or Close), which makes later handovers fail fast.
		go fs.Fallback.Serve(fs.handover)
	}
	return true
}

func (fs *FastServer) untrack(ln net.Listener) {
	fs.mu.Lock()
	delete(fs.listeners, ln)
	fs.mu.Unlock()
}

func (fs *FastServer) closeListeners() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for ln := range fs.listeners {
		ln.Close()
	}
}

func (fs *FastServer) add(c *fastConn) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.shutdown.Load() {
		return false
	}
	fs.conns[c] = struct{}{}
	return true
}

func (fs *FastServer) remove(c *fastConn) {
	fs.mu.Lock()
	delete(fs.conns, c)
	fs.mu.Unlock()
}

// closeIdle closes the connections waiting for a request and reports
// whether none is left.
func (fs *FastServer) closeIdle() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for c := range fs.conns {
		switch c.state.Load() {
		case connIdle:
			if c.state.CompareAndSwap(connIdle, connClosed) {
				c.Close()
			}
		case connNew:
			if time.Since(c.accepted) > newConnGrace && c.state.CompareAndSwap(connNew, connClosed) {
				c.Close()
			}
		}
	}
	return len(fs.conns) == 0
}

func (fs *FastServer) timeouts() (header, idle, write time.Duration) {
	header, idle, write = fs.ReadHeaderTimeout, fs.IdleTimeout, fs.WriteTimeout
	if header <= 0 {
		header = firstPositive(fs.Fallback.ReadHeaderTimeout, fs.Fallback.ReadTimeout, 10*time.Second)
	}
	if idle <= 0 {
		idle = firstPositive(fs.Fallback.IdleTimeout, fs.Fallback.ReadTimeout, 120*time.Second)
	}
	if write <= 0 {
		write = firstPositive(fs.Fallback.WriteTimeout, 120*time.Second)
	}
	return header, idle, write
}

// firstPositive returns the first positive duration.
func firstPositive(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

// handoverListener is how connections reach Fallback: its Accept returns
// the connections the fast path hands over.
type handoverListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *handoverListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *handoverListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *handoverListener) Addr() net.Addr { return l.addr }

// hand gives c to Fallback, or closes it when Fallback has stopped.
func (l *handoverListener) hand(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}
