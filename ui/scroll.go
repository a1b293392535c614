package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// scroller is the console's one viewport wrapper (bubbles/viewport), for
// read-only panes (transaction detail, inspector, help: setLines, scrollKey)
// and for forms (follow keeps the focused rows in view). The offset is
// decided in Update; View only renders (view, frame), never moves it.
type scroller struct {
	vp viewport.Model
}

// formScroller is the name the form screens use: the same wrapper.
type formScroller = scroller

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

// headed sizes a pane that has a head line above it ("lines 3–14 of 40 ·
// ↑/↓ scroll"), wrapped whole: the viewport gets the rows the head leaves.
// head renders the text for a position; the lines come back to draw.
func (s *scroller) headed(c *common, head func(pos string) string, w, h int) []string {
	var ls []string
	for range 2 { // the head's height moves the position once at most
		ls = c.para(c.st.Subtle, head(s.position()), w)
		s.setSize(w, max(h-len(ls), 1))
	}
	return c.para(c.st.Subtle, head(s.position()), w)
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

// follow (forms) sets the content to lines after the first `keep` (a title
// that stays) and moves the offset just enough that lines [start, end) are
// visible (start < 0: keep the offset, clamped to the content).
func (s *scroller) follow(lines []string, keep, start, end, w, h int) {
	keep = min(keep, max(h-1, 0), len(lines))
	rest := lines[keep:]
	room := max(h-keep, 1)
	s.vp.Width, s.vp.Height = max(w, 1), room
	s.vp.SetContent(strings.Join(rest, "\n"))
	off := s.vp.YOffset
	if start >= keep {
		a, b := start-keep, max(end-keep, start-keep+1)
		if b-a > room {
			b = a + room
		}
		if a < off {
			off = a
		}
		if b > off+room {
			off = b - room
		}
	}
	s.vp.SetYOffset(max(0, min(off, len(rest)-room)))
}

// frame (forms) renders lines in h rows from the offset follow chose in
// Update: the first `keep` lines stay, the rest show from the offset on.
// Nothing here moves or clamps the offset.
func (s *scroller) frame(lines []string, keep, h int) string {
	if h <= 0 || len(lines) <= h {
		return strings.Join(lines, "\n")
	}
	keep = min(keep, max(h-1, 0), len(lines))
	rest := lines[keep:]
	from := min(s.vp.YOffset, len(rest))
	to := min(from+max(h-keep, 1), len(rest))
	out := append([]string{}, lines[:keep]...)
	for _, l := range rest[from:to] {
		// rows are cut, not wrapped (hints and reasons come wrapped already)
		out = append(out, strings.TrimRight(ansi.Truncate(l, max(s.vp.Width, 1), "…"), " "))
	}
	return strings.Join(out, "\n")
}

// offset is the first scrolling line shown.
func (s *scroller) offset() int { return s.vp.YOffset }
