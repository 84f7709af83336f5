// Package cmsui holds the browser side of the CMS: the page that starts
// Decap CMS (index.html) and Decap's prebuilt bundle in dist/, copied there
// from node_modules by `make assets` (never fetched from a CDN). Without the
// copy the binary still builds, and /cms/ says the editor was not included.
package cmsui

import "embed"

// FS holds index.html and dist/.
//
//go:embed index.html dist
var FS embed.FS
