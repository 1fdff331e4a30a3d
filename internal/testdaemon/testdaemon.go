// Package testdaemon runs the real skeldird binary for end-to-end tests: built
// once per test process, started on a port of its own choosing, stopped with
// SIGTERM when the test ends, and required to exit cleanly.
package testdaemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var build struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// Binary returns the path of a skeldird built from this checkout.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "skeldird-test")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "skeldird")
		cmd := exec.Command("go", "build", "-o", build.path, "github.com/skeldir/skeldir/cmd/skeldird")
		build.out, build.err = cmd.CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("build skeldird: %v\n%s", build.err, build.out)
	}
	return build.path
}

// Daemon is a running `skeldird serve`.
type Daemon struct {
	// BaseURL is the API listener, http://127.0.0.1:PORT (unless --role worker).
	BaseURL string
	// MetricsURL is the worker metrics listener (unless --role api).
	MetricsURL string
	cmd        *exec.Cmd
	logs       *safeBuffer
	exited     chan error
	stopOnce   sync.Once
}

// Start runs `skeldird serve --role role` with env (KEY=VALUE entries added
// to this process's environment), its listeners on free loopback ports, and
// waits until they serve.
func Start(t testing.TB, role string, env ...string) *Daemon {
	t.Helper()
	cmd := exec.Command(Binary(t), "serve", "--role", role)
	cmd.Env = append(append(os.Environ(), "SKELDIR_HTTP_ADDR=127.0.0.1:0", "SKELDIR_WORKER_METRICS_ADDR=127.0.0.1:0"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start skeldird: %v", err)
	}
	d := &Daemon{cmd: cmd, logs: &safeBuffer{}, exited: make(chan error, 1)}

	listeners := make(chan [2]string, 2) // log message, address
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			d.logs.Write(append(line, '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && strings.HasPrefix(rec.Msg, "serving") {
				listeners <- [2]string{rec.Msg, rec.Addr}
			}
		}
		io.Copy(io.Discard, stderr)
		d.exited <- cmd.Wait()
	}()

	for (role != "worker" && d.BaseURL == "") || (role != "api" && d.MetricsURL == "") {
		select {
		case l := <-listeners:
			if l[0] == "serving" {
				d.BaseURL = "http://" + l[1]
			} else {
				d.MetricsURL = "http://" + l[1]
			}
		case err := <-d.exited:
			t.Fatalf("skeldird exited before serving: %v\n%s", err, d.logs.String())
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("skeldird did not start serving within 30s\n%s", d.logs.String())
		}
	}
	if d.BaseURL != "" {
		apiListeners.Store(d.BaseURL, true)
	}
	t.Cleanup(func() { d.Stop(t) })
	return d
}

// Stop sends SIGTERM and requires a clean exit within 15 s. Safe to call twice.
func (d *Daemon) Stop(t testing.TB) {
	t.Helper()
	d.stopOnce.Do(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-d.exited:
			if err != nil {
				t.Errorf("skeldird exited with %v\n%s", err, d.logs.String())
			}
		case <-time.After(15 * time.Second):
			d.cmd.Process.Kill()
			t.Errorf("skeldird ignored SIGTERM for 15s\n%s", d.logs.String())
		}
	})
}

// Kill ends the daemon with SIGKILL, as a crash would, and waits for it.
func (d *Daemon) Kill(t testing.TB) {
	t.Helper()
	d.stopOnce.Do(func() {
		d.cmd.Process.Kill()
		<-d.exited
	})
}

// PID is the daemon's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Memory is the daemon's resident memory, from /proc/<pid>/status.
type Memory struct {
	RSS  int64 // resident set size now (VmRSS), bytes
	Peak int64 // the most it has ever been resident (VmHWM), bytes
}

// Memory reads the daemon's resident memory now. (An error, not t.Fatal:
// tests sample it from goroutines of their own.)
func (d *Daemon) Memory() (Memory, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.PID()))
	if err != nil {
		return Memory{}, fmt.Errorf("read the daemon's memory: %w", err)
	}
	var m Memory
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		var kB int64
		fmt.Sscanf(strings.TrimSpace(value), "%d kB", &kB)
		switch name {
		case "VmRSS":
			m.RSS = kB << 10
		case "VmHWM":
			m.Peak = kB << 10
		}
	}
	if m.RSS == 0 || m.Peak == 0 {
		return m, fmt.Errorf("no VmRSS and VmHWM in /proc/%d/status", d.PID())
	}
	return m, nil
}

// Logs returns everything the daemon has logged so far.
func (d *Daemon) Logs() string { return d.logs.String() }

// Do sends a request to the daemon and returns the response with its body
// read.
func (d *Daemon) Do(t testing.TB, method, path string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	return Get(t, method, d.BaseURL+path, body, header)
}

// Get sends a request to url and returns the response with its body read.
func Get(t testing.TB, method, url string, body []byte, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	record(t, req, resp, b)
	return resp, b
}

type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
