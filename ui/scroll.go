package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// scroller is a bubbles/viewport for the read-only panes (transaction
// detail, inspector, help): content is set in Update (setLines), scrolled
// by keys, and View only renders it.
type scroller struct {
	vp viewport.Model
}

// Scroll keys, shared so their help reads the same everywhere.
var (
	keyScrollUp   = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up"))
	keyScrollDown = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down"))
	keyPageUp     = key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up"))
	keyPageDown   = key.NewBinding(key.WithKeys("pgdown", " "), key.WithHelp("pgdn", "page down"))
	keyTop        = key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "top"))
	keyBottom     = key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "bottom"))
)

func newScroller() scroller {
	vp := viewport.New(1, 1)
	vp.KeyMap = viewport.KeyMap{} // keys are ours (scrollKey), so they show in help
	return scroller{vp: vp}
}

func (s *scroller) setSize(w, h int) {
	s.vp.Width, s.vp.Height = max(w, 1), max(h, 1)
	s.vp.SetYOffset(s.vp.YOffset)
}

// setLines replaces the content, keeping the scroll position (clamped).
func (s *scroller) setLines(lines []string) {
	s.vp.SetContent(strings.Join(lines, "\n"))
	s.vp.SetYOffset(s.vp.YOffset)
}

// scrollKey scrolls for the vertical keys; false when k is not one.
func (s *scroller) scrollKey(k tea.KeyMsg, pageOnly bool) bool {
	switch {
	case key.Matches(k, keyPageUp):
		s.vp.PageUp()
	case key.Matches(k, keyPageDown) && k.String() != " ":
		s.vp.PageDown()
	case pageOnly:
		return false
	case key.Matches(k, keyScrollUp):
		s.vp.ScrollUp(1)
	case key.Matches(k, keyScrollDown):
		s.vp.ScrollDown(1)
	case key.Matches(k, keyTop):
		s.vp.GotoTop()
	case key.Matches(k, keyBottom):
		s.vp.GotoBottom()
	default:
		return false
	}
	return true
}

func (s *scroller) top() { s.vp.GotoTop() }

// fits reports whether everything is in view.
func (s *scroller) fits() bool { return s.vp.TotalLineCount() <= s.vp.Height }

// position is "lines 3–14 of 40" when the content does not fit, else "".
func (s *scroller) position() string {
	if s.fits() {
		return ""
	}
	first := s.vp.YOffset + 1
	last := min(s.vp.YOffset+s.vp.Height, s.vp.TotalLineCount())
	return fmt.Sprintf("lines %d–%d of %d", first, last, s.vp.TotalLineCount())
}

func (s *scroller) view() string { return s.vp.View() }
