package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"walletconsole/flows"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// The Permissions screen (issue 5, screen 4): how long the session key
// lasts, full permissions or a set of call and transfer policies, and the
// exact create-session-key body that ctrl+s will send, updated as you type.
//
// The form is a flat list of rows rebuilt from the editors on every update
// (duration.go, policyeditor.go); focus is kept by row id, so adding and
// deleting policies never loses it. Validation is flows' (Build returns
// FieldErrors keyed like the wire shape); the screen only maps each message
// to the row of the same key. Everything typed lives in the editors, which
// the root keeps across navigation, so esc and back, a failed grant or an
// invalid field never lose text.

// permKeys are the screen's bindings. Letters are never bound: every key
// here either is a control key or acts only on rows that are not text
// fields (space, left/right).
type permKeys struct {
	Next    key.Binding
	Prev    key.Binding
	Enter   key.Binding
	Submit  key.Binding
	Toggle  key.Binding
	Cycle   key.Binding
	Left    key.Binding
	Right   key.Binding
	Add     key.Binding
	Delete  key.Binding
	Undo    key.Binding
	Load    key.Binding
	Save    key.Binding
	Preview key.Binding
	Scroll  key.Binding
	PgUp    key.Binding
	PgDown  key.Binding
	Yes     key.Binding
	Cancel  key.Binding
	Leave   key.Binding
	Try     key.Binding
}

func newPermKeys() permKeys {
	return permKeys{
		Next:    key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "prev field")),
		Enter:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/grant")),
		Submit:  key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "grant")),
		Toggle:  key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
		Cycle:   key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
		Left:    key.NewBinding(key.WithKeys("left")),
		Right:   key.NewBinding(key.WithKeys("right")),
		Add:     key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add policy/constraint")),
		Delete:  key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete policy/constraint")),
		Undo:    key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "undo delete/load")),
		Load:    key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "load policies")),
		Save:    key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "save policies")),
		Preview: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "lint and request body")),
		Scroll:  key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll lint/body")),
		PgUp:    key.NewBinding(key.WithKeys("pgup")),
		PgDown:  key.NewBinding(key.WithKeys("pgdown")),
		Yes:     key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "confirm")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Leave:   keyLeaveEdit,
		// ctrl+y: a control key works while a field is being edited, and
		// text inputs do not use it (ctrl+e is end-of-line there).
		Try: key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "try (dry run)")),
	}
}

// permMode is what the keyboard currently drives.
type permMode int

const (
	modeForm      permMode = iota
	modeConfirm            // live full grant: (y/N)
	modeLoad               // path prompt for loading
	modeSave               // path prompt for saving
	modeOverwrite          // the save path exists: (y/N)
	modeTry                // the Try panel (trypanel.go) has the keyboard
)

// defaultPolicyPath is offered by the load/save prompt.
const defaultPolicyPath = "./policies.json"

// permissionsModel is the Permissions screen.
type permissionsModel struct {
	c    *common
	keys permKeys
	w, h int

	dur   *durationEditor
	tests json.RawMessage // a loaded file's tests array, saved back unchanged

	full      bool
	calls     []*callEditor
	transfers []*transferEditor

	form   *Group       // the rows (permissions_rows.go) and their focus
	formW  int          // the form column's width (set in sync)
	scroll formScroller // the form's scrolling, decided in Update
	pv     formScroller // the request body's scrolling (pgup/pgdn)
	pvOnly bool         // narrow: the preview replaces the form (ctrl+p)

	submitted bool              // ctrl+s was tried: every error shows
	errs      map[string]string // row id → message (every row, shown or not)
	blocking  int               // rows whose errors block the grant
	firstBad  string            // first such row id
	body      []byte            // last valid request body (JSON)
	stale     bool              // body is from before the current, invalid input
	summary   string            // "2 fields need attention"
	status    string            // result of load/save/cancel
	statusErr bool

	mode        permMode
	pendingSave *flows.PolicySet // what y saves over the existing file
	conflict    bool             // a loaded file has full access AND policies
	path        *field
	lastPath    string
	tickGen     int
	undo        *permSnapshot // before the last delete or load (ctrl+z)

	sim  flows.PolicySimulator // judges the Try panel's dry runs (nil: none)
	try  *tryPanel
	lint []flows.LintFinding // the draft's hazards, from revalidate
}

