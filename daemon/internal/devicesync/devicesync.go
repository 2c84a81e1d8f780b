// Package devicesync shares one practice between the user's computers
// through a folder they already sync (Syncthing, Nextcloud, Dropbox, a
// network share). It never talks to the network itself.
//
//	this device's store ──SyncPending──► segment ──► DIR/mindful/<this id>/
//	                                                        │ (the engine)
//	this device's store ◄──SyncImport─── segment ◄── DIR/mindful/<other id>/
//
// Its inputs are the store, the changes made on this device (from the
// change bus) and a clock; its output is changes.Imported, published after
// an import changed what browsers enforce or the summary shows. It polls
// the folder every Interval, so it needs nothing from the engine but files.
//
// syncdir holds the file format; the store holds the merge rules; this
// package runs the loop and keeps this device's identity and settings in
// sync.json in the data directory (never in the shared folder).
package devicesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mindful-app/mindful/daemon/api"
	"github.com/mindful-app/mindful/daemon/internal/changes"
	"github.com/mindful-app/mindful/daemon/internal/daystart"
	"github.com/mindful-app/mindful/daemon/internal/store"
	"github.com/mindful-app/mindful/daemon/internal/syncdir"
)

// File is the name of this device's sync settings in the data directory.
const File = "sync.json"

const (
	keyMarks     = "sync.marks"
	maxEvents    = 5000
	maxNameLen   = 64
	defaultEvery = time.Second
	defaultDelay = 2 * time.Minute
)

// ErrInvalid marks a bad request (a folder that does not exist, a bad code).
var ErrInvalid = errors.New("invalid")

// Config wires a Service.
type Config struct {
	Store *store.Store
	// File is where this device's id, name, folder and key code live
	// (mode 0600), normally DATA_DIR/sync.json.
	File   string
	Logger *slog.Logger
	Now    func() time.Time
	// Changes is the change bus (may be nil). A change on this device
	// starts a cycle: breaks, rules, feeds and reflections are written out
	// at once, events at most every EventDelay. Imported is published
	// after an import changed anything.
	Changes *changes.Bus
	// Interval is how often the folder is read (default 1 s).
	Interval time.Duration
	// EventDelay batches events into fewer segments (default 2 min).
	EventDelay time.Duration
	// Hostname names a new device (default os.Hostname).
	Hostname func() (string, error)
}

type settings struct {
	DeviceID string `json:"device_id"`
	Name     string `json:"name"`
	Dir      string `json:"dir,omitempty"`
	KeyCode  string `json:"key_code,omitempty"`
	NextSeq  int64  `json:"next_seq"`
}

type marks struct {
	Dir    string          `json:"dir"`
	Device string          `json:"device"`
	Marks  store.SyncMarks `json:"marks"`
}

// Service runs sharing. Its methods are safe for concurrent use.
type Service struct {
	cfg   Config
	log   *slog.Logger
	kick  chan struct{}
	local *changes.Subscription // changes on this device

	mu         sync.Mutex
	set        settings
	key        *syncdir.Key
	problems   []string // from the last scan
	clash      string
	lastExport time.Time
	lastScan   time.Time
	done       map[string]map[int64]bool // imported segments
	logged     map[string]bool
	cycleMu    sync.Mutex // one cycle at a time
}

