package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
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
		Preview: key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "show request body")),
		Scroll:  key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll body")),
		PgUp:    key.NewBinding(key.WithKeys("pgup")),
		PgDown:  key.NewBinding(key.WithKeys("pgdown")),
		Yes:     key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "confirm")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// permMode is what the keyboard currently drives.
type permMode int

const (
	modeForm    permMode = iota
	modeConfirm          // live full grant: (y/N)
	modeLoad             // path prompt for loading
	modeSave             // path prompt for saving
)

// defaultPolicyPath is offered by the load/save prompt.
const defaultPolicyPath = "./policies.json"

// permissionsModel is the Permissions screen.
type permissionsModel struct {
	c    *common
	keys permKeys
	w, h int

	tests json.RawMessage // a loaded file's tests array, saved back unchanged

	dur       *durationEditor
	full      bool
	calls     []*callEditor
	transfers []*transferEditor

	focusID  string // row id of the focus
	focusIdx int    // its index, for when the row goes away
	offset   int    // first form line shown
	pvOffset int    // first preview line shown
	pvOnly   bool   // narrow: the preview replaces the form (ctrl+p)

	submitted bool              // ctrl+s was tried: every error shows
	errs      map[string]string // row id → message (every row, shown or not)
	blocking  int               // rows whose errors block the grant
	firstBad  string            // first such row id
	body      []byte            // last valid request body (JSON)
	stale     bool              // body is from before the current, invalid input
	summary   string            // "2 fields need attention"
	status    string            // result of load/save/cancel
	statusErr bool

	mode     permMode
	path     *field
	lastPath string
	tickGen  int
	undo     *permSnapshot // before the last delete or load (ctrl+z)
}

// permSnapshot is the editors' structure before a delete or a load. The
// editors are pointers, so text typed into the surviving ones after the
// snapshot is kept by a restore; anything that adds to the structure drops
// the snapshot, so a restore never loses a newer editor.
type permSnapshot struct {
	what      string
	full      bool
	durIdx    int
	durCustom string
	calls     []*callEditor
	cons      [][]*constraintEditor
	transfers []*transferEditor
	focusID   string
}

func (m *permissionsModel) snapshot(what string) *permSnapshot {
	s := &permSnapshot{what: what, full: m.full, durIdx: m.dur.idx, durCustom: m.dur.custom.Value(),
		calls: append([]*callEditor(nil), m.calls...), transfers: append([]*transferEditor(nil), m.transfers...), focusID: m.focusID}
	for _, e := range m.calls {
		s.cons = append(s.cons, append([]*constraintEditor(nil), e.constraints...))
	}
	return s
}

// restoreUndo puts back the editors of the last delete or load.
func (m *permissionsModel) restoreUndo() tea.Cmd {
	s := m.undo
	if s == nil {
		m.setStatus("nothing to undo", false)
		return nil
	}
	m.undo = nil
	if r := m.focused(m.rows()); r != nil && r.f != nil {
		r.f.Blur()
	}
	m.full, m.dur.idx = s.full, s.durIdx
	if m.dur.custom.Value() != s.durCustom {
		m.dur.custom.SetValue(s.durCustom)
	}
	m.calls, m.transfers = s.calls, s.transfers
	for i, e := range m.calls {
		e.constraints = s.cons[i]
	}
	m.setStatus("✓ undone: "+s.what, false)
	return m.focusByID(s.focusID)
}

// newPermissionsScreen makes the screen with the defaults of the happy path:
// 1 h (or the configured duration), full permissions on, focus on the
// duration.
func newPermissionsScreen(c *common) *permissionsModel {
	m := &permissionsModel{
		c:        c,
		keys:     newPermKeys(),
		dur:      newDurationEditor(),
		full:     true,
		focusID:  "duration.preset",
		lastPath: defaultPolicyPath,
		path:     newField("path", "File", defaultPolicyPath, nil),
	}
	if c.cfg.Duration > 0 {
		m.dur.set(c.cfg.Duration)
	}
	m.revalidate()
	return m
}

// now is the injected clock (common.now), or the real one.
func (m *permissionsModel) now() time.Time {
	if m.c.now != nil {
		return m.c.now()
	}
	return time.Now()
}

// --- messages ---

// permTickMsg refreshes the live expiry ("in 59m") while the screen shows.
type permTickMsg struct{ gen int }

// policyLoadedMsg and policySavedMsg are the results of the file commands.
type policyLoadedMsg struct {
	path string
	set  flows.PolicySet
	err  error
}

type policySavedMsg struct {
	path string
	n    int
	err  error
}

// File results find the screen even if the user moved on; the tick goes
// to the active screen only, so its chain ends when the user leaves (Init
// starts a new one on return).
func (policyLoadedMsg) ownerScreen() screenID { return permissionsScreen }
func (policySavedMsg) ownerScreen() screenID  { return permissionsScreen }

const permTickEvery = 15 * time.Second

func (m *permissionsModel) tickCmd() tea.Cmd {
	gen := m.tickGen
	return waitCmd(m.c.life, permTickEvery, permTickMsg{gen}) // ends when the console quits
}

func loadPolicyCmd(path string) tea.Cmd {
	return func() tea.Msg {
		s, err := flows.LoadPolicyFile(path)
		return policyLoadedMsg{path: path, set: s, err: err}
	}
}

func savePolicyCmd(path string, s flows.PolicySet) tea.Cmd {
	return func() tea.Msg {
		err := flows.SavePolicyFile(path, s)
		return policySavedMsg{path: path, n: len(s.CallPolicies) + len(s.TransferPolicies), err: err}
	}
}