// newPermissionsScreen makes the screen with the defaults of the happy path:
// 1 h (or the configured duration), full permissions on, focus on the
// duration (a picker: command letters work until tab reaches a text field).
func newPermissionsScreen(c *common) *permissionsModel {
	m := &permissionsModel{
		c:        c,
		keys:     newPermKeys(),
		dur:      newDurationEditor(),
		full:     true,
		form:     newGroup(),
		lastPath: defaultPolicyPath,
		path:     newField("path", "File", defaultPolicyPath, nil),
	}
	m.try = newTryPanel(m)
	if c.cfg.Duration > 0 {
		m.dur.set(c.cfg.Duration)
	}
	m.revalidate()
	m.refresh()
	m.form.FocusKey("duration.preset")
	m.sync()
	return m
}

// now is the injected clock (common.now), or the real one.
func (m *permissionsModel) now() time.Time {
	if m.c.now != nil {
		return m.c.now()
	}
	return time.Now()
}

// --- screen interface ---

// Init refreshes what depends on the session (key address, chain) and
// starts the expiry refresh; a new generation drops older tick chains.
func (m *permissionsModel) Init() tea.Cmd {
	m.tickGen++
	m.revalidate()
	m.sync()
	return m.tickCmd()
}

func (m *permissionsModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.sync()
}

// Capturing is true while a text field or a prompt has the keyboard.
func (m *permissionsModel) Capturing() bool {
	if m.mode == modeTry {
		return m.try.form.Editing()
	}
	if m.mode != modeForm {
		return true
	}
	if m.pvOnly && m.layout().previewToggle {
		return false // only the body shows: c copies it, q quits
	}
	return m.form.Editing()
}

func (m *permissionsModel) ShortHelp() []key.Binding {
	switch m.mode {
	case modeConfirm, modeOverwrite:
		return []key.Binding{m.keys.Yes, key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "cancel"))}
	case modeLoad, modeSave:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", map[permMode]string{modeLoad: "load", modeSave: "save"}[m.mode])), m.keys.Cancel}
	case modeTry:
		return m.tryHelp()
	}
	return []key.Binding{m.keys.Next, m.keys.Submit, m.keys.Toggle, m.keys.Cycle, m.keys.Add, m.keys.Delete, m.keys.Try, m.keys.Load, m.keys.Preview, m.keys.Leave}
}

func (m *permissionsModel) FullHelp() [][]key.Binding {
	if m.mode == modeTry {
		t := m.try.keys // a copy: ? lists Kind always, the footer on the Kind row only
		return [][]key.Binding{{t.Run, t.Enter, t.Next, t.Prev}, {t.Kind, t.Scroll, t.Esc}}
	}
	return [][]key.Binding{
		{m.keys.Next, m.keys.Prev, m.keys.Enter, m.keys.Submit},
		{m.keys.Toggle, m.keys.Cycle, m.keys.Add, m.keys.Delete, m.keys.Undo},
		{m.keys.Try, m.keys.Load, m.keys.Save, m.keys.Preview, m.keys.Scroll},
	}
}

// updateKeyStates enables the bindings that do something on the focused
// row, so the footer shows only those. It runs at the end of Update (sync):
// help only reads the states.
func (m *permissionsModel) updateKeyStates() {
	r := m.cur()
	kind := rowSection
	if r != nil {
		kind = r.kind
	}
	m.keys.Toggle.SetEnabled(kind == rowToggle || kind == rowAction)
	m.keys.Cycle.SetEnabled(kind == rowPicker || kind == rowToggle)
	m.keys.Add.SetEnabled(!m.full)
	m.keys.Delete.SetEnabled(r != nil && r.ctx.policy >= 0)
	m.keys.Preview.SetEnabled(m.layout().previewToggle)
	m.keys.Undo.SetEnabled(m.undo != nil)
	m.keys.Leave.SetEnabled(m.form.Editing())
}

