package flows

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"walletconsole/apiclient"
)

// Kinds of apiclient.LimitState.
const (
	LimitKindTransferValue = "transferValue"
	LimitKindCallValue     = "callValue"
	LimitKindCallParam     = "callParam"
)

// DescribeCallPolicy renders a call policy in one line of human terms,
// with the remaining amounts from limits (the session's read-back; nil
// when unknown):
//
//	transfer(address,uint256) (0xa9059cbb) on 0x… · max 0 ETH per use · args: to == 0x…, amount <= 100e18 (lifetime 150e18, 42e18 left)
//
// Well-known selectors are shown as their signature and arguments by name.
func DescribeCallPolicy(p apiclient.CallPolicy, limits []apiclient.LimitState) string {
	sel, ok := LookupSelector(p.Selector)
	if !ok {
		sel = Selector{Hex: strings.ToLower(p.Selector)}
	}
	return DescribeCallPolicyAs(p, sel, limits)
}

// DescribeCallPolicyAs is DescribeCallPolicy with the function known to the
// caller (e.g. typed in the editor), so arguments get their names and types.
func DescribeCallPolicyAs(p apiclient.CallPolicy, sel Selector, limits []apiclient.LimitState) string {
	if !strings.EqualFold(sel.Hex, p.Selector) {
		if k, ok := LookupSelector(p.Selector); ok {
			sel = k
		} else {
			sel = Selector{Hex: strings.ToLower(p.Selector)}
		}
	}
	head := sel.Display()
	if sel.Known() {
		head += " (" + sel.Hex + ")"
	}
	parts := []string{head + " on " + apiclient.Checksum(p.Target)}
	parts = append(parts, "max "+formatDecimalValue(orZero(p.MaxValuePerUse))+" per use")
	if l := p.ValueLimit; l != nil && l.LimitType != apiclient.LimitUnlimited {
		parts = append(parts, describeLimit(*l, formatDecimalValue, findLimit(limits, LimitKindCallValue, p.Target, p.Selector, 0)))
	}
	if len(p.Constraints) > 0 {
		var cs []string
		for _, c := range p.Constraints {
			cs = append(cs, describeConstraint(c, sel, p, limits))
		}
		parts = append(parts, "args: "+strings.Join(cs, ", "))
	}
	return strings.Join(parts, " · ")
}

// DescribeTransferPolicy renders a transfer policy in one line:
//
//	send ETH to 0x… · max 0.01 ETH per use · lifetime 0.1 ETH (0.05 ETH left)
func DescribeTransferPolicy(p apiclient.TransferPolicy, limits []apiclient.LimitState) string {
	parts := []string{"send ETH to " + apiclient.Checksum(p.Target), "max " + formatDecimalValue(orZero(p.MaxValuePerUse)) + " per use"}
	if l := p.ValueLimit; l != nil && l.LimitType != apiclient.LimitUnlimited {
		parts = append(parts, describeLimit(*l, formatDecimalValue, findLimit(limits, LimitKindTransferValue, p.Target, "", 0)))
	}
	return strings.Join(parts, " · ")
}

func orZero(d apiclient.Decimal) apiclient.Decimal {
	if d == "" {
		return "0"
	}
	return d
}

func describeConstraint(c apiclient.Constraint, sel Selector, p apiclient.CallPolicy, limits []apiclient.LimitState) string {
	label, typ := "arg "+strconv.FormatUint(c.Index, 10), rawWordType
	if sel.Known() {
		label, typ = "word "+strconv.FormatUint(c.Index, 10), rawWordType
		start, span, _ := headWords(sel)
		for i, a := range sel.Args {
			if uint64(start[i]) == c.Index && span[i] == 1 {
				label, typ = a.Name, a.Type
				if label == "" {
					label = "arg " + strconv.Itoa(i)
				}
				break
			}
		}
	}
	var s string
	if c.Condition == apiclient.CondUnconstrained {
		s = label + " any"
	} else {
		v, _ := DecodeRefValue(typ, c.RefValue)
		if typ == rawWordType {
			v = describeRawWord(c.RefValue)
		}
		s = label + " " + conditionSymbol(c.Condition) + " " + v
	}
	if l := c.Limit; l != nil && l.LimitType != apiclient.LimitUnlimited {
		s += " (" + describeLimit(*l, formatDecimalArg, findLimit(limits, LimitKindCallParam, p.Target, p.Selector, c.Index)) + ")"
	}
	return s
}

// describeRawWord shows a raw word as a number when it is a plausible
// amount, else as hex.
func describeRawWord(w string) string {
	v, ok := DecodeRefValue(rawWordType, w)
	if !ok {
		return w
	}
	h := strings.TrimPrefix(v, "0x")
	n, okN := new(big.Int).SetString(h, 16)
	if okN && n.BitLen() <= 128 {
		return FormatArgAmount(n)
	}
	return v
}