// --- screen interface ---

// Init refreshes what depends on the session (key address, chain) and
// starts the expiry refresh; a new generation drops older tick chains.
func (m *permissionsModel) Init() tea.Cmd {
	m.tickGen++
	m.revalidate()
	cmds := []tea.Cmd{m.tickCmd()}
	if r := m.focused(m.rows()); r != nil && r.f != nil {
		cmds = append(cmds, r.f.Focus())
	}
	return tea.Batch(cmds...)
}

func (m *permissionsModel) SetSize(w, h int) { m.w, m.h = w, h }

// Capturing is true while a text field or a prompt has the keyboard.
func (m *permissionsModel) Capturing() bool {
	if m.mode != modeForm {
		return true
	}
	if m.pvOnly && m.layout().previewToggle {
		return false // only the body shows: c copies it, q quits
	}
	r := m.focused(m.rows())
	return r != nil && r.f != nil
}

func (m *permissionsModel) ShortHelp() []key.Binding {
	switch m.mode {
	case modeConfirm:
		return []key.Binding{m.keys.Yes, key.NewBinding(key.WithKeys("n"), key.WithHelp("any other key", "cancel"))}
	case modeLoad, modeSave:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", map[permMode]string{modeLoad: "load", modeSave: "save"}[m.mode])), m.keys.Cancel}
	}
	m.updateKeyStates()
	return []key.Binding{m.keys.Next, m.keys.Submit, m.keys.Toggle, m.keys.Cycle, m.keys.Add, m.keys.Delete, m.keys.Load, m.keys.Preview}
}

func (m *permissionsModel) FullHelp() [][]key.Binding {
	m.updateKeyStates()
	return [][]key.Binding{
		{m.keys.Next, m.keys.Prev, m.keys.Enter, m.keys.Submit},
		{m.keys.Toggle, m.keys.Cycle, m.keys.Add, m.keys.Delete, m.keys.Undo},
		{m.keys.Load, m.keys.Save, m.keys.Preview, m.keys.Scroll},
	}
}

// updateKeyStates enables the bindings that do something on the focused
// row, so the footer shows only those.
func (m *permissionsModel) updateKeyStates() {
	r := m.focused(m.rows())
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
}

// --- rows ---

type rowKind int

const (
	rowField   rowKind = iota // text field
	rowPicker                 // left/right choice
	rowToggle                 // space switch
	rowHeader                 // a policy's or constraint's list row
	rowAction                 // "+ add …"
	rowSection                // title, not focusable
)

const (
	sectTop = iota
	sectCall
	sectTransfer
)

// rowCtx says which list item a row belongs to (for add/delete).
type rowCtx struct {
	sect   int
	policy int // -1: none
	cons   int // -1: none
}

type formRow struct {
	id     string
	kind   rowKind
	indent int
	label  string
	f      *field
	value  string // picker/toggle/header/action text
	note   string // beside the value
	cycle  func(int)
	toggle func()
	act    func() tea.Cmd
	ctx    rowCtx
}

func (r formRow) focusable() bool { return r.kind != rowSection }

