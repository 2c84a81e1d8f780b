package cli

import "strings"

// commands is every command: the one place their words, help and
// examples live. Keep the first level alphabetical; a group's
// subcommands in the order its "unknown ... command" error names them.
//
// Adding a command is one entry here and a setup function in its own file:
//
//	func cmdDbCheck(c *invocation) handler {
//		asJSON := c.fs.Bool("json", false, "print JSON")
//		return func(args []string) error {
//			if _, err := c.parse(args, 0, 0); err != nil {
//				return err
//			}
//			...
//		}
//	}
func commands() []*command {
	return []*command{
		{
			name: "break", short: "take a break now, end one early, or see and tune the breaks",
			subs: []*command{
				{
					name: "start", synopsis: "--for DURATION [--name N] [--locked]", setup: cmdBreakStart,
					short: "take a break now: 15m, 1h, rest-of-day, \"until 08:00\"",
					long: "Starts a break at once: the feed sites are blocked in every paired browser until it ends.\n" +
						"DURATION is one of:\n" +
						"  15m, 1h, 90m, 2h30m     that much time from now (1m to 24h)\n" +
						"  rest-of-day             until your day starts again\n" +
						"  \"until 08:00\"           the next 08:00\n" +
						"  \"until tomorrow 08:00\"  08:00 on the next day\n" +
						"A --locked break cannot be ended early.",
					examples: []string{
						"mindful break start --for 1h --name Focus",
						"mindful break start --for \"until 08:00\" --locked",
						"mindful break start --for rest-of-day",
					},
					values: map[string][]string{"for": {"15m", "30m", "1h", "2h", "rest-of-day", "until 08:00"}},
				},
				{
					name: "stop", synopsis: "--reason TEXT", setup: cmdBreakStop,
					short: "end the running break early (after a 10 s wait)",
					long: "Ends the running break early, after a short breathing wait that Ctrl-C cancels " +
						"(the break is kept then). Your reason is kept for the day's reflection; " +
						"a locked break, or one past the week's early ends, cannot be ended.",
					examples: []string{"mindful break stop --reason \"a friend sent a link I need now\""},
				},
				{
					name: "list", synopsis: "[--json]", setup: cmdBreakList,
					short:    "the running break, the next one and the schedule",
					examples: []string{"mindful break list", "mindful break list --json"},
				},
				{
					name: "settings", synopsis: "[--your-reason TEXT] [--early-ends-per-week N]", setup: cmdBreakSettings,
					short: "your reason for breaks, and how many may end early each week",
					long:  "Without flags, shows the settings; with flags, changes them.",
					examples: []string{
						"mindful break settings --your-reason \"I want my evenings back.\"",
						"mindful break settings --early-ends-per-week 2",
					},
				},
			},
		},
		{
			name: "dashboard", synopsis: "[--page PAGE] [--date YYYY-MM-DD] [--print]", setup: cmdDashboard,
			short: "open the dashboard in the browser (--print only prints the one-time link)",
			long: "Opens the dashboard in your browser with a one-time link that works for 2 minutes. " +
				"Pages: " + strings.Join(dashboardPages, ", ") + ".",
			examples: []string{"mindful dashboard", "mindful dashboard --page history", "mindful dashboard --page today --date 2026-12-01 --print"},
			values:   map[string][]string{"page": dashboardPages},
		},
		{
			name: "db", short: "check the database file, or recover what is readable from a damaged one",
			subs: []*command{
				{
					name: "check", synopsis: "[--json]", setup: cmdDBCheck,
					short:    "check the database file (SQLite quick_check; read only, works while mindful runs)",
					examples: []string{"mindful db check", "mindful db check --json"},
				},
				{
					name: "recover", synopsis: "[--force] [--json]", setup: cmdDBRecover,
					short: "with the daemon stopped: copy everything readable into a new database",
					long: "Copies every readable row into a fresh database, keeps the old file beside it as " +
						"mindful.db.damaged-TIME, and prints the rows saved per table. Quit mindful first " +
						"(the tray's Quit, or `systemctl --user stop mindful`). A database that passes the " +
						"check is left alone unless --force.",
					examples: []string{"mindful db recover", "mindful db recover --json"},
				},
			},
		},
		{
			name: "delete-all", synopsis: "--yes", setup: cmdDeleteAll,
			short:    "delete everything mindful stored, for good",
			long:     "Deletes all activity, breaks, notes, reflections and settings; paired browsers stay paired. Consider `mindful export --out FILE` first.",
			examples: []string{"mindful export --out mindful-backup.json && mindful delete-all --yes"},
		},
		{
			name: "events", synopsis: "[--since DURATION] [--json]", setup: cmdEvents,
			short:    "stored activity (default: the last 24h; --since all)",
			examples: []string{"mindful events --since 90m", "mindful events --since 7d --json", "mindful events --since all"},
			values:   map[string][]string{"since": {"1h", "24h", "7d", "30d", "all"}},
		},
		{
			name: "export", synopsis: "[--format json|csv] [--out FILE]", setup: cmdExport,
			short:    "everything mindful stored (activity, breaks, notes, settings)",
			examples: []string{"mindful export --out mindful.json", "mindful export --format csv > mindful.csv"},
			values:   map[string][]string{"format": {"json", "csv"}},
		},
		{
			name: "feeds", short: "the feeds mindful asks about: list, add, disable, enable",
			subs: []*command{
				{
					name: "list", synopsis: "[--json]", setup: cmdFeedsList,
					short:    "the feeds mindful asks about",
					examples: []string{"mindful feeds list", "mindful feeds list --json"},
				},
				{
					name: "add", synopsis: "ID [--host HOST]... [--path PATTERN]... [--name NAME]", setup: cmdFeedsAdd, args: feedIDs(nil),
					short:    "add a feed, or hosts to one",
					long:     "Adds a feed with the given id, or adds hosts to the feed with that id. --path replaces the feed's paths: a pattern matches one path (/home) or a prefix (/r/*).",
					examples: []string{"mindful feeds add mastodon --host mastodon.social --host fosstodon.org --name Mastodon", "mindful feeds add reddit --path /r/*"},
				},
				{
					name: "disable", synopsis: "ID", setup: cmdFeedsEnable(false), args: feedIDs(ptr(true)),
					short:    "stop asking about a feed",
					examples: []string{"mindful feeds disable youtube"},
				},
				{
					name: "enable", synopsis: "ID", setup: cmdFeedsEnable(true), args: feedIDs(ptr(false)),
					short:    "start asking about a feed again",
					examples: []string{"mindful feeds enable youtube"},
				},
			},
		},
		{
			name: "install", synopsis: "[--dry-run] [--prefix DIR] [--browsers LIST] [--systemd]", setup: cmdInstall,
			short: "start at login, and let the extension pair by itself",
			long: "Copies the binary to ~/.local/bin (or --prefix), starts mindful at login, and registers the native-messaging host " +
				"so that the browser extension pairs by itself. LIST: chrome,chromium,edge,brave,firefox (default all).",
			examples: []string{"mindful install --dry-run", "mindful install --browsers chromium,firefox --systemd"},
			values:   map[string][]string{"browsers": {"all", "chrome", "chromium", "edge", "brave", "firefox"}},
		},
		{
			name: "native-host", rawArgs: true, setup: cmdNativeHost,
			short: "(internal) the native-messaging host; browsers start it",
			long: "Browsers start it for the extension, through the native-messaging host manifest that " +
				"`mindful install` or the Debian package writes, with the caller's origin (Chromium) or manifest path and add-on id (Firefox). " +
				"It answers in native-messaging frames on standard output. It is not for typing.",
			examples: []string{"mindful native-host chrome-extension://ID/   # what Chromium runs"},
		},
		{
			name: "pair", short: "pair browsers: list requests, approve a code, revoke a browser",
			subs: []*command{
				{
					name: "list", synopsis: "[--json]", setup: cmdPairList,
					short:    "pending pairing requests and paired browsers",
					examples: []string{"mindful pair list"},
				},
				{
					name: "approve", synopsis: "CODE", setup: cmdPairApprove, args: pairingCodes,
					short:    "approve the code the browser extension shows",
					examples: []string{"mindful pair approve 042137"},
				},
				{
					name: "revoke", synopsis: "ID", setup: cmdPairRevoke, args: pairedBrowsers,
					short:    "unpair a browser",
					examples: []string{"mindful pair revoke 0b6c1b9e"},
				},
			},
		},
		{
			name: "prompts", short: "pause or resume the \"Habit or need?\" prompts, or tune them",
			subs: []*command{
				{
					name: "pause", synopsis: "DURATION", setup: cmdPromptsPause,
					short:    "no \"Habit or need?\" prompts for a while (e.g. 1h)",
					long:     "DURATION is a Go duration (30m, 1h) or whole days (2d).",
					examples: []string{"mindful prompts pause 1h", "mindful prompts pause 2d"},
				},
				{
					name: "resume", setup: cmdPromptsResume,
					short:    "prompts again",
					examples: []string{"mindful prompts resume"},
				},
				{
					name: "settings", synopsis: "[--pause 3s] [--default-timebox 15m]", setup: cmdPromptsSettings,
					short:    "the breathing pause and the default time box",
					long:     "Without flags, shows the settings; with flags, changes them.",
					examples: []string{"mindful prompts settings --pause 5s --default-timebox 15m"},
					values:   map[string][]string{"default-timebox": {"5m", "15m", "30m"}},
				},
			},
		},
		{
			name: "run", synopsis: "[--addr HOST:PORT] [--data-dir DIR] [--no-tray]", setup: cmdRun,
			short: "start the daemon (and the tray where a display exists)",
			long: "Runs the daemon in the foreground on a loopback address, with the tray icon where a display exists. " +
				"SIGINT and SIGTERM stop it cleanly. MINDFUL_LOG=debug logs more.",
			examples: []string{"mindful run", "mindful run --no-tray --addr 127.0.0.1:17800 --data-dir /tmp/mindful-test"},
		},
		{
			name: "schedule", short: "scheduled breaks: add, remove, list",
			subs: []*command{
				{
					name: "add", synopsis: "--weekly START END | --once START END [--name N] [--locked] [--site HOST]...", setup: cmdScheduleAdd,
					short: "add a scheduled break",
					long: "A weekly break starts on days and at a time (\"Fri 15:30\", \"Mon-Fri 21:00\", \"Sat,Sun 09:00\", " +
						"\"weekdays 21:00\", \"daily 22:00\") and ends at a time or a day and time (\"07:00\", \"Sat 16:00\"). " +
						"A one-off break starts and ends at a date and time (\"2026-12-24 18:00\").",
					examples: []string{
						"mindful schedule add --weekly \"Fri 15:30\" \"Sat 16:00\" --name Weekend",
						"mindful schedule add --weekly \"weekdays 21:00\" \"07:00\" --locked",
						"mindful schedule add --once \"2026-12-24 18:00\" \"2026-12-26 09:00\" --site www.youtube.com",
					},
				},
				{
					name: "remove", synopsis: "ID", setup: cmdScheduleRemove, args: scheduleIDs,
					short:    "delete a scheduled break",
					examples: []string{"mindful schedule remove 3"},
				},
				{
					name: "list", synopsis: "[--json]", setup: cmdScheduleList,
					short:    "the scheduled breaks",
					examples: []string{"mindful schedule list"},
				},
			},
		},
		{
			name: "status", synopsis: "[--json]", setup: cmdStatus,
			short:    "the daemon's state and each browser",
			long:     "Exits 1 when the daemon is not running (with --json, it still prints {\"running\": false, ...}).",
			examples: []string{"mindful status", "mindful status --json"},
		},
		{
			name: "summary", synopsis: "[--date YYYY-MM-DD | --week] [--json | --markdown]", setup: cmdSummary,
			short:    "the day in review: opens by answer, time on feeds, breaks, your usual",
			examples: []string{"mindful summary", "mindful summary --date 2026-12-01 --markdown >> journal.md", "mindful summary --week"},
		},
		{
			name: "sync", short: "share breaks, schedules and reflections with your other computers through a folder you already sync",
			subs: []*command{
				{
					name: "enable", synopsis: "--dir FOLDER [--encrypt | --key CODE] [--name NAME] [--new-id] [--json]", setup: cmdSyncEnable, // sync.go
					short: "share through a folder Syncthing, Nextcloud, Dropbox or a network share keeps in step",
					long: "Each computer writes only into FOLDER/mindful/<its id>/ and reads the others' files; mindful " +
						"never talks to the network itself. --encrypt makes a key and prints its code once; type it on " +
						"each other computer with --key. See docs/sync.md.",
					examples: []string{
						"mindful sync enable --dir ~/Sync/mindful-share --encrypt",
						"mindful sync enable --dir ~/Sync/mindful-share --key K7QP3-M9XTA-4HWZ2-RC6VN-8JDEF --name desktop",
					},
				},
				{
					name: "disable", synopsis: "[--json]", setup: cmdSyncDisable,
					short:    "stop sharing and forget the key (what was imported stays)",
					examples: []string{"mindful sync disable"},
				},
				{
					name: "status", synopsis: "[--json]", setup: cmdSyncStatus,
					short:    "every device seen: id, name, last import; any problem",
					examples: []string{"mindful sync status", "mindful sync status --json"},
				},
			},
		},
		{
			name: "uninstall", synopsis: "[--purge] [--yes] [--dry-run]", setup: cmdUninstall,
			short:    "stop the daemon, remove what install wrote (--purge: the data too)",
			examples: []string{"mindful uninstall --dry-run", "mindful uninstall --purge"},
		},
		{
			name: "version", setup: cmdVersion,
			short:    "print the version",
			examples: []string{"mindful version"},
		},
	}
}

func ptr[T any](v T) *T { return &v }
