package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/regcat/regcat/internal/regtest"
	"github.com/regcat/regcat/snapshot"
)

// runMainEnv, set to 1, makes the test binary run regcat's main with its
// arguments instead of the tests: the subprocess tests run regcat this
// way, so the binary is built once, with the test run's flags (-race).
const runMainEnv = "REGCAT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{"regcat"}, os.Args[1:]...)
		main()
		return // not reached: main exits
	}
	os.Exit(m.Run())
}

// exitBound is how long a signalled regcat may take to exit: generous for
// a loaded machine and the race detector; the promise is 2 s.
const exitBound = 10 * time.Second

// subprocess is a regcat process started by a test.
type subprocess struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	err    error // from Wait, once done is closed
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of exec
// and the test reading it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startRegcat starts regcat with args in a process of its own.
func startRegcat(t *testing.T, args ...string) *subprocess {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("signals are sent to processes only on Unix")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := &subprocess{t: t, stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(exe, args...)
	p.cmd.Env = append(os.Environ(), runMainEnv+"=1", "DOCKER_CONFIG="+t.TempDir(), envUsername+"=", envPassword+"=")
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		p.err = p.cmd.Wait()
		close(p.done)
	})
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		wg.Wait()
	})
	return p
}

// signal sends sig to the process.
func (p *subprocess) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("send %v: %v", sig, err)
	}
}

// wait waits up to d for the process to exit and returns its exit code
// and how long it took.
func (p *subprocess) wait(d time.Duration) (int, time.Duration) {
	p.t.Helper()
	start := time.Now()
	select {
	case <-p.done:
	case <-time.After(d):
		p.t.Fatalf("still running %s after the signal; stderr:\n%s", d, p.stderr.String())
	}
	elapsed := time.Since(start)
	var ee *exec.ExitError
	switch {
	case p.err == nil:
		return 0, elapsed
	case errors.As(p.err, &ee):
		return ee.ExitCode(), elapsed
	}
	p.t.Fatalf("wait: %v", p.err)
	return 0, 0
}

// waitFor polls cond until it holds, failing the test when the process
// exits or a minute passes first.
func (p *subprocess) waitFor(what string, cond func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		select {
		case <-p.done:
			p.t.Fatalf("exited (%v) before %s; stderr:\n%s", p.err, what, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no %s after a minute; stderr:\n%s", what, p.stderr.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// hashTree returns the SHA-256 of every file under dir, by relative path,
// with directories listed too, so that a file or directory added,
// removed or changed shows.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		sum := sha256.Sum256(b)
		out[rel] = hex.EncodeToString(sum[:])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTree fails the test unless dir holds what want (from hashTree)
// says.
func checkTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := hashTree(t, dir)
	changed := 0
	for name, h := range want {
		if got[name] != h {
			if changed++; changed <= 5 {
				t.Errorf("%s: %s changed or removed", dir, name)
			}
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			if changed++; changed <= 5 {
				t.Errorf("%s: %s added", dir, name)
			}
		}
	}
}

// leftovers returns the temporary directories beside dir: .<base>.tmp-*
// and .<base>.old-*.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Base(dir)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+base+".tmp-") || strings.HasPrefix(e.Name(), "."+base+".old-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// signalFixture is a previous snapshot and site of a registry whose
// catalog is large enough that a crawl and a render each take a while.
type signalFixture struct {
	reg            *regtest.Registry
	snap, site     string
	snapSum, sites map[string]string
}

// TestSignals runs regcat in a process of its own, over a previous
// snapshot and site, and stops it with signals.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large catalog; skipped with -short")
	}
	hermetic(t)
	reg := regtest.NewGGCR(t)
	if err := reg.Populate(context.Background(), regtest.Large(t, 30, 20)); err != nil {
		t.Fatal(err)
	}
	// One seeding build; each subtest gets a copy of its snapshot and site.
	seed := t.TempDir()
	if code, stderr := runCLI(t, "", "build", reg.Host, "-q", "--snapshot", filepath.Join(seed, "snapshot"), "--out", filepath.Join(seed, "site")); code != exitOK {
		t.Fatalf("seeding build: exit %d: %s", code, stderr)
	}
	fixture := func(t *testing.T) *signalFixture {
		t.Helper()
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(seed)); err != nil {
			t.Fatal(err)
		}
		f := &signalFixture{reg: reg, snap: filepath.Join(dir, "snapshot"), site: filepath.Join(dir, "site")}
		f.snapSum, f.sites = hashTree(t, f.snap), hashTree(t, f.site)
		return f
	}
	t.Run("SIGTERM during the crawl", func(t *testing.T) { testSignalDuringCrawl(t, fixture(t)) })
	t.Run("SIGTERM during the render", func(t *testing.T) { testSignalDuringRender(t, fixture(t), syscall.SIGTERM, 143) })
	t.Run("SIGINT during the render", func(t *testing.T) { testSignalDuringRender(t, fixture(t), syscall.SIGINT, 130) })
	t.Run("second signal", func(t *testing.T) { testSecondSignal(t, filepath.Join(seed, "site")) })
	t.Run("SIGKILL during the render", func(t *testing.T) { testSIGKILLDuringRender(t, fixture(t)) })
}

