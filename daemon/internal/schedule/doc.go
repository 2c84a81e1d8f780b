// Package schedule is mindful's break-schedule maths: pure functions of
// (rules, time, zone) → break windows. It parses the specs people write
// ("Fri 15:30" → "Sat 16:00", "weekdays 21:00" → "07:00",
// "2026-12-24 18:00" → "2026-12-26 09:00", "15m", "rest-of-day",
// "until 08:00"), expands rules into instances, merges instances into the
// periods that "on a break now" means, and says when that next changes.
// Nothing here reads a clock, a file or the network: callers pass `now`
// and the user's *time.Location, and tests drive it with injected times.
//
// # From rules to periods
//
// A Rule is stored as text. Windows expands every enabled, valid rule into
// the Window instances that overlap [from, to) — including an instance that
// began before `from` and is still running, with its true Start. Merge joins
// windows that overlap or touch into Periods; Active, Next and Transitions
// answer the daemon's questions about them:
//
//	                  from                                  to
//	                    |                                    |
//	windows   [----A----|---)                                |  A began before
//	                    |  [---B---)    [--C--)   [--E--)    |  from: it comes
//	                    |             [----D----)            |  back whole
//	          ----------+------------ Merge -----------------+----
//	periods   [---------|---------)   [---------)  [--E--)   |
//	                    |      ^ now
//
//	Active(now) = the period A+B   Next(now) = D   Transitions(now) = B's end
//
// # Wall times and daylight saving
//
// Specs are wall-clock times in the user's zone. Each wall time of a date is
// resolved to exactly one instant:
//
//   - a wall time skipped by a spring-forward change resolves to the first
//     instant after the gap (Europe/Berlin 2026-03-29 02:30 → 03:00 CEST;
//     not 03:30 as time.Date's normalization would give);
//   - a wall time repeated by a fall-back change resolves to its first
//     occurrence, and a weekly rule makes one instance per day, never two.
//
// For example:
//
//	Europe/Berlin, 2026-03-29: spring forward, 02:00 CET → 03:00 CEST
//	  UTC   00:00   01:00   02:00
//	  wall  01:00   03:00   04:00     (02:00–02:59 does not happen)
//	  "daily 02:30" → "03:30"  =  [03:00, 03:30) CEST: 30 minutes
//
//	Europe/Berlin, 2026-10-25: fall back, 03:00 CEST → 02:00 CET
//	  UTC   00:00   01:00   02:00
//	  wall  02:00   02:00   03:00     (02:00–02:59 happens twice)
//	        CEST    CET     CET
//	  "daily 02:30" → "03:30"  =  [02:30 CEST, 03:30 CET): 2 hours
//
// A window's real duration may therefore differ from its wall-clock span by
// the daylight-saving shift; that is intended: a "21:00 → 07:00" break ends
// when the clock on the wall says 07:00. A window whose start and end both
// fall in the same gap has no length and is left out.
//
// Durations of on-demand breaks ("15m", "2h30m") are real elapsed time.
package schedule
