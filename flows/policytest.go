package flows

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/account"
)

// PolicyTest is one dry-run case of a policy file's "tests" array.
type PolicyTest struct {
	Name     string        `json:"name"`
	Call     *TestCall     `json:"call,omitempty"`
	Transfer *TestTransfer `json:"transfer,omitempty"`
	// Repeat runs the call or transfer this many times (default 1).
	Repeat int `json:"repeat,omitempty"`
	// After advances the chain's clock by this much before each run
	// (ParsePeriod: "1h", "90m", "1d").
	After string `json:"after,omitempty"`
	// Expect is "pass" or the account's error name that must refuse a run
	// ("ConditionFailed", "AllowanceExceeded", ...).
	Expect string `json:"expect"`
}

// TestCall is a contract call the session key makes.
type TestCall struct {
	To        string `json:"to"`
	Signature string `json:"signature"`
	Args      []any  `json:"args,omitempty"`
	Value     string `json:"value,omitempty"` // ParseValue: "0.01 ETH"; "" = 0
}

// TestTransfer is a plain ETH transfer the session key makes.
type TestTransfer struct {
	To    string `json:"to"`
	Value string `json:"value"`
}

// ParsePolicyTests reads a set's raw tests array (nil: no tests).
func ParsePolicyTests(raw json.RawMessage) ([]PolicyTest, error) {
	return parsePolicyTests(raw, "tests")
}

func parsePolicyTests(raw json.RawMessage, path string) ([]PolicyTest, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%s: expected an array of test cases, got %s", path, jsonKind(raw))
	}
	var pe pathErrors
	var out []PolicyTest
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", path, i)
		var t PolicyTest
		dec := json.NewDecoder(strings.NewReader(string(it)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			pe.add(p, "%v: a case takes name, call {to, signature, args, value} or transfer {to, value}, repeat, after, expect", err)
			continue
		}
		if strings.TrimSpace(t.Name) == "" {
			pe.add(p+".name", "required: a short name for the case")
		}
		if (t.Call == nil) == (t.Transfer == nil) {
			pe.add(p, "needs exactly one of call or transfer")
		}
		if t.Call != nil {
			if _, err := apiclient.ParseAddress(t.Call.To); err != nil {
				pe.add(p+".call.to", "%v", err)
			}
			if _, err := t.Call.Calldata(); err != nil {
				pe.add(p+".call", "%v", err)
			}
			if _, err := parseTestValue(t.Call.Value); err != nil {
				pe.add(p+".call.value", "%v", err)
			}
		}
		if t.Transfer != nil {
			if _, err := apiclient.ParseAddress(t.Transfer.To); err != nil {
				pe.add(p+".transfer.to", "%v", err)
			}
			if _, err := parseTestValue(t.Transfer.Value); err != nil {
				pe.add(p+".transfer.value", "%v", err)
			}
		}
		if t.Repeat < 0 || t.Repeat > 100 {
			pe.add(p+".repeat", "%d: expected 1 to 100 (or leave it out)", t.Repeat)
		}
		if t.After != "" {
			if _, err := ParsePeriod(t.After); err != nil {
				pe.add(p+".after", "%v", err)
			}
		}
		if e := strings.TrimSpace(t.Expect); e == "" {
			pe.add(p+".expect", `required: "pass" or an error name such as "ConditionFailed"`)
		} else if e != "pass" {
			if _, ok := account.ABI.Errors[e]; !ok {
				pe.add(p+".expect", "%s is not one of the account's errors (%s) nor \"pass\"", quoteShort(e), strings.Join(accountErrorNames(), ", "))
			}
		}
		out = append(out, t)
	}
	if len(pe) > 0 {
		return nil, pe.Err()
	}
	return out, nil
}

func accountErrorNames() []string {
	var names []string
	for n := range account.ABI.Errors {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}

func parseTestValue(s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return new(big.Int), nil
	}
	return ParseValue(s)
}

