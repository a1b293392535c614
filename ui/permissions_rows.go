package ui

import (
	"fmt"
	"slices"
	"strings"
	"walletconsole/apiclient"
	"walletconsole/flows"
	"walletconsole/theme"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

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

// formRow is one row of the Permissions form, a Field of the form group
// (form.go). Rows are rebuilt from the editors on every change; the group
// keeps the focus by id. Section titles and policy/constraint headers are
// not focusable: tab goes from field to field, and nothing typed is ever
// swallowed by a row that cannot take it.
type formRow struct {
	m       *permissionsModel
	focused bool
	id      string
	kind    rowKind
	indent  int
	label   string
	f       *field
	value   string // picker/toggle/header/action text
	note    string // beside the value
	cycle   func(int)
	toggle  func()
	act     func() tea.Cmd
	ctx     rowCtx
}

func (r *formRow) focusable() bool { return r.kind != rowSection && r.kind != rowHeader }

// Field interface (form.go).
func (r *formRow) Key() string     { return r.id }
func (r *formRow) Label() string   { return r.label }
func (r *formRow) Focusable() bool { return r.focusable() }
func (r *formRow) Editable() bool  { return r.kind == rowField }
func (r *formRow) Focused() bool   { return r.focused }
func (r *formRow) SetWidth(int)    {}
func (r *formRow) Validate() bool  { return r.m.errs[r.id] == "" }
func (r *formRow) Focus() tea.Cmd {
	r.focused = true
	if r.f != nil && !r.f.Focused() {
		return r.f.Focus()
	}
	return nil
}
func (r *formRow) Blur() {
	r.focused = false
	if r.f != nil && r.f.Focused() {
		r.f.Blur()
	}
}
func (r *formRow) Update(msg tea.Msg) tea.Cmd {
	if r.f != nil {
		return r.f.Update(msg)
	}
	return nil
}
func (r *formRow) View(st theme.Styles, _ int) string { return r.m.viewRow(r, r.focused, r.m.formW) }
func (r *formRow) Bindings() []key.Binding {
	switch r.kind {
	case rowField:
		return []key.Binding{keyLeaveEdit}
	case rowPicker:
		return []key.Binding{r.m.keys.Cycle}
	case rowToggle, rowAction:
		return []key.Binding{r.m.keys.Toggle}
	}
	return nil
}

// rows lists the form as it shows now.
func (m *permissionsModel) rows() []*formRow {
	top := rowCtx{sect: sectTop, policy: -1, cons: -1}
	now := m.now()
	rs := []*formRow{{
		id: "duration.preset", kind: rowPicker, label: "Duration", value: m.dur.label(),
		note: m.dur.expiry(now), cycle: func(d int) { m.dur.cycle(d) }, ctx: top,
	}}
	if m.dur.isCustom() {
		rs = append(rs, &formRow{id: "duration", kind: rowField, indent: 2, f: m.dur.custom, ctx: top})
	}
	fullText := "[ ] off: only the policies below"
	if m.full {
		fullText = "[x] on: any call, any value"
	}
	rs = append(rs, &formRow{id: "full", kind: rowToggle, label: "Full access", value: fullText,
		toggle: m.toggleFull, cycle: func(int) { m.toggleFull() }, ctx: top})
	if m.full && !m.conflict {
		return rs // the policies are kept, hidden, for when full access goes off
	}

	rs = append(rs, &formRow{id: "calls", kind: rowSection, label: "Call policies", ctx: rowCtx{sect: sectCall, policy: -1, cons: -1}})
	for i, e := range m.calls {
		i, e := i, e
		p := fmt.Sprintf("call[%d]", i)
		ctx := rowCtx{sect: sectCall, policy: i, cons: -1}
		rs = append(rs, &formRow{id: p, kind: rowHeader, label: fmt.Sprintf("Call policy %d", i+1), value: e.summary(), ctx: ctx})
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
				&formRow{id: cp, kind: rowHeader, indent: 2, label: fmt.Sprintf("Constraint %d", j+1), value: constraintSummary(c, sel, ok), ctx: cctx},
				&formRow{id: cp + ".arg", kind: rowPicker, indent: 4, label: "Argument", value: "‹ " + c.argShown(sel, ok) + " ›",
					cycle: func(d int) { c.cycleArg(d, sel, ok) }, ctx: cctx},
				&formRow{id: cp + ".condition", kind: rowPicker, indent: 4, label: "Condition", value: "‹ " + c.cond.shown() + " ›",
					cycle: c.cond.cycle, ctx: cctx},
				fieldRow(cp, c.value, 4, cctx))
			rs = append(rs, limitRows(cp, c.limit, "Arg limit", 4, cctx)...)
		}
		rs = append(rs, &formRow{id: p + ".addConstraint", kind: rowAction, indent: 2, value: "+ add constraint",
			act: func() tea.Cmd { return m.addConstraint(i, -1) }, ctx: ctx})
	}
	rs = append(rs, &formRow{id: "call.add", kind: rowAction, value: "+ add call policy",
		act: func() tea.Cmd { return m.addCall(len(m.calls) - 1) }, ctx: rowCtx{sect: sectCall, policy: -1, cons: -1}})

	rs = append(rs, &formRow{id: "transfers", kind: rowSection, label: "Transfer policies", ctx: rowCtx{sect: sectTransfer, policy: -1, cons: -1}})
	for i, e := range m.transfers {
		p := fmt.Sprintf("transfer[%d]", i)
		ctx := rowCtx{sect: sectTransfer, policy: i, cons: -1}
		rs = append(rs,
			&formRow{id: p, kind: rowHeader, label: fmt.Sprintf("Transfer policy %d", i+1), value: e.summary(), ctx: ctx},
			fieldRow(p, e.target, 2, ctx),
			fieldRow(p, e.maxValue, 2, ctx))
		rs = append(rs, limitRows(p, e.limit, "Value limit", 2, ctx)...)
	}
	rs = append(rs, &formRow{id: "transfer.add", kind: rowAction, value: "+ add transfer policy",
		act: func() tea.Cmd { return m.addTransfer(len(m.transfers) - 1) }, ctx: rowCtx{sect: sectTransfer, policy: -1, cons: -1}})
	return rs
}

