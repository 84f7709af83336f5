package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/comune-torino/portale/internal/config"
)

// Mailer hands a message to a mail server. An error wrapped with Permanent
// gives the message up; any other is retried.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// SMTPMailer sends through the server of portale.toml's [smtp] section.
type SMTPMailer struct {
	cfg    config.SMTP
	from   *mail.Address
	domain string // for Message-ID
}

// sendTimeout bounds one connection to the mail server, from dial to QUIT.
const sendTimeout = 30 * time.Second

// NewSMTPMailer checks cfg and returns a mailer for it.
func NewSMTPMailer(cfg config.SMTP) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("notify: smtp.host is empty")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp.from %q: %w", cfg.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	if _, err := clientOptions(cfg); err != nil {
		return nil, err
	}
	return &SMTPMailer{cfg: cfg, from: from, domain: domain}, nil
}

func clientOptions(cfg config.SMTP) ([]gomail.Option, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(sendTimeout)}
	switch cfg.TLS {
	case config.SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case config.SMTPImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case config.SMTPOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case config.SMTPNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("notify: smtp.tls %q is not starttls, tls, opportunistic or none", cfg.TLS)
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	return opts, nil
}

// Send delivers m in a connection of its own. A recipient the server refuses
// for good (5xx) or a malformed address is a permanent failure.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return Permanent(fmt.Errorf("notify: recipient: %w", err))
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID + "@" + s.domain)
	} else {
		msg.SetMessageID()
	}
	// Automatic mail: no out-of-office replies back to a mailbox nobody reads.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("notify: attachment %q: %w", a.Name, err)
		}
	}
	opts, err := clientOptions(s.cfg)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode() >= 500 {
			return Permanent(err)
		}
		return err
	}
	return nil
}
