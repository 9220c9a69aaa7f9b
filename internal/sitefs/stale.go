package sitefs

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The temporary names beside a target <base> are "." + base + kind +
// "<pid>-<8 hex digits>": the new tree being written (kindTmp) and the
// previous tree moved aside during the swap (kindOld).
const (
	kindTmp = ".tmp-"
	kindOld = ".old-"
)

// mkdirTemp creates a directory of the given kind for base in parent and
// returns its name.
func mkdirTemp(parent *os.Root, base, kind string) (string, error) {
	for range 100 {
		name := tempName(base, kind, os.Getpid(), rand.Uint32())
		err := parent.Mkdir(name, 0o755)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free temporary name for %s", base)
}

func tempName(base, kind string, pid int, r uint32) string {
	return fmt.Sprintf(".%s%s%d-%08x", base, kind, pid, r)
}

// parseTemp reports whether name is a temporary name of base, of which
// kind, and the process id it carries.
func parseTemp(base, name string) (kind string, pid int, ok bool) {
	rest, found := strings.CutPrefix(name, "."+base)
	if !found {
		return "", 0, false
	}
	for _, k := range []string{kindTmp, kindOld} {
		if r, found := strings.CutPrefix(rest, k); found {
			p, h, found := strings.Cut(r, "-")
			n, err := strconv.Atoi(p)
			if !found || err != nil || n <= 0 || strconv.Itoa(n) != p || len(h) != 8 || strings.Trim(h, "0123456789abcdef") != "" {
				return "", 0, false
			}
			return k, n, true
		}
	}
	return "", 0, false
}

// recoverStale undoes what dead writers of base left in parent: when base
// is missing and a dead writer's aside tree exists (it was killed between
// the two renames of Commit), that tree is renamed back to base; then the
// temporary and aside trees of dead writers are removed.
func recoverStale(parent *os.Root, base string) error {
	f, err := parent.Open(".")
	if err != nil {
		return err
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	var tmps, olds []string
	for _, e := range entries {
		kind, pid, ok := parseTemp(base, e.Name())
		if !ok || processAlive(pid) {
			continue
		}
		if kind == kindOld {
			olds = append(olds, e.Name())
		} else {
			tmps = append(tmps, e.Name())
		}
	}
	if len(olds) > 0 {
		if _, err := parent.Lstat(base); errors.Is(err, fs.ErrNotExist) {
			// Only one writer can have been between its renames when base
			// went missing; should there be more asides, the newest is it.
			i := newest(parent, olds)
			if err := parent.Rename(olds[i], base); err != nil {
				return fmt.Errorf("restore previous tree from %s: %w", olds[i], err)
			}
			if err := syncDir(parent, "."); err != nil {
				return err
			}
			olds = slices.Delete(olds, i, i+1)
		}
	}
	var errs []error
	for _, name := range append(tmps, olds...) {
		if err := parent.RemoveAll(name); err != nil {
			errs = append(errs, fmt.Errorf("remove stale %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// newest returns the index of the most recently modified of names.
func newest(parent *os.Root, names []string) int {
	best := 0
	var bestFi fs.FileInfo
	for i, n := range names {
		fi, err := parent.Lstat(n)
		if err != nil {
			continue
		}
		if bestFi == nil || fi.ModTime().After(bestFi.ModTime()) {
			best, bestFi = i, fi
		}
	}
	return best
}