// sync runs after every Update and resize: rows rebuilt (focus kept by
// id), footer keys set, and the form and body scrolled so the focus shows.
// View only draws what sync decided.
func (m *permissionsModel) sync() {
	m.refresh()
	m.updateKeyStates()
	if m.w <= 0 || m.h <= 0 {
		return
	}
	bottomH := len(m.viewBottom(m.w))
	if m.mode == modeTry {
		m.syncTry(m.w, max(m.h-bottomH, 1))
		return
	}
	l := m.layoutFor(bottomH)
	m.formW = l.formW
	formH, pvH := m.heights(l)
	lines, start, end := m.formLines(l.formW)
	m.scroll.follow(lines, 0, start, end, l.formW, formH)
	body := m.previewBody(l.pvW)
	m.pv.follow(body, 0, -1, -1, l.pvW, max(pvH-1, 1))
}

// --- Update ---

func (m *permissionsModel) Update(msg tea.Msg) tea.Cmd {
	cmd := m.update(msg)
	m.sync()
	return cmd
}

func (m *permissionsModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case permTickMsg:
		if msg.gen != m.tickGen {
			return nil
		}
		m.revalidate() // a custom "18:00" may have passed
		return m.tickCmd()
	case policyLoadedMsg:
		if msg.err != nil {
			m.setStatus("✗ "+oneLine(msg.err.Error()), true)
			return nil
		}
		m.undo = m.snapshot("the form before loading " + msg.path)
		m.apply(msg.set)
		m.revalidate()
		m.setStatus(fmt.Sprintf("✓ loaded %s, %s from %s (ctrl+z: back to the form before)", pePlural(len(msg.set.CallPolicies), "call policy", "call policies"),
			pePlural(len(msg.set.TransferPolicies), "transfer policy", "transfer policies"), msg.path), false)
		return nil
	case policySavedMsg:
		m.onSaved(msg)
		return nil
	case tryDoneMsg, tryTickMsg:
		return m.onTry(msg)
	case tea.KeyMsg:
		return m.key(msg)
	}
	// Cursor blinks, pastes: the focused text input.
	switch m.mode {
	case modeLoad, modeSave:
		return m.path.Update(msg)
	case modeTry:
		return m.try.form.Update(msg)
	case modeForm:
		if r := m.cur(); r != nil && r.f != nil {
			return m.updateField(r, msg)
		}
	}
	return nil
}

