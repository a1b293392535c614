package flows

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"walletconsole/apiclient"
)

// CallPolicyInput is a call policy as a person types it; every field is
// text, Build checks them all. See FieldHelp for what each field takes.
type CallPolicyInput struct {
	Target         string // contract address
	Signature      string // "transfer(address,uint256)", full form, or "0xa9059cbb"
	MaxValuePerUse string // ETH sent with one call; "" = 0 = no value may be sent
	LimitType      string // "unlimited" (or ""), "lifetime", "allowance"; or 0/1/2
	Limit          string // total value (ParseValue) for lifetime/allowance
	Period         string // allowance window (ParsePeriod)
	Constraints    []ConstraintInput
}

// ConstraintInput restricts one argument of a call.
type ConstraintInput struct {
	Arg       string // argument name, 0-based argument index, or "word N"
	Condition string // "equal"/"=="…, see ParseCondition
	Value     string // in the argument's type (EncodeRefValue)
	LimitType string // optional metering of the argument's amount
	Limit     string // in the argument's units (ParseArgAmount: 1000, 100e18)
	Period    string // allowance window
}

// TransferPolicyInput is a plain value transfer policy as a person types it.
type TransferPolicyInput struct {
	Target         string
	MaxValuePerUse string
	LimitType      string
	Limit          string
	Period         string
}

// FieldErrors maps a field key to what is wrong with it. Keys follow the
// wire shape: "target", "signature", "maxValuePerUse", "valueLimit.limitType",
// "valueLimit.limit", "valueLimit.period", "constraints[i].arg",
// "constraints[i].condition", "constraints[i].value",
// "constraints[i].limit.limitType", "constraints[i].limit.limit",
// "constraints[i].limit.period" (i 0-based). A nil or empty FieldErrors
// means no error.
type FieldErrors map[string]string

// Keys returns the keys sorted (constraints by number).
func (fe FieldErrors) Keys() []string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return naturalLess(keys[i], keys[j]) })
	return keys
}

// Error lists every field error, one "key: message" per line, sorted.
func (fe FieldErrors) Error() string {
	var b strings.Builder
	for i, k := range fe.Keys() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k + ": " + fe[k])
	}
	return b.String()
}

// Err returns fe as an error, or nil when empty.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func (fe FieldErrors) set(key string, err error) {
	if err != nil {
		fe[key] = err.Error()
	}
}

var numRE = regexp.MustCompile(`\d+`)

// naturalLess orders "constraints[2]" before "constraints[10]".
func naturalLess(a, b string) bool {
	pad := func(s string) string {
		return numRE.ReplaceAllStringFunc(s, func(n string) string { return fmt.Sprintf("%020s", n) })
	}
	return pad(a) < pad(b)
}

// ConstraintKey builds a constraint field key: ConstraintKey(1, "value") =
// "constraints[1].value".
func ConstraintKey(i int, field string) string { return fmt.Sprintf("constraints[%d].%s", i, field) }

