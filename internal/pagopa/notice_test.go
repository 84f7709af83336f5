package pagopa

import (
	"errors"
	"testing"
)

func TestNewNoticeNumber(t *testing.T) {
	tests := map[string]struct {
		seg, base string
		want      string
		wantErr   string
	}{
		"example from the specification": {seg: "01", base: "0000000000123", want: "301000000000012373"},
		"check digits below ten":         {seg: "99", base: "0000000000000", want: "399000000000000057"},
		"segregation too short":          {seg: "1", base: "0000000000123", wantErr: `il codice di segregazione deve avere 2 cifre, non "1"`},
		"base with a letter":             {seg: "01", base: "000000000012A", wantErr: `la base dello IUV deve avere 13 cifre, non "000000000012A"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := NewNoticeNumber(tt.seg, tt.base)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrInvalidNoticeNumber) {
					t.Fatalf("NewNoticeNumber(%q, %q) error = %v, want %q", tt.seg, tt.base, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("NewNoticeNumber(%q, %q) = %s, want %s", tt.seg, tt.base, got, tt.want)
			}
			if got.IUV() != tt.want[1:] || got.SegregationCode() != tt.seg || got.Base() != tt.base {
				t.Errorf("parts of %s: IUV %s, segregation %s, base %s", got, got.IUV(), got.SegregationCode(), got.Base())
			}
		})
	}
}

func TestParseNoticeNumber(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    string
		wantErr string
	}{
		"valid":                  {in: "301000000000012373", want: "301000000000012373"},
		"grouped as printed":     {in: "3010 0000 0000 0123 73", want: "301000000000012373"},
		"pasted with a newline":  {in: " 301000000000012373\n", want: "301000000000012373"},
		"empty":                  {in: "", wantErr: "il codice avviso deve avere 18 cifre, ne ha 0"},
		"too short":              {in: "30100000000001237", wantErr: "il codice avviso deve avere 18 cifre, ne ha 17"},
		"too long":               {in: "3010000000000123730", wantErr: "il codice avviso deve avere 18 cifre, ne ha 19"},
		"letter":                 {in: "30100000000O012373", wantErr: `il codice avviso contiene 'O' in posizione 12: sono ammesse solo cifre`},
		"non-ASCII digit":        {in: "30100000000٠012373", wantErr: `il codice avviso contiene '٠' in posizione 12: sono ammesse solo cifre`},
		"aux digit 0 is retired": {in: "001000000000012373", wantErr: "il codice avviso deve iniziare con 3, inizia con 0"},
		"wrong check digits":     {in: "301000000000012374", wantErr: "le cifre di controllo del codice avviso non tornano: dovrebbero essere 73, sono 74"},
		"transposed digits":      {in: "301000000000021373", wantErr: "le cifre di controllo del codice avviso non tornano: dovrebbero essere 70, sono 73"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseNoticeNumber(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseNoticeNumber(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalidNoticeNumber) {
					t.Errorf("error %v does not match ErrInvalidNoticeNumber", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseNoticeNumber(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNoticeNumberFromSequence(t *testing.T) {
	tests := map[string]struct {
		seq     int64
		want    string
		wantErr bool
	}{
		"first":           {seq: 0, want: "301000000000000043"},
		"123":             {seq: 123, want: "301000000000012373"},
		"last":            {seq: IUVBaseMax - 1, want: "301999999999999982"},
		"negative":        {seq: -1, wantErr: true},
		"needs 14 digits": {seq: IUVBaseMax, wantErr: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := NoticeNumberFromSequence("01", tt.seq)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidNoticeNumber) {
					t.Fatalf("NoticeNumberFromSequence(01, %d) error = %v, want ErrInvalidNoticeNumber", tt.seq, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("NoticeNumberFromSequence(01, %d) = %s, want %s", tt.seq, got, tt.want)
			}
			if _, err := ParseNoticeNumber(got.String()); err != nil {
				t.Errorf("round trip: %v", err)
			}
		})
	}
}

func TestNoticeNumberText(t *testing.T) {
	n := MustParseNoticeNumber("301000000000012373")
	if g := n.Grouped(); g != "3010 0000 0000 0123 73" {
		t.Errorf("Grouped() = %q", g)
	}
	b, err := n.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var back NoticeNumber
	if err := back.UnmarshalText(b); err != nil || back != n {
		t.Errorf("UnmarshalText(%s) = %v, %v", b, back, err)
	}
	if err := back.UnmarshalText([]byte("12")); err == nil {
		t.Error("UnmarshalText accepted a short code")
	}
	if v, err := n.Value(); err != nil || v != "301000000000012373" {
		t.Errorf("Value() = %v, %v", v, err)
	}
	for _, src := range []any{"301000000000012373", []byte("301000000000012373")} {
		var scanned NoticeNumber
		if err := scanned.Scan(src); err != nil || scanned != n {
			t.Errorf("Scan(%T) = %v, %v", src, scanned, err)
		}
	}
	for _, src := range []any{"301000000000012374", 301000000000012373} {
		var scanned NoticeNumber
		if err := scanned.Scan(src); err == nil {
			t.Errorf("Scan(%#v) accepted a bad value", src)
		}
	}
	var zero NoticeNumber
	if v, err := zero.Value(); v != nil || err != nil {
		t.Errorf("zero Value() = %v, %v, want NULL", v, err)
	}
	if err := back.Scan(nil); err != nil || !back.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", back, err)
	}
	if !zero.IsZero() || zero.IUV() != "" || zero.Base() != "" || zero.SegregationCode() != "" {
		t.Error("zero NoticeNumber is not empty")
	}
}
