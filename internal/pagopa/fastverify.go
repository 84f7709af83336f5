package pagopa

import "bytes"

// fastVerify reads a paVerifyPaymentNoticeReq in the one shape the node
// sends it — an envelope, an optional empty Header, the Body, and the
// request's five values as plain text in schema order — without
// encoding/xml, whose allocations are most of the cost of a verification.
// It gives up (ok false) at anything else: comments, entities, CDATA,
// attributes other than namespace declarations, a default namespace,
// elements out of order, non-ASCII or control characters, another
// encoding. decodeRequest then reads the message with encoding/xml, which
// decides. A fuzz test checks that whenever fastVerify accepts a message,
// encoding/xml reads the same values from it.
func fastVerify(msg []byte) (verifyRequest, bool) {
	var req verifyRequest
	s := scanner{in: msg}
	if !s.prolog() {
		return req, false
	}
	if !s.open(soapEnvNS, "Envelope") {
		return req, false
	}
	if s.peekOpen(soapEnvNS, "Header") {
		if !s.open(soapEnvNS, "Header") || !s.empty || !s.closeEmpty() {
			return req, false
		}
	}
	if !s.open(soapEnvNS, "Body") || !s.open(paForNodeNS, "paVerifyPaymentNoticeReq") {
		return req, false
	}
	ok := s.leaf("idPA", &req.IDPA) && s.leaf("idBrokerPA", &req.IDBrokerPA) && s.leaf("idStation", &req.IDStation) &&
		s.open("", "qrCode") && s.leaf("fiscalCode", &req.QRCode.FiscalCode) && s.leaf("noticeNumber", &req.QRCode.NoticeNumber) &&
		s.close() && s.close() && s.close() && s.close()
	if !ok {
		return req, false
	}
	s.space()
	return req, s.pos == len(s.in)
}

// scanner walks a message tag by tag, keeping the open elements with the
// namespace prefixes each declares.
type scanner struct {
	in    []byte
	pos   int
	stack []element
	empty bool // the last open tag was self-closing (<x/>)
}

type element struct {
	name  []byte            // as written, with its prefix
	names map[string]string // prefixes declared on it
}

func (s *scanner) space() {
	for s.pos < len(s.in) {
		switch s.in[s.pos] {
		case ' ', '\t', '\n':
			s.pos++
		default:
			return
		}
	}
}

// prolog skips an XML declaration that says UTF-8 (or nothing) and the
// whitespace after it, and refuses any byte outside printable ASCII, tab
// and newline anywhere in the message.
func (s *scanner) prolog() bool {
	for _, c := range s.in {
		if c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n') {
			return false
		}
	}
	if bytes.HasPrefix(s.in, []byte("<?xml")) {
		end := bytes.Index(s.in, []byte("?>"))
		if end < 0 {
			return false
		}
		decl := bytes.ToLower(s.in[:end])
		if i := bytes.Index(decl, []byte("encoding")); i >= 0 && !bytes.Contains(decl[i:], []byte("utf-8")) {
			return false
		}
		if !bytes.Contains(decl, []byte(`version="1.0"`)) && !bytes.Contains(decl, []byte(`version='1.0'`)) {
			return false
		}
		s.pos = end + 2
	}
	s.space()
	return true
}

// resolve finds the namespace of a prefix in the open elements, the
// innermost first; "" for no prefix (there is no default namespace: a
// declaration of one gives up).
func (s *scanner) resolve(prefix string) (string, bool) {
	if prefix == "" {
		return "", true
	}
	for i := len(s.stack) - 1; i >= 0; i-- {
		if ns, ok := s.stack[i].names[prefix]; ok {
			return ns, true
		}
	}
	return "", false
}

