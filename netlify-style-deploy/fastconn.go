package deploy

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"
)

const (
	// fastBufSize is the most a request head may take on the fast path;
	// a longer one goes to net/http.
	fastBufSize = 8 << 10
	// maxQueued is how many pipelined answers wait before a write.
	maxQueued = 16
	// lingerTime is how long a connection closed after an answer keeps
	// reading, so the client gets the answer rather than a reset (net/http
	// waits as long).
	lingerTime = 500 * time.Millisecond
	// newConnGrace: Shutdown leaves alone a new connection that has sent
	// nothing yet for this long, as net/http does, since its request may be
	// on the way.
	newConnGrace = 5 * time.Second
)

// A connection's state, for Shutdown.
const (
	connNew int32 = iota
	connActive
	connIdle
	connClosed
)

// fastConn is a connection the fast path serves.
type fastConn struct {
	net.Conn
	state    atomic.Int32
	accepted time.Time

	req fastRequest
	buf []byte
	// out holds the answers not yet written, head, end of head and body
	// of each: one writev sends them.
	out  net.Buffers
	vecs [3 * maxQueued][]byte

	readDeadline, writeDeadline time.Time

	// The last Accept-Encoding line and its qualities: a client sends the
	// same one on every request.
	accept     []byte
	acceptSeen bool
	br, gz     int
}

func (fs *FastServer) serveConn(c *fastConn) {
	defer func() {
		if v := recover(); v != nil {
			fs.Site.opts.Logger.Error("deploy fast path: panic serving a connection", "panic", v, "stack", string(debug.Stack()))
			c.Close()
			fs.remove(c)
		}
	}()
	if _, ok := c.Conn.(*tls.Conn); ok {
		// net/http makes the handshake, and HTTP/2 if negotiated.
		fs.remove(c)
		fs.handover.hand(c.Conn)
		return
	}
	rest, handOver := fs.serveRequests(c)
	fs.remove(c)
	if !handOver {
		c.Close()
		return
	}
	// net/http sets deadlines of its own, or none.
	c.SetDeadline(time.Time{})
	fs.handover.hand(&handedConn{Conn: c.Conn, buffered: rest})
}

// serveRequests answers requests on c until one is not for the fast path,
// then returns the bytes read of it and handOver true; or until the
// connection ends, and handOver is false.
func (fs *FastServer) serveRequests(c *fastConn) (rest []byte, handOver bool) {
	headerTimeout, idleTimeout, writeTimeout := fs.timeouts()
	c.buf = make([]byte, fastBufSize)
	c.out = c.vecs[:0]
	// The first head must come within the header timeout of the accept.
	c.setReadDeadline(c.accepted.Add(headerTimeout), 0)
	headTimed := true
	start, end := 0, 0
	for {
		if start == end {
			start, end = 0, 0
			if !c.flush(writeTimeout) {
				return nil, false
			}
			if c.state.Load() != connNew {
				if fs.shutdown.Load() {
					return nil, false
				}
				c.setReadDeadline(time.Now().Add(idleTimeout), idleTimeout/8)
				c.state.Store(connIdle)
			}
			n, err := c.Read(c.buf)
			if c.state.Swap(connActive) == connClosed || err != nil {
				return nil, false
			}
			end = n
		}

		state, n := parseHead(c.buf[start:end], &c.req)
		switch state {
		case headSlow:
			return c.buf[start:end], c.flush(writeTimeout)
		case headIncomplete:
			if end == len(c.buf) {
				if start == 0 {
					return c.buf[:end], c.flush(writeTimeout)
				}
				end = copy(c.buf, c.buf[start:end])
				start = 0
			}
			if !c.flush(writeTimeout) {
				return nil, false
			}
			if !headTimed {
				c.setReadDeadline(time.Now().Add(headerTimeout), 0)
				headTimed = true
			}
			m, err := c.Read(c.buf[end:])
			if err != nil {
				return nil, false
			}
			end += m
			continue
		}

		now := time.Now()
		a, ok := fs.answer(c)
		if !ok {
			return c.buf[start:end], c.flush(writeTimeout)
		}
		closing := c.req.close || fs.shutdown.Load()
		c.out = append(c.out, a.head, fs.endOfHead(now, closing))
		if len(a.body) > 0 {
			c.out = append(c.out, a.body)
		}
		if fs.Log != nil {
			fs.Log(c.req.method(), string(c.req.path), a.status, int64(len(a.body)), time.Since(now))
		}
		start += n
		headTimed = false
		if closing {
			if c.flush(writeTimeout) {
				c.linger()
			}
			return nil, false
		}
		if len(c.out) > len(c.vecs)-3 && !c.flush(writeTimeout) {
			return nil, false
		}
	}
}

// flush writes the queued answers.
func (c *fastConn) flush(timeout time.Duration) bool {
	if len(c.out) == 0 {
		return true
	}
	if t := time.Now().Add(timeout); t.Before(c.writeDeadline) || t.Sub(c.writeDeadline) > timeout/8 {
		c.SetWriteDeadline(t)
		c.writeDeadline = t
	}
	_, err := c.out.WriteTo(c.Conn)
	c.out = c.vecs[:0]
	return err == nil
}

// setReadDeadline sets the read deadline to t, unless it is already at
// most slack before t: moving a deadline on every request costs, and a
// timeout a little short of the configured one does no harm.
func (c *fastConn) setReadDeadline(t time.Time, slack time.Duration) {
	if t.Before(c.readDeadline) || t.Sub(c.readDeadline) > slack {
		c.SetReadDeadline(t)
		c.readDeadline = t
	}
}

// linger ends the connection as net/http does after a last answer: it
// stops sending, then reads and drops what the client may still send for
// a moment, so that the close does not reset the connection before the
// client has read the answer.
func (c *fastConn) linger() {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(lingerTime))
	for {
		if _, err := c.Read(c.buf); err != nil {
			return
		}
	}
}

// qualities are acceptedQuality of the request's Accept-Encoding.
func (c *fastConn) qualities() (br, gz int) {
	req := &c.req
	if req.nAccept != 1 {
		lines := make([]string, req.nAccept)
		for i := range lines {
			lines[i] = string(req.accept[i])
		}
		return acceptedQuality(lines)
	}
	if !c.acceptSeen || !bytes.Equal(req.accept[0], c.accept) {
		c.accept = append(c.accept[:0], req.accept[0]...)
		c.br, c.gz = acceptedQuality([]string{string(req.accept[0])})
		c.acceptSeen = true
	}
	return c.br, c.gz
}

// handedConn is a connection handed to net/http: reads return first the
// bytes the fast path had read.
type handedConn struct {
	net.Conn
	buffered []byte
}

func (c *handedConn) Read(p []byte) (int, error) {
	if len(c.buffered) > 0 {
		n := copy(p, c.buffered)
		c.buffered = c.buffered[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// ReadFrom keeps sendfile for the files net/http copies from disk, which
// it does only when the connection is an io.ReaderFrom.
func (c *handedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite lets net/http close a connection cleanly, as with a
// *net.TCPConn.
func (c *handedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