// rows lists the form as it shows now.
func (m *permissionsModel) rows() []formRow {
	top := rowCtx{sect: sectTop, policy: -1, cons: -1}
	now := m.now()
	rs := []formRow{{
		id: "duration.preset", kind: rowPicker, label: "Duration", value: m.dur.label(),
		note: m.dur.expiry(now), cycle: func(d int) { m.dur.cycle(d) }, ctx: top,
	}}
	if m.dur.isCustom() {
		rs = append(rs, formRow{id: "duration", kind: rowField, indent: 2, f: m.dur.custom, ctx: top})
	}
	fullText := "[ ] off: only the policies below"
	if m.full {
		fullText = "[x] on: any call, any value"
	}
	rs = append(rs, formRow{id: "full", kind: rowToggle, label: "Full access", value: fullText,
		toggle: m.toggleFull, cycle: func(int) { m.toggleFull() }, ctx: top})
	if m.full {
		return rs
	}

	rs = append(rs, formRow{id: "calls", kind: rowSection, label: "Call policies", ctx: rowCtx{sect: sectCall, policy: -1, cons: -1}})
	for i, e := range m.calls {
		i, e := i, e
		p := fmt.Sprintf("call[%d]", i)
		ctx := rowCtx{sect: sectCall, policy: i, cons: -1}
		rs = append(rs, formRow{id: p, kind: rowHeader, label: fmt.Sprintf("Call policy %d", i+1), value: e.summary(), ctx: ctx})
		sel, ok := e.selector()
		e.signature.hint = ""
		switch {
		case ok && strings.HasPrefix(strings.TrimSpace(e.signature.Value()), "0x") && sel.Known():
			e.signature.hint = "= " + sel.Signature // a raw selector we know
		case ok && strings.HasPrefix(strings.TrimSpace(e.signature.Value()), "0x"):
			e.signature.hint = "unknown function: arguments by index"
		case ok:
			e.signature.hint = "→ " + sel.Hex
		}
		rs = append(rs,
			fieldRow(p, e.target, 2, ctx),
			fieldRow(p, e.signature, 2, ctx),
			fieldRow(p, e.maxValue, 2, ctx))
		rs = append(rs, limitRows(p, e.limit, "Value limit", 2, ctx)...)
		for j, c := range e.constraints {
			j, c := j, c
			cp := fmt.Sprintf("%s.constraints[%d]", p, j)
			cctx := rowCtx{sect: sectCall, policy: i, cons: j}
			typ := c.argType(sel, ok)
			c.value.in.Placeholder = valuePlaceholder(typ)
			rs = append(rs,
				formRow{id: cp, kind: rowHeader, indent: 2, label: fmt.Sprintf("Constraint %d", j+1), value: constraintSummary(c, sel, ok), ctx: cctx},
				formRow{id: cp + ".arg", kind: rowPicker, indent: 4, label: "Argument", value: "‹ " + c.argShown(sel, ok) + " ›",
					cycle: func(d int) { c.cycleArg(d, sel, ok) }, ctx: cctx},
				formRow{id: cp + ".condition", kind: rowPicker, indent: 4, label: "Condition", value: "‹ " + c.cond.shown() + " ›",
					cycle: c.cond.cycle, ctx: cctx},
				fieldRow(cp, c.value, 4, cctx))
			rs = append(rs, limitRows(cp, c.limit, "Arg limit", 4, cctx)...)
		}
		rs = append(rs, formRow{id: p + ".addConstraint", kind: rowAction, indent: 2, value: "+ add constraint",
			act: func() tea.Cmd { return m.addConstraint(i, -1) }, ctx: ctx})
	}
	rs = append(rs, formRow{id: "call.add", kind: rowAction, value: "+ add call policy",
		act: func() tea.Cmd { return m.addCall(len(m.calls) - 1) }, ctx: rowCtx{sect: sectCall, policy: -1, cons: -1}})

	rs = append(rs, formRow{id: "transfers", kind: rowSection, label: "Transfer policies", ctx: rowCtx{sect: sectTransfer, policy: -1, cons: -1}})
	for i, e := range m.transfers {
		p := fmt.Sprintf("transfer[%d]", i)
		ctx := rowCtx{sect: sectTransfer, policy: i, cons: -1}
		rs = append(rs,
			formRow{id: p, kind: rowHeader, label: fmt.Sprintf("Transfer policy %d", i+1), value: e.summary(), ctx: ctx},
			fieldRow(p, e.target, 2, ctx),
			fieldRow(p, e.maxValue, 2, ctx))
		rs = append(rs, limitRows(p, e.limit, "Value limit", 2, ctx)...)
	}
	rs = append(rs, formRow{id: "transfer.add", kind: rowAction, value: "+ add transfer policy",
		act: func() tea.Cmd { return m.addTransfer(len(m.transfers) - 1) }, ctx: rowCtx{sect: sectTransfer, policy: -1, cons: -1}})
	return rs
}

func fieldRow(prefix string, f *field, indent int, ctx rowCtx) formRow {
	return formRow{id: prefix + "." + f.key, kind: rowField, indent: indent, f: f, ctx: ctx}
}

func limitRows(prefix string, l limitFields, label string, indent int, ctx rowCtx) []formRow {
	rs := []formRow{{id: prefix + "." + l.typ.key, kind: rowPicker, indent: indent, label: label,
		value: "‹ " + l.typ.shown() + " ›", cycle: l.typ.cycle, ctx: ctx}}
	if l.needsAmount() {
		rs = append(rs, fieldRow(prefix, l.limit, indent, ctx))
	}
	if l.needsPeriod() {
		rs = append(rs, fieldRow(prefix, l.period, indent, ctx))
	}
	return rs
}

func constraintSummary(c *constraintEditor, sel flows.Selector, ok bool) string {
	name := c.arg
	if ok && sel.Known() {
		if i := peIndex(argValues(sel), c.arg); i >= 0 && sel.Args[i].Name != "" {
			name = sel.Args[i].Name
		} else if i >= 0 {
			name = "arg " + c.arg
		}
	}
	sym := map[string]string{"equal": "==", "not-equal": "!=", "less": "<", "less-or-equal": "<=", "greater": ">", "greater-or-equal": ">=", "unconstrained": "any"}[c.cond.value()]
	v := strings.TrimSpace(c.value.Value())
	if len(v) > 20 && strings.HasPrefix(v, "0x") {
		v = apiclient.ShortHex(v)
	}
	if c.cond.value() == "unconstrained" {
		v = ""
	}
	return strings.TrimSpace(name + " " + sym + " " + v)
}

func argValues(sel flows.Selector) []string {
	v, _ := argChoices(sel, true)
	return v
}

// focused returns the focused row (by id, else by the last index).
func (m *permissionsModel) focused(rs []formRow) *formRow {
	i := m.focusIndex(rs)
	if i < 0 {
		return nil
	}
	return &rs[i]
}

func (m *permissionsModel) focusIndex(rs []formRow) int {
	for i := range rs {
		if rs[i].id == m.focusID {
			return i
		}
	}
	i := min(m.focusIdx, len(rs)-1)
	for ; i >= 0; i-- {
		if rs[i].focusable() {
			return i
		}
	}
	return -1
}

// focusOn moves the focus to row i of rs, blurring and focusing fields.
func (m *permissionsModel) focusOn(rs []formRow, i int) tea.Cmd {
	if i < 0 || i >= len(rs) {
		return nil
	}
	if cur := m.focused(rs); cur != nil && cur.f != nil && cur.f != rs[i].f {
		cur.f.Blur()
	}
	m.focusID, m.focusIdx = rs[i].id, i
	if rs[i].f != nil && !rs[i].f.Focused() {
		return rs[i].f.Focus()
	}
	return nil
}

// focusID focuses the row with that id after the rows changed.
func (m *permissionsModel) focusByID(id string) tea.Cmd {
	rs := m.rows()
	for i := range rs {
		if rs[i].id == id {
			return m.focusOn(rs, i)
		}
	}
	return nil
}

