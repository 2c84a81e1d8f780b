package api

// PathSettings is GET and POST /api/v1/settings.
const PathSettings = "/api/v1/settings"

// Settings are the user's general settings (the dashboard shows them). In
// a POST, every field is required: GET, change, POST. A bad value is
// refused with an error naming the field, e.g.
// `day_start: want HH:MM, got "25:00"`.
type Settings struct {
	// DayStart is when the user's day begins, "HH:MM" local time
	// (default "04:00").
	DayStart string `json:"day_start"`
	// CheckinTime is when the evening check-in asks for a reflection,
	// "HH:MM" (default "21:00").
	CheckinTime string `json:"checkin_time"`
	// RetentionDays: events older than this many days are deleted once a
	// day; 0 keeps them forever (default 0).
	RetentionDays int `json:"retention_days"`
	// StoreFullURLs keeps the full URL (scheme, host and path) of
	// navigations; off by default, when only the domain is kept.
	StoreFullURLs bool `json:"store_full_urls"`
	// PromptPauseSeconds is the breathing pause of "Habit or need?"
	// (0–60, default 3).
	PromptPauseSeconds float64 `json:"prompt_pause_seconds"`
}
