package sandbox

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
)

// Policies: wire (docs/api.md §4) ⇄ chain (SessionSpec). Conversion checks
// every field and names it in the error ("callPolicies[0].selector: ...").

func parseAddressField(field, s string) (common.Address, error) {
	if strings.TrimSpace(s) == "" {
		return common.Address{}, badRequest("%s is required (0x + 40 hex digits)", field)
	}
	if strings.Contains(s, ".") && !strings.HasPrefix(s, "0x") {
		return common.Address{}, badRequest("%s %q looks like an ENS name; the sandbox takes 0x addresses only", field, clip(s, 80))
	}
	a, err := apiclient.ParseAddress(s)
	if err != nil {
		return common.Address{}, badRequest("%s: %v", field, err)
	}
	return a, nil
}

func parseDecimalField(field string, d apiclient.Decimal) (*big.Int, error) {
	v, err := d.Big()
	if err != nil {
		return nil, badRequest("%s: %v", field, err)
	}
	return v, nil
}

func parseSelectorField(field, s string) ([4]byte, error) {
	var sel [4]byte
	if len(s) != 10 || !strings.HasPrefix(s, "0x") {
		return sel, badRequest("%s %q must be 0x + 8 hex digits (e.g. 0xa9059cbb for transfer(address,uint256))", field, clip(s, 80))
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return sel, badRequest("%s %q is not hexadecimal", field, s)
	}
	copy(sel[:], b)
	return sel, nil
}

func parseWordField(field, s string) ([32]byte, error) {
	var w [32]byte
	if s == "" {
		return w, nil // omitted: zero word
	}
	if len(s) != 66 || !strings.HasPrefix(s, "0x") {
		return w, badRequest("%s must be 0x + 64 hex digits (a 32-byte ABI word), got %d characters", field, len(s))
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return w, badRequest("%s is not hexadecimal", field)
	}
	copy(w[:], b)
	return w, nil
}

func toChainLimit(field string, l *apiclient.UsageLimit) (chain.UsageLimit, error) {
	out := chain.UsageLimit{Limit: new(big.Int), Period: new(big.Int)}
	if l == nil {
		return out, nil
	}
	if !l.LimitType.Valid() {
		return out, badRequest("%s.limitType %d must be 0 (unlimited), 1 (lifetime) or 2 (allowance)", field, l.LimitType)
	}
	out.LimitType = uint8(l.LimitType)
	var err error
	if out.Limit, err = parseDecimalField(field+".limit", l.Limit); err != nil {
		return out, err
	}
	if out.Period, err = parseDecimalField(field+".period", l.Period); err != nil {
		return out, err
	}
	if l.LimitType == apiclient.LimitAllowance && out.Period.Sign() == 0 {
		return out, badRequest("%s.period must be > 0 seconds for an allowance (limitType 2)", field)
	}
	return out, nil
}

func toChainCallSpec(field string, p apiclient.CallPolicy) (chain.CallSpec, error) {
	var out chain.CallSpec
	var err error
	if out.Target, err = parseAddressField(field+".target", p.Target); err != nil {
		return out, err
	}
	if out.Selector, err = parseSelectorField(field+".selector", p.Selector); err != nil {
		return out, err
	}
	if out.MaxValuePerUse, err = parseDecimalField(field+".maxValuePerUse", p.MaxValuePerUse); err != nil {
		return out, err
	}
	if out.ValueLimit, err = toChainLimit(field+".valueLimit", p.ValueLimit); err != nil {
		return out, err
	}
	out.Constraints = make([]chain.Constraint, 0, len(p.Constraints))
	for i, c := range p.Constraints {
		cf := fmt.Sprintf("%s.constraints[%d]", field, i)
		if !c.Condition.Valid() {
			return out, badRequest("%s.condition %d must be 0–6 (unconstrained, equal, greater, less, greater-or-equal, less-or-equal, not-equal)", cf, c.Condition)
		}
		k := chain.Constraint{Condition: uint8(c.Condition), Index: c.Index}
		if k.RefValue, err = parseWordField(cf+".refValue", c.RefValue); err != nil {
			return out, err
		}
		if k.Limit, err = toChainLimit(cf+".limit", c.Limit); err != nil {
			return out, err
		}
		out.Constraints = append(out.Constraints, k)
	}
	return out, nil
}

func toChainTransferSpec(field string, p apiclient.TransferPolicy) (chain.TransferSpec, error) {
	var out chain.TransferSpec
	var err error
	if out.Target, err = parseAddressField(field+".target", p.Target); err != nil {
		return out, err
	}
	if out.MaxValuePerUse, err = parseDecimalField(field+".maxValuePerUse", p.MaxValuePerUse); err != nil {
		return out, err
	}
	if out.ValueLimit, err = toChainLimit(field+".valueLimit", p.ValueLimit); err != nil {
		return out, err
	}
	return out, nil
}

// Chain → wire (read-back).

func wireLimit(l chain.UsageLimit) *apiclient.UsageLimit {
	return &apiclient.UsageLimit{LimitType: apiclient.LimitType(l.LimitType), Limit: apiclient.Dec(l.Limit), Period: apiclient.Dec(l.Period)}
}

func wireCallPolicy(c chain.CallSpec) apiclient.CallPolicy {
	p := apiclient.CallPolicy{
		Target:         c.Target.Hex(),
		Selector:       hexutil.Encode(c.Selector[:]),
		MaxValuePerUse: apiclient.Dec(c.MaxValuePerUse),
		ValueLimit:     wireLimit(c.ValueLimit),
	}
	for _, k := range c.Constraints {
		p.Constraints = append(p.Constraints, apiclient.Constraint{
			Condition: apiclient.Condition(k.Condition),
			Index:     k.Index,
			RefValue:  hexutil.Encode(k.RefValue[:]),
			Limit:     wireLimit(k.Limit),
		})
	}
	return p
}

func wireTransferPolicy(t chain.TransferSpec) apiclient.TransferPolicy {
	return apiclient.TransferPolicy{
		Target:         t.Target.Hex(),
		MaxValuePerUse: apiclient.Dec(t.MaxValuePerUse),
		ValueLimit:     wireLimit(t.ValueLimit),
	}
}

func wireLimitState(l chain.LimitState) apiclient.LimitState {
	out := apiclient.LimitState{Kind: l.Kind, Target: l.Target.Hex(), Index: l.Index, Remaining: apiclient.Dec(l.Remaining)}
	if l.Kind != "transferValue" {
		out.Selector = hexutil.Encode(l.Selector[:])
	}
	return out
}
