package reghttp

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkOverhead compares a 2 KiB GET through Transport with the same
// GET through a bare http.Transport, both over loopback.
func BenchmarkOverhead(b *testing.B) {
	body := bytes.Repeat([]byte("r"), 2048)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	for _, bc := range []struct {
		name string
		wrap bool
	}{{"bare", false}, {"retry", true}} {
		b.Run(bc.name, func(b *testing.B) {
			inner := http.DefaultTransport.(*http.Transport).Clone()
			defer inner.CloseIdleConnections()
			var rt http.RoundTripper = inner
			if bc.wrap {
				t, err := New(inner, Config{})
				if err != nil {
					b.Fatal(err)
				}
				rt = t
			}
			client := &http.Client{Transport: rt}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || len(got) != len(body) {
					b.Fatalf("read %d bytes, %v; want %d", len(got), err, len(body))
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}
