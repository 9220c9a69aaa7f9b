package render

import (
	"bytes"
	"testing"
)

// TestEnvHidden checks that environment variables and build arguments,
// which often hold secrets, are published only with ShowEnv.
func TestEnvHidden(t *testing.T) {
	secrets := []string{"s3cr3t-token", "do-not-publish", "TOKEN=abc123", "STAGE=api-deps"}
	tests := []struct {
		showEnv bool
	}{{false}, {true}}
	for _, tt := range tests {
		site := readTree(t, renderFixture(t, Config{ShowEnv: tt.showEnv}))
		for _, s := range secrets {
			var where []string
			for name, b := range site {
				if bytes.Contains(b, []byte(s)) {
					where = append(where, name)
				}
			}
			switch {
			case !tt.showEnv && len(where) > 0:
				t.Errorf("ShowEnv off: %q published in %v", s, where)
			case tt.showEnv && len(where) < 2: // an image page and the API record
				t.Errorf("ShowEnv on: %q published only in %v", s, where)
			}
		}
	}
}

func TestRedactStep(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/bin/sh -c #(nop)  ENV PATH=/usr/bin TOKEN=x", "/bin/sh -c #(nop)  ENV PATH=[hidden] TOKEN=[hidden]"},
		{`ENV A="two words" B=c`, "ENV A=[hidden] B=[hidden]"},
		{"ENV LEGACY some value", "ENV LEGACY [hidden]"},
		{"RUN |2 TOKEN=abc USER=me /bin/sh -c make", "RUN |2 TOKEN=[hidden] USER=[hidden] /bin/sh -c make"},
		{"|1 KEY=v /bin/sh -c true", "|1 KEY=[hidden] /bin/sh -c true"},
		{"RUN /bin/sh -c echo ENV=1", "RUN /bin/sh -c echo ENV=1"},
		{"COPY . /src", "COPY . /src"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redactStep(tt.in); got != tt.want {
				t.Errorf("redactStep(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
