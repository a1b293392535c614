package flows

import (
	"reflect"
	"strings"
	"testing"

	"walletconsole/apiclient"
)

const (
	tokenAddr = "0x3333333333333333333333333333333333333333"
	recipient = "0x4444444444444444444444444444444444444444"
)

// The docs/api.md §4 example policy, as Build should produce it.
var exampleCall = apiclient.CallPolicy{
	Target: tokenAddr, Selector: "0xa9059cbb", MaxValuePerUse: "0",
	Constraints: []apiclient.Constraint{
		{Condition: apiclient.CondEqual, Index: 0, RefValue: "0x0000000000000000000000004444444444444444444444444444444444444444"},
		{Condition: apiclient.CondLessOrEqual, Index: 1, RefValue: "0x0000000000000000000000000000000000000000000000056bc75e2d63100000",
			Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000", Period: "0"}},
	},
}

func TestCallPolicyBuild(t *testing.T) {
	in := CallPolicyInput{
		Target:    tokenAddr,
		Signature: "transfer(address,uint256)",
		Constraints: []ConstraintInput{
			{Arg: "to", Condition: "==", Value: recipient},
			{Arg: "amount", Condition: "lte", Value: "100e18", LimitType: "lifetime", Limit: "150e18"},
		},
	}
	p, fe := in.Build()
	if fe != nil {
		t.Fatalf("Build: %v", fe)
	}
	if !reflect.DeepEqual(p, exampleCall) {
		t.Fatalf("Build = %+v\nwant %+v", p, exampleCall)
	}
	// Same by index and raw selector.
	in.Signature, in.Constraints[0].Arg, in.Constraints[1].Arg = "0xa9059cbb", "0", "1"
	in.Constraints[1].Condition = "less-or-equal"
	if p2, fe := in.Build(); fe != nil || !reflect.DeepEqual(p2, exampleCall) {
		t.Fatalf("Build by index = %+v, %v", p2, fe)
	}
}

func TestCallPolicyBuildValueLimits(t *testing.T) {
	p, fe := CallPolicyInput{Target: tokenAddr, Signature: "deposit()", MaxValuePerUse: "0.01", LimitType: "allowance", Limit: "0.1 ETH", Period: "1d"}.Build()
	if fe != nil {
		t.Fatal(fe)
	}
	want := &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "100000000000000000", Period: "86400"}
	if p.MaxValuePerUse != "10000000000000000" || !reflect.DeepEqual(p.ValueLimit, want) || p.Selector != selectorOf("deposit()") {
		t.Fatalf("got %+v %+v", p, p.ValueLimit)
	}
	p, fe = CallPolicyInput{Target: tokenAddr, Signature: "deposit()", LimitType: "lifetime", Limit: "1", Period: "ignored garbage"}.Build()
	if fe != nil || p.ValueLimit.Period != "0" || p.MaxValuePerUse != "0" {
		t.Fatalf("lifetime: %+v %v", p, fe)
	}
	p, fe = CallPolicyInput{Target: tokenAddr, Signature: "deposit()", LimitType: "", Limit: "garbage"}.Build()
	if fe != nil || p.ValueLimit != nil {
		t.Fatalf("unlimited: %+v %v", p, fe)
	}
}

func TestCallPolicyBuildCollectsAllErrors(t *testing.T) {
	in := CallPolicyInput{
		Target:         "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
		Signature:      "transfer(address,uint256)",
		MaxValuePerUse: "-1",
		LimitType:      "allowance",
		Limit:          "",
		Period:         "0",
		Constraints: []ConstraintInput{
			{Arg: "to", Condition: "==", Value: "0x1234"},
			{Arg: "amount", Condition: "approximately", Value: "1.5"},
			{Arg: "recipient", Condition: "==", Value: "1"},
			{Arg: "5", Condition: "==", Value: "1"},
			{Arg: "to", Condition: "<=", Value: recipient, LimitType: "lifetime", Limit: "5"},
			{Arg: "amount", Condition: "==", Value: "1", LimitType: "allowance", Limit: "x"},
		},
	}
	_, fe := in.Build()
	want := map[string]string{
		"target":                         "checksum",
		"maxValuePerUse":                 "negative",
		"valueLimit.limit":               "empty",
		"valueLimit.period":              "zero",
		"constraints[0].value":           "40",
		"constraints[1].condition":       "unknown",
		"constraints[1].value":           "whole number",
		"constraints[2].arg":             "not in transfer(address,uint256): expected one of to (0, address), amount (1, uint256)",
		"constraints[3].arg":             "out of range",
		"constraints[4].limit.limitType": "only unsigned integer",
		"constraints[5].limit.limit":     "not a whole number",
		"constraints[5].limit.period":    "empty",
	}
	for k, w := range want {
		if !strings.Contains(fe[k], w) {
			t.Errorf("%s = %q, want it to mention %q", k, fe[k], w)
		}
	}
	for k := range fe {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected error %s: %s", k, fe[k])
		}
	}
	if keys := fe.Keys(); keys[0] != "constraints[0].value" {
		t.Errorf("Keys = %v", keys)
	}
	if !strings.Contains(fe.Error(), "target: target address") {
		t.Errorf("Error() = %s", fe.Error())
	}
}

