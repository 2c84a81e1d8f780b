package syncdir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample(dev string, seq int64) Segment {
	return Segment{Device: dev, Name: "laptop", Seq: seq, Created: 1700000000000,
		Records: []Record{{Kind: "event", ID: "c1/e1", At: 1, Data: []byte(`{"type":"open","domain":"example.org"}`)}}}
}

func TestRoundTripPlainAndSealed(t *testing.T) {
	key, err := KeyFromCode(NewKeyCode())
	if err != nil {
		t.Fatal(err)
	}
	dev := NewDeviceID()
	for _, k := range []*Key{nil, key} {
		data, err := Encode(sample(dev, 3), k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data, k)
		if err != nil {
			t.Fatalf("key %v: %v", k != nil, err)
		}
		if got.Device != dev || got.Seq != 3 || len(got.Records) != 1 || got.Records[0].ID != "c1/e1" {
			t.Fatalf("round trip: %+v", got)
		}
		// Every strict prefix is refused, never half-read.
		for n := 0; n < len(data); n += 7 {
			if _, err := Decode(data[:n], k); err == nil {
				t.Fatalf("key %v: prefix of %d/%d bytes decoded", k != nil, n, len(data))
			}
		}
	}
}

func TestSealedRevealsOnlySize(t *testing.T) {
	key, _ := KeyFromCode(NewKeyCode())
	seg := sample(NewDeviceID(), 1)
	seg.Records[0].Data = []byte(`{"domain":"secret-site.example","note":"private words"}`)
	data, _ := Encode(seg, key)
	for _, s := range []string{"secret-site", "private", seg.Device, "laptop", "event"} {
		if bytes.Contains(data, []byte(s)) {
			t.Fatalf("sealed segment shows %q", s)
		}
	}
	if _, err := Decode(data, nil); !errors.Is(err, ErrNeedKey) {
		t.Fatalf("without key: %v", err)
	}
	other, _ := KeyFromCode(NewKeyCode())
	if _, err := Decode(data, other); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("other key: %v", err)
	}
	// Same content twice gives different bytes (fresh nonce).
	data2, _ := Encode(seg, key)
	if bytes.Equal(data, data2) {
		t.Fatal("two seals are equal")
	}
}

func TestDecodeBadInput(t *testing.T) {
	good, _ := Encode(sample(NewDeviceID(), 1), nil)
	future := bytes.Replace(good, []byte("MINDFUL-SEGMENT 1"), []byte("MINDFUL-SEGMENT 2"), 1)
	flipped := bytes.Clone(good)
	flipped[40] ^= 1
	// A checksum that matches a body that is not gzip'd JSON.
	notJSON := []byte("MINDFUL-SEGMENT 1 gzip\nhello\nsha256 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n")
	cases := map[string]struct {
		data []byte
		want error
	}{
		"foreign":   {[]byte("hello world\nthis is a text file\n"), ErrForeign},
		"empty":     {nil, ErrDamaged}, // a file the engine has only created
		"future":    {future, ErrFuture},
		"flipped":   {flipped, ErrDamaged},
		"truncated": {good[:len(good)-3], ErrDamaged},
		"not gzip":  {notJSON, ErrDamaged},
	}
	for name, c := range cases {
		if _, err := Decode(c.data, nil); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
}

func TestWriteIsAtomicAndNeverOverwrites(t *testing.T) {
	base := t.TempDir()
	dev := NewDeviceID()
	p, err := Write(base, sample(dev, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "000000000001.seg" || filepath.Base(filepath.Dir(p)) != dev {
		t.Fatalf("path %s", p)
	}
	before, _ := os.ReadFile(p)
	other := sample(dev, 1)
	other.Name = "desktop"
	if _, err := Write(base, other, nil); !errors.Is(err, ErrExists) {
		t.Fatalf("second writer of the same number: %v", err)
	}
	after, _ := os.ReadFile(p)
	if !bytes.Equal(before, after) {
		t.Fatal("existing segment was overwritten")
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Fatalf("temp files left: %v", ents)
	}
	if _, err := Read(p, nil); err != nil {
		t.Fatal(err)
	}
	// A segment moved into another device's folder is refused.
	dev2 := NewDeviceID()
	os.MkdirAll(DeviceDir(base, dev2), 0o700)
	moved := filepath.Join(DeviceDir(base, dev2), "000000000001.seg")
	os.WriteFile(moved, before, 0o600)
	if _, err := Read(moved, nil); !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), dev2) {
		t.Fatalf("moved segment: %v", err)
	}
}

func TestListSkipsConflictsAndStrangers(t *testing.T) {
	base := t.TempDir()
	dev := NewDeviceID()
	Write(base, sample(dev, 1), nil)
	d := DeviceDir(base, dev)
	for _, n := range []string{"000000000001.sync-conflict-20260101-101010-ABCDEFG.seg", ".syncthing.000000000002.seg.tmp", "notes.txt", ".000000000003.seg.abc.partial"} {
		os.WriteFile(filepath.Join(d, n), []byte("x"), 0o600)
	}
	os.MkdirAll(filepath.Join(base, Root, "not-a-device"), 0o700)
	l, err := List(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Segments[dev]) != 1 || l.Segments[dev][1] == "" {
		t.Fatalf("segments: %v", l.Segments)
	}
	all := strings.Join(l.Notices, "\n")
	for _, want := range []string{"sync-conflict", "notes.txt", "not-a-device"} {
		if !strings.Contains(all, want) {
			t.Errorf("no notice about %s in:\n%s", want, all)
		}
	}
	for _, quiet := range []string{".syncthing.", ".partial"} {
		if strings.Contains(all, quiet) {
			t.Errorf("notice about in-flight file %s:\n%s", quiet, all)
		}
	}
}

func TestKeyCodes(t *testing.T) {
	c := NewKeyCode()
	if len(c) != 29 || strings.Count(c, "-") != 4 {
		t.Fatalf("code %q", c)
	}
	k1, err := KeyFromCode(c)
	if err != nil {
		t.Fatal(err)
	}
	typed := strings.ToLower(strings.ReplaceAll(c, "-", " "))
	k2, err := KeyFromCode(typed)
	if err != nil || *k1 != *k2 {
		t.Fatalf("typed in lower case with spaces: %v", err)
	}
	// One wrong character is caught by the check letter.
	raw := []byte(strings.ReplaceAll(c, "-", ""))
	for i := range raw {
		bad := bytes.Clone(raw)
		j := strings.IndexByte(codeAlphabet, bad[i])
		bad[i] = codeAlphabet[(j+1)%32]
		if _, err := KeyFromCode(string(bad)); !errors.Is(err, ErrBadCode) {
			t.Fatalf("typo at %d accepted", i)
		}
	}
	if _, err := KeyFromCode("ABC"); !errors.Is(err, ErrBadCode) {
		t.Fatal("short code accepted")
	}
}
