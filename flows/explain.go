package flows

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"walletconsole/apiclient"
)

// Token names an ERC-20 so amounts read "100 TST" instead of "100e18".
type Token struct {
	Address  string
	Symbol   string
	Decimals int
}

// ExplainOptions give the explainer names for what the set refers to.
type ExplainOptions struct {
	Tokens []Token
	// Functions are signatures known for the set's selectors (argument names
	// and types); well-known ones (ERC-20) are always known.
	Functions []Selector
	// DefaultDuration applies when the set has no durationInSeconds (0:
	// DefaultDuration).
	DefaultDuration time.Duration
}

func (o ExplainOptions) token(addr string) (Token, bool) {
	for _, t := range o.Tokens {
		if apiclient.SameAddress(t.Address, addr) {
			return t, true
		}
	}
	return Token{}, false
}

// ExplainPolicySet renders a policy set as plain sentences: a headline, then
// one sentence per policy ("may call transfer(address,uint256) on
// 0x7e57…0001 (TST) only with to = 0x4444…4444, at most 100 TST per call and
// 150 TST in total, sending no ETH").
func ExplainPolicySet(s PolicySet, o ExplainOptions) []string {
	d := time.Duration(s.DurationInSeconds) * time.Second
	how := "for " + spellDuration(d)
	if d <= 0 {
		dd := o.DefaultDuration
		if dd <= 0 {
			dd = DefaultDuration
		}
		how = "for the configured duration (default " + spellDuration(dd) + ")"
	}
	if s.GrantFullPermissions {
		return []string{"The session key may do anything the account can, " + how + ": call any contract with any arguments and send any amount of ETH or tokens, with no limits."}
	}
	if len(s.CallPolicies)+len(s.TransferPolicies) == 0 {
		return []string{"The session key may do nothing: every call and transfer is refused (a grant like this replaces, and so revokes, the key's earlier session), " + how + "."}
	}
	out := []string{"The session key, " + how + ", may only:"}
	for _, p := range s.CallPolicies {
		out = append(out, ExplainCallPolicy(p, o))
	}
	for _, p := range s.TransferPolicies {
		out = append(out, ExplainTransferPolicy(p, o))
	}
	out = append(out, "Anything else is refused by the account contract.")
	return out
}

// ExplainCallPolicy is one call policy as a sentence.
func ExplainCallPolicy(p apiclient.CallPolicy, o ExplainOptions) string {
	sel := selectorFor(p.Selector, o.Functions)
	on := shortAddr(p.Target)
	tok, isToken := o.token(p.Target)
	if isToken {
		on += " (" + apiclient.Printable(tok.Symbol) + ")"
	}
	s := "call " + sel.Display() + " on " + on
	var clauses []string
	for _, c := range p.Constraints {
		name, typ := argAt(sel, c.Index)
		amount := func(v *big.Int) string {
			if isToken && strings.HasPrefix(typ, "uint") && tokenAmountArg(sel, name) {
				return apiclient.FormatUnits(v, tok.Decimals) + " " + apiclient.Printable(tok.Symbol)
			}
			return FormatArgAmount(v)
		}
		clause := ""
		if c.Condition != apiclient.CondUnconstrained {
			val := describeRawWord(c.RefValue)
			if typ == "address" {
				if v, ok := DecodeRefValue(typ, c.RefValue); ok {
					val = shortAddr(v)
				}
			} else if strings.HasPrefix(typ, "uint") || typ == rawWordType {
				if w, err := wordBig(c.RefValue); err == nil && w.BitLen() <= 128 {
					val = amount(w)
				}
			} else if v, ok := DecodeRefValue(typ, c.RefValue); ok {
				val = v
			}
			clause = conditionWords(c.Condition, name, val)
		}
		if c.Limit != nil && c.Limit.LimitType != apiclient.LimitUnlimited {
			if lim, err := orZero(c.Limit.Limit).Big(); err == nil {
				if clause != "" {
					clause += " per call and " + limitTotal(*c.Limit, amount(lim))
				} else {
					clause = name + " up to " + limitTotal(*c.Limit, amount(lim))
				}
			}
		}
		if clause != "" {
			clauses = append(clauses, clause)
		}
	}
	if len(clauses) > 0 {
		s += " only with " + strings.Join(clauses, ", ")
	}
	return "• " + s + ", " + valueWords(p.MaxValuePerUse, p.ValueLimit, "call") + "."
}

// ExplainTransferPolicy is one transfer policy as a sentence.
func ExplainTransferPolicy(p apiclient.TransferPolicy, o ExplainOptions) string {
	return "• send ETH to " + shortAddr(p.Target) + ", " + valueWords(p.MaxValuePerUse, p.ValueLimit, "transfer") + "."
}

func valueWords(maxPer apiclient.Decimal, l *apiclient.UsageLimit, use string) string {
	maxV, err := orZero(maxPer).Big()
	if err != nil || maxV.Sign() == 0 {
		if use == "transfer" {
			return "but only 0 ETH at a time (maxValuePerUse is 0)"
		}
		return "sending no ETH"
	}
	s := "at most " + FormatValue(maxV) + " per " + use
	if l != nil && l.LimitType != apiclient.LimitUnlimited {
		if lim, err := orZero(l.Limit).Big(); err == nil {
			s += " and " + limitTotal(*l, FormatValue(lim))
		}
	} else {
		s += ", as often as it likes"
	}
	return s
}

func limitTotal(l apiclient.UsageLimit, amount string) string {
	switch l.LimitType {
	case apiclient.LimitLifetime:
		return amount + " in total"
	case apiclient.LimitAllowance:
		return amount + " per " + formatPeriodDecimal(orZero(l.Period)) + " window"
	}
	return amount + fmt.Sprintf(" (limit type %d)", l.LimitType)
}

func conditionWords(c apiclient.Condition, name, val string) string {
	switch c {
	case apiclient.CondEqual:
		return name + " = " + val
	case apiclient.CondNotEqual:
		return name + " ≠ " + val
	case apiclient.CondGreater:
		return name + " above " + val
	case apiclient.CondLess:
		return name + " below " + val
	case apiclient.CondGreaterOrEqual:
		return name + " at least " + val
	case apiclient.CondLessOrEqual:
		return name + " at most " + val
	}
	return fmt.Sprintf("%s (condition %d) %s", name, c, val)
}

// tokenAmountArg reports whether an argument is an ERC-20 amount.
func tokenAmountArg(sel Selector, name string) bool {
	_, known := LookupSelector(sel.Hex)
	return known && (name == "amount" || name == "value")
}

func selectorFor(hexSel string, funcs []Selector) Selector {
	for _, f := range funcs {
		if strings.EqualFold(f.Hex, hexSel) {
			return f
		}
	}
	if k, ok := LookupSelector(hexSel); ok {
		return k
	}
	return Selector{Hex: strings.ToLower(hexSel)}
}

// spellDuration renders 3600s as "1 hour", 86400s as "1 day", 5400s as
// "1h30m".
func spellDuration(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{7 * 24 * time.Hour, "week"}, {24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return FormatPeriod(d)
}