// New loads (or creates) this device's identity.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = defaultEvery
	}
	if cfg.EventDelay <= 0 {
		cfg.EventDelay = defaultDelay
	}
	if cfg.Hostname == nil {
		cfg.Hostname = os.Hostname
	}
	s := &Service{cfg: cfg, log: cfg.Logger, kick: make(chan struct{}, 1), done: map[string]map[int64]bool{}, logged: map[string]bool{},
		local: cfg.Changes.Subscribe(changes.BreaksChanged{}, changes.FeedsChanged{}, changes.PromptsChanged{},
			changes.SettingsChanged{}, changes.DataDeleted{}, changes.EventsStored{}, changes.PromptAnswered{},
			changes.ClientsChanged{}, changes.CheckinChanged{})}
	b, err := os.ReadFile(cfg.File)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s.set); err != nil || !syncdir.ValidDeviceID(s.set.DeviceID) {
			return nil, fmt.Errorf("%s: not valid sync settings (%v); move it away to start sharing afresh", cfg.File, err)
		}
		if s.set.KeyCode != "" {
			if s.key, err = syncdir.KeyFromCode(s.set.KeyCode); err != nil {
				return nil, fmt.Errorf("%s: %w", cfg.File, err)
			}
		}
		// Segments this device wrote after sync.json last got saved (it
		// could not be, or the daemon died) keep their numbers.
		if s.set.Dir != "" {
			if l, err := syncdir.List(s.set.Dir); err == nil {
				for seq := range l.Segments[s.set.DeviceID] {
					s.set.NextSeq = max(s.set.NextSeq, seq+1)
				}
			}
		}
	case errors.Is(err, os.ErrNotExist):
		s.set = settings{DeviceID: syncdir.NewDeviceID(), Name: s.hostname(), NextSeq: 1}
		if err := s.save(); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return s, nil
}

func (s *Service) hostname() string {
	h, err := s.cfg.Hostname()
	if err != nil || h == "" {
		return "this computer"
	}
	h, _, _ = strings.Cut(h, ".")
	if len(h) > maxNameLen {
		h = h[:maxNameLen]
	}
	return h
}

// save writes the settings atomically; s.mu is held or s is not shared yet.
func (s *Service) save() error {
	b, _ := json.MarshalIndent(s.set, "", "  ")
	tmp := s.cfg.File + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, s.cfg.File); err != nil {
		return fmt.Errorf("install %s: %w", s.cfg.File, err)
	}
	return nil
}

// DeviceID is this device's id.
func (s *Service) DeviceID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set.DeviceID
}

// Kick asks for a cycle soon (a change on this device).
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run reads and writes the folder until ctx ends, then writes out what is
// pending once more.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if err := s.Cycle(ctx, false); err != nil && ctx.Err() == nil {
			s.note("cycle", err.Error())
		}
		select {
		case <-ctx.Done():
			// Write out what is pending (events wait up to EventDelay)
			// before the store closes.
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.flush(fctx); err != nil {
				s.log.Warn("sync: changes not written out at shutdown; they go out at the next start", "err", err)
			}
			cancel()
			return
		case <-t.C:
		case <-s.kick:
		case <-s.local.Ready():
			s.local.Take()
		}
	}
}

// note logs a problem once.
func (s *Service) note(key, msg string) {
	s.mu.Lock()
	seen := s.logged[key+"\x00"+msg]
	s.logged[key+"\x00"+msg] = true
	s.mu.Unlock()
	if !seen {
		s.log.Warn("sync: " + msg)
	}
}

// Cycle writes out this device's pending changes and imports what other
// devices wrote. flush writes events at once instead of batching them.
func (s *Service) Cycle(ctx context.Context, flush bool) error {
	s.cycleMu.Lock()
	defer s.cycleMu.Unlock()
	s.mu.Lock()
	set, key := s.set, s.key
	s.mu.Unlock()
	if set.Dir == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(set.Dir)); err != nil {
		s.mu.Lock()
		s.problems = []string{fmt.Sprintf("the sync folder %s is not there (%v): is the disk mounted?", set.Dir, err)}
		s.mu.Unlock()
		return nil
	}
	eerr := s.export(ctx, set, key, flush)
	s.mu.Lock()
	set.NextSeq = s.set.NextSeq
	s.mu.Unlock()
	ierr := s.importAll(ctx, set, key)
	return errors.Join(eerr, ierr)
}

// flush writes out this device's pending changes, events included, and
// imports nothing (the daemon is stopping).
func (s *Service) flush(ctx context.Context) error {
	s.cycleMu.Lock()
	defer s.cycleMu.Unlock()
	s.mu.Lock()
	set, key := s.set, s.key
	s.mu.Unlock()
	if set.Dir == "" {
		return nil
	}
	return s.export(ctx, set, key, true)
}

