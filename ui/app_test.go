package ui

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"walletconsole/flows"
)

const testSecret = "sk_test_ui_NEVER_ON_SCREEN_4f1c9a"

// recordingClipboard records copies; fail makes it act like a machine with
// no clipboard (so OSC 52 is used).
type recordingClipboard struct {
	mu   sync.Mutex
	got  []string
	fail bool
}

// copies returns what was copied so far (copy commands run on other
// goroutines).
func (c *recordingClipboard) copies() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

func (c *recordingClipboard) setFail(fail bool) {
	c.mu.Lock()
	c.fail = fail
	c.mu.Unlock()
}

func (c *recordingClipboard) write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail {
		return errors.New("no clipboard")
	}
	c.got = append(c.got, s)
	return nil
}

// newSandboxApp is the real console on the real embedded sandbox (started by
// the console itself, on loopback, as `walletconsole` does).
func newSandboxApp(t *testing.T, clip *recordingClipboard) *Model {
	t.Helper()
	cfg := flows.Config{Mode: flows.ModeSandbox, SecretKey: testSecret, ChainID: flows.DefaultChainID}
	m := New(cfg, Options{
		Clipboard:    clip.write,
		Output:       io.Discard,
		StartSandbox: testStarter(50 * time.Millisecond),
	})
	t.Cleanup(func() { m.Close() })
	return m
}

// waitScreen waits until the program's output (renderer diffs since the
// previous wait) contains every string.
func waitScreen(t *testing.T, tm *teatest.TestModel, d time.Duration, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(d), teatest.WithCheckInterval(20*time.Millisecond))
}

var (
	addrRe = regexp.MustCompile(`0x[0-9a-fA-F]{40}`)
	uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// TestWalkthroughFourKeys is the bar of the issue: enter, enter, ctrl+s,
// ctrl+s with the defaults against the real sandbox at 140×45 shows both
// addresses, both transaction IDs and CONFIRMED twice, and never the
// secret key.
func TestWalkthroughFourKeys(t *testing.T) {
	clip := &recordingClipboard{}
	m := newSandboxApp(t, clip)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(140, 45))
	var all bytes.Buffer
	tee := func(want ...string) {
		t.Helper()
		teatest.WaitFor(t, io.TeeReader(tm.Output(), &all), func(b []byte) bool {
			s := ansi.Strip(string(b))
			for _, w := range want {
				if !strings.Contains(s, w) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	tee("sandbox ✓ ready")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // 1: log in
	tee("3 · Session key")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // 2: create the session key
	tee("Request body")                     // the permission form is open
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS}) // 3: grant
	tee("6 · Send")                         // opens once the grant is CONFIRMED
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS}) // 4: send
	tee("Sent", "CONFIRMED")

	// Give the last status a moment to be drawn, then check the final frame.
	time.Sleep(100 * time.Millisecond)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	sess := fm.c.sess
	if sess.login.Address == "" || sess.key.Address == "" || sess.grant.TxID == "" || len(sess.sendIDs) != 1 {
		t.Fatalf("walkthrough incomplete: %+v", sess)
	}
	// The last frame, as the user saw it (the model is closed now, so
	// render it the way it was).
	fm.closed = false
	screen := ansi.Strip(fm.View())
	fm.closed = true
	t.Logf("final screen:\n%s", screen)
	for _, want := range []string{sess.login.Address, sess.key.Address, sess.grant.TxID, sess.sendIDs[0]} {
		if !strings.Contains(screen, want) {
			t.Errorf("final screen lacks %s", want)
		}
	}
	if n := strings.Count(screen, "CONFIRMED"); n < 2 {
		t.Errorf("CONFIRMED %d time(s) on the final screen, want ≥ 2", n)
	}
	if g := fm.c.txs.get(sess.grant.TxID); g == nil || g.tx.Status != "CONFIRMED" {
		t.Errorf("grant not confirmed: %+v", g)
	}
	if s := fm.c.txs.get(sess.sendIDs[0]); s == nil || s.tx.Status != "CONFIRMED" {
		t.Errorf("send not confirmed: %+v", s)
	}
	// The secret key never reached the terminal.
	rest, _ := io.ReadAll(tm.Output())
	all.Write(rest)
	if strings.Contains(all.String(), testSecret) || strings.Contains(screen, testSecret) {
		t.Error("the secret key was written to the terminal")
	}
	if len(addrRe.FindAllString(screen, -1)) < 2 || len(uuidRe.FindAllString(screen, -1)) < 2 {
		t.Errorf("expected ≥2 addresses and ≥2 IDs on screen")
	}
}

// TestWalkthroughNarrow runs the same four keys at 60×15: every frame still
// fits (lines shortened, nothing wrapped) and both transactions confirm.
func TestWalkthroughNarrow(t *testing.T) {
	m := newSandboxApp(t, &recordingClipboard{})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(60, 15))
	waitScreen(t, tm, 20*time.Second, "ready")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, 10*time.Second, "3 · Session key")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, tm, 10*time.Second, "Full access")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	waitScreen(t, tm, 20*time.Second, "6 · Send")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlS})
	waitScreen(t, tm, 20*time.Second, "CONFIRMED")
	time.Sleep(100 * time.Millisecond)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	fm.closed = false
	frame := fm.View()
	fm.closed = true
	t.Logf("final 60×15 screen:\n%s", ansi.Strip(frame))
	assertFits(t, frame, 60, 15)
	s := ansi.Strip(frame)
	for _, want := range []string{"6 · Send", "CONFIRMED", apiShort(fm.c.sess.login.Address), apiShort(fm.c.sess.key.Address)} {
		if !strings.Contains(s, want) {
			t.Errorf("60×15 final screen lacks %q", want)
		}
	}
	if g := fm.c.txs.get(fm.c.sess.grant.TxID); g == nil || g.tx.Status != "CONFIRMED" {
		t.Errorf("grant not confirmed at 60×15")
	}
}

func apiShort(s string) string { return s[:6] + "…" + s[len(s)-4:] }