var fieldHelp = map[string]string{
	"target":                      "Contract address the key may call: 0x + 40 hex (EIP-55 checked when mixed case).",
	"signature":                   "Function the key may call: transfer(address,uint256), function transfer(address to, uint256 amount), or a raw selector 0xa9059cbb.",
	"maxValuePerUse":              "Most native value (ETH) one call or transfer may send: 0.01 (ETH), 0.01 ETH, 5 gwei, 1000 wei, 1e18 wei. Empty means 0: no value may be sent at all (right for token calls; a transfer policy at 0 allows only 0-value transfers).",
	"valueLimit.limitType":        "Cap on the total value sent: unlimited (default), lifetime (for the whole session) or allowance (per period).",
	"valueLimit.limit":            "Total value allowed under the cap: 0.1 ETH, 5 gwei, 1000 wei, 1e18 wei. Required for lifetime and allowance.",
	"valueLimit.period":           "Allowance window: 90s, 90m, 1h, 1d, 7d, 1w or seconds; the cap resets each window. Required for allowance, ignored otherwise.",
	"constraints.arg":             "Argument to check: its name (to, amount), its 0-based index, or \"word N\" for raw calldata word N. A raw selector without a known signature takes an index only.",
	"constraints.condition":       "Comparison with the value: equal (==), not-equal (!=), greater (>), less (<), greater-or-equal (>=), less-or-equal (<=), or unconstrained (any; use with a limit). Compared unsigned.",
	"constraints.value":           "Reference value in the argument's type: an address; a whole number in the argument's own units (1000, 0x3e8, or 100e18 = 100 tokens of 18 decimals); true/false; 0x + 2N hex for bytesN. Raw words: 0x + 64 hex or a number.",
	"constraints.limit.limitType": "Optional cap on the argument's amount summed over calls: unlimited (default), lifetime or allowance. Only for unsigned integer arguments.",
	"constraints.limit.limit":     "Total of the argument allowed, in its own units: a whole number such as 150000000000000000000 or 150e18 (150 tokens of 18 decimals). No ETH units here.",
	"constraints.limit.period":    "Allowance window for the argument's cap: 1h, 1d, 7d…; required for allowance.",
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// FieldHelp returns the help text of a field key (constraint indices are
// ignored: "constraints[3].value" has the help of every constraint value).
// Transfer policy fields share the call policy's keys.
func FieldHelp(key string) string {
	if key == "maxValuePerUse" {
		return fieldHelp[key]
	}
	return fieldHelp[indexRE.ReplaceAllString(key, "")]
}

// ParseLimitType reads "unlimited"/"lifetime"/"allowance" (any case, also
// "none", "total", "per-period", "periodic") or 0/1/2. Empty is unlimited.
func ParseLimitType(s string) (apiclient.LimitType, error) {
	switch norm := strings.ToLower(strings.TrimSpace(s)); norm {
	case "", "0", "unlimited", "none", "no limit":
		return apiclient.LimitUnlimited, nil
	case "1", "lifetime", "total":
		return apiclient.LimitLifetime, nil
	case "2", "allowance", "per-period", "per period", "periodic":
		return apiclient.LimitAllowance, nil
	}
	return 0, fmt.Errorf("limit type %s is unknown: expected unlimited, lifetime or allowance (or 0, 1, 2)", quoteShort(s))
}

var conditionAliases = map[string]apiclient.Condition{
	"unconstrained": apiclient.CondUnconstrained, "any": apiclient.CondUnconstrained, "*": apiclient.CondUnconstrained,
	"equal": apiclient.CondEqual, "equals": apiclient.CondEqual, "eq": apiclient.CondEqual, "=": apiclient.CondEqual, "==": apiclient.CondEqual, "is": apiclient.CondEqual,
	"greater": apiclient.CondGreater, "greater-than": apiclient.CondGreater, "gt": apiclient.CondGreater, ">": apiclient.CondGreater,
	"less": apiclient.CondLess, "less-than": apiclient.CondLess, "lt": apiclient.CondLess, "<": apiclient.CondLess,
	"greater-or-equal": apiclient.CondGreaterOrEqual, "greater-than-or-equal": apiclient.CondGreaterOrEqual, "gte": apiclient.CondGreaterOrEqual, "ge": apiclient.CondGreaterOrEqual, ">=": apiclient.CondGreaterOrEqual, "=>": apiclient.CondGreaterOrEqual, "≥": apiclient.CondGreaterOrEqual,
	"less-or-equal": apiclient.CondLessOrEqual, "less-than-or-equal": apiclient.CondLessOrEqual, "lte": apiclient.CondLessOrEqual, "le": apiclient.CondLessOrEqual, "<=": apiclient.CondLessOrEqual, "=<": apiclient.CondLessOrEqual, "≤": apiclient.CondLessOrEqual,
	"not-equal": apiclient.CondNotEqual, "not-equals": apiclient.CondNotEqual, "ne": apiclient.CondNotEqual, "neq": apiclient.CondNotEqual, "!=": apiclient.CondNotEqual, "<>": apiclient.CondNotEqual, "≠": apiclient.CondNotEqual, "is-not": apiclient.CondNotEqual,
}

// ParseCondition reads a condition by name (as apiclient.Condition prints
// it: equal, not-equal, greater, less, greater-or-equal, less-or-equal,
// unconstrained; spaces or '_' for '-', any case), short name (eq, ne, gt,
// lt, gte, lte, any), symbol (= == != > < >= <=) or number 0–6.
func ParseCondition(s string) (apiclient.Condition, error) {
	norm := strings.ToLower(strings.TrimSpace(s))
	norm = strings.NewReplacer("_", "-", " ", "-").Replace(norm)
	if c, ok := conditionAliases[norm]; ok {
		return c, nil
	}
	if len(norm) == 1 && norm[0] >= '0' && norm[0] <= '6' {
		return apiclient.Condition(norm[0] - '0'), nil
	}
	if norm == "" {
		return 0, fmt.Errorf("condition is empty: expected equal (==), not-equal (!=), greater (>), less (<), greater-or-equal (>=), less-or-equal (<=) or unconstrained")
	}
	return 0, fmt.Errorf("condition %s is unknown: expected equal (==), not-equal (!=), greater (>), less (<), greater-or-equal (>=), less-or-equal (<=) or unconstrained", quoteShort(s))
}

// conditionSymbol is the short form used in descriptions.
func conditionSymbol(c apiclient.Condition) string {
	switch c {
	case apiclient.CondEqual:
		return "=="
	case apiclient.CondNotEqual:
		return "!="
	case apiclient.CondGreater:
		return ">"
	case apiclient.CondLess:
		return "<"
	case apiclient.CondGreaterOrEqual:
		return ">="
	case apiclient.CondLessOrEqual:
		return "<="
	case apiclient.CondUnconstrained:
		return "any"
	}
	return c.String()
}

// buildLimit turns limit type/limit/period text into a UsageLimit (nil for
// unlimited), recording errors under prefix+".limitType" etc. parse reads
// the limit amount.
func buildLimit(fe FieldErrors, prefix, typ, limit, period string, parse func(string) (*big.Int, error)) *apiclient.UsageLimit {
	lt, err := ParseLimitType(typ)
	if err != nil {
		fe.set(prefix+".limitType", err)
		return nil
	}
	if lt == apiclient.LimitUnlimited {
		return nil
	}
	ul := &apiclient.UsageLimit{LimitType: lt, Period: "0"}
	if strings.TrimSpace(limit) == "" {
		fe[prefix+".limit"] = fmt.Sprintf("limit is empty: a %s cap needs the total allowed", lt)
	} else if v, err := parse(limit); err != nil {
		fe.set(prefix+".limit", err)
	} else {
		ul.Limit = apiclient.Dec(v)
	}
	if lt == apiclient.LimitAllowance {
		if strings.TrimSpace(period) == "" {
			fe[prefix+".period"] = "period is empty: an allowance resets every period, e.g. 1h or 1d"
		} else if d, err := ParsePeriod(period); err != nil {
			fe.set(prefix+".period", err)
		} else {
			ul.Period = apiclient.Decimal(strconv.FormatInt(int64(d/time.Second), 10))
		}
	}
	return ul
}

func parseMaxValue(s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return new(big.Int), nil
	}
	return ParseValue(s)
}