func TestConstraintRules(t *testing.T) {
	build := func(sig string, c ConstraintInput) (apiclient.Constraint, FieldErrors) {
		p, fe := CallPolicyInput{Target: tokenAddr, Signature: sig, Constraints: []ConstraintInput{c}}.Build()
		if len(p.Constraints) == 0 {
			return apiclient.Constraint{}, fe
		}
		return p.Constraints[0], fe
	}
	// A raw selector takes indices only.
	if _, fe := build("0xdeadbeef", ConstraintInput{Arg: "to", Condition: "==", Value: "1"}); !strings.Contains(fe["constraints[0].arg"], "index only") {
		t.Errorf("raw selector by name: %v", fe)
	}
	c, fe := build("0xdeadbeef", ConstraintInput{Arg: "2", Condition: ">", Value: "7"})
	if fe != nil || c.Index != 2 || c.Condition != apiclient.CondGreater || !strings.HasSuffix(c.RefValue, "07") {
		t.Errorf("raw selector by index: %+v %v", c, fe)
	}
	// Dynamic arguments cannot be constrained.
	if _, fe := build("f(string s, uint256 n)", ConstraintInput{Arg: "s", Condition: "==", Value: "x"}); !strings.Contains(fe["constraints[0].arg"], "dynamic") {
		t.Errorf("string: %v", fe)
	}
	// Argument index maps to the calldata word after a static tuple.
	c, fe = build("f((uint256,uint256) p, address a)", ConstraintInput{Arg: "a", Condition: "==", Value: recipient})
	if fe != nil || c.Index != 2 {
		t.Errorf("after tuple: %+v %v", c, fe)
	}
	c, fe = build("f((uint256,uint256) p, address a)", ConstraintInput{Arg: "word 1", Condition: "<", Value: "10"})
	if fe != nil || c.Index != 1 {
		t.Errorf("word 1: %+v %v", c, fe)
	}
	// Signed ordering is refused (the contract compares unsigned).
	if _, fe := build("f(int256 x)", ConstraintInput{Arg: "x", Condition: "<", Value: "-1"}); !strings.Contains(fe["constraints[0].condition"], "unsigned") {
		t.Errorf("signed: %v", fe)
	}
	// Unconstrained + limit: value ignored, zero word.
	c, fe = build("transfer(address,uint256)", ConstraintInput{Arg: "amount", Condition: "unconstrained", LimitType: "allowance", Limit: "10e18", Period: "1h"})
	if fe != nil || c.RefValue != zeroWord || c.Limit.Period != "3600" || c.Limit.Limit != "10000000000000000000" {
		t.Errorf("unconstrained: %+v %v", c, fe)
	}
	// Missing value.
	if _, fe := build("transfer(address,uint256)", ConstraintInput{Arg: "to", Condition: "=="}); !strings.Contains(fe["constraints[0].value"], "empty") {
		t.Errorf("missing value: %v", fe)
	}
	// A bad signature reports once, not on every constraint.
	if _, fe := build("nope", ConstraintInput{Arg: "to", Condition: "==", Value: "1"}); len(fe) != 1 || fe["signature"] == "" {
		t.Errorf("bad signature: %v", fe)
	}
}