func (s *Service) loadMarks(ctx context.Context, set settings) store.SyncMarks {
	v, _ := s.cfg.Store.Setting(ctx, keyMarks, "")
	var m marks
	if json.Unmarshal([]byte(v), &m) != nil || m.Dir != set.Dir || m.Device != set.DeviceID {
		return store.SyncMarks{}
	}
	return m.Marks
}

func (s *Service) export(ctx context.Context, set settings, key *syncdir.Key, flush bool) error {
	for {
		m := s.loadMarks(ctx, set)
		b, next, err := s.cfg.Store.SyncPending(ctx, m, maxEvents)
		if err != nil {
			return fmt.Errorf("read changes to share: %w", err)
		}
		if b.Len() == 0 {
			return nil
		}
		s.mu.Lock()
		last := s.lastExport
		s.mu.Unlock()
		onlyEvents := b.Len() == len(b.Events)
		if onlyEvents && !flush && len(b.Events) < maxEvents && s.cfg.Now().Sub(last) < s.cfg.EventDelay {
			return nil
		}
		seg := syncdir.Segment{Device: set.DeviceID, Name: set.Name, Seq: set.NextSeq, Created: s.cfg.Now().UnixMilli(), Records: toRecords(b)}
		for {
			_, err := syncdir.Write(set.Dir, seg, key)
			if errors.Is(err, syncdir.ErrExists) {
				s.setClash(fmt.Sprintf("%s: another machine writes as this device (id %s; a copied data folder?). "+
					"On one of them run `mindful sync enable --dir %s --new-id`", err, set.DeviceID, set.Dir))
				seg.Seq++
				continue
			}
			if err != nil {
				return fmt.Errorf("write segment: %w", err)
			}
			break
		}
		// The segment is out: remember that first (the marks), so that a
		// failure below never writes the same changes again every pass.
		set.NextSeq = seg.Seq + 1
		s.mu.Lock()
		if s.set.DeviceID == set.DeviceID && s.set.Dir == set.Dir {
			s.set.NextSeq = set.NextSeq
		}
		s.lastExport = s.cfg.Now()
		s.mu.Unlock()
		mb, _ := json.Marshal(marks{Dir: set.Dir, Device: set.DeviceID, Marks: next})
		if err := s.cfg.Store.SetSetting(ctx, keyMarks, string(mb)); err != nil {
			return err
		}
		s.mu.Lock()
		err = s.save()
		s.mu.Unlock()
		if err != nil {
			return err
		}
		if len(b.Events) < maxEvents {
			return nil
		}
	}
}

func (s *Service) setClash(msg string) {
	s.mu.Lock()
	s.clash = msg
	s.mu.Unlock()
	s.note("clash", msg)
}

func (s *Service) importAll(ctx context.Context, set settings, key *syncdir.Key) error {
	l, err := syncdir.List(set.Dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return os.MkdirAll(syncdir.DeviceDir(set.Dir, set.DeviceID), 0o700)
		}
		return err
	}
	problems := slices.Clone(l.Notices)
	// Our own folder: anything numbered beyond what we wrote is not ours.
	var beyond []int64
	for seq := range l.Segments[set.DeviceID] {
		if seq >= set.NextSeq {
			beyond = append(beyond, seq)
		}
	}
	if len(beyond) > 0 {
		slices.Sort(beyond)
		s.setClash(fmt.Sprintf("%s: segment %d appeared in this device's own folder but was not written here: another machine uses device id %s "+
			"(a copied data folder?). On one of them run `mindful sync enable --dir %s --new-id`",
			syncdir.DeviceDir(set.Dir, set.DeviceID), beyond[0], set.DeviceID, set.Dir))
	}
	devs := make([]string, 0, len(l.Segments))
	for d := range l.Segments {
		if d != set.DeviceID {
			devs = append(devs, d)
		}
	}
	sort.Strings(devs)
	changed := false
	for _, dev := range devs {
		seqs := make([]int64, 0, len(l.Segments[dev]))
		for n := range l.Segments[dev] {
			seqs = append(seqs, n)
		}
		slices.Sort(seqs)
		for _, seq := range seqs {
			if s.done[dev][seq] {
				continue
			}
			ok, err := s.cfg.Store.SyncImported(ctx, dev, seq)
			if err != nil {
				return err
			}
			if !ok {
				path := l.Segments[dev][seq]
				ch, err := s.importOne(ctx, set, key, path)
				if err != nil {
					msg := fmt.Sprintf("%s: skipped, will retry: %v", path, err)
					if errors.Is(err, syncdir.ErrNeedKey) {
						msg += fmt.Sprintf("; type the key code shown on the device that made it: `mindful sync enable --dir %s --key CODE`", set.Dir)
					}
					problems = append(problems, msg)
					s.note(path, msg)
					continue
				}
				changed = changed || ch
			}
			if s.done[dev] == nil {
				s.done[dev] = map[int64]bool{}
			}
			s.done[dev][seq] = true
		}
	}
	s.mu.Lock()
	s.problems = problems
	s.lastScan = s.cfg.Now()
	s.mu.Unlock()
	if changed {
		s.cfg.Changes.Publish(changes.Imported{})
	}
	return nil
}

