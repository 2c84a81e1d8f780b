//go:build windows

package datadir_test

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/mindful-app/mindful/daemon/datadir"

	"golang.org/x/sys/windows"
)

// fileIsPrivate reports whether every entry that allows access to the
// file is for the current user.
func fileIsPrivate(path string) error {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return err
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		return fmt.Errorf("%s: no access list (%v)", path, err)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return err
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue
		}
		if who := (*windows.SID)(unsafe.Pointer(&ace.SidStart)); !who.Equals(tu.User.Sid) {
			return fmt.Errorf("%s lets %s in", path, who)
		}
	}
	return nil
}

// TestPrivateACL checks the access list that Ensure sets, as SDDL: a
// protected DACL (P) with one entry allowing (A) GENERIC_ALL (GA) to the
// user, inherited by folders and files inside (OICI). It holds under Wine
// too, which builds the list but does not keep file access lists.
func TestPrivateACL(t *testing.T) {
	sid, err := datadir.UserSID()
	if err != nil {
		t.Fatal(err)
	}
	acl, err := datadir.PrivateACL(sid)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.NewSecurityDescriptor()
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.SetDACL(acl, true, false); err != nil {
		t.Fatal(err)
	}
	if err := sd.SetControl(windows.SE_DACL_PROTECTED, windows.SE_DACL_PROTECTED); err != nil {
		t.Fatal(err)
	}
	if got, want := sd.String(), "D:P(A;OICI;GA;;;"+sid.String()+")"; got != want {
		t.Errorf("data dir access list %s, want %s", got, want)
	}
}
