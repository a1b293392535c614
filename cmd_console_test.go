package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestConsoleNoTerminal(t *testing.T) {
	var out, errb bytes.Buffer
	code := runConsole(context.Background(), nil, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	want := "walletconsole: no terminal; use 'walletconsole flow' for scripts\n"
	if errb.String() != want || out.Len() != 0 {
		t.Fatalf("stderr %q stdout %q; want stderr %q", errb.String(), out.String(), want)
	}
}

func TestConsoleBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runConsole(context.Background(), []string{"--theme-x"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}

func TestMaskLogLine(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIweDEyMyJ9.c2lnbmF0dXJlX2hlcmU"
	in := `start secret=sk_live_abcdefghijklmnop x-secret-key: sk_other_1234567890abc Authorization: Bearer ` + jwt + ` token=` + jwt
	got := maskLogLine(in, []string{"sk_live_abcdefghijklmnop"})
	for _, leak := range []string{"sk_live_abcdefghijklmnop", "sk_other_1234567890abc", jwt} {
		if strings.Contains(got, leak) {
			t.Errorf("log line leaks %q: %s", leak, got)
		}
	}
	if !strings.Contains(got, "eyJhbGci…") {
		t.Errorf("JWT not masked prefix…suffix style: %s", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the program's writer goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	altScreenOn  = "\x1b[?1049h"
	altScreenOff = "\x1b[?1049l"
	cursorShown  = "\x1b[?25h"
)

// startConsole runs the console on a pipe (as if a terminal) and waits until
// it has taken the screen.
func startConsole(t *testing.T, ctx context.Context) (*syncBuffer, chan int) {
	t.Helper()
	isolateEnv(t)
	old := isTerminal
	isTerminal = func(any) bool { return true }
	t.Cleanup(func() { isTerminal = old })
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pw.Close(); pr.Close() })
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- runConsole(ctx, []string{"--theme", "plain"}, pr, out, io.Discard) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), altScreenOn) {
		if time.Now().After(deadline) {
			t.Fatalf("the console did not start: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, done
}

func checkRestored(t *testing.T, out string) {
	t.Helper()
	on := strings.LastIndex(out, altScreenOn)
	if off := strings.LastIndex(out, altScreenOff); off < on {
		t.Errorf("alternate screen not left after the signal: %q", out[max(0, len(out)-200):])
	}
	if c := strings.LastIndex(out, cursorShown); c < on {
		t.Error("cursor not shown again after the signal")
	}
}

// SIGTERM to the process (as main wires it: signal.NotifyContext) ends the
// console with status 130 and the terminal restored: alternate screen
// left, cursor shown.
func TestConsoleSIGTERMRestoresTerminal(t *testing.T) {
	// Keep the test process alive whatever handler gets the signal first.
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGTERM)
	defer signal.Stop(guard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, done := startConsole(t, ctx)
	time.Sleep(100 * time.Millisecond) // a step in progress: the sandbox starting, the first frame drawn
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the console did not end on SIGTERM")
	}
	checkRestored(t, out.String())
}

// The same when the context ends for any other reason mid-run.
func TestConsoleCancelRestoresTerminal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, done := startConsole(t, ctx)
	cancel()
	select {
	case code := <-done:
		if code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the console did not end")
	}
	checkRestored(t, out.String())
}

func TestMaskLogLineSessionIDAndControls(t *testing.T) {
	in := `login {"method":"guest","sessionId":"session-0123456789abcdef0123456789abcdef"} reason "` + "\x1b]0;pwned\x07" + `"` + "\nnext line"
	got := maskLogLine(in, nil)
	if strings.Contains(got, "0123456789abcdef0123456789abcdef") || strings.ContainsRune(got, 0x1b) || strings.ContainsRune(got, 0x07) {
		t.Errorf("log line %q", got)
	}
	if !strings.Contains(got, "\nnext line") {
		t.Errorf("line breaks lost: %q", got)
	}
}

func TestConsoleHelpAndWarnings(t *testing.T) {
	isolateEnv(t)
	var out, errb bytes.Buffer
	if code := runConsole(context.Background(), []string{"--help"}, strings.NewReader(""), &out, &errb); code != 0 || errb.Len() != 0 || !strings.Contains(out.String(), "Usage: walletconsole") {
		t.Errorf("--help: exit %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}
