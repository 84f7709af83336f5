// Package e2e runs the real portale binary the way an operator does: init,
// build, serve and demo on fresh data directories, over real HTTP.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binPath string

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// run uses the binary named by PORTALE_BIN (make test builds it first) or
// builds one, so `go test ./...` alone also works.
func run(m *testing.M) (int, error) {
	binPath = os.Getenv("PORTALE_BIN")
	if binPath == "" {
		dir, err := os.MkdirTemp("", "portale-e2e-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "portale")
		cmd := exec.Command("go", "build", "-o", binPath, "github.com/comune-torino/portale/cmd/portale")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("building portale: %w", err)
		}
	}
	code := m.Run()
	if shared.stop != nil {
		shared.stop()
	}
	return code, nil
}

type result struct {
	stdout, stderr string
	code           int
}

func portale(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("portale %v: %v", args, err)
	}
	return res
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a running `portale serve` or `portale demo`, stopped with SIGTERM
// when the test ends.
type server struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String() + s.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func start(t *testing.T, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{url: "http://" + addr, done: make(chan error, 1)}
	s.cmd = exec.Command(binPath, append(args, "--addr", addr)...)
	s.cmd.Stdout = lockedWriter{&s.mu, &s.stdout}
	s.cmd.Stderr = lockedWriter{&s.mu, &s.stderr}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			t.Errorf("server did not stop within 15 s of SIGTERM")
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("server exited early (%v):\n%s", err, s.output())
		default:
		}
		resp, err := http.Get(s.url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no healthy answer within 2 minutes:\n%s", s.output())
	return nil
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestHelpListsTheCommands(t *testing.T) {
	res := portale(t, "--help")
	if res.code != 0 {
		t.Fatalf("--help exit %d: %s", res.code, res.stderr)
	}
	for _, name := range []string{"serve", "build", "demo", "init"} {
		if !regexp.MustCompile(`(?m)^\s+` + name + `\s`).MatchString(res.stdout) {
			t.Errorf("--help does not list %q:\n%s", name, res.stdout)
		}
	}
}

func TestInitCreatesSiteRepositoryDatabaseAndDeployStore(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	res := portale(t, "init", "--data", data)
	if res.code != 0 {
		t.Fatalf("init exit %d: %s", res.code, res.stderr)
	}
	for _, p := range []string{"site/.git", "site/hugo.toml", "site/content/_index.md", "site/themes/portale", "portale.db", "deploys"} {
		if _, err := os.Stat(filepath.Join(data, p)); err != nil {
			t.Errorf("after init, %s is missing: %v", p, err)
		}
	}
	log, err := exec.Command("git", "-C", filepath.Join(data, "site"), "log", "--format=%an|%s").Output()
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(log)), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "Portale Multiservizi|") {
		t.Errorf("site repository history = %q, want one initial commit by the portal", log)
	}
	tracked, err := exec.Command("git", "-C", filepath.Join(data, "site"), "ls-files").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(tracked), "vendor/bootstrap-italia") {
		t.Errorf("vendor assets were committed to the site repository")
	}
	if again := portale(t, "init", "--data", data); again.code != 0 {
		t.Errorf("a second init failed (exit %d): %s", again.code, again.stderr)
	}
}

func TestBuildThenServeTheItalianHomePage(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatalf("init: %s", res.stderr)
	}
	res := portale(t, "build", "--data", data)
	if res.code != 0 {
		t.Fatalf("build exit %d: %s", res.code, res.stderr)
	}
	m := regexp.MustCompile(`(\d+) pagine.*deploy (\S+) pubblicato`).FindStringSubmatch(res.stdout)
	if m == nil || m[1] == "0" {
		t.Fatalf("build output does not report pages built and the deploy: %q", res.stdout)
	}
	deployID := m[2]

	s := start(t, "serve", "--data", data)
	resp, body := get(t, s.url+"/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !regexp.MustCompile(`<html[^>]*\slang="?it`).MatchString(body) {
		t.Errorf("home page is not marked as Italian: %.300s", body)
	}
	if !strings.Contains(body, "Vai al contenuto") {
		t.Errorf("home page has no skip link")
	}
	if !strings.Contains(body, "/vendor/bootstrap-italia/") {
		t.Errorf("home page does not load Bootstrap Italia")
	}
	if r, _ := get(t, s.url+"/vendor/bootstrap-italia/css/bootstrap-italia.min.css"); r.StatusCode != http.StatusOK {
		t.Errorf("Bootstrap Italia CSS is not served: %d", r.StatusCode)
	}
	if r, en := get(t, s.url+"/en/"); r.StatusCode != http.StatusOK || !regexp.MustCompile(`<html[^>]*\slang="?en`).MatchString(en) {
		t.Errorf("English home page: %d", r.StatusCode)
	}

	resp, body = get(t, s.url+"/api/v1/health")
	var health struct {
		Status     string `json:"status"`
		Version    string `json:"versione"`
		LiveDeploy string `json:"deploy_live"`
		Database   struct {
			State string `json:"stato"`
		} `json:"database"`
	}
	if err := json.Unmarshal([]byte(body), &health); err != nil {
		t.Fatalf("health is not JSON: %v: %s", err, body)
	}
	if health.Status != "ok" || health.Database.State != "ok" || health.LiveDeploy != deployID || health.Version == "" {
		t.Errorf("health = %+v, want ok with live deploy %s", health, deployID)
	}

	if r, body := get(t, s.url+"/api/v1/nessuna-risorsa"); r.StatusCode != 404 || !strings.Contains(body, `"codice":"NON_TROVATO"`) {
		t.Errorf("unknown API path = %d %s", r.StatusCode, body)
	}
}

