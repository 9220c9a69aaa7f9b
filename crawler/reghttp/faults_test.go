package reghttp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// fault misbehaves for one attempt of a request on the test server.
type fault func(w http.ResponseWriter, r *http.Request)

// faultServer serves body with status 200 on loopback after running
// faults[i] for the i-th request it receives.
type faultServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newFaultServer(t *testing.T, body []byte, faults ...fault) *faultServer {
	t.Helper()
	fs := &faultServer{}
	fs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := fs.hits.Add(1) - 1
		if int(i) < len(faults) {
			faults[i](w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	// Handlers that hold a request return when the client drops it or, at
	// the latest, when the test ends (cleanups run last-in first-out).
	base, release := context.WithCancel(context.Background())
	fs.Config.BaseContext = func(net.Listener) context.Context { return base }
	fs.Start()
	t.Cleanup(fs.Close)
	t.Cleanup(release)
	return fs
}

// status answers with code and the given header pairs.
func status(code int, kv ...string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Set(kv[i], kv[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"errors":[{"code":"UNAVAILABLE","message":"%d"}]}`, code)
	}
}

// hijack takes the raw connection; the handler then owns the bytes on it.
func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err) // httptest's HTTP/1 server always supports hijacking
	}
	return conn, rw
}

// truncated announces n bytes and sends fewer before closing cleanly.
func truncated(n int) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, rw := hijack(w)
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", n, make([]byte, n/2))
		rw.Flush()
	}
}

// reset aborts the connection with a TCP RST after sending prefix.
func reset(prefix string) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, rw := hijack(w)
		rw.WriteString(prefix)
		rw.Flush()
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}

// drip sends headers and one byte of an n-byte body, then nothing until
// the client goes away.
func drip(n int) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Write([]byte{'x'})
		http.NewResponseController(w).Flush()
		hold(r)
	}
}

// trickle sends headers at once, then a byte every 20ms, without end,
// until the client goes away: always fast enough for the stall timer.
func trickle(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if _, err := w.Write([]byte{' '}); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
	}
}

// hang never sends headers; it returns when the client goes away.
func hang(w http.ResponseWriter, r *http.Request) { hold(r) }

// hold waits for the client to drop the request or the test to end.
func hold(r *http.Request) { <-r.Context().Done() }

// newTestTransport builds a Transport over a fresh http.Transport with
// millisecond backoff, so tests do not sleep for real unless they ask to.
func newTestTransport(t *testing.T, cfg Config) *Transport {
	t.Helper()
	inner := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(inner.CloseIdleConnections)
	if cfg.BaseDelay == 0 {
		cfg.BaseDelay = time.Millisecond
		cfg.MaxDelay = 10 * time.Millisecond
	}
	rt, err := New(inner, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return rt
}
