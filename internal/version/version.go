// Package version holds the build's version, set by the linker (see Makefile).
package version

// Version is replaced at link time with `git describe`; "dev" for plain go builds.
var Version = "dev"