// Build checks every field and returns the wire policy, or all the field
// errors (never just the first).
func (in CallPolicyInput) Build() (apiclient.CallPolicy, FieldErrors) {
	fe := FieldErrors{}
	var p apiclient.CallPolicy
	if a, err := apiclient.ParseAddress(in.Target); err != nil {
		fe.set("target", fmt.Errorf("target %v", err))
	} else {
		p.Target = a.Hex()
	}
	sel, selErr := ParseSelector(in.Signature)
	if selErr != nil {
		fe.set("signature", selErr)
	} else {
		p.Selector = sel.Hex
	}
	if v, err := parseMaxValue(in.MaxValuePerUse); err != nil {
		fe.set("maxValuePerUse", err)
	} else {
		p.MaxValuePerUse = apiclient.Dec(v)
	}
	p.ValueLimit = buildLimit(fe, "valueLimit", in.LimitType, in.Limit, in.Period, ParseValue)
	for i, ci := range in.Constraints {
		c, ok := ci.build(fe, i, sel, selErr == nil)
		if ok {
			p.Constraints = append(p.Constraints, c)
		}
	}
	if len(fe) > 0 {
		return p, fe
	}
	return p, nil
}

// argRef is a resolved constraint argument: the calldata word it reads and
// the type its value is written in.
type argRef struct {
	word  uint64
	typ   string
	label string // name or "arg N" / "word N", for messages and descriptions
}

