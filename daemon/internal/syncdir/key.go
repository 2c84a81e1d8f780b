package syncdir

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// A key code is what the user types on each device to share the sync key:
// 24 random characters from a 32-letter alphabet without look-alikes
// (120 bits) and one check character, in five groups of five:
//
//	K7QP3-M9XTA-4HWZ2-RC6VN-8JDEF
//
// The secretbox key is derived from it with HKDF-SHA256. The code is the
// secret: it is shown once, never written to the shared folder.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" // Crockford base32

const codeLen = 25

// ErrBadCode is returned for a code that is mistyped or not a key code.
var ErrBadCode = errors.New("not a sync key code")

// NewKeyCode returns a fresh random key code.
func NewKeyCode() string {
	b := make([]byte, codeLen-1)
	rand.Read(b)
	raw := make([]byte, 0, codeLen)
	for _, x := range b {
		raw = append(raw, codeAlphabet[int(x)%32]) // 256 is a multiple of 32: no bias
	}
	raw = append(raw, codeAlphabet[check(raw)])
	return group(string(raw))
}

func check(raw []byte) int {
	sum := 0
	for i, c := range raw {
		sum += (2*i + 1) * strings.IndexByte(codeAlphabet, c)
	}
	return sum % 32 // odd weights: any single mistyped character changes it
}

func group(raw string) string {
	var parts []string
	for i := 0; i < len(raw); i += 5 {
		parts = append(parts, raw[i:i+5])
	}
	return strings.Join(parts, "-")
}

// NormalizeKeyCode checks a typed code and returns it in its canonical form
// (upper case, grouped). Spaces and dashes are ignored, and O, I and L are
// read as 0, 1 and 1.
func NormalizeKeyCode(s string) (string, error) {
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(codeAlphabet, byte(r)) < 0 {
			return "", fmt.Errorf("%w: %q is not a letter of a key code", ErrBadCode, r)
		}
		raw = append(raw, byte(r))
	}
	if len(raw) != codeLen {
		return "", fmt.Errorf("%w: it has %d characters, a key code has %d (five groups of five)", ErrBadCode, len(raw), codeLen)
	}
	if codeAlphabet[check(raw[:codeLen-1])] != raw[codeLen-1] {
		return "", fmt.Errorf("%w: a character is mistyped (the check letter does not match)", ErrBadCode)
	}
	return group(string(raw)), nil
}

// KeyFromCode derives the secretbox key from a key code.
func KeyFromCode(code string) (*Key, error) {
	c, err := NormalizeKeyCode(code)
	if err != nil {
		return nil, err
	}
	b, err := hkdf.Key(sha256.New, []byte(strings.ReplaceAll(c, "-", "")), []byte("mindful sync v1"), "segment key", 32)
	if err != nil {
		return nil, err
	}
	var k Key
	copy(k[:], b)
	return &k, nil
}
