// Package cmsui holds the browser side of the CMS: the page that starts
// Decap CMS (index.html), our additions to it (importa.js: "Importa da
// Word/Excel"), and in dist/ Decap's prebuilt bundle and the converters'
// browser builds, copied there from node_modules by `make assets` (never
// fetched from a CDN). Without the copy the binary still builds, and /cms/
// says the editor was not included.
package cmsui

import "embed"

// FS holds index.html, importa.js and dist/.
//
//go:embed index.html importa.js dist
var FS embed.FS
