package sitefs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The kill tests run this test binary as a child that writes generations
// of a tree in a loop; the environment variables select that.
const (
	envChildOut   = "SITEFS_TEST_CHILD_OUT"   // the target to write
	envChildPause = "SITEFS_TEST_CHILD_PAUSE" // a file to create, then hang, between the renames
	envChildReady = "SITEFS_TEST_CHILD_READY" // a file to create when the loop starts
)

const manifestFile = "MANIFEST"

// TestChild is the child's loop; it does nothing unless started by a
// kill test.
func TestChild(t *testing.T) {
	out := os.Getenv(envChildOut)
	if out == "" {
		t.Skip("run by the kill tests only")
	}
	if pause := os.Getenv(envChildPause); pause != "" {
		testHookSwap = func() {
			os.WriteFile(pause, nil, 0o644)
			time.Sleep(time.Hour)
		}
	}
	if ready := os.Getenv(envChildReady); ready != "" {
		os.WriteFile(ready, nil, 0o644)
	}
	// Each child goes on from the generation it finds, so that a kill
	// never goes back to an older one.
	last, _ := os.ReadFile(filepath.Join(out, "gen"))
	first, _ := strconv.Atoi(string(last))
	for gen := first + 1; ; gen++ {
		if err := writeGeneration(out, gen); err != nil {
			t.Fatal(err)
		}
	}
}

// writeGeneration writes generation gen of a tree of small files at out:
// a quarter change with every generation, the rest stay (and are linked),
// some share contents; MANIFEST lists every other file with its SHA-256.
func writeGeneration(out string, gen int) error {
	d, err := Open(out, Options{Marker: manifestFile})
	if err != nil {
		return err
	}
	defer d.Abort()
	var manifest []string
	add := func(name string, b []byte, shared bool) error {
		sum := sha256.Sum256(b)
		manifest = append(manifest, hex.EncodeToString(sum[:])+" "+name)
		if shared {
			return d.WriteShared(nil, name, b)
		}
		return d.Write(name, b)
	}
	for i := range 6 {
		dir := fmt.Sprintf("d%02d/sub", i)
		if err := d.Mkdir(dir); err != nil {
			return err
		}
		for j := range 20 {
			content := fmt.Sprintf("file %d/%d\n", i, j)
			if j%4 == 0 {
				content += fmt.Sprintf("generation %d\n", gen)
			}
			if err := add(fmt.Sprintf("%s/f%02d", dir, j), []byte(content), false); err != nil {
				return err
			}
			if err := add(fmt.Sprintf("d%02d/s%02d", i, j), []byte(strconv.Itoa((gen+j)%4)), true); err != nil {
				return err
			}
		}
		d.CloseDir(dir)
	}
	if err := add("gen", []byte(strconv.Itoa(gen)), false); err != nil {
		return err
	}
	slices.Sort(manifest)
	if err := d.Write(manifestFile, []byte(strings.Join(manifest, "\n")+"\n")); err != nil {
		return err
	}
	return d.Commit()
}

// checkGeneration fails unless dir holds exactly the files its manifest
// lists, with their contents, and returns its generation.
func checkGeneration(t *testing.T, dir string) int {
	t.Helper()
	files := readTree(t, dir)
	m, ok := files[manifestFile]
	if !ok {
		t.Fatalf("%s: no manifest; holds %d files", dir, len(files))
	}
	delete(files, manifestFile)
	lines := strings.Split(strings.TrimSuffix(string(m), "\n"), "\n")
	if len(lines) != len(files) {
		t.Errorf("%s: manifest lists %d files, the directory holds %d", dir, len(lines), len(files))
	}
	for _, l := range lines {
		sum, name, _ := strings.Cut(l, " ")
		b, ok := files[name]
		got := sha256.Sum256(b)
		if !ok || hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: %s missing or not as the manifest says", dir, name)
		}
	}
	gen, err := strconv.Atoi(string(files["gen"]))
	if err != nil {
		t.Fatalf("%s: gen: %v", dir, err)
	}
	return gen
}

// startChild starts the child loop writing out.
func startChild(t *testing.T, out string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$")
	cmd.Env = append(os.Environ(), append(env, envChildOut+"="+out)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// waitFor waits until the child creates file.
func waitFor(t *testing.T, cmd *exec.Cmd, file string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(file); err == nil {
			return
		}
		if time.Now().After(deadline) {
			kill(t, cmd)
			t.Fatalf("the child never created %s", file)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited by itself: its loop failed")
	}
}

// checkAfterKill checks what a killed writer left: the target is one
// complete generation, or (killed between the renames) missing with one
// complete aside tree; then Open restores and cleans up, leaving only the
// target. It returns the generation.
func checkAfterKill(t *testing.T, out string) int {
	t.Helper()
	var gen int
	if _, err := os.Stat(out); err == nil {
		gen = checkGeneration(t, out)
	} else {
		var olds []string
		for _, n := range parentNames(t, out) {
			if k, _, ok := parseTemp("out", n); ok && k == kindOld {
				olds = append(olds, n)
			}
		}
		if len(olds) != 1 {
			t.Fatalf("target missing, asides %q, want one", olds)
		}
		gen = checkGeneration(t, filepath.Join(filepath.Dir(out), olds[0]))
	}
	d, err := Open(out, Options{Marker: manifestFile})
	if err != nil {
		t.Fatal(err)
	}
	d.Abort()
	if names := parentNames(t, out); !slices.Equal(names, []string{"out"}) {
		t.Fatalf("after Open the parent holds %q, want only the target", names)
	}
	if g := checkGeneration(t, out); g != gen {
		t.Fatalf("Open made generation %d of %d", g, gen)
	}
	return gen
}

// TestKill kills a writer with SIGKILL at varied moments and checks that
// each time the last good tree survives and the next Open cleans up.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := writeGeneration(out, 0); err != nil {
		t.Fatal(err)
	}
	last, advanced := 0, 0
	for i := range 15 {
		ready := filepath.Join(t.TempDir(), "ready")
		cmd := startChild(t, out, envChildReady+"="+ready)
		waitFor(t, cmd, ready)
		time.Sleep(time.Duration(rand.IntN(500)) * time.Millisecond)
		kill(t, cmd)
		gen := checkAfterKill(t, out)
		t.Logf("kill %d: generation %d", i, gen)
		if gen < last {
			t.Errorf("kill %d: generation %d after %d", i, gen, last)
		}
		if gen != last {
			advanced++
		}
		last = gen
	}
	if advanced == 0 {
		t.Error("no child ever committed: the test does not exercise the swap")
	}
}

// TestKillBetweenRenames kills a writer after it moved the previous tree
// aside and before it renamed the new one into place.
func TestKillBetweenRenames(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := writeGeneration(out, 0); err != nil {
		t.Fatal(err)
	}
	pause := filepath.Join(t.TempDir(), "paused")
	cmd := startChild(t, out, envChildPause+"="+pause)
	waitFor(t, cmd, pause)
	kill(t, cmd)
	if _, err := os.Stat(out); err == nil {
		t.Fatal("target present between the renames: the hook is not where it should be")
	}
	if gen := checkAfterKill(t, out); gen != 0 {
		t.Errorf("restored generation %d, want 0", gen)
	}
}
