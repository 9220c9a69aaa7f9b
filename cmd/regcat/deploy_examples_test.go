package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// k8sKinds are the objects the Kubernetes example may hold, each decoded
// strictly into its k8s.io/api type.
var k8sKinds = map[string]func() any{
	"v1/PersistentVolumeClaim": func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Secret":                func() any { return &corev1.Secret{} },
	"batch/v1/Job":             func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":         func() any { return &batchv1.CronJob{} },
}

// TestKubernetesExample decodes every document of examples/kubernetes
// strictly into the Kubernetes API types (an unknown or misspelt field
// fails), checks the objects a sharded nightly run needs, and runs the
// regcat command lines of their containers through the real flag parser.
func TestKubernetesExample(t *testing.T) {
	files, err := filepath.Glob("../../examples/kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Kubernetes example: %v", err)
	}
	var kinds []string
	var jobs []*batchv1.JobSpec
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---\n")) {
			var meta struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s document %d: %v", f, i+1, err)
			}
			key := meta.APIVersion + "/" + meta.Kind
			newObj, ok := k8sKinds[key]
			if !ok {
				t.Fatalf("%s document %d: unexpected kind %q", f, i+1, key)
			}
			obj := newObj()
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s document %d (%s): %v", f, i+1, key, err)
			}
			kinds = append(kinds, filepath.Base(f)+":"+meta.Kind)
			switch o := obj.(type) {
			case *batchv1.Job:
				jobs = append(jobs, &o.Spec)
			case *batchv1.CronJob:
				jobs = append(jobs, &o.Spec.JobTemplate.Spec)
			}
		}
	}
	slices.Sort(kinds)
	want := []string{"cronjob.yaml:CronJob", "cronjob.yaml:CronJob", "merge-job.yaml:Job", "shards-job.yaml:Job",
		"volume.yaml:PersistentVolumeClaim", "volume.yaml:Secret"}
	if !slices.Equal(kinds, want) {
		t.Errorf("objects %v, want %v", kinds, want)
	}
	indexed := 0
	for _, spec := range jobs {
		pod := spec.Template.Spec
		if len(pod.Containers) != 1 || pod.RestartPolicy != corev1.RestartPolicyNever {
			t.Fatalf("job %+v: want one container, restartPolicy Never", spec)
		}
		lines := regcatLines(strings.Join(append(pod.Containers[0].Command, pod.Containers[0].Args...), "\n"))
		if len(lines) == 0 {
			t.Errorf("container %s runs no regcat command", pod.Containers[0].Name)
		}
		for _, l := range lines {
			checkRegcatLine(t, l)
		}
		if spec.CompletionMode != nil && *spec.CompletionMode == batchv1.IndexedCompletion {
			indexed++
			m := regexp.MustCompile(`--shard auto --shards (\d+)`).FindStringSubmatch(strings.Join(lines, "\n"))
			if m == nil || spec.Completions == nil || spec.Parallelism == nil ||
				strconv.Itoa(int(*spec.Completions)) != m[1] || *spec.Completions != *spec.Parallelism {
				t.Errorf("indexed job: completions %v, parallelism %v and --shards %v must be equal", spec.Completions, spec.Parallelism, m)
			}
		}
	}
	if indexed != 2 {
		t.Errorf("%d Indexed Jobs (the one-off and the CronJob's), want 2", indexed)
	}
}

// TestGitHubActionsExamples runs the regcat command lines of every
// workflow under examples/ through the real flag parser: those of run
// steps, and of steps that use the regcat action, whose inputs
// internal/actiontest and .ci/run's actionlint check, a `regcat build`
// with the step's args.
func TestGitHubActionsExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/*.yml")
	if err != nil || len(files) < 2 {
		t.Fatalf("workflows %v: %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var wf struct {
				Jobs map[string]struct {
					Steps []struct {
						Run  string            `json:"run"`
						Uses string            `json:"uses"`
						With map[string]string `json:"with"`
					} `json:"steps"`
				} `json:"jobs"`
			}
			if err := yaml.Unmarshal(b, &wf); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, j := range wf.Jobs {
				for _, s := range j.Steps {
					if strings.HasPrefix(s.Uses, "regcat/regcat@") {
						checkRegcatLine(t, strings.TrimSpace("regcat build registry.example.com "+s.With["args"]))
						n++
					}
					for _, l := range regcatLines(s.Run) {
						checkRegcatLine(t, l)
						n++
					}
				}
			}
			if n == 0 {
				t.Error("no regcat command")
			}
		})
	}
}

// regcatLines returns the regcat command lines of a shell script, with
// continuations joined and what follows ||, && or ; cut off.
func regcatLines(script string) []string {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out []string
	for _, line := range strings.Split(script, "\n") {
		line = regexp.MustCompile(`\|\||&&|;`).Split(line, 2)[0]
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "regcat ") {
			out = append(out, line)
		}
	}
	return out
}

// checkRegcatLine parses one regcat command line with the command's own
// flag set: the command and every flag must exist and every value parse.
func checkRegcatLine(t *testing.T, line string) {
	t.Helper()
	words := strings.Fields(strings.NewReplacer(`"`, "", `'`, "").Replace(line))[1:]
	root := newRootCmd(&env{})
	cmd, rest, err := root.Find(words)
	if err != nil || cmd == root {
		t.Errorf("%q: no such regcat command: %v", line, err)
		return
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Errorf("%q: %v", line, err)
	}
}
