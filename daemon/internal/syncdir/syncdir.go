// Package syncdir is the on-disk side of sharing one practice between
// several computers through a folder that a file-sync engine (Syncthing,
// Nextcloud, Dropbox, a network share) already keeps in step.
//
// Layout: each device writes only into its own subfolder, so no two devices
// ever write the same file and the engine never has a conflict to resolve:
//
//	PATH/mindful/
//	  <device-id>/            written only by that device
//	    000000000001.seg      a segment: records, appended as new files
//	    000000000002.seg
//	    .000000000003.seg.x7.partial   being written (temp, then renamed)
//	  <other-device-id>/ ...
//
// A segment is written to a temp file, synced, then linked to its final
// name, which fails if the name exists: a second machine writing under the
// same device id is noticed instead of overwritten. Segments never change
// once written. Reading is safe while the engine is halfway: a truncated,
// partial or damaged segment fails its check and is retried later, never
// half-imported.
//
// The format is a header line naming the format version and the encoding,
// then the body: gzip'd JSON, either followed by its SHA-256 or sealed with
// NaCl secretbox (golang.org/x/crypto) under a key derived from a short code
// the user types on each device. Without the key an encrypted segment
// reveals nothing but its size.
package syncdir

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/crypto/nacl/secretbox"
)

// Root is the folder mindful uses inside the synced folder.
const Root = "mindful"

// Version is the segment format this code writes and the newest it reads.
const Version = 1

const (
	magic        = "MINDFUL-SEGMENT"
	encPlain     = "gzip"           // gzip'd JSON, then its SHA-256
	encSecretbox = "gzip+secretbox" // gzip'd JSON sealed with secretbox
	segExt       = ".seg"
	partialExt   = ".partial"
	maxSegment   = 64 << 20 // unpacked JSON; a segment holds at most a few MB
)

// Errors a segment can fail with. Every error returned by Decode or Read
// wraps one of them.
var (
	ErrForeign  = errors.New("not a mindful segment")
	ErrFuture   = errors.New("written by a newer mindful")
	ErrDamaged  = errors.New("truncated or damaged (it may still be arriving)")
	ErrNeedKey  = errors.New("encrypted, and this device has no sync key")
	ErrWrongKey = errors.New("cannot be opened with this device's sync key (a different key, or the file is still arriving)")
	ErrExists   = errors.New("a segment with this number already exists")
)

