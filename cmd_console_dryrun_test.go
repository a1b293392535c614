package main

import (
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
	"walletconsole/ui"
)

// consoleDriver runs the console model the way tea.Program does: commands
// in goroutines, their messages fed back through Update, one at a time.
type consoleDriver struct {
	t  *testing.T
	m  *ui.Model
	ch chan tea.Msg
}

func driveConsole(t *testing.T, m *ui.Model, w, h int) *consoleDriver {
	d := &consoleDriver{t: t, m: m, ch: make(chan tea.Msg, 1024)}
	d.exec(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *consoleDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			select {
			case d.ch <- msg:
			default: // flooded by ticks: drop
			}
		}
	}()
}

func (d *consoleDriver) send(msg tea.Msg) {
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.exec(c)
		}
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

func (d *consoleDriver) view() string { return ansi.Strip(d.m.View()) }

// until feeds messages until ok(screen) holds.
func (d *consoleDriver) until(timeout time.Duration, what string, ok func(string) bool) string {
	d.t.Helper()
	deadline := time.After(timeout)
	for {
		if v := d.view(); ok(v) {
			return v
		}
		select {
		case msg := <-d.ch:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.view())
		}
	}
}

func (d *consoleDriver) untilText(timeout time.Duration, want string) string {
	d.t.Helper()
	return d.until(timeout, want, func(v string) bool { return strings.Contains(v, want) })
}

func (d *consoleDriver) keys(ks ...tea.KeyType) {
	for _, k := range ks {
		d.send(tea.KeyMsg{Type: k})
	}
}

func (d *consoleDriver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// fill replaces the focused field's text.
func (d *consoleDriver) fill(s string) {
	d.keys(tea.KeyEnd, tea.KeyCtrlU)
	d.typeText(s)
}

var reasonNameRe = regexp.MustCompile(`(?m)^\s+([A-Z][A-Za-z0-9]+): `)

// tryInConsole types case c into the open Try panel, runs it and reads the
// verdict off the screen: "pass" or the refusing error's name.
func (d *consoleDriver) tryInConsole(c flows.PolicyTest) (verdict, screen string) {
	d.t.Helper()
	// To the Kind row (shift+tab stops at the first field), then the kind.
	for range 8 {
		d.keys(tea.KeyShiftTab)
	}
	isCall := strings.Contains(d.view(), "(•) call")
	if (c.Call != nil) != isCall {
		d.keys(tea.KeyRight)
	}
	if c.Call != nil {
		var args []string
		for _, a := range c.Call.Args {
			args = append(args, a.(string))
		}
		value := c.Call.Value
		if value == "" {
			value = "0"
		}
		for _, v := range []string{c.Call.To, c.Call.Signature, strings.Join(args, ", "), value} {
			d.keys(tea.KeyTab)
			d.fill(v)
		}
	} else {
		for _, v := range []string{c.Transfer.To, c.Transfer.Value} {
			d.keys(tea.KeyTab)
			d.fill(v)
		}
	}
	d.keys(tea.KeyTab)
	d.fill(strconv.Itoa(max(c.Repeat, 1))) // Times
	d.keys(tea.KeyCtrlS)
	v := d.until(2*time.Minute, "the verdict of "+c.Name, func(v string) bool {
		return !strings.Contains(v, "simulating") && (strings.Contains(v, "✓ allowed") || strings.Contains(v, "✗ refused"))
	})
	if strings.Contains(v, "✓ allowed") {
		return "pass", v
	}
	_, after, ok := strings.Cut(v, "✗ refused")
	if !ok {
		d.t.Fatalf("%s: no verdict:\n%s", c.Name, v)
	}
	if m := reasonNameRe.FindStringSubmatch(after); m != nil {
		return m[1], v
	}
	d.t.Fatalf("%s: no reason under the refusal:\n%s", c.Name, v)
	return "", v
}

// The console's Try panel asks the real account contract (main's
// chainSimulator, as the console is wired), and its verdict agrees, case
// for case, with what the granted policy then does on the sandbox's chain:
// every case of the example policy files (except those that need the
// clock moved, which the panel does not offer) is typed into the panel
// and then run through the API as the key.
func TestConsoleDryRunAgreesWithChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two sandboxes and scratch chains")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()

	// The chain the granted policies run on.
	r := startOnDemandSandbox(t, ctx)
	client := r.Client

	// The console, wired as cmd_console.go wires it.
	cfg := flows.Config{Mode: flows.ModeSandbox, ChainID: sandbox.DefaultChainID}
	m := ui.New(cfg, ui.Options{Context: ctx, Output: io.Discard, Clipboard: func(string) error { return nil },
		StartSandbox: embeddedSandbox(sandbox.Options{BlockTime: 50 * time.Millisecond}), Simulator: policySimulator(cfg.ChainID)})
	defer m.Close()
	d := driveConsole(t, m, 100, 50)
	d.untilText(20*time.Second, "sandbox ✓ ready")
	d.keys(tea.KeyEnter) // log in
	d.untilText(20*time.Second, "3 · Session key")
	d.keys(tea.KeyEnter) // create the key: the Permissions form opens
	d.untilText(20*time.Second, "Request body")

	compared := 0
	for _, file := range []string{"examples/policies/erc20-capped-transfer.json", "examples/policies/native-allowance.json"} {
		set, err := flows.LoadPolicyFile(file)
		if err != nil {
			t.Fatal(err)
		}
		d.keys(tea.KeyCtrlO)
		d.fill(file)
		d.keys(tea.KeyEnter)
		d.untilText(10*time.Second, "✓ loaded")
		d.keys(tea.KeyCtrlY)
		d.untilText(time.Second, "Try the draft")
		cases, _ := flows.ParsePolicyTests(set.Tests)
		for _, c := range cases {
			if c.After != "" {
				continue
			}
			got, screen := d.tryInConsole(c)
			if got != c.Expect {
				t.Errorf("%s / %s: the console's dry run says %s, the file expects %s:\n%s", file, c.Name, got, c.Expect, screen)
			}
			if onChain := onSandbox(ctx, t, r, client, set, c); got != onChain {
				t.Errorf("%s / %s: the console's dry run says %s, the sandbox's chain says %s", file, c.Name, got, onChain)
			}
			if got != "pass" && !strings.Contains(screen, " by ") {
				t.Errorf("%s / %s: the refusal names no clause:\n%s", file, c.Name, screen)
			}
			compared++
		}
		for strings.Contains(d.view(), "Try the draft") {
			d.keys(tea.KeyEsc) // leave a field, then close the panel
		}
		d.untilText(time.Second, "Request body")
	}
	if compared < 10 {
		t.Fatalf("compared only %d cases", compared)
	}
}
