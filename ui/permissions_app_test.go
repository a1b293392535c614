package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/flows"
	"walletconsole/theme"
)

// The Permissions screen inside the real root (no connection: the root's
// routing, key states and sizing, offline).

func newPermApp(t *testing.T, mode flows.Mode, w, h int) (*Model, *permissionsModel) {
	t.Helper()
	th := theme.Plain()
	m := New(flows.Config{Mode: mode, ChainID: 84532}, Options{
		Now: func() time.Time { return permNow }, Theme: &th, Clipboard: func(string) error { return nil }, Output: io.Discard,
	})
	t.Cleanup(func() { m.Close() })
	m.c.sess.key = flows.SessionKey{Address: permKeyAddr}
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.goTo(permissionsScreen)
	p, ok := m.screens[permissionsScreen].(*permissionsModel)
	if !ok {
		t.Fatalf("permissions screen is %T", m.screens[permissionsScreen])
	}
	return m, p
}

func permAppKeys(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

func permAppType(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func TestPermissionsInAppEscAndReturnKeepsInput(t *testing.T) {
	m, p := newPermApp(t, flows.ModeSandbox, 140, 45)
	permAppKeys(m, "tab", "space") // full access off
	for p.focusID() != "call[0].target" {
		permAppKeys(m, "tab")
	}
	permAppType(m, "0xq1") // q types (no quit) while the field has focus
	if got := p.calls[0].target.Value(); got != "0xq1" {
		t.Fatalf("target = %q", got)
	}
	permAppKeys(m, "esc")
	if m.active != sessionKeyScreen {
		t.Fatalf("esc went to %v", m.active)
	}
	m.goTo(permissionsScreen)
	if got := p.calls[0].target.Value(); got != "0xq1" || p.full {
		t.Errorf("after esc and back: target %q full %v", got, p.full)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "0xq1") || !strings.Contains(v, "Request body") {
		t.Errorf("view after return:\n%s", v)
	}
}

func TestPermissionsInAppFits(t *testing.T) {
	for _, sz := range [][2]int{{60, 15}, {80, 24}, {140, 45}} {
		w, h := sz[0], sz[1]
		m, p := newPermApp(t, flows.ModeSandbox, w, h)
		permAppKeys(m, "tab", "space")
		for p.focusID() != "call[0].addConstraint" {
			permAppKeys(m, "tab")
		}
		permAppKeys(m, "enter", "tab", "tab")
		permAppType(m, "0x4444444444444444444444444444444444444444")
		out := m.View()
		if n := lipgloss.Height(out); n > h {
			t.Errorf("%dx%d: %d lines:\n%s", w, h, n, ansi.Strip(out))
		}
		for i, l := range strings.Split(out, "\n") {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("%dx%d: line %d is %d wide: %q", w, h, i, lw, ansi.Strip(l))
			}
		}
		if !strings.Contains(ansi.Strip(out), "› Value") {
			t.Errorf("%dx%d: the focused field is not on screen:\n%s", w, h, ansi.Strip(out))
		}
		if testing.Verbose() {
			t.Logf("%dx%d:\n%s", w, h, ansi.Strip(out))
		}
	}
}