// move moves the focus by delta focusable rows; false at either end.
func (m *permissionsModel) move(delta int) (tea.Cmd, bool) {
	rs := m.rows()
	i := m.focusIndex(rs)
	for j := i + delta; j >= 0 && j < len(rs); j += delta {
		if rs[j].focusable() {
			return m.focusOn(rs, j), true
		}
	}
	return nil, false
}

// --- editing ---

func (m *permissionsModel) toggleFull() {
	m.undo = nil
	m.full = !m.full
	if !m.full && len(m.calls) == 0 && len(m.transfers) == 0 {
		m.calls = append(m.calls, newCallEditor())
	}
}

func (m *permissionsModel) addCall(after int) tea.Cmd {
	m.undo = nil
	var at int
	m.calls, at = insertAfter(m.calls, after, newCallEditor())
	return m.focusByID(fmt.Sprintf("call[%d].target", at))
}

func (m *permissionsModel) addTransfer(after int) tea.Cmd {
	m.undo = nil
	var at int
	m.transfers, at = insertAfter(m.transfers, after, newTransferEditor())
	return m.focusByID(fmt.Sprintf("transfer[%d].target", at))
}

// insertAfter puts v after index after (at the end when after is out of
// range) and returns where it went.
func insertAfter[T any](s []T, after int, v T) ([]T, int) {
	at := after + 1
	if at < 0 || at > len(s) {
		at = len(s)
	}
	return slices.Insert(s, at, v), at
}

func (m *permissionsModel) addConstraint(policy, after int) tea.Cmd {
	if policy < 0 || policy >= len(m.calls) {
		return nil
	}
	m.undo = nil
	j := m.calls[policy].addConstraint(after)
	return m.focusByID(fmt.Sprintf("call[%d].constraints[%d].arg", policy, j))
}

// add adds the kind of item the focus is in: a constraint inside a
// constraint (or on "+ add constraint"), else a policy of the section.
func (m *permissionsModel) add() tea.Cmd {
	if m.full {
		m.setStatus("full access is on: turn it off (space on Full access) to add policies", true)
		return nil
	}
	r := m.focused(m.rows())
	if r == nil {
		return m.addCall(len(m.calls) - 1)
	}
	switch {
	case r.ctx.sect == sectCall && (r.ctx.cons >= 0 || strings.HasSuffix(r.id, ".addConstraint")):
		return m.addConstraint(r.ctx.policy, r.ctx.cons)
	case r.ctx.sect == sectCall:
		if r.ctx.policy < 0 {
			return m.addCall(len(m.calls) - 1)
		}
		return m.addCall(r.ctx.policy)
	case r.ctx.sect == sectTransfer:
		if r.ctx.policy < 0 {
			return m.addTransfer(len(m.transfers) - 1)
		}
		return m.addTransfer(r.ctx.policy)
	}
	return m.addCall(len(m.calls) - 1)
}

// remove deletes the constraint or policy the focus is in.
func (m *permissionsModel) remove() tea.Cmd {
	rs := m.rows()
	r := m.focused(rs)
	if r == nil || r.ctx.policy < 0 {
		return nil
	}
	if r.f != nil {
		r.f.Blur()
	}
	idx := m.focusIndex(rs)
	snap := m.snapshot("")
	switch {
	case r.ctx.sect == sectCall && r.ctx.cons >= 0:
		e := m.calls[r.ctx.policy]
		e.constraints = append(e.constraints[:r.ctx.cons], e.constraints[r.ctx.cons+1:]...)
		m.setStatus(fmt.Sprintf("deleted constraint %d of call policy %d", r.ctx.cons+1, r.ctx.policy+1), false)
	case r.ctx.sect == sectCall:
		m.calls = append(m.calls[:r.ctx.policy], m.calls[r.ctx.policy+1:]...)
		m.setStatus(fmt.Sprintf("deleted call policy %d", r.ctx.policy+1), false)
	case r.ctx.sect == sectTransfer:
		m.transfers = append(m.transfers[:r.ctx.policy], m.transfers[r.ctx.policy+1:]...)
		m.setStatus(fmt.Sprintf("deleted transfer policy %d", r.ctx.policy+1), false)
	}
	snap.what = strings.TrimPrefix(m.status, "deleted ") + " restored"
	m.undo = snap
	m.status += " · ctrl+z to undo"
	// Focus what took the deleted item's place (the next row), or the row
	// before it when that is the end of the section.
	sect := r.ctx.sect
	rs = m.rows()
	m.focusID = ""
	i := min(idx, len(rs)-1)
	for i > 0 && (!rs[i].focusable() || rs[i].ctx.sect != sect) {
		i--
	}
	return m.focusOn(rs, i)
}

func (m *permissionsModel) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

// --- validation and the request body ---

// collect builds every policy; errs are keyed by row id ("call[0].target").
func (m *permissionsModel) collect() (calls []apiclient.CallPolicy, transfers []apiclient.TransferPolicy, errs map[string]string) {
	errs = map[string]string{}
	for i, e := range m.calls {
		p, fe := e.input().Build()
		for k, v := range fe {
			errs[fmt.Sprintf("call[%d].%s", i, k)] = v
		}
		if len(fe) == 0 {
			calls = append(calls, p)
		}
	}
	for i, e := range m.transfers {
		p, fe := e.input().Build()
		for k, v := range fe {
			errs[fmt.Sprintf("transfer[%d].%s", i, k)] = v
		}
		if len(fe) == 0 {
			transfers = append(transfers, p)
		}
	}
	return calls, transfers, errs
}