// describeLimit renders "lifetime 150e18, 42e18 left" or
// "0.1 ETH per 1d, 0.05 ETH left this period".
func describeLimit(l apiclient.UsageLimit, format func(apiclient.Decimal) string, remaining *apiclient.Decimal) string {
	var s string
	switch l.LimitType {
	case apiclient.LimitLifetime:
		s = "lifetime " + format(orZero(l.Limit))
	case apiclient.LimitAllowance:
		s = format(orZero(l.Limit)) + " per " + formatPeriodDecimal(orZero(l.Period))
	default:
		s = fmt.Sprintf("limit type %d, %s", l.LimitType, format(orZero(l.Limit)))
	}
	if remaining != nil {
		s += ", " + format(*remaining) + " left"
		if l.LimitType == apiclient.LimitAllowance {
			s += " this period"
		}
	}
	return s
}

// findLimit returns the remaining amount of the first matching limit state.
func findLimit(limits []apiclient.LimitState, kind, target, selector string, index uint64) *apiclient.Decimal {
	for _, l := range limits {
		if l.Kind != kind || !apiclient.SameAddress(l.Target, target) {
			continue
		}
		if kind != LimitKindTransferValue && !strings.EqualFold(l.Selector, selector) {
			continue
		}
		if kind == LimitKindCallParam && l.Index != index {
			continue
		}
		r := l.Remaining
		return &r
	}
	return nil
}

// SuggestedCall is a contract call a grant allows.
type SuggestedCall struct {
	Target    string
	Signature string   // full form, as the Send form takes it
	Args      []string // in ParseArgAmount / address form
}

// SuggestedTransfer is a native transfer a grant allows.
type SuggestedTransfer struct {
	Recipient string
	Value     *big.Int
}

// Suggest finds, in a scoped grant, a call and a transfer the policies
// allow, so a form pre-filled with them passes: for a call policy with a
// known signature, every constrained argument is chosen inside its
// constraints and limits (an address constrained to equal X is X, an
// amount defaults to 1e18 clamped into what is allowed); unconstrained
// addresses are self (the user). A transfer goes to the first transfer
// policy's recipient with value 0. Either result is nil when nothing fits;
// both are nil for a full-permission grant (anything passes).
func Suggest(req apiclient.CreateSessionKeyRequest, self string) (*SuggestedCall, *SuggestedTransfer) {
	if req.FullPermissions() {
		return nil, nil
	}
	var call *SuggestedCall
	for _, p := range req.CallPolicies {
		if c, ok := suggestCall(p, self); ok {
			call = c
			break
		}
	}
	var tr *SuggestedTransfer
	if len(req.TransferPolicies) > 0 {
		tr = &SuggestedTransfer{Recipient: apiclient.Checksum(req.TransferPolicies[0].Target), Value: new(big.Int)}
	}
	return call, tr
}

func suggestCall(p apiclient.CallPolicy, self string) (*SuggestedCall, bool) {
	sel, err := ParseSelector(p.Selector)
	if err != nil || !sel.Known() {
		return nil, false
	}
	maxU256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	c := &SuggestedCall{Target: apiclient.Checksum(p.Target), Signature: sel.Full()}
	for i, a := range sel.Args {
		var cons []apiclient.Constraint
		for _, x := range p.Constraints {
			if x.Index == uint64(i) {
				cons = append(cons, x)
			}
		}
		switch {
		case a.Type == "address":
			v := apiclient.Checksum(self)
			for _, x := range cons {
				if x.Condition == apiclient.CondEqual {
					if d, ok := DecodeRefValue("address", x.RefValue); ok {
						v = d
					}
				}
			}
			c.Args = append(c.Args, v)
		case strings.HasPrefix(a.Type, "uint"):
			lo, hi := new(big.Int), new(big.Int).Set(maxU256)
			for _, x := range cons {
				ref, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(x.RefValue), "0x"), 16)
				if x.Limit != nil {
					if l, err := x.Limit.Limit.Big(); err == nil && l.Cmp(hi) < 0 {
						hi = l
					}
				}
				if !ok {
					continue
				}
				one := big.NewInt(1)
				switch x.Condition {
				case apiclient.CondEqual:
					lo, hi = maxBig(lo, ref), minBig(hi, ref)
				case apiclient.CondLess:
					hi = minBig(hi, new(big.Int).Sub(ref, one))
				case apiclient.CondLessOrEqual:
					hi = minBig(hi, ref)
				case apiclient.CondGreater:
					lo = maxBig(lo, new(big.Int).Add(ref, one))
				case apiclient.CondGreaterOrEqual:
					lo = maxBig(lo, ref)
				}
			}
			v := minBig(maxBig(new(big.Int).Exp(big.NewInt(10), big.NewInt(18), nil), lo), hi)
			if v.Cmp(lo) < 0 || v.Sign() < 0 {
				return nil, false // the constraints leave nothing
			}
			for _, x := range cons {
				if ref, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(x.RefValue), "0x"), 16); ok && x.Condition == apiclient.CondNotEqual && ref.Cmp(v) == 0 {
					if v.Cmp(lo) > 0 {
						v.Sub(v, big.NewInt(1))
					} else {
						v.Add(v, big.NewInt(1))
					}
				}
			}
			c.Args = append(c.Args, FormatArgAmount(v))
		case a.Type == "bool":
			c.Args = append(c.Args, "false")
		default:
			return nil, false // dynamic or exotic types: no safe default
		}
	}
	return c, true
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}
