//go:build race

package proc

// race makes the binary a -race build when the test binary is one: it
// shares the test's build cache, and the daemon runs under the race
// detector too.
const race = true