func (m *permissionsModel) key(msg tea.KeyMsg) tea.Cmd {
	// The footer disables bindings that do nothing on the focused row
	// (updateKeyStates); matching must not depend on the last frame.
	for _, b := range []*key.Binding{&m.keys.Toggle, &m.keys.Cycle, &m.keys.Add, &m.keys.Delete, &m.keys.Preview, &m.keys.Undo} {
		b.SetEnabled(true)
	}
	switch m.mode {
	case modeTry:
		return m.tryKey(msg)
	case modeConfirm:
		m.mode = modeForm
		if key.Matches(msg, m.keys.Yes) {
			return m.grant()
		}
		m.setStatus("grant cancelled: nothing was sent", false)
		return nil
	case modeOverwrite:
		m.mode = modeForm
		set := m.pendingSave
		m.pendingSave = nil
		if key.Matches(msg, m.keys.Yes) && set != nil {
			m.setStatus("saving "+m.lastPath+"…", false)
			return savePolicyCmd(m.lastPath, *set, true)
		}
		m.setStatus("not saved: "+m.lastPath+" is unchanged", false)
		return nil
	case modeLoad, modeSave:
		switch {
		case key.Matches(msg, m.keys.Enter):
			path := strings.TrimSpace(m.path.Value())
			if path == "" {
				path = defaultPolicyPath
			}
			m.lastPath = path
			mode := m.mode
			m.mode = modeForm
			m.path.Blur()
			if mode == modeLoad {
				m.setStatus("loading "+path+"…", false)
				return loadPolicyCmd(path)
			}
			s, bad := m.policySet()
			if bad > 0 {
				m.setStatus(fmt.Sprintf("✗ not saved: %s in the policies", attention(bad)), true)
				return nil
			}
			m.setStatus("saving "+path+"…", false)
			return savePolicyCmd(path, s, false)
		case key.Matches(msg, m.keys.Cancel):
			m.mode = modeForm
			m.path.Blur()
			return nil
		}
		return m.path.Update(msg)
	}

	if m.pvOnly && m.layout().previewToggle {
		// The body replaces the form: keys scroll it; ctrl+p or esc go back
		// to the form, ctrl+s still grants. Nothing types into hidden fields.
		switch {
		case key.Matches(msg, m.keys.Submit):
			m.pvOnly = false
			return m.submit()
		case key.Matches(msg, m.keys.Preview), key.Matches(msg, m.keys.Cancel):
			m.pvOnly = false
		case key.Matches(msg, m.keys.PgUp):
			m.pv.vp.HalfPageUp()
		case key.Matches(msg, m.keys.PgDown):
			m.pv.vp.HalfPageDown()
		case key.Matches(msg, m.keys.Prev):
			m.pv.vp.ScrollUp(1)
		case key.Matches(msg, m.keys.Next):
			m.pv.vp.ScrollDown(1)
		}
		return nil
	}

	switch {
	case key.Matches(msg, m.keys.Submit):
		return m.submit()
	case key.Matches(msg, m.keys.Try):
		return m.openTry()
	case key.Matches(msg, m.keys.Load), key.Matches(msg, m.keys.Save):
		m.mode = modeLoad
		if key.Matches(msg, m.keys.Save) {
			m.mode = modeSave
		}
		m.path.SetValue(m.lastPath)
		return m.path.Focus()
	case key.Matches(msg, m.keys.Preview):
		if m.layout().previewToggle {
			m.pvOnly = !m.pvOnly
		}
		return nil
	case key.Matches(msg, m.keys.PgUp):
		m.pv.vp.HalfPageUp()
		return nil
	case key.Matches(msg, m.keys.PgDown):
		m.pv.vp.HalfPageDown()
		return nil
	case msg.Type == tea.KeyEsc && m.form.Editing():
		m.form.Blur() // leave the field; tab returns to it
		return nil
	case key.Matches(msg, m.keys.Add):
		cmd := m.add()
		m.revalidate()
		return cmd
	case key.Matches(msg, m.keys.Delete):
		cmd := m.remove()
		m.revalidate()
		return cmd
	case key.Matches(msg, m.keys.Undo):
		cmd := m.restoreUndo()
		m.revalidate()
		return cmd
	case key.Matches(msg, m.keys.Next):
		cmd, _ := m.move(1)
		m.revalidate()
		return cmd
	case key.Matches(msg, m.keys.Prev):
		cmd, _ := m.move(-1)
		m.revalidate()
		return cmd
	}

	r := m.cur()
	if r == nil {
		return nil
	}
	if key.Matches(msg, m.keys.Enter) {
		if r.kind == rowAction {
			cmd := r.act()
			m.revalidate()
			return cmd
		}
		cmd, ok := m.move(1)
		if !ok {
			return m.submit() // enter on the last row submits
		}
		m.revalidate()
		return cmd
	}
	switch r.kind {
	case rowPicker, rowToggle:
		switch {
		case key.Matches(msg, m.keys.Left):
			r.cycle(-1)
		case key.Matches(msg, m.keys.Right):
			r.cycle(1)
		case r.kind == rowToggle && key.Matches(msg, m.keys.Toggle):
			r.toggle()
		default:
			return nil
		}
		m.status = ""
		m.revalidate()
		return nil
	case rowAction:
		if key.Matches(msg, m.keys.Toggle) {
			cmd := r.act()
			m.revalidate()
			return cmd
		}
	case rowField:
		return m.updateField(r, msg)
	}
	return nil
}

// updateField hands msg to the row's text input and revalidates the form
// only when the text changed (cursor moves and blinks leave it alone).
func (m *permissionsModel) updateField(r *formRow, msg tea.Msg) tea.Cmd {
	before := r.f.Value()
	cmd := r.f.Update(msg)
	if r.f.Value() != before {
		m.revalidate()
	}
	return cmd
}

// oneLine keeps the first line of a multi-line error and counts the rest.
func oneLine(s string) string {
	first, rest, ok := strings.Cut(s, "\n")
	if !ok {
		return s
	}
	return fmt.Sprintf("%s (+%d more)", first, strings.Count(rest, "\n")+1)
}
