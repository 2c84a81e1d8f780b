// Package version holds the version of mindful, stamped at build time with
// -ldflags "-X github.com/mindful-app/mindful/daemon/version.Version=…".
package version

// Version is the release version; "dev" for untagged builds.
var Version = "0.1.0-dev"