// Calldata encodes the call: the selector, then each argument as one ABI
// word (static types only: address, bool, uintN, intN, bytesN).
func (c TestCall) Calldata() ([]byte, error) {
	sel, err := ParseSelector(c.Signature)
	if err != nil {
		return nil, err
	}
	if !sel.Known() {
		return nil, fmt.Errorf("signature %s: write the function with its argument types, e.g. transfer(address,uint256)", quoteShort(c.Signature))
	}
	if len(c.Args) != len(sel.Args) {
		return nil, fmt.Errorf("%s takes %d arguments, args has %d", sel.Signature, len(sel.Args), len(c.Args))
	}
	out, _ := hex.DecodeString(strings.TrimPrefix(sel.Hex, "0x"))
	for i, a := range c.Args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("args[%d]: expected a string, number or bool", i)
		}
		w, err := EncodeRefValue(sel.Args[i].Type, s)
		if err != nil {
			return nil, fmt.Errorf("args[%d] (%s %s): %v", i, sel.Args[i].Type, sel.Args[i].Name, err)
		}
		b, _ := hex.DecodeString(w[2:])
		out = append(out, b...)
	}
	return out, nil
}

// SimRun is one execution in a scratch chain: advance the clock by
// Advance, then run (To, Value, Data) as the session key.
type SimRun struct {
	Advance time.Duration
	To      string
	Value   *big.Int
	Data    []byte
}

// SimResult is one run's outcome, judged by the account contract.
type SimResult struct {
	OK bool
	// Reason is the decoded refusal ("ConditionFailed: argument constraint
	// failed (…)"), "" when OK.
	Reason string
	// RevertData is the raw revert data when it could be recovered.
	RevertData []byte
	// Limits are the session's remaining limits after the run.
	Limits []apiclient.LimitState
}

// PolicySimulator runs calls under a drafted policy set in a scratch chain
// (grant the set to a fresh key on a fresh account, run, discard): the real
// contract judges, not Go code imitating it. main wires the implementation.
type PolicySimulator interface {
	Simulate(ctx context.Context, set PolicySet, runs []SimRun) ([]SimResult, error)
}

// PolicyTestResult is the outcome of one case.
type PolicyTestResult struct {
	Name   string `json:"name"`
	Expect string `json:"expect"`
	Got    string `json:"got"` // "pass" or the error name of the first refused run
	Pass   bool   `json:"pass"`
	// Run is the 1-based run the refusal came at (0 when all passed).
	Run int `json:"run,omitempty"`
	// Reason is the contract's decoded refusal.
	Reason string `json:"reason,omitempty"`
	// Clause names the policy clause that refused ("callPolicies[0].constraints[1]
	// (amount ≤ 100e18)").
	Clause string `json:"clause,omitempty"`
	// Remaining lists what is left of each metered limit after the case.
	Remaining []string `json:"remaining,omitempty"`
	Error     string   `json:"error,omitempty"` // the simulation itself failed

	// Limits are the same meters as numbers, for a caller that shows them
	// in other units (the console: token units, raw wei on request).
	Limits []apiclient.LimitState `json:"-"`
}

