//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/regcat/regcat/internal/regtest"
)

// openPTY opens a pseudo-terminal pair: the controller the test reads, and
// the terminal regcat writes to.
func openPTY(t *testing.T) (controller, terminal *os.File) {
	t.Helper()
	controller, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(controller.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	terminal, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() {
		terminal.Close()
		controller.Close()
	})
	return controller, terminal
}

// TestCrawlProgressOnTerminal runs a crawl with stderr on a real terminal
// and reads what a person would see: a progress line redrawn in place, log
// records that do not run into it, and the summary on a clean line.
func TestCrawlProgressOnTerminal(t *testing.T) {
	hermetic(t)
	controller, terminal := openPTY(t)
	reg, fx := startRegistry(t)
	// Each tags list waits a little, so the crawl lasts long enough for
	// the line to be drawn several times, and the last repository fails,
	// which logs a warning while the line is drawn.
	last := fx.Repos[len(fx.Repos)-1].Name
	reg.Faults.Set(
		regtest.Rule{Fault: regtest.FaultStatus, Status: http.StatusNotFound, Times: -1, Repo: last, Routes: []regtest.Route{regtest.RouteTags}},
		regtest.Rule{Fault: regtest.FaultStall, Delay: 150 * time.Millisecond, Routes: []regtest.Route{regtest.RouteTags}},
	)

	var (
		seen bytes.Buffer
		wg   sync.WaitGroup
	)
	wg.Go(func() { copyUntilClosed(&seen, controller) })
	var stdout bytes.Buffer
	code := run(context.Background(), []string{"crawl", reg.Host, "--snapshot", filepath.Join(t.TempDir(), "snap"), "--concurrency", "1"},
		strings.NewReader(""), &stdout, terminal)
	terminal.Close()
	wg.Wait()
	if code != exitPartial {
		t.Fatalf("exit %d, want %d: %q", code, exitPartial, seen.String())
	}
	out := seen.String()
	if !strings.Contains(out, "level=WARN") {
		t.Fatalf("no warning logged during the crawl: %q", out)
	}
	const clear = "\r\x1b[K"
	if n := strings.Count(out, clear); n < 2 {
		t.Fatalf("progress line erased %d times, want it redrawn: %q", n, out)
	}
	for _, want := range []string{"repos ", "tags ", "requests ", "retries 0", "tags/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q: %q", want, out)
		}
	}
	// What stays on screen after the last erase is the end of the crawl:
	// the summary, with no progress line left behind.
	tail := out[strings.LastIndex(out, clear)+len(clear):]
	if !strings.Contains(tail, "crawl complete") || strings.Contains(tail, "tags/s") {
		t.Errorf("after the last erase the terminal shows %q; want the summary alone", tail)
	}
	// No log record runs into a progress line: what a line shows once
	// drawn (the text after its last erase) is one or the other.
	for _, line := range strings.Split(out, "\n") {
		shown := line
		if i := strings.LastIndex(line, clear); i >= 0 {
			shown = line[i+len(clear):]
		}
		if strings.Contains(shown, "tags/s") && strings.Contains(shown, "level=") {
			t.Errorf("a log record ran into the progress line: %q", line)
		}
	}
}

// copyUntilClosed copies the controller side into w until the terminal
// side is closed (Linux then reports EIO).
func copyUntilClosed(w io.Writer, controller *os.File) {
	_, err := io.Copy(w, controller)
	if err != nil && !errors.Is(err, syscall.EIO) {
		panic(err)
	}
}
