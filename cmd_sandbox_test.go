package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

type sandboxTestBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *sandboxTestBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *sandboxTestBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSandboxCmd runs the command until the returned cancel is called; it
// returns the banner and a func giving the exit code.
func startSandboxCmd(t *testing.T, args []string, env map[string]string) (banner string, stderr *sandboxTestBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out sandboxTestBuffer
	stderr = &sandboxTestBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runSandboxEnv(ctx, args, func(k string) string { return env[k] }, &out, stderr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") {
		select {
		case code := <-done:
			t.Fatalf("sandbox exited early with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner: %q / %q", out.String(), stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out.String(), stderr, func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("sandbox did not stop")
			return -1
		}
	}
}

var exportRe = regexp.MustCompile(`export THIRDWEB_API_URL='(\S+)' THIRDWEB_CLIENT_ID='(\S+)' THIRDWEB_SECRET_KEY='(\S+)'`)

func TestSandboxCommand(t *testing.T) {
	banner, stderr, stop := startSandboxCmd(t, []string{"--addr", "127.0.0.1:0", "--block-time", "0", "--client-id", "my-client"}, nil)
	m := exportRe.FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no export hint in banner:\n%s", banner)
	}
	api, clientID, secret := m[1], m[2], m[3]
	if !strings.HasPrefix(api, "http://127.0.0.1:") || !strings.HasSuffix(api, "/v1") || clientID != "my-client" || !strings.HasPrefix(secret, "sk_sandbox_") {
		t.Errorf("export hint: %q", m[0])
	}
	for _, want := range []string{"secret key      " + secret, "token (TST)     0x", "account impl    0x", "JSON-RPC        off", "84532 (blocks: on demand)"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	req, _ := http.NewRequest("POST", api+"/auth/complete", strings.NewReader(`{"method":"guest","sessionId":"cmd"}`))
	req.Header.Set("x-client-id", clientID)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"walletAddress"`) {
		t.Errorf("auth/complete: %d %s", res.StatusCode, body)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d: %s", code, stderr.String())
	}
	if log := stderr.String(); !strings.Contains(log, "path=/v1/auth/complete") || strings.Contains(log, secret) {
		t.Errorf("request log:\n%s", log)
	}
}

func TestSandboxCommandEnvSecretIsMasked(t *testing.T) {
	const envSecret = "sk_from_the_environment_0123456789"
	banner, _, stop := startSandboxCmd(t, []string{"--addr", "127.0.0.1:0", "--quiet"},
		map[string]string{"THIRDWEB_SECRET_KEY": envSecret, "THIRDWEB_CLIENT_ID": "env-client"})
	defer stop()
	if strings.Contains(banner, envSecret) {
		t.Errorf("banner prints the environment's secret:\n%s", banner)
	}
	if !strings.Contains(banner, "THIRDWEB_CLIENT_ID='env-client'\n") || !strings.Contains(banner, "THIRDWEB_SECRET_KEY is already set") {
		t.Errorf("banner:\n%s", banner)
	}
}

// A secret given on the command line may be a real hosted key too.
func TestSandboxCommandFlagSecretIsMasked(t *testing.T) {
	const flagSecret = "sk_given_on_the_command_line_0123456789"
	banner, _, stop := startSandboxCmd(t, []string{"--addr", "127.0.0.1:0", "--quiet", "--secret-key", flagSecret}, nil)
	defer stop()
	if strings.Contains(banner, flagSecret) {
		t.Errorf("banner prints the given secret:\n%s", banner)
	}
	if strings.Contains(banner, "THIRDWEB_SECRET_KEY=") || !strings.Contains(banner, "(the --secret-key you gave)") {
		t.Errorf("banner:\n%s", banner)
	}
}

func TestSandboxCommandFlags(t *testing.T) {
	env := func(string) string { return "" }
	cases := []struct {
		name string
		args []string
		code int
		want string // in stderr; one line naming the problem
	}{
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined: -nope"},
		{"bogus addr", []string{"--addr", "bogus"}, 2, `--addr: address "bogus" is not host:port`},
		{"non-loopback addr", []string{"--addr", "0.0.0.0:0"}, 2, "is not loopback"},
		{"bad port", []string{"--addr", "127.0.0.1:99999"}, 2, "port \"99999\""},
		{"bad rpc addr", []string{"--rpc-addr", "10.0.0.1:8545"}, 2, "--rpc-addr"},
		{"argument", []string{"extra"}, 2, `unexpected argument "extra"`},
		{"bad latency", []string{"--latency", "soon"}, 2, `invalid value "soon" for flag -latency: "soon" is not a latency like 200ms or 200ms±100ms`},
		{"jitter over latency", []string{"--latency", "100ms±1s"}, 2, "exceeds the latency"},
		{"bad fail rate", []string{"--fail-rate", "2"}, 2, `invalid value "2" for flag -fail-rate: "2" is not a rate from 0 to 1`},
		{"bad drop rate", []string{"--drop-rate", "x"}, 2, "-drop-rate"},
		{"bad revert rate", []string{"--revert-rate", "-1"}, 2, "-revert-rate"},
		{"bad rate limit", []string{"--rate-limit", "5/week"}, 2, "the unit after / must be s, m or h"},
		{"wildcard origin", []string{"--cors-origin", "*"}, 2, "name each origin"},
		{"origin with a path", []string{"--cors-origin", "https://x.example/app"}, 2, "scheme://host[:port]"},
		{"control character in client id", []string{"--client-id", "a\x1b[2Jb"}, 2, "control or invisible characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runSandboxEnv(context.Background(), c.args, env, &out, &errOut)
			msg := errOut.String()
			if code != c.code || !strings.Contains(msg, c.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, msg, c.code, c.want)
			}
			if n := strings.Count(msg, "walletconsole sandbox:"); n != 1 {
				t.Errorf("prefix appears %d times: %q", n, msg)
			}
			if strings.Contains(msg, "sandbox: sandbox:") || strings.Contains(msg, "Usage:") || strings.Count(msg, "\n") > 2 {
				t.Errorf("stderr is not one line and a hint: %q", msg)
			}
			if out.Len() != 0 {
				t.Errorf("stdout on an error: %q", out.String())
			}
		})
	}
	for _, h := range []string{"--help", "-h", "-help"} {
		var out, errOut bytes.Buffer
		code := runSandboxEnv(context.Background(), []string{h}, env, &out, &errOut)
		if code != 0 || errOut.Len() != 0 || !strings.Contains(out.String(), "Usage: walletconsole sandbox") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", h, code, out.String(), errOut.String())
		}
		for _, flag := range []string{"-block-time", "-cors-origin", "-latency", "-fail-rate", "-rate-limit", "-drop-rate", "-revert-rate"} {
			if !strings.Contains(out.String(), flag) {
				t.Errorf("%s lacks %s", h, flag)
			}
		}
	}
}

// TestSandboxExportPastes runs the banner's export line in a POSIX shell
// and reads the variables back: they hold exactly the values, whatever
// quotes, spaces, $ or backquotes the client ID holds.
func TestSandboxExportPastes(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	clientID := "it's a \"client\" $(touch " + dir + "/pwned) `id` $HOME \\ end"
	banner, _, stop := startSandboxCmd(t, []string{"--addr", "127.0.0.1:0", "--quiet", "--client-id", clientID}, nil)
	defer stop()
	var line string
	for _, l := range strings.Split(banner, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "export ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatalf("no export line:\n%s", banner)
	}
	out, err := exec.Command(sh, "-c", line+`; printf '%s\n%s\n%s\n' "$THIRDWEB_API_URL" "$THIRDWEB_CLIENT_ID" "$THIRDWEB_SECRET_KEY"`).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != 3 || !strings.HasPrefix(got[0], "http://127.0.0.1:") || got[1] != clientID || !strings.HasPrefix(got[2], "sk_sandbox_") {
		t.Errorf("after pasting %s:\n%q", line, got)
	}
	if !strings.Contains(banner, "secret key      "+got[2]) {
		t.Errorf("exported secret %q is not the banner's", got[2])
	}
	if _, err := os.Stat(dir + "/pwned"); err == nil {
		t.Errorf("pasting the export line ran a command")
	}
}

// TestSandboxCommandFaultFlags: the flags reach the server.
func TestSandboxCommandFaultFlags(t *testing.T) {
	banner, _, stop := startSandboxCmd(t, []string{"--addr", "127.0.0.1:0", "--quiet", "--fail-rate", "100%", "--latency", "10ms±5ms",
		"--rate-limit", "300/m", "--drop-rate", "0", "--revert-rate", "0.5", "--cors-origin", "https://demo.example:8443"}, nil)
	defer stop()
	if !strings.Contains(banner, "faults          latency 10ms±5ms, fail rate 1, rate limit 5/s, revert rate 0.5") ||
		!strings.Contains(banner, "browsers        loopback origins, https://demo.example:8443") {
		t.Errorf("banner:\n%s", banner)
	}
	m := exportRe.FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no export line:\n%s", banner)
	}
	req, _ := http.NewRequest("GET", m[1]+"/sandbox/info", nil)
	req.Header.Set("x-client-id", m[2])
	req.Header.Set("Origin", "https://demo.example:8443")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.Contains(string(body), "injected fault") || res.Header.Get("Access-Control-Allow-Origin") != "https://demo.example:8443" {
		t.Errorf("with --fail-rate 100%%: %d %s %v", res.StatusCode, body, res.Header)
	}
}