// tag reads "<prefix:local attrs>" or "<.../>" at the current position.
func (s *scanner) tag() (name []byte, names map[string]string, selfClosing bool, ok bool) {
	s.space()
	if s.pos >= len(s.in) || s.in[s.pos] != '<' {
		return nil, nil, false, false
	}
	i := s.pos + 1
	start := i
	for i < len(s.in) && isNameByte(s.in[i]) {
		i++
	}
	if i == start {
		return nil, nil, false, false
	}
	name = s.in[start:i]
	for {
		j := i
		for j < len(s.in) && (s.in[j] == ' ' || s.in[j] == '\t' || s.in[j] == '\n') {
			j++
		}
		if j >= len(s.in) {
			return nil, nil, false, false
		}
		switch {
		case s.in[j] == '>':
			s.pos = j + 1
			return name, names, false, true
		case s.in[j] == '/' && j+1 < len(s.in) && s.in[j+1] == '>':
			s.pos = j + 2
			return name, names, true, true
		case j == i:
			return nil, nil, false, false // attributes must be separated by space
		}
		// An attribute: only xmlns:prefix="uri" is accepted.
		k := j
		for k < len(s.in) && isNameByte(s.in[k]) {
			k++
		}
		attr := s.in[j:k]
		prefix, found := bytes.CutPrefix(attr, []byte("xmlns:"))
		if !found || len(prefix) == 0 || bytes.IndexByte(prefix, ':') >= 0 || k+1 >= len(s.in) || s.in[k] != '=' {
			return nil, nil, false, false
		}
		quote := s.in[k+1]
		if quote != '"' && quote != '\'' {
			return nil, nil, false, false
		}
		end := bytes.IndexByte(s.in[k+2:], quote)
		if end < 0 {
			return nil, nil, false, false
		}
		value := s.in[k+2 : k+2+end]
		if len(value) == 0 || bytes.ContainsAny(value, "<&") {
			return nil, nil, false, false
		}
		if names == nil {
			names = map[string]string{}
		}
		if _, dup := names[string(prefix)]; dup {
			return nil, nil, false, false
		}
		names[string(prefix)] = string(value)
		i = k + 2 + end + 1
	}
}

func isNameByte(c byte) bool {
	return c == ':' || c == '_' || c == '-' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// splitName splits "prefix:local"; a name with more than one colon gives up.
func splitName(name []byte) (prefix, local string, ok bool) {
	p, l, found := bytes.Cut(name, []byte(":"))
	if !found {
		return "", string(name), len(name) > 0 && (name[0] < '0' || name[0] > '9') && name[0] != '-' && name[0] != '.'
	}
	if len(p) == 0 || len(l) == 0 || bytes.IndexByte(l, ':') >= 0 {
		return "", "", false
	}
	return string(p), string(l), true
}

// peekOpen tells whether the next tag opens ns:local, without moving.
func (s *scanner) peekOpen(ns, local string) bool {
	save, depth := s.pos, len(s.stack)
	ok := s.open(ns, local)
	s.pos, s.stack = save, s.stack[:depth]
	return ok
}

// open reads the start tag of ns:local and enters it.
func (s *scanner) open(ns, local string) bool {
	name, names, selfClosing, ok := s.tag()
	if !ok {
		return false
	}
	s.stack = append(s.stack, element{name: name, names: names})
	prefix, l, ok := splitName(name)
	if !ok || l != local {
		return false
	}
	got, ok := s.resolve(prefix)
	if !ok || got != ns {
		return false
	}
	s.empty = selfClosing
	if selfClosing {
		return local == "Header"
	}
	return true
}

// closeEmpty leaves a self-closing element.
func (s *scanner) closeEmpty() bool {
	s.stack = s.stack[:len(s.stack)-1]
	s.empty = false
	return true
}

// close reads the end tag of the innermost open element.
func (s *scanner) close() bool {
	s.space()
	top := s.stack[len(s.stack)-1]
	want := len("</") + len(top.name)
	if s.pos+want > len(s.in) || !bytes.HasPrefix(s.in[s.pos:], []byte("</")) || !bytes.Equal(s.in[s.pos+2:s.pos+want], top.name) {
		return false
	}
	i := s.pos + want
	for i < len(s.in) && (s.in[i] == ' ' || s.in[i] == '\t' || s.in[i] == '\n') {
		i++
	}
	if i >= len(s.in) || s.in[i] != '>' {
		return false
	}
	s.pos = i + 1
	s.stack = s.stack[:len(s.stack)-1]
	return true
}

// leaf reads <local>text</local> in no namespace, its text plain: no
// markup, no entity.
func (s *scanner) leaf(local string, v *string) bool {
	if !s.open("", local) || s.empty {
		return false
	}
	end := bytes.IndexByte(s.in[s.pos:], '<')
	if end < 0 {
		return false
	}
	text := s.in[s.pos : s.pos+end]
	if bytes.ContainsAny(text, "&>") {
		return false
	}
	s.pos += end
	*v = string(text)
	return s.close()
}
