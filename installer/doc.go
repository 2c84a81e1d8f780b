// Package installer is the home of mindful's installation code: packaging
// the browser extension (extpack) and, later, start-at-login and
// native-messaging registration. It never imports the daemon's internals;
// it talks to a running daemon only through daemon/client.
package installer