// maxWordIndex bounds a constraint's index: calldata of 2^24 words (512 MiB)
// is far beyond any block.
const maxWordIndex = 1 << 24

var wordRE = regexp.MustCompile(`^(?i)word\s*#?\s*(\d+)$`)

// resolveArg finds the argument a constraint names in sel.
func resolveArg(s string, sel Selector) (argRef, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return argRef{}, fmt.Errorf("argument is empty: expected an argument name or 0-based index")
	}
	if m := wordRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil || n > maxWordIndex {
			return argRef{}, fmt.Errorf("word %s is too large: calldata is never that long (at most %d)", m[1], maxWordIndex)
		}
		return argRef{word: n, typ: rawWordType, label: "word " + strconv.FormatUint(n, 10)}, nil
	}
	if !sel.Known() {
		if !allDigits(s) {
			return argRef{}, fmt.Errorf("argument %s: the signature is unknown (raw selector), so arguments are given by 0-based index only", quoteShort(s))
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n > maxWordIndex {
			return argRef{}, fmt.Errorf("argument index %s is too large: calldata is never that long (at most %d)", quoteShort(s), maxWordIndex)
		}
		return argRef{word: n, typ: rawWordType, label: "arg " + strconv.FormatUint(n, 10)}, nil
	}
	idx := -1
	if allDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n >= len(sel.Args) {
			return argRef{}, fmt.Errorf("argument index %s is out of range: %s has %d argument(s) (0 to %d)", quoteShort(s), sel.Signature, len(sel.Args), len(sel.Args)-1)
		}
		idx = n
	} else {
		for i, a := range sel.Args {
			if a.Name == s {
				if idx >= 0 {
					return argRef{}, fmt.Errorf("argument name %s is used twice in the signature: give its index", quoteShort(s))
				}
				idx = i
			}
		}
		if idx < 0 {
			for i, a := range sel.Args {
				if strings.EqualFold(a.Name, s) {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			return argRef{}, fmt.Errorf("argument %s is not in %s: expected one of %s", quoteShort(s), sel.Display(), argList(sel))
		}
	}
	start, span, err := headWords(sel)
	if err != nil {
		return argRef{}, err
	}
	a := sel.Args[idx]
	label := a.Name
	if label == "" {
		label = "arg " + strconv.Itoa(idx)
	}
	// Static tuples and fixed arrays span several words (span[idx] > 1);
	// classifyType refuses them by type with a clear message.
	_ = span
	if start[idx] > maxWordIndex {
		return argRef{}, fmt.Errorf("argument %s starts at calldata word %d, beyond any real call", label, start[idx])
	}
	return argRef{word: uint64(start[idx]), typ: a.Type, label: label}, nil
}

func argList(sel Selector) string {
	if len(sel.Args) == 0 {
		return "nothing: it takes no arguments"
	}
	parts := make([]string, len(sel.Args))
	for i, a := range sel.Args {
		if a.Name != "" {
			parts[i] = fmt.Sprintf("%s (%d, %s)", a.Name, i, a.Type)
		} else {
			parts[i] = fmt.Sprintf("%d (%s)", i, a.Type)
		}
	}
	return strings.Join(parts, ", ")
}

// build checks one constraint; selOK says whether the signature parsed (if
// not, argument checks that need it are skipped: the signature's own error
// already says why).
func (ci ConstraintInput) build(fe FieldErrors, i int, sel Selector, selOK bool) (apiclient.Constraint, bool) {
	key := func(f string) string { return ConstraintKey(i, f) }
	var c apiclient.Constraint
	n := len(fe)
	cond, err := ParseCondition(ci.Condition)
	fe.set(key("condition"), err)
	checkValue := err != nil || cond != apiclient.CondUnconstrained // a bad condition still gets its value checked
	var ref argRef
	argOK := false
	if selOK {
		ref, err = resolveArg(ci.Arg, sel)
		fe.set(key("arg"), err)
		argOK = err == nil
	} else if strings.TrimSpace(ci.Arg) == "" {
		fe[key("arg")] = "argument is empty: expected an argument name or 0-based index"
	}
	if argOK {
		c.Index = ref.word
		if kind, _, err := classifyType(ref.typ); err != nil {
			fe[key("arg")] = fmt.Sprintf("argument %s: %v", ref.label, err)
		} else {
			if checkValue {
				if kind == "int" && cond != apiclient.CondEqual && cond != apiclient.CondNotEqual && fe[key("condition")] == "" {
					fe[key("condition")] = fmt.Sprintf("argument %s is signed (%s) but the contract compares unsigned: only equal and not-equal are reliable", ref.label, ref.typ)
				}
				if strings.TrimSpace(ci.Value) == "" {
					fe[key("value")] = fmt.Sprintf("value is empty: expected %s", expectFor(ref.typ))
				} else if w, err := EncodeRefValue(ref.typ, ci.Value); err != nil {
					fe[key("value")] = err.Error()
				} else {
					c.RefValue = w
				}
			} else {
				c.RefValue = zeroWord
			}
			hasLimit := strings.TrimSpace(ci.LimitType) != "" || strings.TrimSpace(ci.Limit) != ""
			if lt, err := ParseLimitType(ci.LimitType); hasLimit && err == nil && lt != apiclient.LimitUnlimited && kind != "uint" && kind != rawWordType {
				fe[key("limit.limitType")] = fmt.Sprintf("a limit meters an amount, but argument %s is %s: only unsigned integer arguments can be capped", ref.label, ref.typ)
			}
		}
	}
	c.Condition = cond
	c.Limit = buildLimit(fe, key("limit"), ci.LimitType, ci.Limit, ci.Period, ParseArgAmount)
	return c, len(fe) == n
}

const zeroWord = "0x0000000000000000000000000000000000000000000000000000000000000000"

// Build checks every field and returns the wire policy, or all the field
// errors.
func (in TransferPolicyInput) Build() (apiclient.TransferPolicy, FieldErrors) {
	fe := FieldErrors{}
	var p apiclient.TransferPolicy
	if a, err := apiclient.ParseAddress(in.Target); err != nil {
		fe.set("target", fmt.Errorf("target %v", err))
	} else {
		p.Target = a.Hex()
	}
	if v, err := parseMaxValue(in.MaxValuePerUse); err != nil {
		fe.set("maxValuePerUse", err)
	} else {
		p.MaxValuePerUse = apiclient.Dec(v)
	}
	p.ValueLimit = buildLimit(fe, "valueLimit", in.LimitType, in.Limit, in.Period, ParseValue)
	if len(fe) > 0 {
		return p, fe
	}
	return p, nil
}

// limitInput renders a wire limit as editor text; format renders amounts.
func limitInput(l *apiclient.UsageLimit, format func(apiclient.Decimal) string) (typ, limit, period string) {
	if l == nil || l.LimitType == apiclient.LimitUnlimited {
		return "unlimited", "", ""
	}
	typ = l.LimitType.String()
	if !l.LimitType.Valid() {
		typ = strconv.Itoa(int(l.LimitType))
	}
	limit = format(l.Limit)
	if l.LimitType == apiclient.LimitAllowance {
		period = formatPeriodDecimal(l.Period)
	}
	return typ, limit, period
}

func formatDecimalArg(d apiclient.Decimal) string {
	v, err := d.Big()
	if err != nil {
		return string(d)
	}
	return FormatArgAmount(v)
}

// CallPolicyInputFrom turns a wire policy back into editor text: values in
// ETH (FormatValue), well-known selectors as their signature, constraint
// arguments by name and reference values in the argument's type when the
// signature is known. Build of the result gives p back (for valid p).
func CallPolicyInputFrom(p apiclient.CallPolicy) CallPolicyInput {
	in := CallPolicyInput{
		Target:         apiclient.Checksum(p.Target),
		Signature:      p.Selector,
		MaxValuePerUse: formatDecimalValue(p.MaxValuePerUse),
	}
	sel, ok := LookupSelector(p.Selector)
	if ok {
		in.Signature = sel.Full()
	}
	in.LimitType, in.Limit, in.Period = limitInput(p.ValueLimit, formatDecimalValue)
	for _, c := range p.Constraints {
		in.Constraints = append(in.Constraints, constraintInputFrom(c, sel, ok))
	}
	return in
}

func constraintInputFrom(c apiclient.Constraint, sel Selector, known bool) ConstraintInput {
	ci := ConstraintInput{Condition: c.Condition.String()}
	if !c.Condition.Valid() {
		ci.Condition = strconv.Itoa(int(c.Condition))
	}
	ci.LimitType, ci.Limit, ci.Period = limitInput(c.Limit, formatDecimalArg)
	if ci.LimitType == "unlimited" {
		ci.LimitType = ""
	}
	argName, typ := "", rawWordType
	if known {
		start, span, _ := headWords(sel)
		for i := range sel.Args {
			if uint64(start[i]) == c.Index && span[i] == 1 {
				argName, typ = strconv.Itoa(i), sel.Args[i].Type
				if n := sel.Args[i].Name; n != "" && uniqueArgName(sel, n) {
					argName = n
				}
				break
			}
		}
	}
	if c.Condition == apiclient.CondUnconstrained {
		if argName == "" {
			argName = rawArgName(c.Index, known)
		}
		ci.Arg = argName
		return ci
	}
	if argName != "" {
		if v, ok := DecodeRefValue(typ, c.RefValue); ok {
			ci.Arg, ci.Value = argName, v
			return ci
		}
	}
	// Unknown type, or a word that is no value of its type: raw.
	ci.Arg = rawArgName(c.Index, known)
	ci.Value, _ = DecodeRefValue(rawWordType, c.RefValue)
	return ci
}

func rawArgName(index uint64, known bool) string {
	if known {
		return "word " + strconv.FormatUint(index, 10)
	}
	return strconv.FormatUint(index, 10)
}

func uniqueArgName(sel Selector, name string) bool {
	n := 0
	for _, a := range sel.Args {
		if strings.EqualFold(a.Name, name) {
			n++
		}
	}
	return n == 1
}

// TransferPolicyInputFrom turns a wire transfer policy back into editor text.
func TransferPolicyInputFrom(p apiclient.TransferPolicy) TransferPolicyInput {
	in := TransferPolicyInput{
		Target:         apiclient.Checksum(p.Target),
		MaxValuePerUse: formatDecimalValue(p.MaxValuePerUse),
	}
	in.LimitType, in.Limit, in.Period = limitInput(p.ValueLimit, formatDecimalValue)
	return in
}

// --- Validation of wire policies (from files) ---

// ValidateCallPolicy checks a wire call policy fully: target address,
// selector hex, decimal amounts, limit types and conditions in range,
// refValues as 0x + 64 hex, allowances with a period > 0. Every problem is
// reported, one per line, with its JSON path relative to the policy.
func ValidateCallPolicy(p apiclient.CallPolicy) error {
	return validateCall(p, "").Err()
}

// ValidateTransferPolicy checks a wire transfer policy fully.
func ValidateTransferPolicy(p apiclient.TransferPolicy) error {
	return validateTransfer(p, "").Err()
}

type pathErrors []string

func (pe *pathErrors) add(path, format string, a ...any) {
	*pe = append(*pe, path+": "+fmt.Sprintf(format, a...))
}

func (pe pathErrors) Err() error {
	if len(pe) == 0 {
		return nil
	}
	return errors.New(strings.Join(pe, "\n"))
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func validateAddress(pe *pathErrors, path, s string) {
	if _, err := apiclient.ParseAddress(s); err != nil {
		pe.add(path, "%v", err)
	}
}

func validateDecimal(pe *pathErrors, path string, d apiclient.Decimal) {
	if _, err := d.Big(); err != nil {
		pe.add(path, "%v: expected a whole decimal number", err)
	}
}

func validateLimit(pe *pathErrors, path string, l *apiclient.UsageLimit) {
	if l == nil {
		return
	}
	if !l.LimitType.Valid() {
		pe.add(path+".limitType", "%d is not a limit type: expected 0 (unlimited), 1 (lifetime) or 2 (allowance)", l.LimitType)
	}
	validateDecimal(pe, path+".limit", l.Limit)
	validateDecimal(pe, path+".period", l.Period)
	if l.LimitType == apiclient.LimitAllowance {
		if v, err := l.Period.Big(); err == nil && v.Sign() == 0 {
			pe.add(path+".period", "an allowance (limitType 2) needs a period > 0 seconds")
		}
	}
}

func validateCall(p apiclient.CallPolicy, prefix string) pathErrors {
	var pe pathErrors
	validateAddress(&pe, join(prefix, "target"), p.Target)
	if h, ok := strings.CutPrefix(p.Selector, "0x"); !ok || len(h) != 8 || !isHex(h) {
		pe.add(join(prefix, "selector"), "%s is not a selector: expected 0x + 8 hex digits", quoteShort(p.Selector))
	}
	validateDecimal(&pe, join(prefix, "maxValuePerUse"), p.MaxValuePerUse)
	validateLimit(&pe, join(prefix, "valueLimit"), p.ValueLimit)
	for i, c := range p.Constraints {
		cp := join(prefix, fmt.Sprintf("constraints[%d]", i))
		if !c.Condition.Valid() {
			pe.add(cp+".condition", "%d is not a condition: expected 0 to 6 (unconstrained, equal, greater, less, greater-or-equal, less-or-equal, not-equal)", c.Condition)
		}
		if h, ok := strings.CutPrefix(c.RefValue, "0x"); !ok || len(h) != 64 || !isHex(h) {
			pe.add(cp+".refValue", "%s is not a 32-byte word: expected 0x + 64 hex digits", quoteShort(c.RefValue))
		}
		if c.Index > maxWordIndex {
			pe.add(cp+".index", "%d is beyond any real calldata", c.Index)
		}
		validateLimit(&pe, cp+".limit", c.Limit)
	}
	return pe
}

func validateTransfer(p apiclient.TransferPolicy, prefix string) pathErrors {
	var pe pathErrors
	validateAddress(&pe, join(prefix, "target"), p.Target)
	validateDecimal(&pe, join(prefix, "maxValuePerUse"), p.MaxValuePerUse)
	validateLimit(&pe, join(prefix, "valueLimit"), p.ValueLimit)
	return pe
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s)%2 == 0
}
