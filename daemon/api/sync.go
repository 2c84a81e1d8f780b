package api

import "time"

// Paths of sharing between devices (docs/sync.md).
const (
	PathSync        = "/api/v1/sync"         // GET: SyncStatus
	PathSyncEnable  = "/api/v1/sync/enable"  // POST SyncEnableRequest: SyncStatus
	PathSyncDisable = "/api/v1/sync/disable" // POST: SyncStatus
)

// SyncStatus is GET /api/v1/sync and `mindful sync status --json`.
type SyncStatus struct {
	Enabled bool `json:"enabled"`
	// Dir is the synced folder; mindful writes into Dir/mindful/<device>.
	Dir       string `json:"dir,omitempty"`
	Encrypted bool   `json:"encrypted"`
	// Device is this device.
	Device SyncDevice `json:"device"`
	// Devices are the other devices seen in the folder, by id.
	Devices []SyncDevice `json:"devices"`
	// LastExport is when this device last wrote a segment; LastScan when
	// it last read the folder.
	LastExport *time.Time `json:"last_export,omitempty"`
	LastScan   *time.Time `json:"last_scan,omitempty"`
	// Problems are what needs the user: a file skipped and why, a device
	// id claimed by two machines, a folder that is missing.
	Problems []string `json:"problems"`
	// KeyCode is set only in the answer to an enable that made a new key:
	// type it on the other devices (`mindful sync enable --key CODE`).
	KeyCode string `json:"key_code,omitempty"`
}

// SyncDevice is one device of the folder.
type SyncDevice struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// LastImport is when this device last imported a segment of it;
	// LastWritten is when it wrote its newest segment (its clock).
	LastImport  *time.Time `json:"last_import,omitempty"`
	LastWritten *time.Time `json:"last_written,omitempty"`
	Segments    int        `json:"segments"`
	Records     int        `json:"records"`
	// EventsToday counts its events since the day began.
	EventsToday int `json:"events_today"`
	// Stale is set when its newest segment is older than StaleAfter.
	Stale bool `json:"stale"`
}

// SyncEnableRequest is POST /api/v1/sync/enable. Encrypt makes a new key
// (its code is in the answer); Key is the code of an existing key, typed
// from another device. Neither leaves the segments unencrypted. Name, if
// set, renames this device.
type SyncEnableRequest struct {
	Dir     string `json:"dir"`
	Encrypt bool   `json:"encrypt,omitempty"`
	Key     string `json:"key,omitempty"`
	Name    string `json:"name,omitempty"`
	// NewID gives this device a new id: the fix when two machines claim
	// the same one (a copied data folder).
	NewID bool `json:"new_id,omitempty"`
}

// StaleAfter is how old another device's newest data may be before the
// status says so ("laptop: last seen 3 h ago").
const StaleAfter = 2 * time.Hour

// SummaryDevice is one device's part of a day (Summary.Devices), when
// the day is shared with other devices.
type SummaryDevice struct {
	ID    string `json:"id"` // "" for this device
	Name  string `json:"name"`
	Opens int    `json:"opens"` // answered "Habit or need?" prompts
	// LastSeen is when the device last wrote anything (absent for this
	// device); Stale is set when that is older than StaleAfter.
	LastSeen *time.Time `json:"last_seen,omitempty"`
	Stale    bool       `json:"stale"`
}
