// Package deploy keeps immutable, content-addressed snapshots of a built site
// ("deploys"), publishes one of them as the live site or under a preview name,
// and serves them over HTTP with Netlify's _headers and _redirects semantics.
//
// On-disk layout of a store (the directory given to Open):
//
//	blobs/<aa>/<sha256>      file contents, named by their SHA-256 (aa = first two hex digits)
//	blobs/<aa>/<sha256>.br   brotli variant, made at deploy time when it saves space
//	blobs/<aa>/<sha256>.gz   gzip variant, likewise
//	deploys/<id>.json        manifest: path → digest, size, MIME type; written once, never changed
//	live                     pointer file holding the id of the live deploy
//	previews/<name>          pointer file holding the id published under preview <name>
//	tmp/                     files being written; renamed into place when complete
//	lock                     advisory lock: Create and Publish share it, Prune takes it alone
//
// Every file that others read (blob, manifest, pointer) is written to tmp/
// first, synced, then renamed: rename is atomic on one filesystem, so a reader
// in any process sees either the old or the new file, never a partial one.
// That is what makes Publish and rollback atomic across processes.
package deploy
