// Command deploybench drives the deploy benchmarks in run.sh:
//
//	deploybench gensite -out DIR          write the benchmark site
//	deploybench serve -src DIR -data DIR -addr 127.0.0.1:PORT -for 90s [-fast=false]
//	                                      deploy DIR and serve it until the time is up,
//	                                      through deploy.FastServer, or net/http alone
//	deploybench fileserver -src DIR -addr 127.0.0.1:PORT -for 90s
//	                                      serve DIR with net/http's FileServer, the baseline
//	deploybench floor -src DIR -addr 127.0.0.1:PORT -for 90s
//	                                      serve DIR from memory with two headers and no
//	                                      logic: the most net/http can do on this machine
//	deploybench incremental -pages 5000   time a deploy in which one page changed
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	deploy "github.com/comune-torino/portale/netlify-style-deploy"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: deploybench gensite|serve|incremental [flags]")
	}
	var err error
	switch os.Args[1] {
	case "gensite":
		fs := flag.NewFlagSet("gensite", flag.ExitOnError)
		out := fs.String("out", "", "directory to write the site into")
		fs.Parse(os.Args[2:])
		err = genSite(*out, 20)
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ExitOnError)
		src := fs.String("src", "", "site to deploy")
		data := fs.String("data", "", "deploy store directory")
		addr := fs.String("addr", "127.0.0.1:18082", "loopback address to listen on")
		lifetime := fs.Duration("for", 90*time.Second, "stop serving after this long")
		fast := fs.Bool("fast", true, "answer through deploy.FastServer in front of net/http (false: net/http alone)")
		fs.Parse(os.Args[2:])
		err = serve(*src, *data, *addr, *lifetime, *fast)
	case "fileserver":
		fs := flag.NewFlagSet("fileserver", flag.ExitOnError)
		src := fs.String("src", "", "site to serve")
		addr := fs.String("addr", "127.0.0.1:18083", "loopback address to listen on")
		lifetime := fs.Duration("for", 90*time.Second, "stop serving after this long")
		fs.Parse(os.Args[2:])
		err = listen(*addr, *lifetime, http.FileServer(http.Dir(*src)), nil)
	case "floor":
		fs := flag.NewFlagSet("floor", flag.ExitOnError)
		src := fs.String("src", "", "site to serve")
		addr := fs.String("addr", "127.0.0.1:18084", "loopback address to listen on")
		lifetime := fs.Duration("for", 90*time.Second, "stop serving after this long")
		fs.Parse(os.Args[2:])
		var h http.Handler
		if h, err = floor(*src); err == nil {
			err = listen(*addr, *lifetime, h, nil)
		}
	case "incremental":
		fs := flag.NewFlagSet("incremental", flag.ExitOnError)
		pages := fs.Int("pages", 5000, "pages in the site")
		fs.Parse(os.Args[2:])
		err = incremental(*pages)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// page is an HTML page shaped like the portal's: header, navigation, a body
// of text, footer; about 6 KB.
func page(title string, n int) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>")
	b.WriteString(title)
	b.WriteString("</title><link rel=\"stylesheet\" href=\"/css/main.5d41402abc4b2a76.css\"></head><body><header><nav><ul>")
	for i := range 12 {
		fmt.Fprintf(&b, "<li><a href=\"/sezione-%d/\">Sezione %d</a></li>", i, i)
	}
	b.WriteString("</ul></nav></header><main>")
	for i := range 40 {
		fmt.Fprintf(&b, "<p>Paragrafo %d di %s: il pagamento entro cinque giorni dalla notifica riduce la sanzione del trenta per cento.</p>\n", i, title)
	}
	fmt.Fprintf(&b, "</main><footer>Pagina %d</footer></body></html>\n", n)
	return b.String()
}

func css() string {
	var b strings.Builder
	for i := range 600 {
		fmt.Fprintf(&b, ".c%d { margin: %dpx; padding: 0 %dpx; color: #1a%02x1a; }\n", i, i%16, i%8, i%256)
	}
	return b.String()
}