func TestDemoServesAndReusesItsData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	s := start(t, "demo", "--data", data)
	if r, body := get(t, s.url+"/"); r.StatusCode != 200 || !strings.Contains(body, `lang="it"`) {
		t.Fatalf("demo home = %d", r.StatusCode)
	}
	out := s.output()
	for _, want := range []string{s.url + "/", "Account di prova"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo did not print %q:\n%s", want, out)
		}
	}
	// A scripted login as Mario through the demo provider lands in his
	// personal area (consent already given) and shows every phase.
	mario := demoLogin(t, s.url, "RSSMRA80A01L219M")
	resp, err := mario.Get(s.url + "/api/v1/me/estratto-conto")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		TotaleCent int64 `json:"totale_cent"`
		Verbali    []struct {
			Fase string `json:"fase"`
		} `json:"verbali"`
	}
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	phases := map[string]bool{}
	for _, v := range st.Verbali {
		phases[v.Fase] = true
	}
	for _, f := range []string{"riduzione_30", "misura_ridotta", "meta_massimo", "pagato", "rateizzato", "coattivo"} {
		if !phases[f] {
			t.Errorf("demo statement for Mario lacks phase %s: %v", f, phases)
		}
	}
	if st.TotaleCent <= 0 {
		t.Errorf("Mario owes %d cents, want a positive total", st.TotaleCent)
	}

	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-s.done; err != nil {
		t.Fatalf("demo did not exit cleanly on SIGTERM: %v\n%s", err, s.output())
	}
	s.done <- nil // the cleanup waits on done again

	again := start(t, "demo", "--data", data)
	if !strings.Contains(again.output(), "li riuso") {
		t.Errorf("second demo run did not reuse the data dir:\n%s", again.output())
	}
}

func TestBadInputGetsOneClearLine(t *testing.T) {
	notInit := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	initialized := filepath.Join(t.TempDir(), "ok")
	if res := portale(t, "init", "--data", initialized); res.code != 0 {
		t.Fatal(res.stderr)
	}
	unreadable := filepath.Join(t.TempDir(), "locked")
	if err := os.Mkdir(unreadable, 0); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		args []string
		code int
		want string
	}{
		"unknown flag":       {[]string{"serve", "--nonsense"}, 2, "opzione sconosciuta: --nonsense"},
		"missing data":       {[]string{"build"}, 2, "manca --data"},
		"uninitialized data": {[]string{"build", "--data", notInit}, 1, "non è inizializzata"},
		"missing data dir":   {[]string{"serve", "--data", filepath.Join(notInit, "nope")}, 1, "non esiste"},
		"port in use":        {[]string{"serve", "--data", initialized, "--addr", busy.Addr().String()}, 1, "è già in uso"},
		"bad address":        {[]string{"serve", "--data", initialized, "--addr", "nonsense"}, 2, "--addr"},
		"stray argument":     {[]string{"init", "x", "--data", notInit}, 2, "argomento inatteso"},
	}
	if os.Geteuid() != 0 { // root reads any folder, so the case cannot arise there
		cases["unreadable data dir"] = struct {
			args []string
			code int
			want string
		}{[]string{"build", "--data", unreadable}, 1, "non è leggibile"}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := portale(t, c.args...)
			if res.code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", res.code, c.code, res.stderr)
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr = %q, want one line containing %q", res.stderr, c.want)
			}
			if strings.Contains(res.stderr, "goroutine") || strings.Contains(res.stderr, "panic") {
				t.Errorf("stderr shows a stack trace: %s", res.stderr)
			}
		})
	}
}

// A server's log must never hold the query string or API values, which can
// carry fiscal codes and plates.
func TestServeLogsCarryNoPersonalData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if res := portale(t, "init", "--data", data); res.code != 0 {
		t.Fatal(res.stderr)
	}
	s := start(t, "serve", "--data", data)
	get(t, s.url+"/api/v1/health?codice_fiscale=RSSMRA80A01L219X&targa=AB123CD")
	get(t, s.url+"/?q=RSSMRA80A01L219X")
	time.Sleep(100 * time.Millisecond)
	sc := bufio.NewScanner(strings.NewReader(s.output()))
	for sc.Scan() {
		if strings.Contains(sc.Text(), "RSSMRA80A01L219X") || strings.Contains(sc.Text(), "AB123CD") {
			t.Errorf("log line holds personal data: %s", sc.Text())
		}
	}
	if !strings.Contains(s.output(), "/api/v1/health") {
		t.Errorf("requests are not logged at all:\n%s", s.output())
	}
}

// demoLogin logs in through /auth/login and the demo identity provider's form
// (field codice_fiscale), as a browser would.
func demoLogin(t *testing.T, base, cf string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, body := clientGet(t, c, base+"/auth/login")
	if !strings.Contains(body, `name="codice_fiscale"`) {
		t.Fatalf("/auth/login did not reach the demo provider's form: %d %.200s", resp.StatusCode, body)
	}
	_, after, _ := strings.Cut(body, `name="richiesta" value="`)
	richiesta, _, _ := strings.Cut(after, `"`)
	login := resp.Request.URL.ResolveReference(&url.URL{Path: "login"})
	resp, err := c.PostForm(login.String(), url.Values{"richiesta": {richiesta}, "codice_fiscale": {cf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Request.URL.Path, "/area-personale") {
		t.Fatalf("after login: %d at %s, want the personal area", resp.StatusCode, resp.Request.URL)
	}
	return c
}

func clientGet(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
