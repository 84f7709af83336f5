// Package push copies a deploy to object storage, for cities that serve
// their static files from an S3-compatible bucket or a CDN origin instead of
// (or besides) portale serve.
//
// Each file goes to the key of its path ("multe/index.html"), with the
// Content-Type and Cache-Control the deploy server would send. A state object
// (StateKey) records what the bucket holds, so the next push uploads only
// what changed and deletes what the new deploy no longer has.
//
// Object storage cannot negotiate encodings nor apply rules: files are
// uploaded uncompressed, and _headers, _redirects and netlify.toml are not
// applied (Result.RulesIgnored names them so the operator knows).
package push

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

	deploy "github.com/comune-torino/portale/netlify-style-deploy"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	// The bucket URL schemes push understands: s3:// (AWS and compatible
	// services such as MinIO, via ?endpoint=…&use_path_style=true) and
	// file:// (a directory, e.g. one a web server or a sync tool serves).
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob"
)

// StateKey is the object that records what the last push uploaded.
const StateKey = ".portale-deploy.json"

// Result tells what a push did.
type Result struct {
	Uploaded, Unchanged, Deleted int
	Bytes                        int64    // bytes uploaded
	RulesIgnored                 []string // rule files the bucket cannot apply
}

type state struct {
	Deploy string            `json:"deploy"`
	Files  map[string]string `json:"files"` // path → SHA-256
}

// Push uploads deploy id to the bucket at bucketURL, for example
// "s3://comune-sito?region=eu-south-1" or
// "s3://sito?endpoint=https://minio.example.it&use_path_style=true&region=us-east-1".
// Credentials come from the environment, as for the AWS command line.
func Push(ctx context.Context, s *deploy.Store, id, bucketURL string) (Result, error) {
	var res Result
	files, err := s.Files(id)
	if err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	if res.RulesIgnored, err = s.RuleFiles(id); err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	bucket, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		return res, fmt.Errorf("push: open bucket: %w", err)
	}
	defer bucket.Close()

	prev := state{Files: map[string]string{}}
	data, err := bucket.ReadAll(ctx, StateKey)
	switch {
	case gcerrors.Code(err) == gcerrors.NotFound:
	case err != nil:
		return res, fmt.Errorf("push: read %s: %w", StateKey, err)
	default:
		if err := json.Unmarshal(data, &prev); err != nil {
			return res, fmt.Errorf("push: %s in the bucket is damaged (delete it to upload everything again): %w", StateKey, err)
		}
	}

	var todo []deploy.File
	next := state{Deploy: id, Files: make(map[string]string, len(files))}
	for _, f := range files {
		next.Files[f.Path] = f.SHA256
		if prev.Files[f.Path] == f.SHA256 {
			res.Unchanged++
			continue
		}
		todo = append(todo, f)
	}
	if err := upload(ctx, s, bucket, todo); err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	res.Uploaded = len(todo)
	for _, f := range todo {
		res.Bytes += f.Size
	}
	for p := range prev.Files {
		if _, kept := next.Files[p]; kept {
			continue
		}
		if err := bucket.Delete(ctx, p); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return res, fmt.Errorf("push: delete %s: %w", p, err)
		}
		res.Deleted++
	}
	// The state is written last: a push cut short uploads again next time
	// rather than skipping files it never sent.
	data, err = json.Marshal(next)
	if err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	if err := bucket.WriteAll(ctx, StateKey, data, &blob.WriterOptions{ContentType: "application/json", CacheControl: "no-store"}); err != nil {
		return res, fmt.Errorf("push: write %s: %w", StateKey, err)
	}
	return res, nil
}

// upload sends files with a few requests in flight: object stores are slow
// per request and fast in parallel.
func upload(ctx context.Context, s *deploy.Store, bucket *blob.Bucket, files []deploy.File) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan deploy.File)
	var wg sync.WaitGroup
	for range max(4, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for f := range next {
				if err := uploadFile(ctx, s, bucket, f); err != nil {
					cancel(fmt.Errorf("upload %s: %w", f.Path, err))
				}
			}
		})
	}
feed:
	for _, f := range files {
		select {
		case next <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return context.Cause(ctx)
}

func uploadFile(ctx context.Context, s *deploy.Store, bucket *blob.Bucket, f deploy.File) error {
	r, err := s.OpenFile(f)
	if err != nil {
		return err
	}
	defer r.Close()
	return bucket.Upload(ctx, f.Path, r, &blob.WriterOptions{
		ContentType:  f.Type,
		CacheControl: f.CacheControl,
		Metadata:     map[string]string{"sha256": f.SHA256},
	})
}
