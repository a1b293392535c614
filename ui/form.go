package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/theme"
)

// The form component every form screen uses (Connect, Session key,
// Permissions, Send), in the spirit of charmbracelet/huh: a Field is one
// row that can take focus, validates itself and knows its keys; a Group
// holds fields in focus order and moves focus through them; a formScroller
// (ui/scroll.go) keeps the focused rows in view.
//
// The focus model never eats a command key by surprise: a Group starts with
// no field focused (focus -1), so command letters (q, i, a, c, x, ?) act.
// tab (or enter, or a screen's own key) focuses a field; only then does an
// editable field take letters, and esc leaves it again (focus -1), keeping
// what was typed.

// Field is one row of a form.
type Field interface {
	// Key is the row's stable name: focus is kept by it when rows change.
	Key() string
	// Focusable: false for titles and notes between fields.
	Focusable() bool
	// Editable: a text input; while it has focus letters type into it.
	Editable() bool
	Focus() tea.Cmd
	Blur()
	Focused() bool
	// Update handles a message while the field has focus.
	Update(tea.Msg) tea.Cmd
	// View renders the row (possibly several lines: a wrapped message);
	// labelW aligns labels across the group.
	View(st theme.Styles, labelW int) string
	SetWidth(w int)
	// Validate checks the value now and shows the result at the field.
	Validate() bool
	// Label is the row's label, for alignment.
	Label() string
	// Bindings are the keys this kind of field takes, for the footer.
	Bindings() []key.Binding
}

// Keys every text field takes (help only: the text input handles them).
var (
	keyTextEdit  = key.NewBinding(key.WithKeys("left", "right", "backspace"), key.WithHelp("←/→/⌫", "edit text"))
	keyLeaveEdit = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave field"))
	keyChoice    = key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "choose"))
)

// Group is fields in focus order with one focus (or none).
type Group struct {
	fields []Field
	focus  int // index into fields; -1 = no field focused
	resume int // where tab goes back to after Blur (-1: the first row)
	labelW int // 0 = the widest label
	width  int
}

// newGroup makes a group with no field focused.
func newGroup(fs ...Field) *Group {
	g := &Group{focus: -1, resume: -1}
	g.SetFields(fs)
	return g
}

// SetFields replaces the rows, keeping the focus on the row with the same
// key (rows are rebuilt when policies are added or removed). When that row
// went away, the focus goes to the nearest focusable row before it.
func (g *Group) SetFields(fs []Field) {
	key := ""
	prev := g.Focused()
	if prev != nil {
		key = prev.Key()
	}
	old := g.focus
	g.fields = fs
	g.focus = -1
	if key == "" {
		return
	}
	for i, f := range fs {
		if f.Key() == key && f.Focusable() {
			g.focus = i
			if f != prev {
				f.Focus() // a rebuilt row: same key, new value
			}
			return
		}
	}
	prev.Blur()
	for i := min(old, len(fs)-1); i >= 0; i-- {
		if fs[i].Focusable() {
			g.focus = i
			fs[i].Focus()
			return
		}
	}
}

// Fields are the rows in order.
func (g *Group) Fields() []Field { return g.fields }

// Focused is the focused field, nil when none.
func (g *Group) Focused() Field {
	if g.focus >= 0 && g.focus < len(g.fields) {
		return g.fields[g.focus]
	}
	return nil
}

// Index is the focused row's index (-1 = none).
func (g *Group) Index() int { return g.focus }

// Editing reports whether a text field has focus (letters type).
func (g *Group) Editing() bool {
	f := g.Focused()
	return f != nil && f.Editable()
}

// FocusAt focuses row i (blurring the previous one); i out of range or on
// a row that cannot take focus blurs everything.
func (g *Group) FocusAt(i int) tea.Cmd {
	if f := g.Focused(); f != nil {
		f.Blur()
	}
	if i < 0 || i >= len(g.fields) || !g.fields[i].Focusable() {
		g.focus = -1
		return nil
	}
	g.focus = i
	return g.fields[i].Focus()
}

// FocusKey focuses the row with that key (or, when it cannot take focus,
// a header, the first focusable row after it); false when there is none.
func (g *Group) FocusKey(k string) (tea.Cmd, bool) {
	for i, f := range g.fields {
		if f.Key() != k {
			continue
		}
		for j := i; j < len(g.fields); j++ {
			if g.fields[j].Focusable() {
				return g.FocusAt(j), true
			}
		}
		return g.FocusAt(i), true
	}
	return nil, false
}

// FocusField focuses f when it is one of the rows.
func (g *Group) FocusField(f Field) tea.Cmd {
	for i, x := range g.fields {
		if x == f {
			return g.FocusAt(i)
		}
	}
	return nil
}

