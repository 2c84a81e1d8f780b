// Package e2e holds mindful's end-to-end tests: they build the real mindful
// binary and the real extension, start the daemon on a temp data dir and a
// free loopback port, and drive a real headless browser against fake sites
// served locally. In CI (CI=true) a missing browser is a failure, not a skip.
package e2e