func (s *Service) importOne(ctx context.Context, set settings, key *syncdir.Key, path string) (bool, error) {
	seg, err := syncdir.Read(path, key)
	if err != nil {
		return false, err
	}
	b, unknown, err := fromRecords(seg.Records)
	if err != nil {
		return false, fmt.Errorf("%w: %v", syncdir.ErrDamaged, err)
	}
	if unknown > 0 {
		s.note(path, fmt.Sprintf("%s: %d records of kinds this mindful does not know were skipped (update mindful)", path, unknown))
	}
	res, err := s.cfg.Store.SyncImport(ctx, set.DeviceID, store.SyncSegment{Device: seg.Device, Name: seg.Name, Seq: seg.Seq,
		Written: time.UnixMilli(seg.Created)}, b, s.cfg.Now())
	if err != nil {
		return false, err
	}
	return res.Changed || res.Events > 0, nil
}

// Enable starts sharing through dir (or changes the key or name).
func (s *Service) Enable(ctx context.Context, req api.SyncEnableRequest) (api.SyncStatus, error) {
	dir := strings.TrimSpace(req.Dir)
	if dir == "" || !filepath.IsAbs(dir) {
		return api.SyncStatus{}, fmt.Errorf("%w: dir: %q is not an absolute path", ErrInvalid, req.Dir)
	}
	dir = filepath.Clean(dir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return api.SyncStatus{}, fmt.Errorf("%w: dir: %s is not a folder (create it, and have your sync engine share it)", ErrInvalid, dir)
	}
	if req.Encrypt && req.Key != "" {
		return api.SyncStatus{}, fmt.Errorf("%w: give either --encrypt (a new key) or --key CODE (the key of your other devices), not both", ErrInvalid)
	}
	name := strings.TrimSpace(req.Name)
	if len(name) > maxNameLen || strings.ContainsAny(name, "\n\r\t") {
		return api.SyncStatus{}, fmt.Errorf("%w: name: at most %d characters on one line", ErrInvalid, maxNameLen)
	}
	var code string
	var key *syncdir.Key
	switch {
	case req.Encrypt:
		code = syncdir.NewKeyCode()
	case req.Key != "":
		c, err := syncdir.NormalizeKeyCode(req.Key)
		if err != nil {
			return api.SyncStatus{}, fmt.Errorf("%w: key: %v", ErrInvalid, err)
		}
		code = c
	default:
		// Enabling again (to rename, or a new folder) keeps the key;
		// `mindful sync disable` forgets it.
		s.mu.Lock()
		code = s.set.KeyCode
		s.mu.Unlock()
	}
	if code != "" {
		key, _ = syncdir.KeyFromCode(code)
	}
	s.mu.Lock()
	old := s.set
	s.set.Dir, s.set.KeyCode, s.key = dir, code, key
	if name != "" {
		s.set.Name = name
	}
	if req.NewID {
		s.set.DeviceID = syncdir.NewDeviceID()
		s.clash = ""
	}
	if s.set.Dir != old.Dir || s.set.DeviceID != old.DeviceID || s.set.KeyCode != old.KeyCode {
		// Everything is written out again: into a new folder, under a new
		// id or a new key. Imports are idempotent, so peers lose nothing.
		s.set.NextSeq = 1
		s.done = map[string]map[int64]bool{}
		s.problems = nil
	}
	if l, err := syncdir.List(dir); err == nil {
		for seq := range l.Segments[s.set.DeviceID] {
			s.set.NextSeq = max(s.set.NextSeq, seq+1)
		}
	}
	err := s.save()
	s.mu.Unlock()
	if err != nil {
		return api.SyncStatus{}, err
	}
	if s.set.Dir != old.Dir || s.set.DeviceID != old.DeviceID || s.set.KeyCode != old.KeyCode {
		if err := s.cfg.Store.SetSetting(ctx, keyMarks, ""); err != nil {
			return api.SyncStatus{}, err
		}
	}
	if err := os.MkdirAll(syncdir.DeviceDir(dir, s.DeviceID()), 0o700); err != nil {
		return api.SyncStatus{}, fmt.Errorf("%w: dir: %v", ErrInvalid, err)
	}
	s.log.Info("sync enabled", "dir", dir, "device", s.DeviceID(), "encrypted", key != nil)
	if err := s.Cycle(ctx, true); err != nil {
		s.note("cycle", err.Error())
	}
	st, err := s.Status(ctx)
	if req.Encrypt {
		st.KeyCode = code
	}
	return st, err
}