// Record is one shared change. ID is unique per Kind within a device and is
// what makes importing idempotent. Clock is the writer's logical clock for
// records merged by "last writer wins" (rules); At is wall time in unix ms.
type Record struct {
	Kind  string          `json:"kind"`
	ID    string          `json:"id"`
	Clock int64           `json:"clock,omitempty"`
	At    int64           `json:"at,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
}

// Segment is one file of records from one device.
type Segment struct {
	Version int      `json:"version"`
	Device  string   `json:"device"`
	Name    string   `json:"name"`    // the device's name when it wrote this
	Seq     int64    `json:"seq"`     // the segment's number, from 1
	Created int64    `json:"created"` // unix ms
	Records []Record `json:"records"`
}

// Key is a secretbox key.
type Key = [32]byte

// Encode returns the bytes of seg as a file: sealed with key if key is not
// nil, else plain JSON with its checksum.
func Encode(seg Segment, key *Key) ([]byte, error) {
	seg.Version = Version
	j, err := json.Marshal(seg)
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(j)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	body := z.Bytes()
	var b bytes.Buffer
	if key == nil {
		fmt.Fprintf(&b, "%s %d %s\n", magic, Version, encPlain)
		b.Write(body)
		sum := sha256.Sum256(body)
		fmt.Fprintf(&b, "\nsha256 %s\n", hex.EncodeToString(sum[:]))
		return b.Bytes(), nil
	}
	fmt.Fprintf(&b, "%s %d %s\n", magic, Version, encSecretbox)
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	b.Write(nonce[:])
	return secretbox.Seal(b.Bytes(), body, &nonce, key), nil
}

// Decode parses a segment file's bytes. key may be nil when the folder is
// not encrypted.
func Decode(data []byte, key *Key) (Segment, error) {
	var seg Segment
	head, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		if bytes.HasPrefix([]byte(magic), data) || bytes.HasPrefix(data, []byte(magic)) {
			return seg, ErrDamaged
		}
		return seg, ErrForeign
	}
	f := strings.Fields(string(head))
	if len(f) != 3 || f[0] != magic {
		return seg, ErrForeign
	}
	v, err := strconv.Atoi(f[1])
	if err != nil || v < 1 {
		return seg, ErrForeign
	}
	if v > Version {
		return seg, fmt.Errorf("%w: format version %d, this mindful reads up to %d; update mindful", ErrFuture, v, Version)
	}
	var body []byte
	switch f[2] {
	case encPlain:
		j, sumLine, ok := bytes.Cut(rest, []byte("\nsha256 "))
		if !ok {
			return seg, ErrDamaged
		}
		want := strings.TrimSuffix(string(sumLine), "\n")
		got := sha256.Sum256(j)
		if !strings.HasSuffix(string(sumLine), "\n") || want != hex.EncodeToString(got[:]) {
			return seg, ErrDamaged
		}
		body = j
	case encSecretbox:
		if key == nil {
			return seg, ErrNeedKey
		}
		if len(rest) < 24+secretbox.Overhead {
			return seg, ErrDamaged
		}
		var nonce [24]byte
		copy(nonce[:], rest[:24])
		out, ok := secretbox.Open(nil, rest[24:], &nonce, key)
		if !ok {
			return seg, ErrWrongKey
		}
		body = out
	default:
		return seg, fmt.Errorf("%w: unknown encoding %q", ErrFuture, f[2])
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return seg, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	j, err := io.ReadAll(io.LimitReader(zr, maxSegment+1))
	if err != nil {
		return seg, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if len(j) > maxSegment {
		return seg, fmt.Errorf("%w: larger than %d MB unpacked", ErrDamaged, maxSegment>>20)
	}
	if err := json.Unmarshal(j, &seg); err != nil {
		return seg, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if seg.Version > Version {
		return seg, fmt.Errorf("%w: format version %d, this mindful reads up to %d; update mindful", ErrFuture, seg.Version, Version)
	}
	if !ValidDeviceID(seg.Device) || seg.Seq < 1 {
		return seg, fmt.Errorf("%w: bad device id or number inside", ErrDamaged)
	}
	return seg, nil
}

// SegmentName is the file name of segment number seq.
func SegmentName(seq int64) string { return fmt.Sprintf("%012d%s", seq, segExt) }

var segName = regexp.MustCompile(`^([0-9]{12})\.seg$`)

// SegmentSeq parses a segment file name.
func SegmentSeq(name string) (int64, bool) {
	m := segName.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// DeviceDir is where device id writes.
func DeviceDir(base, id string) string { return filepath.Join(base, Root, id) }

// Write stores seg in its device's folder under base atomically: a temp file
// that is synced and then linked to its final name. It fails with ErrExists
// (and leaves the existing file alone) when that name is taken.
func Write(base string, seg Segment, key *Key) (string, error) {
	data, err := Encode(seg, key)
	if err != nil {
		return "", err
	}
	dir := DeviceDir(base, seg.Device)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	final := filepath.Join(dir, SegmentName(seg.Seq))
	tmp, err := os.CreateTemp(dir, "."+SegmentName(seg.Seq)+".*"+partialExt)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Link(tmp.Name(), final); err != nil {
		if errors.Is(err, os.ErrExist) {
			return final, fmt.Errorf("%s: %w", final, ErrExists)
		}
		// A file system without hard links: rename, after checking.
		if _, serr := os.Stat(final); serr == nil {
			return final, fmt.Errorf("%s: %w", final, ErrExists)
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return "", err
		}
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return final, nil
}

// Read reads and decodes one segment file, checking that it is where its
// device writes and carries its file's number.
func Read(path string, key *Key) (Segment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Segment{}, err
	}
	seg, err := Decode(data, key)
	if err != nil {
		return seg, err
	}
	if dev := filepath.Base(filepath.Dir(path)); dev != seg.Device {
		return seg, fmt.Errorf("%w: it says device %s but lies in the folder of %s (copied by hand?)", ErrForeign, seg.Device, dev)
	}
	if n, _ := SegmentSeq(filepath.Base(path)); n != seg.Seq {
		return seg, fmt.Errorf("%w: it says number %d but is named %s", ErrDamaged, seg.Seq, filepath.Base(path))
	}
	return seg, nil
}

// FileKind classifies a name found in a device folder.
type FileKind int

// Kinds of files in a device folder.
const (
	KindSegment  FileKind = iota // a segment to read
	KindInFlight                 // being written by us or the engine: skip quietly
	KindConflict                 // an engine's conflict copy: skip, and say so
	KindOther                    // not ours: skip, and say so
)

// Classify says what a file name in a device folder is.
func Classify(name string) FileKind {
	switch {
	case segName.MatchString(name):
		return KindSegment
	case strings.Contains(name, ".sync-conflict-") || strings.Contains(name, "conflicted copy") ||
		strings.Contains(name, "(conflict") || strings.Contains(name, "_conflict-"):
		return KindConflict
	case strings.HasSuffix(name, partialExt), strings.HasPrefix(name, ".syncthing."), strings.HasPrefix(name, "~syncthing~"),
		strings.HasPrefix(name, ".~"), strings.HasSuffix(name, ".tmp"), name == ".stfolder", name == ".stversions",
		name == ".DS_Store", name == "desktop.ini", name == "Thumbs.db":
		return KindInFlight
	}
	return KindOther
}

// Device ids: 16 characters of lowercase base32 (80 random bits).
var (
	idEnc   = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	idRegex = regexp.MustCompile(`^[a-z2-7]{16}$`)
)

// NewDeviceID returns a fresh random device id.
func NewDeviceID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return idEnc.EncodeToString(b)
}

// ValidDeviceID reports whether s is a device id.
func ValidDeviceID(s string) bool { return idRegex.MatchString(s) }

// Listing is what a scan of the shared folder found.
type Listing struct {
	// Segments by device id, by number (only well-named files).
	Segments map[string]map[int64]string
	// Notices about files skipped for good reasons: conflict copies,
	// strangers, folders that are not device folders.
	Notices []string
}

// List scans base/mindful. A missing folder is an error (the engine may not
// have created it yet, or the disk is not mounted).
func List(base string) (Listing, error) {
	l := Listing{Segments: map[string]map[int64]string{}}
	root := filepath.Join(base, Root)
	ents, err := os.ReadDir(root)
	if err != nil {
		return l, err
	}
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() {
			if Classify(name) == KindConflict || Classify(name) == KindOther {
				l.Notices = append(l.Notices, fmt.Sprintf("%s: not a device folder; ignored", filepath.Join(root, name)))
			}
			continue
		}
		if !ValidDeviceID(name) {
			if Classify(name) != KindInFlight {
				l.Notices = append(l.Notices, fmt.Sprintf("%s: not a device folder (a conflict copy or a stranger); ignored", filepath.Join(root, name)))
			}
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, name))
		if err != nil {
			l.Notices = append(l.Notices, fmt.Sprintf("%s: %v", filepath.Join(root, name), err))
			continue
		}
		segs := map[int64]string{}
		for _, f := range files {
			p := filepath.Join(root, name, f.Name())
			switch Classify(f.Name()) {
			case KindSegment:
				n, _ := SegmentSeq(f.Name())
				segs[n] = p
			case KindConflict:
				l.Notices = append(l.Notices, fmt.Sprintf("%s: a conflict copy made by the sync engine; ignored (each device writes only its own files, so it holds nothing new)", p))
			case KindOther:
				l.Notices = append(l.Notices, fmt.Sprintf("%s: not a mindful segment; ignored", p))
			}
		}
		l.Segments[name] = segs
	}
	return l, nil
}