// RunPolicyTests runs every case of the set in its own scratch chain.
func RunPolicyTests(ctx context.Context, sim PolicySimulator, s PolicySet) ([]PolicyTestResult, error) {
	cases, err := ParsePolicyTests(s.Tests)
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, errors.New(`the policy set has no "tests" array: add cases such as {"name": "…", "transfer": {"to": "0x…", "value": "0.01 ETH"}, "expect": "pass"}`)
	}
	var out []PolicyTestResult
	for _, c := range cases {
		out = append(out, runPolicyTest(ctx, sim, s, c))
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// RunPolicyCase runs one case (a console's dry run, or one of a file's
// tests) in its own scratch chain, the same way RunPolicyTests does. c need
// not come from a file: Expect may be empty (Pass is then meaningless).
func RunPolicyCase(ctx context.Context, sim PolicySimulator, s PolicySet, c PolicyTest) PolicyTestResult {
	return runPolicyTest(ctx, sim, s, c)
}

func runPolicyTest(ctx context.Context, sim PolicySimulator, s PolicySet, c PolicyTest) PolicyTestResult {
	r := PolicyTestResult{Name: c.Name, Expect: c.Expect}
	run := SimRun{}
	if c.After != "" {
		run.Advance, _ = ParsePeriod(c.After)
	}
	if c.Call != nil {
		run.To = c.Call.To
		run.Value, _ = parseTestValue(c.Call.Value)
		run.Data, _ = c.Call.Calldata()
	} else {
		run.To = c.Transfer.To
		run.Value, _ = parseTestValue(c.Transfer.Value)
	}
	n := max(c.Repeat, 1)
	runs := make([]SimRun, n)
	for i := range runs {
		runs[i] = run
	}
	res, err := sim.Simulate(ctx, s, runs)
	if err != nil {
		r.Error = err.Error()
		r.Got = "error"
		return r
	}
	r.Got = "pass"
	for i, x := range res {
		if !x.OK {
			r.Got, r.Run, r.Reason = ErrorName(x.Reason), i+1, x.Reason
			r.Clause = RefusingClause(s, run, x)
			break
		}
	}
	if len(res) > 0 {
		r.Limits = res[len(res)-1].Limits
		r.Remaining = DescribeRemaining(s, r.Limits)
	}
	r.Pass = r.Got == c.Expect
	return r
}

// ErrorName is the name part of a decoded reason ("ConditionFailed: …").
func ErrorName(reason string) string {
	n, _, _ := strings.Cut(reason, ":")
	return strings.TrimSpace(n)
}

// RefusingClause names the clause of s that refused run, from the
// contract's error and its arguments.
func RefusingClause(s PolicySet, run SimRun, res SimResult) string {
	name := ErrorName(res.Reason)
	var args []any
	if e, a, err := account.DecodeError(res.RevertData); err == nil && e.Name == name {
		args = a
	}
	if name == "SessionExpired" {
		return "durationInSeconds (the session has expired)"
	}
	if len(run.Data) < 4 {
		for i, p := range s.TransferPolicies {
			if apiclient.SameAddress(p.Target, run.To) {
				switch name {
				case "MaxValueExceeded":
					return fmt.Sprintf("transferPolicies[%d].maxValuePerUse (%s)", i, formatDecimalValue(orZero(p.MaxValuePerUse)))
				case "LifetimeUsageExceeded", "AllowanceExceeded":
					return fmt.Sprintf("transferPolicies[%d].valueLimit (%s)", i, describeLimit(*p.ValueLimit, formatDecimalValue, nil))
				}
				return fmt.Sprintf("transferPolicies[%d]", i)
			}
		}
		return "transferPolicies: none has target " + shortAddr(run.To)
	}
	sel := "0x" + hex.EncodeToString(run.Data[:4])
	for i, p := range s.CallPolicies {
		if !apiclient.SameAddress(p.Target, run.To) || !strings.EqualFold(p.Selector, sel) {
			continue
		}
		path := fmt.Sprintf("callPolicies[%d]", i)
		switch name {
		case "MaxValueExceeded":
			return fmt.Sprintf("%s.maxValuePerUse (%s)", path, formatDecimalValue(orZero(p.MaxValuePerUse)))
		case "ConditionFailed", "InvalidDataLength", "LifetimeUsageExceeded", "AllowanceExceeded":
			// The contract checks the value limit, then each constraint in
			// order; the first whose check matches the error's numbers refused.
			f := LookupSelectorOr(p.Selector)
			for j, c := range p.Constraints {
				cp := fmt.Sprintf("%s.constraints[%d]", path, j)
				argName, argType := argAt(f, c.Index)
				switch name {
				case "ConditionFailed":
					if len(args) == 3 {
						ref, _ := args[1].([32]byte)
						cond, _ := args[2].(uint8)
						if "0x"+hex.EncodeToString(ref[:]) == strings.ToLower(c.RefValue) && cond == uint8(c.Condition) {
							val := describeRawWord(c.RefValue)
							if v, ok := DecodeRefValue(argType, c.RefValue); ok && argType == "address" {
								val = shortAddr(v)
							}
							return fmt.Sprintf("%s (%s %s %s)", cp, argName, conditionSymbol(c.Condition), val)
						}
					}
				case "InvalidDataLength":
					if uint64(len(run.Data)) < 4+32*(c.Index+1) {
						return fmt.Sprintf("%s (%s: the call is too short for it)", cp, argName)
					}
				default:
					if c.Limit != nil && limitMatches(*c.Limit, name, args) {
						return fmt.Sprintf("%s.limit (%s of %s)", cp, describeLimit(*c.Limit, formatDecimalArg, nil), argName)
					}
				}
			}
			if p.ValueLimit != nil && limitMatches(*p.ValueLimit, name, args) {
				return fmt.Sprintf("%s.valueLimit (%s)", path, describeLimit(*p.ValueLimit, formatDecimalValue, nil))
			}
			return path
		}
		return path
	}
	return fmt.Sprintf("callPolicies: none allows %s on %s", LookupSelectorOr(sel).Display(), shortAddr(run.To))
}

// LookupSelectorOr is LookupSelector, or the bare selector.
func LookupSelectorOr(hexSel string) Selector {
	if k, ok := LookupSelector(hexSel); ok {
		return k
	}
	return Selector{Hex: strings.ToLower(hexSel)}
}

func limitMatches(l apiclient.UsageLimit, name string, args []any) bool {
	want := apiclient.LimitLifetime
	if name == "AllowanceExceeded" {
		want = apiclient.LimitAllowance
	}
	if l.LimitType != want {
		return false
	}
	if len(args) < 2 {
		return true // no numbers to compare: the first limit of the right kind
	}
	lim, _ := args[1].(*big.Int)
	v, err := orZero(l.Limit).Big()
	return err == nil && lim != nil && v.Cmp(lim) == 0
}

// DescribeRemaining renders what is left of each metered limit: ETH in
// ETH, argument amounts in the argument grammar ("149e18").
func DescribeRemaining(s PolicySet, limits []apiclient.LimitState) []string {
	var out []string
	for _, l := range limits {
		amount := string(l.Remaining)
		if v, err := l.Remaining.Big(); err == nil {
			amount = MeterAmountIn(nil)(l, v)
		}
		if line := RemainingLine(l, amount); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// RemainingLine says what one meter is and that amount (the remaining
// amount, formatted by the caller) is left of it; "" for an unknown kind.
func RemainingLine(l apiclient.LimitState, amount string) string {
	if name := MeterName(l); name != "" {
		return name + ": " + amount + " left"
	}
	return ""
}

// MeterName says what a meter counts: "send ETH to 0x4444…4444", "ETH with
// f() on …", "amount of transfer(address,uint256) on …"; "" for an unknown
// kind.
func MeterName(l apiclient.LimitState) string {
	switch l.Kind {
	case LimitKindTransferValue:
		return "send ETH to " + shortAddr(l.Target)
	case LimitKindCallValue:
		return fmt.Sprintf("ETH with %s on %s", LookupSelectorOr(l.Selector).Display(), shortAddr(l.Target))
	case LimitKindCallParam:
		name, _ := argAt(LookupSelectorOr(l.Selector), l.Index)
		return fmt.Sprintf("%s of %s on %s", name, LookupSelectorOr(l.Selector).Display(), shortAddr(l.Target))
	}
	return ""
}
