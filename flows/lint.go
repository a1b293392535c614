package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"walletconsole/apiclient"
	"walletconsole/apiclient/account"
)

// Lint severities.
const (
	LintError   = "error"
	LintWarning = "warning"
)

// Lint finding codes (stable: CI may match on them).
const (
	LintFullPermissions    = "full-permissions"
	LintImplicitFull       = "implicit-full-permissions"
	LintUnlimitedValue     = "unlimited-value"
	LintNoMaxPerUse        = "no-max-per-use"
	LintLongExpiry         = "long-expiry"
	LintSelfTarget         = "account-target"
	LintPrivilegedSelector = "privileged-selector"
	LintDuplicate          = "duplicate-policy"
	LintFixedWindow        = "fixed-window"
	LintSignedCompare      = "signed-comparison"
	LintInvalid            = "invalid"
)

// LintFinding is one hazard of a policy set: what, where (the JSON path),
// why it matters and how to fix it.
type LintFinding struct {
	Severity string `json:"severity"` // error | warning
	Code     string `json:"code"`
	Path     string `json:"path"`
	Message  string `json:"message"`
	Why      string `json:"why"`
	Fix      string `json:"fix"`
}

func (f LintFinding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Severity, pathOr(f.Path), f.Message)
}

// LintOptions give the linter what the file alone does not say.
type LintOptions struct {
	// Account is the user's account address, if known: a policy whose target
	// is the account itself is flagged.
	Account string
	// Functions are signatures known for the set's selectors (from a tests
	// array, or typed in the editor), so argument types are known (signed
	// integers).
	Functions []Selector
	// GrantFullPresent reports whether the file spelled out
	// grantFullPermissions; false with policies is flagged, since the API
	// and thirdweb's SDK default it to true. LintPolicyFile sets it.
	GrantFullPresent bool
}

// LongExpiry is the session length above which the linter warns.
const LongExpiry = 30 * 24 * time.Hour

// privilegedSelectors are the account's own state-changing functions: a
// session key allowed to call them could run calls as the account itself
// (execute from the account skips the session checks) or replay signed
// requests. Taken from thirdweb's MinimalAccount ABI.
var privilegedSelectors = func() map[string]string {
	m := map[string]string{}
	for _, meth := range account.ABI.Methods {
		if !meth.IsConstant() {
			m[hexutil.Encode(meth.ID)] = meth.Sig
		}
	}
	return m
}()