func genSite(out string, pages int) error {
	if out == "" {
		return errors.New("gensite: -out is required")
	}
	files := map[string]string{
		"index.html":                    page("Polizia Municipale", 0),
		"css/main.5d41402abc4b2a76.css": css(),
		"404.html":                      "<h1>Pagina non trovata</h1>",
	}
	for i := 1; i <= pages; i++ {
		files[fmt.Sprintf("pagine/%d/index.html", i)] = page(fmt.Sprintf("Pagina %d", i), i)
	}
	for name, content := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func serve(src, data, addr string, lifetime time.Duration, fast bool) error {
	store, err := deploy.Open(data)
	if err != nil {
		return err
	}
	d, err := store.Create(context.Background(), src)
	if err != nil {
		return err
	}
	if err := store.Publish(d.ID); err != nil {
		return err
	}
	log.Printf("serving deploy %s on http://%s for %s (fast path: %v)", d.ID, addr, lifetime, fast)
	site := deploy.NewServer(store, deploy.ServerOptions{})
	if !fast {
		return listen(addr, lifetime, site, nil)
	}
	return listen(addr, lifetime, site, site)
}

// floor answers from a map of file contents, with Content-Type and
// Content-Length only: what any Go handler costs at the least, to tell the
// deploy server's own cost from net/http's.
func floor(src string) (http.Handler, error) {
	type file struct {
		data      []byte
		typ, size []string
	}
	files := map[string]file{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		key := "/" + filepath.ToSlash(rel)
		f := file{data: data, typ: []string{mime.TypeByExtension(filepath.Ext(p))}, size: []string{strconv.Itoa(len(data))}}
		files[key] = f
		if dir, ok := strings.CutSuffix(key, "index.html"); ok {
			files[dir] = f
		}
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header()["Content-Type"] = f.typ
		w.Header()["Content-Length"] = f.size
		w.Write(f.data)
	}), err
}

// listen serves h on a loopback address until lifetime is over; when site
// is set, through deploy.FastServer with net/http serving h behind it.
func listen(addr string, lifetime time.Duration, h http.Handler, site *deploy.Server) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("%q is not a loopback address", addr)
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	serve, shutdown := srv.Serve, srv.Shutdown
	if site != nil {
		fs := &deploy.FastServer{Site: site, Fallback: srv}
		serve, shutdown = fs.Serve, fs.Shutdown
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	go func() {
		time.Sleep(lifetime)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdown(ctx)
	}()
	if err := serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// incremental deploys a site of n pages, changes one page and deploys again,
// reporting the time and the bytes the second deploy added to the store.
func incremental(n int) error {
	tmp, err := os.MkdirTemp("", "deploybench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "site")
	if err := genSite(src, n); err != nil {
		return err
	}
	store, err := deploy.Open(filepath.Join(tmp, "deploys"))
	if err != nil {
		return err
	}
	start := time.Now()
	first, err := store.Create(context.Background(), src)
	if err != nil {
		return err
	}
	cold := time.Since(start)
	before, err := dirSize(store.Dir())
	if err != nil {
		return err
	}
	changed := filepath.Join(src, "pagine", "42", "index.html")
	if err := os.WriteFile(changed, []byte(page("Pagina 42, aggiornata", 42)), 0o644); err != nil {
		return err
	}
	start = time.Now()
	second, err := store.Create(context.Background(), src)
	if err != nil {
		return err
	}
	warm := time.Since(start)
	after, err := dirSize(store.Dir())
	if err != nil {
		return err
	}
	manifest, err := os.Stat(filepath.Join(store.Dir(), "deploys", second.ID+".json"))
	if err != nil {
		return err
	}
	fmt.Printf("site: %d files, %d bytes\n", first.Files, first.Bytes)
	fmt.Printf("first deploy (everything new): %s\n", cold.Round(time.Millisecond))
	fmt.Printf("second deploy (one page changed): %s, %d bytes written (%d of them the manifest), %d new blob files (the page and its compressed variants)\n",
		warm.Round(time.Millisecond), after.bytes-before.bytes, manifest.Size(), after.blobs-before.blobs)
	return nil
}

type usage struct {
	bytes int64
	blobs int
}

func dirSize(dir string) (usage, error) {
	var u usage
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		u.bytes += info.Size()
		digest, _, _ := strings.Cut(d.Name(), ".")
		if filepath.Base(filepath.Dir(filepath.Dir(p))) == "blobs" && isDigest(digest) {
			u.blobs++
		}
		return nil
	})
	return u, err
}

func isDigest(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}
