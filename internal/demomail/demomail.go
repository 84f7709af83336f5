// Package demomail is the demo's mail sink: a real SMTP server on the
// loopback interface that keeps what it receives in memory, and a web
// mailbox (served at /demo-mail) where a newcomer sees every email the
// portal sent. It is for `portale demo` and tests only: nothing it receives
// ever leaves the machine.
package demomail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/comune-torino/portale/internal/config"
)

// Keep is how many messages the sink holds; older ones are dropped.
const Keep = 500

// maxMessageBytes bounds one message, attachments included.
const maxMessageBytes = 20 << 20

// Message is an email as the sink received it.
type Message struct {
	ID       int
	Received time.Time
	From     string   // envelope sender
	To       []string // envelope recipients
	Subject  string
	Date     string // the Date header, as sent
	Text     string
	HTML     string
	// Attachments are the parts that are neither the text nor the HTML body.
	Attachments []Attachment
	Raw         []byte
	// ParseError says why the message could not be read as MIME; Raw still
	// holds it.
	ParseError string
}

// Attachment is a file received with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Sink is a running SMTP server with its mailbox.
type Sink struct {
	// Addr is where the server listens, e.g. 127.0.0.1:43817.
	Addr string

	server   *smtp.Server
	listener net.Listener
	done     chan struct{}

	mu       sync.Mutex
	messages []Message // oldest first
	nextID   int
}

// Start listens on a free port of 127.0.0.1 and serves SMTP until Close.
// It offers no TLS and accepts no authentication: configure the sender with
// config.SMTPNoTLS and no username (see Config).
func Start(logger *slog.Logger) (*Sink, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demomail: listen: %w", err)
	}
	s := &Sink{Addr: ln.Addr().String(), listener: ln, done: make(chan struct{}), nextID: 1}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	s.server = srv
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			logger.Error("demo mail sink stopped", "err", err)
		}
	}()
	return s, nil
}

// Close stops the server and waits for it.
func (s *Sink) Close() error {
	err := s.server.Close()
	// The server closes only the listeners Serve has registered: one that
	// Serve has not reached yet would keep it accepting for ever.
	s.listener.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Config is base pointed at the sink: its host and port, no TLS, no
// authentication. A base without a sender gets the demo's.
func (s *Sink) Config(base config.SMTP) config.SMTP {
	host, port, _ := net.SplitHostPort(s.Addr)
	base.Host = host
	base.Port, _ = strconv.Atoi(port)
	base.TLS = config.SMTPNoTLS
	base.Username, base.Password = "", ""
	if base.From == "" {
		base.From = "Polizia Municipale (prova) <noreply@portale.invalid>"
	}
	return base
}

// Messages returns what the sink holds, newest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[len(out)-1-i] = m
	}
	return out
}

// Message returns the message with id, if the sink still holds it.
func (s *Sink) Message(id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID = s.nextID
	s.nextID++
	s.messages = append(s.messages, m)
	if len(s.messages) > Keep {
		s.messages = append([]Message(nil), s.messages[len(s.messages)-Keep:]...)
	}
}

// session is one SMTP conversation.
type session struct {
	sink *Sink
	from string
	to   []string
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{Received: time.Now(), From: ss.from, To: append([]string(nil), ss.to...), Raw: raw}
	if err := parse(bytes.NewReader(raw), &m); err != nil {
		m.ParseError = err.Error()
	}
	ss.sink.add(m)
	return nil
}