// LintPolicyFile parses a policy file leniently (duplicates and other
// validation problems become findings instead of a refusal) and lints it.
// The error is for a file that cannot be read as a policy set at all
// (malformed JSON, wrong types, unknown fields).
func LintPolicyFile(b []byte, opts LintOptions) (PolicySet, []LintFinding, error) {
	var s PolicySet
	if len(bytes.TrimSpace(b)) == 0 {
		return s, nil, fmt.Errorf("policy file is empty")
	}
	if len(b) > maxPolicyFile {
		return s, nil, fmt.Errorf("policy file is %d bytes, more than the %d a policy set needs", len(b), maxPolicyFile)
	}
	if err := checkSyntax(b); err != nil {
		return s, nil, err
	}
	var pe pathErrors
	decodePolicySet(&pe, b, &s)
	if len(pe) > 0 {
		return PolicySet{}, nil, pe.Err()
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(b, &top)
	_, opts.GrantFullPresent = top["grantFullPermissions"]
	if cases, err := ParsePolicyTests(s.Tests); err == nil {
		for _, c := range cases {
			if c.Call != nil {
				if sel, err := ParseSelector(c.Call.Signature); err == nil && sel.Known() {
					opts.Functions = append(opts.Functions, sel)
				}
			}
		}
	}
	return s, LintPolicySet(s, opts), nil
}

// LintPolicySet returns the hazards of s, errors first, each once, in file
// order.
func LintPolicySet(s PolicySet, opts LintOptions) []LintFinding {
	var out []LintFinding
	add := func(sev, code, path, msg, why, fix string) {
		out = append(out, LintFinding{sev, code, path, msg, why, fix})
	}
	// Validation problems other than duplicates (reported below with more
	// words) are errors too: the API would refuse the set.
	for _, p := range invalidPaths(s) {
		add(LintError, LintInvalid, p.path, p.msg, "the API refuses a set with this problem", "correct the field as the message says")
	}
	hasPolicies := len(s.CallPolicies)+len(s.TransferPolicies) > 0
	if s.GrantFullPermissions {
		msg := "grantFullPermissions is true: the key may make any call and send any amount, with no limits"
		if hasPolicies {
			msg += "; the policies below are ignored"
		}
		add(LintWarning, LintFullPermissions, "grantFullPermissions", msg,
			"a leaked or misbehaving key can empty the account until the session expires",
			"set grantFullPermissions to false and list the calls and transfers the key needs")
	} else if hasPolicies && !opts.GrantFullPresent {
		add(LintWarning, LintImplicitFull, "grantFullPermissions",
			"grantFullPermissions is not written; this file reads it as false, but the API and thirdweb's SDK default it to true",
			"the same body sent by another tool grants full permissions and ignores every policy",
			`write "grantFullPermissions": false explicitly`)
	}
	if d := time.Duration(s.DurationInSeconds) * time.Second; d > LongExpiry {
		add(LintWarning, LintLongExpiry, "durationInSeconds",
			fmt.Sprintf("the session lasts %s, more than 30 days", humanDuration(d)),
			"nothing ends a session early except a new grant to the same key; a long session is a long exposure",
			"grant for the task's length (hours or days) and grant again when needed")
	}
	funcs := map[string]Selector{}
	for _, f := range opts.Functions {
		funcs[strings.ToLower(f.Hex)] = f
	}
	seenCall := map[string]int{}
	for i, p := range s.CallPolicies {
		path := fmt.Sprintf("callPolicies[%d]", i)
		sel, ok := funcs[strings.ToLower(p.Selector)]
		if !ok {
			sel, ok = LookupSelector(p.Selector)
		}
		if !ok {
			sel = Selector{Hex: strings.ToLower(p.Selector)}
		}
		name := sel.Display()
		k := strings.ToLower(p.Target + "/" + p.Selector)
		if j, dup := seenCall[k]; dup {
			add(LintError, LintDuplicate, path,
				fmt.Sprintf("same target and selector (%s on %s) as callPolicies[%d]", name, shortAddr(p.Target), j),
				"the contract uses the first matching policy only, so this one never applies",
				fmt.Sprintf("merge its constraints and limits into callPolicies[%d] and delete this one", j))
		} else {
			seenCall[k] = i
		}
		if opts.Account != "" && apiclient.SameAddress(p.Target, opts.Account) {
			add(LintError, LintSelfTarget, path+".target",
				fmt.Sprintf("the target is the account itself (%s)", shortAddr(p.Target)),
				"a call from the account to itself runs with the account's own authority: execute() from the account skips every session check",
				"target the contracts the key needs, never the account")
		} else if sig, priv := privilegedSelectors[strings.ToLower(p.Selector)]; priv {
			add(LintWarning, LintPrivilegedSelector, path+".selector",
				fmt.Sprintf("%s is a session account's own function (%s)", p.Selector, strings.SplitN(sig, "(", 2)[0]),
				"if the target is an account that trusts this one, the key can run or grant calls as that account",
				"remove this policy unless the key really must drive another account")
		}
		maxV, _ := orZero(p.MaxValuePerUse).Big()
		out = append(out, lintValue(path, maxV, p.ValueLimit, false)...)
		for j, c := range p.Constraints {
			cpath := fmt.Sprintf("%s.constraints[%d]", path, j)
			argName, argType := argAt(sel, c.Index)
			if c.Limit != nil && c.Limit.LimitType == apiclient.LimitAllowance {
				out = append(out, fixedWindow(cpath+".limit", *c.Limit, formatDecimalArg, argName))
			}
			if c.Condition >= apiclient.CondGreater && c.Condition <= apiclient.CondLessOrEqual {
				signed := strings.HasPrefix(argType, "int")
				negative := false
				if w, err := wordBig(c.RefValue); err == nil && w.Bit(255) == 1 {
					negative = true
				}
				if signed || negative {
					what := argName + " is a signed integer (" + argType + ")"
					if !signed {
						what = argName + "'s reference value has its top bit set (a negative number in two's complement?)"
					}
					add(LintWarning, LintSignedCompare, cpath+".condition",
						fmt.Sprintf("%s compared with %s", what, conditionSymbol(c.Condition)),
						"the contract compares 32-byte words unsigned: every negative number is larger than every positive one, so -1 > 100",
						"use == or != on signed arguments, or constrain an unsigned argument instead")
				}
			}
		}
	}
	seenTransfer := map[string]int{}
	for i, p := range s.TransferPolicies {
		path := fmt.Sprintf("transferPolicies[%d]", i)
		k := strings.ToLower(p.Target)
		if j, dup := seenTransfer[k]; dup {
			add(LintError, LintDuplicate, path,
				fmt.Sprintf("same target (%s) as transferPolicies[%d]", shortAddr(p.Target), j),
				"the contract uses the first matching policy only, so this one never applies",
				fmt.Sprintf("merge its limits into transferPolicies[%d] and delete this one", j))
		} else {
			seenTransfer[k] = i
		}
		if opts.Account != "" && apiclient.SameAddress(p.Target, opts.Account) {
			add(LintError, LintSelfTarget, path+".target",
				fmt.Sprintf("the target is the account itself (%s)", shortAddr(p.Target)),
				"a transfer from the account to itself runs the account's code with its own authority",
				"send to the recipients the key needs, never the account")
		}
		maxV, _ := orZero(p.MaxValuePerUse).Big()
		out = append(out, lintValue(path, maxV, p.ValueLimit, true)...)
	}
	// Errors first, keeping file order within each severity.
	sorted := make([]LintFinding, 0, len(out))
	for _, sev := range []string{LintError, LintWarning} {
		for _, f := range out {
			if f.Severity == sev {
				sorted = append(sorted, f)
			}
		}
	}
	return sorted
}

// LintCounts counts errors and warnings.
func LintCounts(fs []LintFinding) (errs, warns int) {
	for _, f := range fs {
		if f.Severity == LintError {
			errs++
		} else {
			warns++
		}
	}
	return
}

// maxUint256 is what "no cap" looks like on the wire.
var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// lintValue checks the native value a call or transfer policy lets through.
func lintValue(path string, maxV *big.Int, l *apiclient.UsageLimit, transfer bool) []LintFinding {
	var out []LintFinding
	if maxV == nil {
		maxV = new(big.Int)
	}
	unlimited := l == nil || l.LimitType == apiclient.LimitUnlimited
	switch {
	case transfer && maxV.Sign() == 0:
		out = append(out, LintFinding{LintWarning, LintNoMaxPerUse, path + ".maxValuePerUse",
			"no max value per use (0): only 0-value transfers pass, so this policy allows nothing useful",
			"the contract refuses any transfer above maxValuePerUse with MaxValueExceeded",
			"set maxValuePerUse to the largest single payment the key should make"})
	case maxV.Cmp(new(big.Int).Rsh(maxUint256, 1)) > 0:
		out = append(out, LintFinding{LintWarning, LintNoMaxPerUse, path + ".maxValuePerUse",
			"max value per use is effectively unlimited (" + maxV.String() + " wei)",
			"one call can move everything the account holds",
			"set maxValuePerUse to the largest single payment the key should make"})
	case !unlimited && maxV.Sign() > 0 && l.Limit != "":
		if lim, err := orZero(l.Limit).Big(); err == nil && maxV.Cmp(lim) >= 0 {
			out = append(out, LintFinding{LintWarning, LintNoMaxPerUse, path + ".maxValuePerUse",
				fmt.Sprintf("max value per use (%s) is not below the %s limit (%s): one use may take it all", FormatValue(maxV), l.LimitType, FormatValue(lim)),
				"the per-use cap is what slows a misbehaving key down; at the full limit it does nothing",
				"set maxValuePerUse to a fraction of the limit"})
		}
	}
	if unlimited && maxV.Sign() > 0 {
		out = append(out, LintFinding{LintWarning, LintUnlimitedValue, path + ".valueLimit",
			fmt.Sprintf("the value limit is Unlimited: up to %s per use, as often as the key likes", FormatValue(maxV)),
			"without a lifetime or allowance cap, repeated uses can drain the account's ETH",
			"add a valueLimit: lifetime (a total for the session) or allowance (per period)"})
	}
	if !unlimited && l.LimitType == apiclient.LimitAllowance {
		out = append(out, fixedWindow(path+".valueLimit", *l, func(d apiclient.Decimal) string {
			return formatDecimalValue(d)
		}, "value"))
	}
	return out
}

// fixedWindow explains, with the numbers, that an allowance's windows are
// fixed (block.timestamp / period), not rolling.
func fixedWindow(path string, l apiclient.UsageLimit, format func(apiclient.Decimal) string, what string) LintFinding {
	lim, err := orZero(l.Limit).Big()
	twice := string(orZero(l.Limit))
	if err == nil {
		twice = new(big.Int).Lsh(lim, 1).String()
	}
	per := formatPeriodDecimal(orZero(l.Period))
	return LintFinding{LintWarning, LintFixedWindow, path,
		fmt.Sprintf("allowance of %s per %s uses fixed windows: a spender can use %s in seconds (%s just before a window ends, %s just after)",
			format(orZero(l.Limit)), per, format(apiclient.Decimal(twice)), format(orZero(l.Limit)), format(orZero(l.Limit))),
		"the contract counts " + what + " per window of block.timestamp / period, aligned to multiples of the period, and the count resets at each boundary; it is not a rolling window",
		fmt.Sprintf("budget for twice the allowance at a boundary, or halve the limit (%s per %s caps any burst at the intended amount)", halfOf(format, lim), per)}
}

func halfOf(format func(apiclient.Decimal) string, v *big.Int) string {
	if v == nil {
		return "?"
	}
	return format(apiclient.Decimal(new(big.Int).Rsh(v, 1).String()))
}

// argAt names the argument whose head word is index, and its type ("word"
// when unknown).
func argAt(sel Selector, index uint64) (name, typ string) {
	name, typ = fmt.Sprintf("word %d", index), rawWordType
	if !sel.Known() {
		return fmt.Sprintf("argument %d", index), rawWordType
	}
	start, span, err := headWords(sel)
	if err != nil {
		return
	}
	for i, a := range sel.Args {
		if uint64(start[i]) == index && span[i] == 1 {
			n := a.Name
			if n == "" {
				n = fmt.Sprintf("argument %d", i)
			}
			return n, a.Type
		}
	}
	return
}

func wordBig(w string) (*big.Int, error) {
	h, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(w)), "0x")
	v, okN := new(big.Int).SetString(h, 16)
	if !ok || !okN {
		return nil, fmt.Errorf("not a hex word")
	}
	return v, nil
}

// shortAddr renders 0x7e57…0001 (EIP-55).
func shortAddr(a string) string {
	c := apiclient.Checksum(a)
	if len(c) != 42 {
		return c
	}
	return c[:6] + "…" + c[38:]
}

type pathMsg struct{ path, msg string }

// invalidPaths lists Validate's problems except duplicates (the linter
// explains those itself), as path + message.
func invalidPaths(s PolicySet) []pathMsg {
	err := s.Validate()
	if err == nil {
		return nil
	}
	var out []pathMsg
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.Contains(line, "only the first would ever apply") {
			continue
		}
		p, m, ok := strings.Cut(line, ": ")
		if !ok {
			p, m = "", line
		}
		out = append(out, pathMsg{p, m})
	}
	return out
}
