// Package installer puts mindful in place for one user, and takes it away
// again: the binary in a bin directory, start at login (an XDG autostart
// entry and optionally a systemd --user unit on Linux, a LaunchAgent on
// macOS, a Run value on Windows) and the native-messaging host manifests
// through which the browser extension pairs without a typed code.
//
// What to write is worked out as data first: Plan* are pure functions of an
// Env (OS, home, XDG directories, prefix, browsers, binary) that return
// files with their path, content and mode, and Windows registry values.
// Install and Uninstall then apply or undo a plan idempotently, and can
// print what they would do instead (dry run). The registry is touched only
// on Windows (registry_windows.go); elsewhere it exists only as data.
//
// The native-messaging host is named HostName. Chromium-family browsers
// admit exactly the pinned extension origin ChromeOrigin, Firefox exactly
// the add-on FirefoxAddonID.
//
// installer never imports the daemon's internals; it talks to a running
// daemon only through daemon/client. The native-messaging host itself is
// installer/nativehost, the Debian package installer/deb, and the browser
// extension's packaging installer/extpack.
package installer