func fieldRow(prefix string, f *field, indent int, ctx rowCtx) *formRow {
	return &formRow{id: prefix + "." + f.key, kind: rowField, indent: indent, f: f, ctx: ctx}
}

func limitRows(prefix string, l limitFields, label string, indent int, ctx rowCtx) []*formRow {
	rs := []*formRow{{id: prefix + "." + l.typ.key, kind: rowPicker, indent: indent, label: label,
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

// refresh rebuilds the rows from the editors and hands them to the form
// group, which keeps the focus on the row with the same id.
func (m *permissionsModel) refresh() []*formRow {
	rs := m.rows()
	fs := make([]Field, len(rs))
	for i, r := range rs {
		r.m = m
		fs[i] = r
	}
	m.form.SetFields(fs)
	return rs
}

// cur is the focused row (nil when none).
func (m *permissionsModel) cur() *formRow {
	r, _ := m.form.Focused().(*formRow)
	return r
}

// focusByID focuses the row with that id after the rows changed.
func (m *permissionsModel) focusByID(id string) tea.Cmd {
	m.refresh()
	cmd, _ := m.form.FocusKey(id)
	return cmd
}

// move moves the focus by delta focusable rows; false at either end.
// Moving on dismisses the last action's status, so the new row's help
// (which shares its line) shows.
func (m *permissionsModel) move(delta int) (tea.Cmd, bool) {
	m.refresh()
	move := m.form.Prev
	if delta > 0 {
		move = m.form.Next
	}
	before := m.focusID()
	cmd, ok := move()
	if ok && m.focusID() != before {
		m.status, m.statusErr = "", false
	}
	return cmd, ok
}

// --- editing ---

func (m *permissionsModel) toggleFull() {
	m.undo = nil
	m.conflict = false // the user chose
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
	r := m.cur()
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
	r := m.cur()
	if r == nil || r.ctx.policy < 0 {
		return nil
	}
	idx := m.form.Index()
	snap := m.snapshot("")
	m.form.Blur()
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
	rs := m.refresh()
	i := min(idx, len(rs)-1)
	for i > 0 && (!rs[i].focusable() || rs[i].ctx.sect != sect) {
		i--
	}
	return m.form.FocusAt(i)
}

func (m *permissionsModel) setStatus(s string, isErr bool) { m.status, m.statusErr = s, isErr }

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
		calls: append([]*callEditor(nil), m.calls...), transfers: append([]*transferEditor(nil), m.transfers...)}
	if r := m.cur(); r != nil {
		s.focusID = r.id
	}
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
	m.form.Blur()
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

// focusID is the focused row's id ("" when none).
func (m *permissionsModel) focusID() string {
	if r := m.cur(); r != nil {
		return r.id
	}
	return ""
}
