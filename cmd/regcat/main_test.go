package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestSupervise(t *testing.T) {
	t.Run("run returns", func(t *testing.T) {
		codes := make(chan int, 1)
		codes <- exitPartial
		_, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		if got := supervise(make(chan os.Signal), codes, cancel, &bytes.Buffer{}); got != exitPartial {
			t.Errorf("exit %d, want run's %d", got, exitPartial)
		}
	})
	t.Run("one signal cancels, run's code wins", func(t *testing.T) {
		sigs, codes := make(chan os.Signal, 1), make(chan int)
		ctx, cancel := context.WithCancelCause(context.Background())
		sigs <- syscall.SIGTERM
		var stderr bytes.Buffer
		got := make(chan int, 1)
		go func() { got <- supervise(sigs, codes, cancel, &stderr) }()
		<-ctx.Done()
		var in *interrupt
		if !errors.As(context.Cause(ctx), &in) || in.code() != 143 || in.Error() != "SIGTERM" {
			t.Errorf("cause %v, want the SIGTERM interrupt", context.Cause(ctx))
		}
		codes <- 143
		if code := <-got; code != 143 || stderr.Len() != 0 {
			t.Errorf("exit %d, stderr %q", code, stderr.String())
		}
	})
	t.Run("second signal exits at once", func(t *testing.T) {
		sigs := make(chan os.Signal, 2)
		sigs <- syscall.SIGTERM
		sigs <- os.Interrupt
		_, cancel := context.WithCancelCause(context.Background())
		var stderr bytes.Buffer
		got := make(chan int, 1)
		go func() { got <- supervise(sigs, make(chan int), cancel, &stderr) }()
		select {
		case code := <-got:
			if code != 130 || stderr.String() != "regcat: SIGINT again; exiting at once\n" {
				t.Errorf("exit %d, stderr %q; want 130", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a second signal did not end supervise")
		}
	})
}

// TestRunInterrupted checks the exit code and message of a run whose
// context a signal cancelled.
func TestRunInterrupted(t *testing.T) {
	hermetic(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(newInterrupt(os.Interrupt))
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"crawl", "127.0.0.1:1", "--snapshot", t.TempDir() + "/snap"}, bytes.NewReader(nil), &stdout, &stderr)
	if code != 130 || stderr.String() != "regcat: stopped by SIGINT\n" {
		t.Errorf("exit %d, stderr %q; want 130 and the signal", code, stderr.String())
	}
}
