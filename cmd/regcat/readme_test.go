package main

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestREADMEDocumentsEveryFlag keeps README.md in step with the commands: each
// command has a section, and every flag of it is named in the README.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	root := newRootCmd(&env{})
	for _, cmd := range root.Commands() {
		if cmd.Hidden || cmd.Name() == "help" || cmd.Name() == "completion" {
			continue
		}
		t.Run(cmd.Name(), func(t *testing.T) {
			if !strings.Contains(text, "### `regcat "+cmd.Name()) {
				t.Errorf("README has no section for regcat %s", cmd.Name())
			}
			cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
				if f.Name != "help" && !strings.Contains(text, "`--"+f.Name) {
					t.Errorf("README does not document %s --%s", cmd.Name(), f.Name)
				}
			})
		})
	}
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(text, "--"+f.Name) {
			t.Errorf("README does not document the global flag --%s", f.Name)
		}
	})
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	const testCmd = "go test -race ./..."
	if !strings.Contains(text, testCmd) || !strings.Contains(string(ci), "\n"+testCmd+"\n") {
		t.Errorf("README.md and .ci/run must both run %q", testCmd)
	}
}
