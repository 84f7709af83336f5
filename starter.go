// Package portale holds the starter site that `portale init` copies into a new
// installation's site repository: the Hugo configuration, content, layouts and
// theme at the root of this repository (which is itself a standard Hugo site).
// Bootstrap Italia's files are included when `make assets` has copied them
// from node_modules before the build.
package portale

import "embed"

// Starter is the starter site: hugo.toml, content/, layouts/, themes/.
//
//go:embed hugo.toml all:content all:layouts all:themes
var Starter embed.FS
