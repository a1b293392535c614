package ui

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// activityWith10k is the console on the Activity screen with 10,000
// transactions of mixed states (every 10th pending, every 50th failed).
func activityWith10k(b *testing.B, w, h int) *Model {
	m, _ := newOffline(b, flows.Config{})
	withWalkthrough(m)
	reason := "CallPolicyViolated: no call policy matches"
	for i := 0; i < 10000; i++ {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012d", i, i)
		r := confirm(m.c, id, "send", fmt.Sprint(100+i), time.Duration(i%3000)*time.Millisecond)
		switch {
		case i%10 == 0:
			r.tx.Status, r.tx.ConfirmedAtBlockNumber, r.ended = apiclient.StatusSubmitted, nil, time.Time{}
		case i%50 == 1:
			r.tx.Status, r.tx.ErrorMessage, r.tx.ConfirmedAtBlockNumber = apiclient.StatusFailed, &reason, nil
		}
	}
	m.active = activityScreen
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// BenchmarkActivityView10k renders the whole frame (header, summary,
// activity table, footer) with 10,000 transactions.
func BenchmarkActivityView10k(b *testing.B) {
	m := activityWith10k(b, 140, 45)
	a := m.screens[activityScreen].(*activity)
	a.sel = 5000
	a.refresh()
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// BenchmarkActivityKeypress10k is one keypress→View cycle there: ↓ through
// the root's Update (routing, key states, layout), then the frame.
func BenchmarkActivityKeypress10k(b *testing.B) {
	m := activityWith10k(b, 140, 45)
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := down
		if (i/9000)%2 == 1 {
			k = up
		}
		i++
		m.Update(k)
		_ = m.View()
	}
}
