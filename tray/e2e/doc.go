// Package e2e tests the real tray: `mindful run` with its tray icon under a
// private Xvfb and a private D-Bus session bus, its menu driven over
// com.canonical.dbusmenu as a desktop shell would. It holds tests only.
package e2e
