//go:build windows

package datadir

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// restrict gives dir a protected DACL (nothing inherited from its parent)
// with one entry: full control for the user this process runs as,
// inherited by the files and folders in dir. Windows applies it to what
// is already there as well. Administrators and SYSTEM keep what Windows
// gives them over any file (taking ownership, backup privileges), as they
// do under POSIX modes with root.
func restrict(dir string) error {
	sid, err := userSID()
	if err != nil {
		return err
	}
	acl, err := privateACL(sid)
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, acl, nil)
	if err != nil {
		return fmt.Errorf("set access list: %w", err)
	}
	return nil
}

// privateACL is the access list restrict sets: in SDDL, D:P(A;OICI;GA;;;sid).
func privateACL(sid *windows.SID) (*windows.ACL, error) {
	acl, err := windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       windows.SUB_CONTAINERS_AND_OBJECTS_INHERIT,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(sid),
		},
	}}, nil)
	if err != nil {
		return nil, fmt.Errorf("build access list: %w", err)
	}
	return acl, nil
}

// Private reports whether only the user can get into dir: its DACL is
// protected from inheritance and every entry in it allows the user and no
// one else.
func Private(dir string) error {
	sid, err := userSID()
	if err != nil {
		return err
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("read the access list of %s: %w", dir, err)
	}
	ctl, _, err := sd.Control()
	if err != nil {
		return err
	}
	if ctl&windows.SE_DACL_PROTECTED == 0 {
		return fmt.Errorf("%s inherits access from its parent folder", dir)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("%s has no access list: %w", dir, err)
	}
	if dacl == nil {
		return fmt.Errorf("%s has a null access list: everyone can get in", dir)
	}
	if dacl.AceCount == 0 {
		return fmt.Errorf("%s has an empty access list", dir)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return fmt.Errorf("entry %d of the access list of %s: %w", i, dir, err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE {
			continue // a deny entry takes nothing from the user
		}
		who := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		if !who.Equals(sid) {
			return fmt.Errorf("%s lets %s in", dir, who.String())
		}
	}
	return nil
}

// userSID is the SID of the user this process runs as.
func userSID() (*windows.SID, error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("who is the current user: %w", err)
	}
	return tu.User.Sid, nil
}
