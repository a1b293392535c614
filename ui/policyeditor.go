package ui

import (
	"fmt"
	"strconv"
	"strings"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// The call- and transfer-policy editors of the permissions screen. Every
// value is kept as typed text (flows.CallPolicyInput and friends); Build in
// flows does all parsing and returns FieldErrors keyed like the wire shape
// ("target", "valueLimit.limit", "constraints[1].value"), which the screen
// shows beside the field whose key matches. The editors only hold state and
// turn it into rows; permissions.go does focus, keys and layout.

// picker is a one-of-n choice cycled with left/right.
type picker struct {
	key     string   // flows.FieldErrors key
	label   string   // row label
	values  []string // what goes into the input struct
	display []string // what the row shows (same length as values)
	idx     int
}

func newPicker(key, label string, values, display []string, idx int) *picker {
	if display == nil {
		display = values
	}
	return &picker{key: key, label: label, values: values, display: display, idx: idx}
}

func (p *picker) cycle(delta int) {
	n := len(p.values)
	if n == 0 {
		return
	}
	p.idx = ((p.idx+delta)%n + n) % n
}

func (p *picker) value() string {
	if p.idx < 0 || p.idx >= len(p.values) {
		return ""
	}
	return p.values[p.idx]
}

func (p *picker) shown() string {
	if p.idx < 0 || p.idx >= len(p.display) {
		return ""
	}
	return p.display[p.idx]
}

// set selects the value equal to v (via parse for aliases); false if none.
func (p *picker) set(v string) bool {
	for i, x := range p.values {
		if strings.EqualFold(x, strings.TrimSpace(v)) {
			p.idx = i
			return true
		}
	}
	return false
}

// Limit types as the pickers offer them. A constraint's limit is optional,
// so its picker says "none" for unlimited.
var (
	valueLimitTypes      = []string{"unlimited", "lifetime", "allowance"}
	constraintLimitTypes = []string{"", "lifetime", "allowance"}
	constraintLimitShown = []string{"none", "lifetime", "allowance"}
)

// Conditions in the order the picker cycles them (the most used first).
var (
	conditionValues = []string{"equal", "not-equal", "less-or-equal", "less", "greater-or-equal", "greater", "unconstrained"}
	conditionShown  = []string{"equal (==)", "not-equal (!=)", "less-or-equal (<=)", "less (<)", "greater-or-equal (>=)", "greater (>)", "unconstrained (any)"}
)

// limitFields is the value limit of a policy or constraint: a type picker,
// and the amount and period fields shown only when the type needs them
// (hidden ones keep their text).
type limitFields struct {
	typ    *picker
	limit  *field
	period *field
}

func newLimitFields(prefix string, types, shown []string, amountHint string) limitFields {
	return limitFields{
		typ:    newPicker(prefix+".limitType", "Limit type", types, shown, 0),
		limit:  newField(prefix+".limit", "Limit", amountHint, nil),
		period: newField(prefix+".period", "Period", "e.g. 1h, 1d, 7d", nil),
	}
}

func (l limitFields) set(typ, limit, period string) {
	if lt, err := flows.ParseLimitType(typ); err == nil {
		switch lt {
		case apiclient.LimitUnlimited:
			l.typ.idx = 0
		case apiclient.LimitLifetime:
			l.typ.idx = 1
		case apiclient.LimitAllowance:
			l.typ.idx = 2
		}
	}
	l.limit.SetValue(limit)
	l.period.SetValue(period)
}

func (l limitFields) needsAmount() bool { return l.typ.idx > 0 }
func (l limitFields) needsPeriod() bool { return l.typ.idx == 2 }

// callEditor edits one call policy.
type callEditor struct {
	target      *field
	signature   *field
	maxValue    *field
	limit       limitFields
	constraints []*constraintEditor
}

func newCallEditor() *callEditor {
	return &callEditor{
		target:    newField("target", "Target", "0x… (contract address)", nil),
		signature: newField("signature", "Function", "e.g. transfer(address,uint256)", nil),
		maxValue:  newField("maxValuePerUse", "Max value/use", "(empty: no ETH)", nil),
		limit:     newLimitFields("valueLimit", valueLimitTypes, nil, "e.g. 0.1 ETH"),
	}
}

// selector parses the signature (for the live selector and the argument
// picker); ok is false while it does not parse.
func (e *callEditor) selector() (flows.Selector, bool) {
	if strings.TrimSpace(e.signature.Value()) == "" {
		return flows.Selector{}, false
	}
	s, err := flows.ParseSelector(e.signature.Value())
	return s, err == nil
}

func (e *callEditor) input() flows.CallPolicyInput {
	in := flows.CallPolicyInput{
		Target:         e.target.Value(),
		Signature:      e.signature.Value(),
		MaxValuePerUse: e.maxValue.Value(),
		LimitType:      e.limit.typ.value(),
		Limit:          e.limit.limit.Value(),
		Period:         e.limit.period.Value(),
	}
	for _, c := range e.constraints {
		in.Constraints = append(in.Constraints, c.input())
	}
	return in
}

func callEditorFrom(in flows.CallPolicyInput) *callEditor {
	e := newCallEditor()
	e.target.SetValue(in.Target)
	e.signature.SetValue(in.Signature)
	mv := in.MaxValuePerUse
	if mv == "0 ETH" {
		mv = "" // the default; keeps the editor quiet
	}
	e.maxValue.SetValue(mv)
	e.limit.set(in.LimitType, in.Limit, in.Period)
	sel, ok := e.selector()
	for _, ci := range in.Constraints {
		c := newConstraintEditor()
		c.setInput(ci, sel, ok)
		e.constraints = append(e.constraints, c)
	}
	return e
}

// addConstraint inserts an empty constraint after index at (-1 = end) and
// returns its index. The argument defaults to the first one.
func (e *callEditor) addConstraint(at int) int {
	c := newConstraintEditor()
	if at < 0 || at >= len(e.constraints) {
		e.constraints = append(e.constraints, c)
		return len(e.constraints) - 1
	}
	e.constraints = append(e.constraints[:at+1], append([]*constraintEditor{c}, e.constraints[at+1:]...)...)
	return at + 1
}

// summary is the policy's one-line description for its list row.
func (e *callEditor) summary() string {
	parts := []string{}
	if t := strings.TrimSpace(e.target.Value()); t != "" {
		parts = append(parts, apiclient.ShortHex(t))
	}
	if s, ok := e.selector(); ok {
		parts = append(parts, s.Display())
	}
	if n := len(e.constraints); n > 0 {
		parts = append(parts, pePlural(n, "constraint", "constraints"))
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, " · ")
}

// constraintEditor edits one argument constraint of a call policy. The
// argument is picked from the signature's arguments; arg holds what goes
// into flows.ConstraintInput.Arg (an index, or a name / "word N" kept from
// a loaded file until the user picks another).
type constraintEditor struct {
	arg   string
	cond  *picker
	value *field
	limit limitFields
}

func newConstraintEditor() *constraintEditor {
	return &constraintEditor{
		arg:   "0",
		cond:  newPicker("condition", "Condition", conditionValues, conditionShown, 0),
		value: newField("value", "Value", "(in the argument's type)", nil),
		limit: newLimitFields("limit", constraintLimitTypes, constraintLimitShown, "e.g. 150e18 (argument units)"),
	}
}

func (c *constraintEditor) input() flows.ConstraintInput {
	return flows.ConstraintInput{
		Arg:       c.arg,
		Condition: c.cond.value(),
		Value:     c.value.Value(),
		LimitType: c.limit.typ.value(),
		Limit:     c.limit.limit.Value(),
		Period:    c.limit.period.Value(),
	}
}

func (c *constraintEditor) setInput(ci flows.ConstraintInput, sel flows.Selector, known bool) {
	c.arg = strings.TrimSpace(ci.Arg)
	if known && c.arg != "" && !peDigits(c.arg) {
		for i, a := range sel.Args {
			if a.Name != "" && strings.EqualFold(a.Name, c.arg) {
				c.arg = strconv.Itoa(i)
				break
			}
		}
	}
	if cond, err := flows.ParseCondition(ci.Condition); err == nil {
		c.cond.set(cond.String())
	}
	c.value.SetValue(ci.Value)
	c.limit.set(ci.LimitType, ci.Limit, ci.Period)
}

// argChoices are the argument picker's values and labels for sel: every
// argument of a known signature ("1 · amount uint256"), else raw indices.
func argChoices(sel flows.Selector, known bool) (values, shown []string) {
	if known && sel.Known() {
		for i, a := range sel.Args {
			values = append(values, strconv.Itoa(i))
			l := strconv.Itoa(i) + " ·"
			if a.Name != "" {
				l += " " + a.Name
			}
			shown = append(shown, l+" "+a.Type)
		}
		return values, shown
	}
	for i := 0; i < 8; i++ {
		values = append(values, strconv.Itoa(i))
		shown = append(shown, fmt.Sprintf("%d · raw word", i))
	}
	return values, shown
}

// cycleArg moves the argument by delta through the choices of sel.
func (c *constraintEditor) cycleArg(delta int, sel flows.Selector, known bool) {
	values, _ := argChoices(sel, known)
	if len(values) == 0 {
		return
	}
	i := peIndex(values, c.arg)
	if i < 0 {
		if delta > 0 {
			i = -1
		} else {
			i = 0
		}
	}
	n := len(values)
	c.arg = values[((i+delta)%n+n)%n]
}

// argShown is the picker's label for the current argument.
func (c *constraintEditor) argShown(sel flows.Selector, known bool) string {
	values, shown := argChoices(sel, known)
	if i := peIndex(values, c.arg); i >= 0 {
		return shown[i]
	}
	if c.arg == "" {
		return "(none)"
	}
	return c.arg
}

// argType is the type of the picked argument ("" when unknown).
func (c *constraintEditor) argType(sel flows.Selector, known bool) string {
	if !known || !sel.Known() {
		return ""
	}
	i, err := strconv.Atoi(c.arg)
	if err != nil || i < 0 || i >= len(sel.Args) {
		return ""
	}
	return sel.Args[i].Type
}

// valuePlaceholder suggests input in the argument's type.
func valuePlaceholder(typ string) string {
	switch {
	case typ == "address":
		return "0x… (address)"
	case typ == "bool":
		return "(true or false)"
	case strings.HasPrefix(typ, "uint"):
		return "e.g. 1000 or 100e18"
	case strings.HasPrefix(typ, "int"):
		return "e.g. -5 or 100e18"
	case strings.HasPrefix(typ, "bytes"):
		return "0x… (hex)"
	}
	return "(0x + 64 hex or a number)"
}

// transferEditor edits one transfer (plain value) policy.
type transferEditor struct {
	target   *field
	maxValue *field
	limit    limitFields
}

func newTransferEditor() *transferEditor {
	return &transferEditor{
		target:   newField("target", "Recipient", "0x… (recipient address)", nil),
		maxValue: newField("maxValuePerUse", "Max value/use", "e.g. 0.01 ETH (empty: none)", nil),
		limit:    newLimitFields("valueLimit", valueLimitTypes, nil, "e.g. 0.1 ETH"),
	}
}

func (e *transferEditor) input() flows.TransferPolicyInput {
	return flows.TransferPolicyInput{
		Target:         e.target.Value(),
		MaxValuePerUse: e.maxValue.Value(),
		LimitType:      e.limit.typ.value(),
		Limit:          e.limit.limit.Value(),
		Period:         e.limit.period.Value(),
	}
}

func transferEditorFrom(in flows.TransferPolicyInput) *transferEditor {
	e := newTransferEditor()
	e.target.SetValue(in.Target)
	e.maxValue.SetValue(in.MaxValuePerUse)
	e.limit.set(in.LimitType, in.Limit, in.Period)
	return e
}

func (e *transferEditor) summary() string {
	parts := []string{}
	if t := strings.TrimSpace(e.target.Value()); t != "" {
		parts = append(parts, apiclient.ShortHex(t))
	}
	if v := strings.TrimSpace(e.maxValue.Value()); v != "" {
		parts = append(parts, "≤ "+v+" each")
	}
	if len(parts) == 0 {
		return "(empty)"
	}
	return strings.Join(parts, " · ")
}

// --- small helpers ---

func peIndex(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func peDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func pePlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
