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
