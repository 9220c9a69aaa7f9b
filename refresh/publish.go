package refresh

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/regcat/regcat/render"
)

// publishGrace is how long OnPublish has to exit after SIGTERM.
const publishGrace = 5 * time.Second

// publish runs Config.OnPublish after a refresh of b and returns its
// outcome for the report: "" when there is no command, "ok", or the
// error (an exit status, a timeout).
func (r *Refresher) publish(ctx context.Context, b Batch) string {
	if r.cfg.OnPublish == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.PublishTimeout)
	defer cancel()
	out := r.cfg.Run.Render.Out
	if out == "" {
		out = render.DefaultOut
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", r.cfg.OnPublish)
	cmd.Env = append(os.Environ(),
		"REGCAT_SITE="+out,
		"REGCAT_SNAPSHOT="+r.cfg.Run.SnapshotDir,
		"REGCAT_REPOSITORIES="+strings.Join(b.Repositories, " "))
	cmd.Stdout, cmd.Stderr = r.cfg.Output, r.cfg.Output
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = publishGrace
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start).Round(time.Millisecond)
	if err == nil {
		r.log.Info("on-publish command done", "exit", 0, "elapsed", elapsed)
		return "ok"
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = errors.New("timed out after " + r.cfg.PublishTimeout.String())
	}
	var ee *exec.ExitError
	code := -1
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	r.log.Warn("on-publish command failed", "exit", code, "error", err, "elapsed", elapsed)
	return err.Error()
}