// Blur leaves every field: command letters act again. tab comes back to
// the field that was left.
func (g *Group) Blur() {
	if g.focus >= 0 {
		g.resume = g.focus
	}
	g.FocusAt(-1)
}

// Next focuses the next focusable row (the first when none has focus);
// false at the last one.
func (g *Group) Next() (tea.Cmd, bool) { return g.move(1) }

// Prev focuses the previous focusable row; false at the first one.
func (g *Group) Prev() (tea.Cmd, bool) { return g.move(-1) }

func (g *Group) move(d int) (tea.Cmd, bool) {
	i := g.focus
	if i < 0 && g.resume >= 0 && g.resume < len(g.fields) && g.fields[g.resume].Focusable() {
		r := g.resume
		g.resume = -1
		return g.FocusAt(r), true
	}
	if i < 0 && d > 0 {
		i = -1
	} else if i < 0 {
		i = len(g.fields)
	}
	for j := i + d; j >= 0 && j < len(g.fields); j += d {
		if g.fields[j].Focusable() {
			return g.FocusAt(j), true
		}
	}
	return nil, false
}

// Update hands a message to the focused field.
func (g *Group) Update(msg tea.Msg) tea.Cmd {
	if f := g.Focused(); f != nil {
		return f.Update(msg)
	}
	return nil
}

// ValidateAll validates every focusable row and returns the index of the
// first invalid one (-1: all valid).
func (g *Group) ValidateAll() int {
	first := -1
	for i, f := range g.fields {
		if f.Focusable() && !f.Validate() && first < 0 {
			first = i
		}
	}
	return first
}

// SetWidth sets every row's width.
func (g *Group) SetWidth(w int) {
	g.width = w
	for _, f := range g.fields {
		f.SetWidth(w)
	}
}

// LabelWidth is the label column: fixed, or the widest label.
func (g *Group) LabelWidth() int {
	if g.labelW > 0 {
		return g.labelW
	}
	w := 0
	for _, f := range g.fields {
		w = max(w, len([]rune(f.Label())))
	}
	return w
}

// Lines renders every row; [start, end) are the focused row's lines
// (both -1 when nothing has focus).
func (g *Group) Lines(st theme.Styles) (lines []string, start, end int) {
	lw := g.LabelWidth()
	start, end = -1, -1
	for i, f := range g.fields {
		if i == g.focus {
			start = len(lines)
		}
		lines = append(lines, strings.Split(f.View(st, lw), "\n")...)
		if i == g.focus {
			end = len(lines)
		}
	}
	return lines, start, end
}

// Bindings are the focused field's own keys (nil when none has focus).
func (g *Group) Bindings() []key.Binding {
	if f := g.Focused(); f != nil {
		return f.Bindings()
	}
	return nil
}

// choiceField is a one-of-n row cycled with ←/→/space ("(•) sandbox  ( ) live").
type choiceField struct {
	key, label string
	options    []string
	idx        int
	focused    bool
	onChange   func()
}

func newChoice(key, label string, idx int, options ...string) *choiceField {
	return &choiceField{key: key, label: label, options: options, idx: idx}
}

func (c *choiceField) Key() string             { return c.key }
func (c *choiceField) Label() string           { return c.label }
func (c *choiceField) Focusable() bool         { return true }
func (c *choiceField) Editable() bool          { return false }
func (c *choiceField) Focus() tea.Cmd          { c.focused = true; return nil }
func (c *choiceField) Blur()                   { c.focused = false }
func (c *choiceField) Focused() bool           { return c.focused }
func (c *choiceField) SetWidth(int)            {}
func (c *choiceField) Validate() bool          { return true }
func (c *choiceField) Bindings() []key.Binding { return []key.Binding{keyChoice} }

// Value is the chosen option.
func (c *choiceField) Value() string { return c.options[c.idx] }

func (c *choiceField) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok || !key.Matches(k, keyChoice) {
		return nil
	}
	d := 1
	if k.String() == "left" {
		d = -1
	}
	n := len(c.options)
	c.idx = ((c.idx+d)%n + n) % n
	if c.onChange != nil {
		c.onChange()
	}
	return nil
}

func (c *choiceField) View(st theme.Styles, labelW int) string {
	mark, ls := "  ", st.Blurred
	if c.focused {
		mark, ls = "› ", st.Focused
	}
	label := c.label + strings.Repeat(" ", max(labelW-len([]rune(c.label)), 0))
	parts := make([]string, len(c.options))
	for i, o := range c.options {
		parts[i] = "( ) " + o
		if i == c.idx {
			parts[i] = "(•) " + o
		}
	}
	return mark + ls.Render(label) + " " + strings.Join(parts, "  ")
}
