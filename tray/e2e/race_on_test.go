//go:build race

package e2e

// raceEnabled makes the binary under test a -race build too, so it shares
// the test's build cache and the daemon and tray run under the race detector.
const raceEnabled = true