// Disable stops sharing and forgets the key; what was imported stays.
func (s *Service) Disable(ctx context.Context) (api.SyncStatus, error) {
	s.mu.Lock()
	s.set.Dir, s.set.KeyCode, s.key = "", "", nil
	s.problems, s.clash = nil, ""
	err := s.save()
	s.mu.Unlock()
	if err != nil {
		return api.SyncStatus{}, err
	}
	s.log.Info("sync disabled")
	return s.Status(ctx)
}

// Status reports the devices seen and any problem.
func (s *Service) Status(ctx context.Context) (api.SyncStatus, error) {
	s.mu.Lock()
	set := s.set
	st := api.SyncStatus{
		Enabled:   set.Dir != "",
		Dir:       set.Dir,
		Encrypted: s.key != nil,
		Device:    api.SyncDevice{ID: set.DeviceID, Name: set.Name},
		Devices:   []api.SyncDevice{},
		Problems:  slices.Clone(s.problems),
	}
	if s.clash != "" {
		st.Problems = append([]string{s.clash}, st.Problems...)
	}
	if !s.lastExport.IsZero() {
		t := s.lastExport.UTC()
		st.LastExport = &t
	}
	if !s.lastScan.IsZero() {
		t := s.lastScan.UTC()
		st.LastScan = &t
	}
	s.mu.Unlock()
	if st.Problems == nil {
		st.Problems = []string{}
	}
	devs, err := s.cfg.Store.SyncDevices(ctx)
	if err != nil {
		return st, err
	}
	now := s.cfg.Now()
	// "Today" is the user's day, as in the summary: it begins at the day
	// start, not at midnight.
	hour, minute, _ := daystart.Read(ctx, s.cfg.Store)
	since := daystart.Began(now, hour, minute)
	counts, err := s.cfg.Store.EventsByDevice(ctx, since, now.Add(time.Minute))
	if err != nil {
		return st, err
	}
	st.Device.EventsToday = counts[""]
	for _, d := range devs {
		if d.ID == set.DeviceID {
			continue
		}
		li, lw := d.LastImport, d.LastWritten
		x := api.SyncDevice{ID: d.ID, Name: d.Name, LastImport: &li, LastWritten: &lw, Segments: d.Segments, Records: d.Records,
			EventsToday: counts[d.ID], Stale: now.Sub(lw) > api.StaleAfter}
		st.Devices = append(st.Devices, x)
		if st.Enabled && x.Stale {
			st.Problems = append(st.Problems, fmt.Sprintf("%s: last seen %s ago", d.Name, Ago(now.Sub(lw))))
		}
	}
	return st, nil
}

// Ago says a duration the way a person would: "3 h", "25 min", "2 days".
func Ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
