//go:build windows

package datadir

// Exported for the tests.
var PrivateACL, UserSID = privateACL, userSID