// grantInput is what ctrl+s sends when everything is valid.
func (m *permissionsModel) grantInput(now time.Time) (flows.GrantInput, error) {
	d, err := m.dur.resolve(now)
	if err != nil {
		return flows.GrantInput{}, err
	}
	in := flows.GrantInput{Duration: d, Full: m.full}
	if !m.full {
		in.CallPolicies, in.TransferPolicies, _ = m.collect()
	}
	return in, nil
}

// revalidate runs every check, puts each message beside its row and
// rebuilds the preview body (or marks it stale).
func (m *permissionsModel) revalidate() {
	now := m.now()
	raw := map[string]string{}
	if _, err := m.dur.resolve(now); err != nil {
		raw["duration"] = err.Error()
	}
	if !m.full {
		_, _, perr := m.collect()
		for k, v := range perr {
			raw[k] = v
		}
		if len(m.calls)+len(m.transfers) == 0 {
			raw["full"] = "no policies: the key could do nothing; add one (ctrl+n) or turn full access on"
		}
	}
	rs := m.rows()
	ids := make(map[string]int, len(rs))
	for i, r := range rs {
		ids[r.id] = i
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.errs = map[string]string{}
	for _, k := range keys {
		id := k
		for {
			if _, ok := ids[id]; ok {
				break
			}
			// A hidden or unknown key: show it on the nearest enclosing row.
			cut := strings.LastIndexAny(id, ".")
			if cut < 0 {
				id = "full"
				break
			}
			id = id[:cut]
		}
		if _, dup := m.errs[id]; !dup {
			m.errs[id] = raw[k]
		}
	}
	m.blocking, m.firstBad = 0, ""
	for _, r := range rs {
		msg := m.errs[r.id]
		if r.f != nil {
			if msg != "" && (r.f.touched || m.submitted) {
				r.f.SetError(msg)
			} else {
				r.f.SetError("")
			}
		}
		if msg != "" {
			m.blocking++
			if m.firstBad == "" {
				m.firstBad = r.id
			}
		}
	}
	if m.blocking == 0 {
		m.summary = ""
		in, err := m.grantInput(now)
		if err == nil {
			req := flows.BuildGrantRequest(m.c.chainID(), m.c.sess.key.Address, in)
			if b, err := json.MarshalIndent(req, "", "  "); err == nil {
				m.body, m.stale = b, false
			}
		}
	} else {
		m.stale = true
		if m.summary != "" {
			m.summary = attention(m.blocking)
		}
	}
}

func attention(n int) string {
	if n == 1 {
		return "1 field needs attention"
	}
	return fmt.Sprintf("%d fields need attention", n)
}

// live reports whether grants go to a real chain.
func (m *permissionsModel) live() bool { return m.c.cfg.Mode == flows.ModeLive }

// submit grants when everything is valid, else shows what is wrong.
func (m *permissionsModel) submit() tea.Cmd {
	m.submitted = true
	m.status = ""
	m.revalidate()
	if m.blocking > 0 {
		m.summary = attention(m.blocking)
		return m.focusByID(m.firstBad)
	}
	if m.full && m.live() {
		m.mode = modeConfirm
		return nil
	}
	return m.grant()
}

func (m *permissionsModel) grant() tea.Cmd {
	in, err := m.grantInput(m.now())
	if err != nil { // the clock moved past a custom time since the check
		m.revalidate()
		m.summary = attention(max(m.blocking, 1))
		return m.focusByID("duration")
	}
	m.summary = ""
	m.setStatus("", false)
	return func() tea.Msg { return grantRequestedMsg{in: in} }
}

// policySet is the file form of the current editors (policies must be valid).
func (m *permissionsModel) policySet() (flows.PolicySet, int) {
	calls, transfers, errs := m.collect()
	s := flows.PolicySet{GrantFullPermissions: m.full, CallPolicies: calls, TransferPolicies: transfers, Tests: m.tests}
	if d, err := m.dur.resolve(m.now()); err == nil {
		s.DurationInSeconds = int64(d / time.Second)
	}
	return s, len(errs)
}

// apply replaces the editors with a loaded policy set.
func (m *permissionsModel) apply(s flows.PolicySet) {
	if r := m.focused(m.rows()); r != nil && r.f != nil {
		r.f.Blur()
	}
	m.full = s.GrantFullPermissions
	m.tests = s.Tests // kept for the next save (policy test cases)
	if s.DurationInSeconds > 0 {
		m.dur.set(time.Duration(s.DurationInSeconds) * time.Second)
	}
	m.calls, m.transfers = nil, nil
	for _, p := range s.CallPolicies {
		m.calls = append(m.calls, callEditorFrom(flows.CallPolicyInputFrom(p)))
	}
	for _, p := range s.TransferPolicies {
		m.transfers = append(m.transfers, transferEditorFrom(flows.TransferPolicyInputFrom(p)))
	}
	m.focusID, m.focusIdx, m.offset = "duration.preset", 0, 0
}

// --- Update ---

func (m *permissionsModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case permTickMsg:
		if msg.gen != m.tickGen {
			return nil
		}
		m.revalidate() // a custom "18:00" may have passed
		return m.tickCmd()
	case policyLoadedMsg:
		if msg.err != nil {
			m.setStatus("✗ load "+msg.path+": "+oneLine(msg.err.Error()), true)
			return nil
		}
		m.undo = m.snapshot("the form before loading " + msg.path)
		m.apply(msg.set)
		m.revalidate()
		m.setStatus(fmt.Sprintf("✓ loaded %s, %s from %s (ctrl+z: back to the form before)", pePlural(len(msg.set.CallPolicies), "call policy", "call policies"),
			pePlural(len(msg.set.TransferPolicies), "transfer policy", "transfer policies"), msg.path), false)
		return nil
	case policySavedMsg:
		if msg.err != nil {
			m.setStatus("✗ save "+msg.path+": "+oneLine(msg.err.Error()), true)
			return nil
		}
		m.setStatus(fmt.Sprintf("✓ saved %s to %s", pePlural(msg.n, "policy", "policies"), msg.path), false)
		return nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	// Cursor blinks, pastes: the focused text input.
	switch m.mode {
	case modeLoad, modeSave:
		return m.path.Update(msg)
	case modeForm:
		if r := m.focused(m.rows()); r != nil && r.f != nil {
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
	case modeConfirm:
		m.mode = modeForm
		if key.Matches(msg, m.keys.Yes) {
			return m.grant()
		}
		m.setStatus("grant cancelled: nothing was sent", false)
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
			return savePolicyCmd(path, s)
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
		case key.Matches(msg, m.keys.Prev), key.Matches(msg, m.keys.PgUp):
			m.pvOffset = max(0, m.pvOffset-1)
			if key.Matches(msg, m.keys.PgUp) {
				m.pvOffset = max(0, m.pvOffset-max(1, m.h/2))
			}
		case key.Matches(msg, m.keys.Next), key.Matches(msg, m.keys.PgDown):
			m.pvOffset++
			if key.Matches(msg, m.keys.PgDown) {
				m.pvOffset += max(1, m.h/2)
			}
		}
		return nil
	}

	switch {
	case key.Matches(msg, m.keys.Submit):
		return m.submit()
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
		m.pvOffset = max(0, m.pvOffset-max(1, m.h/2))
		return nil
	case key.Matches(msg, m.keys.PgDown):
		m.pvOffset += max(1, m.h/2) // clamped when drawn
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

	rs := m.rows()
	r := m.focused(rs)
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

// --- View ---

// permLayout is where things go at the current size.
type permLayout struct {
	formW, formH  int
	pvW, pvH      int
	side          bool // preview beside the form
	below         bool // preview below the form
	previewToggle bool // preview hidden behind ctrl+p
	bottomH       int
	showForm      bool // false: the body replaces the form (ctrl+p)
}

const (
	sideMinW   = 120 // at least this wide: preview beside the form
	belowMinH  = 20  // at least this tall (when narrow): preview below
	labelWidth = 13
)

func (m *permissionsModel) layout() permLayout {
	if m.mode != modeForm {
		return m.layoutFor(2)
	}
	return m.layoutFor(1)
}

// layoutFor places things above a bottom block of bottomH lines.
func (m *permissionsModel) layoutFor(bottomH int) permLayout {
	w, h := max(m.w, 20), max(m.h, 3)
	l := permLayout{bottomH: bottomH, showForm: true}
	body := max(h-l.bottomH, 1)
	switch {
	case w >= sideMinW:
		l.side = true
		l.pvW = min(max(w-72, 44), 90)
		l.formW = w - l.pvW - 3
		l.formH, l.pvH = body, body
	case h >= belowMinH:
		l.below = true
		l.formW, l.pvW = w, w
		l.pvH = body * 2 / 5
		l.formH = body - l.pvH - 1
	default:
		l.previewToggle = true
		l.formW, l.pvW = w, w
		l.formH, l.pvH = body, body
		if m.pvOnly {
			l.showForm = false
		}
	}
	return l
}

func (m *permissionsModel) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	bottom := m.viewBottom(m.w)
	l := m.layoutFor(len(bottom))
	var out []string
	switch {
	case l.side:
		form := m.viewForm(l.formW, l.formH)
		pv := m.viewPreview(l.pvW, l.pvH)
		sep := m.c.st.Subtle.Render(" │ ")
		for i := 0; i < l.formH; i++ {
			a, b := "", ""
			if i < len(form) {
				a = form[i]
			}
			if i < len(pv) {
				b = pv[i]
			}
			out = append(out, padRight(a, l.formW)+sep+b)
		}
	case l.below:
		// The form takes what it needs; the body gets the rest, and at
		// least 2/5 (or all it needs, if less) when both do not fit.
		total := l.formH + l.pvH
		fl, _, _ := m.formLines(l.formW)
		pvNeed := len(m.previewBody(l.pvW)) + 1
		pvH := total - len(fl)
		if pvH < pvNeed {
			pvH = max(pvH, min(pvNeed, total*2/5))
		}
		pvH = min(max(pvH, 2), total-1)
		formH := total - pvH
		out = append(out, m.viewForm(l.formW, formH)...)
		for len(out) < formH {
			out = append(out, "")
		}
		out = append(out, m.c.st.Subtle.Render(strings.Repeat("─", l.pvW)))
		out = append(out, m.viewPreview(l.pvW, pvH)...)
		for len(out) < formH+1+pvH {
			out = append(out, "")
		}
	case !l.showForm:
		out = append(out, m.viewPreview(l.pvW, l.pvH)...)
		for len(out) < l.pvH {
			out = append(out, "")
		}
	default:
		out = append(out, m.viewForm(l.formW, l.formH)...)
		for len(out) < l.formH {
			out = append(out, "")
		}
	}
	out = append(out, bottom...)
	for i := range out {
		out[i] = ansi.Truncate(out[i], m.w, "…")
	}
	if len(out) > m.h {
		out = out[:m.h]
	}
	return strings.Join(out, "\n")
}

// viewBottom is the summary/status line and the prompt.
func (m *permissionsModel) viewBottom(w int) []string {
	st := m.c.st
	var line string
	switch {
	case m.summary != "":
		line = st.Error.Render("✗ " + m.summary + " (ctrl+s again when fixed)")
	case m.status != "" && m.statusErr:
		line = st.Error.Render(m.status)
	case m.status != "":
		line = st.Status.Render(m.status)
	default:
		line = st.Subtle.Render(m.what())
		if help := m.focusHelp(); help != "" {
			// What the focused field takes, from flows (two lines when tall).
			n := 1
			if m.h >= 20 {
				n = 2
			}
			parts := strings.Split(ansi.Wordwrap(help, max(w, 10), " "), "\n")
			if len(parts) > n {
				parts = parts[:n]
				parts[n-1] = ansi.Truncate(parts[n-1], max(w-1, 1), "") + "…"
			}
			for i := range parts {
				parts[i] = st.Subtle.Render(parts[i])
			}
			line = strings.Join(parts, "\n")
		}
	}
	lines := strings.Split(line, "\n")
	switch m.mode {
	case modeConfirm:
		lines = append(lines, st.Warn.Render(fmt.Sprintf("Grant FULL permissions on live chain %d? (y/N)", m.c.chainID())))
	case modeLoad, modeSave:
		m.path.label = "Load from"
		if m.mode == modeSave {
			m.path.label = "Save to"
		}
		m.path.SetWidth(w)
		v := m.path.View(st, 0)
		lines = append(lines, strings.Split(v, "\n")[0])
	}
	return lines
}

// focusHelp is what the focused field takes (flows.FieldHelp), "" for
// rows without help.
func (m *permissionsModel) focusHelp() string {
	r := m.focused(m.rows())
	if r == nil {
		return ""
	}
	switch r.id {
	case "duration":
		return "How long the key lasts: 90m, 36h, 2d, 1w or seconds; or when it ends: 18:00 (next), 2026-11-26 18:00. At most 365 days."
	case "full":
		return "space: on = the key may make any call with any value; off = only what the policies below allow."
	}
	if r.ctx.policy < 0 || (r.kind != rowField && r.kind != rowPicker) {
		return ""
	}
	_, k, _ := strings.Cut(r.id, ".")
	if r.ctx.sect == sectTransfer && k == "target" {
		return "Address the key may send native value (ETH) to: 0x + 40 hex (EIP-55 checked when mixed case)."
	}
	return flows.FieldHelp(k)
}

// what says what ctrl+s will do.
func (m *permissionsModel) what() string {
	d, err := m.dur.resolve(m.now())
	if err != nil {
		return "ctrl+s grants once the duration is valid"
	}
	dur := flows.FormatPeriod(d)
	if m.full {
		return "ctrl+s grants full access for " + dur
	}
	return fmt.Sprintf("ctrl+s grants %s and %s for %s", pePlural(len(m.calls), "call policy", "call policies"),
		pePlural(len(m.transfers), "transfer policy", "transfer policies"), dur)
}

// viewForm renders the rows and scrolls them so the focus shows.
func (m *permissionsModel) viewForm(w, h int) []string {
	lines, start, end := m.formLines(w)
	if h <= 0 {
		return nil
	}
	if start < m.offset {
		m.offset = start
	}
	if end > m.offset+h {
		m.offset = end - h
	}
	m.offset = max(0, min(m.offset, len(lines)-h))
	if len(lines) > h {
		// Say that there is more, in the lines the focus does not need.
		vis := append([]string(nil), lines[m.offset:m.offset+h]...)
		if m.offset > 0 && start > m.offset {
			vis[0] = m.c.st.Subtle.Render(fmt.Sprintf("  ↑ %d more", m.offset))
		}
		if rest := len(lines) - m.offset - h; rest > 0 && end < m.offset+h {
			vis[h-1] = m.c.st.Subtle.Render(fmt.Sprintf("  ↓ %d more", rest+1))
		}
		return vis
	}
	return lines
}

// formLines renders every row; [start, end) are the focused row's lines.
func (m *permissionsModel) formLines(w int) (lines []string, start, end int) {
	rs := m.rows()
	fi := m.focusIndex(rs)
	for i, r := range rs {
		if i == fi {
			start = len(lines)
		}
		for _, ln := range strings.Split(m.viewRow(r, i == fi, w), "\n") {
			lines = append(lines, ansi.Truncate(ln, w, "…"))
		}
		if i == fi {
			end = len(lines)
		}
		// Keep a section title with the first row below it.
		if i == fi && fi > 0 && rs[fi-1].kind == rowSection && start > 0 {
			start--
		}
	}
	return lines, start, end
}

func (m *permissionsModel) viewRow(r formRow, focused bool, w int) string {
	st := m.c.st
	ind := strings.Repeat(" ", r.indent)
	iw := max(w-r.indent, 10)
	mark, ls := "  ", st.Blurred
	if focused {
		mark, ls = "› ", st.Focused
	}
	errMsg := m.errs[r.id]
	switch r.kind {
	case rowField:
		return ind + strings.ReplaceAll(m.viewField(r.f, iw), "\n", "\n"+ind)
	case rowSection:
		return st.Title.Render(r.label)
	case rowHeader:
		s := ind + mark + ls.Render(r.label) + "  " + st.Subtle.Render(r.value)
		if errMsg != "" {
			s += "\n" + ind + "    " + st.Error.Render("✗ "+errMsg)
		}
		return s
	case rowAction:
		s := ind + mark + st.Key.Render(r.value)
		if focused {
			s += "  " + st.Subtle.Render("enter")
		}
		return s
	}
	// picker, toggle
	label := r.label + strings.Repeat(" ", max(0, labelWidth-lipgloss.Width(r.label)))
	s := ind + mark + ls.Render(label) + " " + st.Value.Render(r.value)
	note := ""
	if errMsg != "" {
		note = st.Error.Render("✗ " + errMsg)
	} else if r.note != "" {
		note = st.Subtle.Render(r.note)
	}
	return besideOrBelow(s, note, w, ind+"    ")
}

// viewField renders a field of field.go the way field.View does ("› Label
// value  ✗ message"), but wraps a long message below instead of cutting
// it: the reason is the point ("… maximum session of 365 days").
func (m *permissionsModel) viewField(f *field, w int) string {
	st := m.c.st
	mark, ls := "  ", st.Blurred
	if f.Focused() {
		mark, ls = "› ", st.Focused
	}
	label := f.label + strings.Repeat(" ", max(0, labelWidth-lipgloss.Width(f.label)))
	prefix := mark + ls.Render(label) + " "
	avail := max(w-lipgloss.Width(prefix), 8)
	f.applyStyles(st)
	note := f.note(st)
	valW := lipgloss.Width(f.in.Value())
	if f.in.Value() == "" {
		valW = lipgloss.Width(f.in.Placeholder)
	}
	inW := avail - 1 // the cursor's cell
	if note != "" && valW+3+lipgloss.Width(note) <= avail {
		inW = valW + 1
	}
	f.in.Width = max(inW, 1)
	f.in.SetCursor(f.in.Position()) // re-scroll the input to the new width
	if !f.Focused() && valW > inW && f.in.Value() != "" {
		// Not being edited: show both ends (0x1234…abcd), not a scrolled tail.
		return besideOrBelow(prefix+st.Input.Render(shortMiddle(f.in.Value(), inW)), note, w, "    ")
	}
	return besideOrBelow(prefix+f.in.View(), note, w, "    ")
}

// shortMiddle cuts s to width w keeping its start and end ("0x1234…abcd").
func shortMiddle(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 5 {
		return ansi.Truncate(s, max(w, 1), "…")
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// besideOrBelow puts note beside line when it fits in w, else word-wrapped
// below it (at most three lines, indented).
func besideOrBelow(line, note string, w int, indent string) string {
	if note == "" {
		return line
	}
	if lipgloss.Width(line)+2+lipgloss.Width(note) <= w {
		return line + "  " + note
	}
	nw := max(w-lipgloss.Width(indent), 10)
	parts := strings.Split(ansi.Wordwrap(note, nw, " -"), "\n")
	if len(parts) > 3 {
		parts = parts[:3]
		parts[2] = ansi.Truncate(parts[2], nw-1, "") + "…"
	}
	for _, p := range parts {
		line += "\n" + indent + ansi.Truncate(p, nw, "…")
	}
	return line
}

// viewPreview renders the request body that ctrl+s will send.
func (m *permissionsModel) viewPreview(w, h int) []string {
	st := m.c.st
	if h <= 0 {
		return nil
	}
	title := st.Title.Render("Request body") + st.Subtle.Render(" POST /wallets/create-session-key")
	if m.stale {
		title = st.Title.Render("Request body") + " " + st.Warn.Render("STALE: "+attention(m.blocking)+", last valid shown")
	}
	lines := []string{ansi.Truncate(title, w, "…")}
	if m.body == nil {
		lines = append(lines, st.Subtle.Render("(no valid body yet)"))
		return lines
	}
	body := m.previewBody(w)
	room := h - 1
	m.pvOffset = max(0, min(m.pvOffset, len(body)-room))
	end := min(len(body), m.pvOffset+room)
	for i := m.pvOffset; i < end; i++ {
		ln := body[i]
		if i == end-1 && end < len(body) {
			ln = fmt.Sprintf("… %d more lines (pgdn)", len(body)-end+1)
			lines = append(lines, st.Subtle.Render(ansi.Truncate(ln, w, "…")))
			break
		}
		lines = append(lines, st.Code.Render(ansi.Truncate(ln, w, "…")))
	}
	return lines
}

// previewBody is the body's lines at width w. Long lines (refValue words)
// wrap rather than hide, since this is the exact body; continuation lines
// start with ↪.
func (m *permissionsModel) previewBody(w int) []string {
	var body []string
	for _, ln := range strings.Split(string(m.body), "\n") {
		if lipgloss.Width(ln) <= w {
			body = append(body, ln)
			continue
		}
		for i, part := range strings.Split(ansi.Hardwrap(ln, max(w-2, 4), false), "\n") {
			if i > 0 {
				part = "↪ " + part
			}
			body = append(body, part)
		}
	}
	return body
}

// padRight pads s with spaces to width w (measured, ANSI-aware).
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return ansi.Truncate(s, w, "…")
}

// consumesEsc: esc cancels the prompt instead of going back a step.
func (m *permissionsModel) consumesEsc() bool {
	return m.mode != modeForm || (m.pvOnly && m.layout().previewToggle)
}

// copyTarget: `c` (outside text fields) copies the request body, only
// while it matches the form (a stale body is not what ctrl+s would send).
func (m *permissionsModel) copyTarget() (label, value string, ok bool) {
	if m.body == nil || m.stale {
		return "", "", false
	}
	return "request body", string(m.body), true
}