func TestParseCondition(t *testing.T) {
	for in, want := range map[string]apiclient.Condition{
		"equal": 1, "==": 1, "=": 1, "eq": 1, "!=": 6, "not equal": 6, "NOT_EQUAL": 6, ">": 2, "greater": 2, "<": 3, "lt": 3,
		">=": 4, "gte": 4, "greater-or-equal": 4, "<=": 5, "lte": 5, "less-or-equal": 5, "Less Or Equal": 5, "unconstrained": 0, "any": 0, "3": 3,
	} {
		if got, err := ParseCondition(in); err != nil || got != want {
			t.Errorf("ParseCondition(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7", "~", "approx"} {
		if _, err := ParseCondition(in); err == nil {
			t.Errorf("ParseCondition(%q) accepted", in)
		}
	}
}

func TestTransferPolicyBuild(t *testing.T) {
	p, fe := TransferPolicyInput{Target: recipient, MaxValuePerUse: "0.01 ETH", LimitType: "lifetime", Limit: "0.05"}.Build()
	want := apiclient.TransferPolicy{Target: recipient, MaxValuePerUse: "10000000000000000",
		ValueLimit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "50000000000000000", Period: "0"}}
	if fe != nil || !reflect.DeepEqual(p, want) {
		t.Fatalf("Build = %+v, %v", p, fe)
	}
	_, fe = TransferPolicyInput{Target: "bob", MaxValuePerUse: "lots", LimitType: "forever"}.Build()
	for _, k := range []string{"target", "maxValuePerUse", "valueLimit.limitType"} {
		if fe[k] == "" {
			t.Errorf("no error for %s: %v", k, fe)
		}
	}
}

func TestInputFromRoundTrip(t *testing.T) {
	calls := []apiclient.CallPolicy{
		exampleCall,
		{Target: tokenAddr, Selector: "0xdeadbeef", MaxValuePerUse: "1",
			ValueLimit:  &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "1000000000", Period: "90061"},
			Constraints: []apiclient.Constraint{{Condition: apiclient.CondNotEqual, Index: 3, RefValue: "0x" + strings.Repeat("ab", 32)}}},
		{Target: tokenAddr, Selector: "0x095ea7b3", MaxValuePerUse: "0",
			Constraints: []apiclient.Constraint{
				{Condition: apiclient.CondUnconstrained, Index: 1, RefValue: zeroWord, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "7", Period: "3600"}},
				{Condition: apiclient.CondEqual, Index: 0, RefValue: "0x" + strings.Repeat("f", 64)}, // not an address: raw word
				{Condition: apiclient.CondGreater, Index: 9, RefValue: zeroWord},                     // beyond the arguments
			}},
	}
	for i, p := range calls {
		in := CallPolicyInputFrom(p)
		got, fe := in.Build()
		if fe != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("call %d: From = %+v\nBuild = %+v, %v", i, in, got, fe)
		}
	}
	in := CallPolicyInputFrom(exampleCall)
	if in.Signature != "function transfer(address to, uint256 amount)" || in.Constraints[0].Arg != "to" || in.Constraints[1].Value != "100e18" || in.Constraints[1].Limit != "150e18" || in.MaxValuePerUse != "0 ETH" {
		t.Errorf("From(example) = %+v", in)
	}
	tp := apiclient.TransferPolicy{Target: recipient, MaxValuePerUse: "10000000000000000",
		ValueLimit: &apiclient.UsageLimit{LimitType: apiclient.LimitAllowance, Limit: "50000000000000000", Period: "604800"}}
	tin := TransferPolicyInputFrom(tp)
	if tin.MaxValuePerUse != "0.01 ETH" || tin.Period != "7d" {
		t.Errorf("TransferPolicyInputFrom = %+v", tin)
	}
	if got, fe := tin.Build(); fe != nil || !reflect.DeepEqual(got, tp) {
		t.Errorf("transfer round trip = %+v, %v", got, fe)
	}
}

func TestValidate(t *testing.T) {
	if err := ValidateCallPolicy(exampleCall); err != nil {
		t.Fatal(err)
	}
	bad := apiclient.CallPolicy{Target: "0x12", Selector: "a9059cbb", MaxValuePerUse: "1.5",
		ValueLimit:  &apiclient.UsageLimit{LimitType: 2, Limit: "1", Period: "0"},
		Constraints: []apiclient.Constraint{{Condition: 9, RefValue: "0x12", Limit: &apiclient.UsageLimit{LimitType: 3, Limit: "1", Period: "0"}}}}
	err := ValidateCallPolicy(bad)
	for _, w := range []string{"target: ", "selector: ", "maxValuePerUse: ", "valueLimit.period: an allowance", "constraints[0].condition: 9", "constraints[0].refValue: ", "constraints[0].limit.limitType: 3"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("ValidateCallPolicy error %v lacks %q", err, w)
		}
	}
	if err := ValidateTransferPolicy(apiclient.TransferPolicy{Target: recipient, ValueLimit: &apiclient.UsageLimit{LimitType: 1, Limit: "x"}}); err == nil || !strings.Contains(err.Error(), "valueLimit.limit") {
		t.Errorf("ValidateTransferPolicy = %v", err)
	}
}

func TestFieldHelp(t *testing.T) {
	if h := FieldHelp("maxValuePerUse"); !strings.Contains(h, "no value may be sent") {
		t.Errorf("maxValuePerUse help = %q", h)
	}
	for _, k := range []string{"target", "signature", "valueLimit.limitType", "valueLimit.limit", "valueLimit.period", "constraints[3].arg", "constraints[0].condition", "constraints[1].value", "constraints[2].limit.limitType", "constraints[2].limit.limit", "constraints[2].limit.period"} {
		if FieldHelp(k) == "" {
			t.Errorf("no help for %s", k)
		}
	}
}

func TestConstraintIndexBounds(t *testing.T) {
	for _, c := range []struct{ sig, arg string }{
		{"f(uint256 x)", "word 16777217"},
		{"0xdeadbeef", "16777217"},
		{"f((uint256[65536])[65536] big, address a)", "a"},
	} {
		_, fe := CallPolicyInput{Target: tokenAddr, Signature: c.sig, Constraints: []ConstraintInput{{Arg: c.arg, Condition: "==", Value: "1"}}}.Build()
		if fe["constraints[0].arg"] == "" {
			t.Errorf("%s %s: %v", c.sig, c.arg, fe)
		}
	}
}