// build starts `regcat build` of the fixture's registry over its
// previous snapshot and site.
func (f *signalFixture) build(t *testing.T, extra ...string) *subprocess {
	return startRegcat(t, append([]string{"build", f.reg.Host, "--snapshot", f.snap, "--out", f.site}, extra...)...)
}

// rendering reports whether the render's temporary directory is beside
// --out.
func (f *signalFixture) rendering() bool {
	m, _ := filepath.Glob(filepath.Join(filepath.Dir(f.site), "."+filepath.Base(f.site)+".tmp-*"))
	return len(m) > 0
}

// check fails the test unless the previous snapshot and site are left
// byte for byte, readable, with no temporary directory beside them.
func (f *signalFixture) check(t *testing.T, leftoversAllowed bool) {
	t.Helper()
	checkTree(t, f.snap, f.snapSum)
	checkTree(t, f.site, f.sites)
	if _, err := snapshot.Read(f.snap); err != nil {
		t.Errorf("previous snapshot unreadable: %v", err)
	}
	if leftoversAllowed {
		return
	}
	for _, d := range []string{f.snap, f.site} {
		if left := leftovers(t, d); len(left) > 0 {
			t.Errorf("left beside %s: %v", d, left)
		}
	}
}

func testSignalDuringCrawl(t *testing.T, f *signalFixture) {
	// Slow manifests keep the crawl going for minutes unless stopped.
	f.reg.Faults.Set(regtest.Rule{Fault: regtest.FaultStall, Delay: 200 * time.Millisecond, Times: -1,
		Routes: []regtest.Route{regtest.RouteManifestGet}})
	f.reg.Counter.Reset()
	p := f.build(t, "--full")
	p.waitFor("manifest requests", func() bool { return f.reg.Counter.Get(regtest.RouteManifestGet) > 10 })
	p.signal(syscall.SIGTERM)
	code, took := p.wait(exitBound)
	if code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143; stderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped by SIGTERM") {
		t.Errorf("stderr does not say why it stopped:\n%s", p.stderr.String())
	}
	t.Logf("exited %s after SIGTERM during the crawl", took)
	f.check(t, false)
}

func testSignalDuringRender(t *testing.T, f *signalFixture, sig syscall.Signal, want int) {
	// Incremental: the crawl HEADs each manifest, so the render comes soon.
	p := f.build(t)
	p.waitFor("render's temporary directory", f.rendering)
	p.signal(sig)
	code, took := p.wait(exitBound)
	if code != want {
		t.Errorf("exit %d after %v, want %d; stderr:\n%s", code, sig, want, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "crawl complete") {
		t.Errorf("stopped before the render; stderr:\n%s", p.stderr.String())
	}
	t.Logf("exited %s after %v during the render", took, newInterrupt(sig))
	f.check(t, false)
}

// testSecondSignal holds a serve command in its shutdown (a request is
// half sent, which Shutdown waits for) and checks that a second signal
// ends it at once.
func testSecondSignal(t *testing.T, site string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := startRegcat(t, "serve", "--out", site, "--addr", addr)
	var conn net.Conn
	p.waitFor("a listening server", func() bool {
		conn, err = net.Dial("tcp", addr)
		return err == nil
	})
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /index.html HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the server reads the first bytes
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
		t.Fatalf("exited (%v) on the first signal while a request was open; stderr:\n%s", p.err, p.stderr.String())
	case <-time.After(500 * time.Millisecond):
	}
	p.signal(syscall.SIGINT)
	code, took := p.wait(2 * time.Second)
	if code != 130 {
		t.Errorf("exit %d after a second signal (SIGINT), want 130; stderr:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "SIGINT again; exiting at once") {
		t.Errorf("stderr:\n%s", p.stderr.String())
	}
	t.Logf("exited %s after the second signal", took)
}

// testSIGKILLDuringRender kills regcat during the render: the previous
// snapshot and site must stay intact and readable, and the next run must
// complete and clean up what the killed one left.
func testSIGKILLDuringRender(t *testing.T, f *signalFixture) {
	p := f.build(t)
	p.waitFor("render's temporary directory", f.rendering)
	p.signal(syscall.SIGKILL)
	if code, _ := p.wait(exitBound); code != -1 {
		t.Errorf("exit %d after SIGKILL, want -1 (killed)", code)
	}
	f.check(t, true) // a killed process cannot remove its temporary directories

	again := f.build(t)
	code, _ := again.wait(2 * time.Minute)
	if code != exitOK {
		t.Fatalf("rerun: exit %d; stderr:\n%s", code, again.stderr.String())
	}
	if _, err := snapshot.Read(f.snap); err != nil {
		t.Errorf("snapshot after the rerun: %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.site, "index.html")); err != nil {
		t.Errorf("site after the rerun: %v", err)
	}
	// Stale temporary directories are removed by the next run (the
	// directory writer, internal/sitefs, does it).
	for _, d := range []string{f.snap, f.site} {
		if left := leftovers(t, d); len(left) > 0 {
			t.Errorf("stale temporary directories beside %s after a complete rerun: %v", d, left)
		}
	}
}
