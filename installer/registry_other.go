//go:build !windows

package installer

// systemRegistry is nil: only Windows has a registry. Plans for Windows are
// still made (and tested) here, as data.
func systemRegistry() Registry { return nil }
