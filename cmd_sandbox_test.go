package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
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

var exportRe = regexp.MustCompile(`export THIRDWEB_API_URL=(\S+) THIRDWEB_CLIENT_ID=(\S+) THIRDWEB_SECRET_KEY=(\S+)`)

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
	if !strings.Contains(banner, "THIRDWEB_CLIENT_ID=env-client THIRDWEB_SECRET_KEY=$THIRDWEB_SECRET_KEY") {
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
	if !strings.Contains(banner, "THIRDWEB_SECRET_KEY='<your --secret-key>'") || !strings.Contains(banner, "(the --secret-key you gave)") {
		t.Errorf("banner:\n%s", banner)
	}
}

func TestSandboxCommandFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runSandboxEnv(context.Background(), []string{"--nope"}, func(string) string { return "" }, &out, &errOut); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
	errOut.Reset()
	if code := runSandboxEnv(context.Background(), []string{"--addr", "0.0.0.0:0"}, func(string) string { return "" }, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "loopback") {
		t.Errorf("non-loopback addr: exit %d, %s", code, errOut.String())
	}
	errOut.Reset()
	if code := runSandboxEnv(context.Background(), []string{"--help"}, func(string) string { return "" }, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "--block-time") && !strings.Contains(errOut.String(), "-block-time") {
		t.Errorf("help: exit %d, %s", code, errOut.String())
	}
}
