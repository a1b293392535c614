package ui

import (
	"testing"

	"walletconsole/flows"
)

func TestPickerCyclesBothWays(t *testing.T) {
	p := newPicker("k", "L", []string{"a", "b", "c"}, nil, 0)
	for _, step := range []struct {
		d    int
		want string
	}{{1, "b"}, {1, "c"}, {1, "a"}, {-1, "c"}, {-2, "a"}} {
		p.cycle(step.d)
		if p.value() != step.want {
			t.Fatalf("after %+d: %q, want %q", step.d, p.value(), step.want)
		}
	}
	if !p.set("B") || p.value() != "b" {
		t.Errorf("set(B) = %q", p.value())
	}
	if p.set("zzz") {
		t.Error("set of an unknown value succeeded")
	}
}

func TestArgChoicesFromSignature(t *testing.T) {
	sel, err := flows.ParseSelector("function transferFrom(address from, address to, uint256 amount)")
	if err != nil {
		t.Fatal(err)
	}
	values, shown := argChoices(sel, true)
	want := []string{"0 · from address", "1 · to address", "2 · amount uint256"}
	if len(values) != 3 || len(shown) != 3 {
		t.Fatalf("choices %v %v", values, shown)
	}
	for i := range want {
		if shown[i] != want[i] || values[i] != string(rune('0'+i)) {
			t.Errorf("choice %d = %q (%q), want %q", i, shown[i], values[i], want[i])
		}
	}
	c := newConstraintEditor()
	c.cycleArg(-1, sel, true)
	if c.arg != "2" || c.argType(sel, true) != "uint256" {
		t.Errorf("left from the first argument: %q %q", c.arg, c.argType(sel, true))
	}
	// A raw selector without a known signature: raw words by index.
	raw, _ := flows.ParseSelector("0x12345678")
	if _, shown := argChoices(raw, true); len(shown) == 0 || shown[0] != "0 · raw word" {
		t.Errorf("raw choices %v", shown)
	}
}

func TestConstraintArgByNameBecomesIndex(t *testing.T) {
	sel, _ := flows.ParseSelector("function transfer(address to, uint256 amount)")
	c := newConstraintEditor()
	c.setInput(flows.ConstraintInput{Arg: "amount", Condition: "<=", Value: "100e18", LimitType: "lifetime", Limit: "150e18"}, sel, true)
	if c.arg != "1" || c.cond.value() != "less-or-equal" || c.limit.typ.value() != "lifetime" || c.limit.limit.Value() != "150e18" {
		t.Errorf("constraint = %+v cond %q limit %q", c.input(), c.cond.value(), c.limit.typ.value())
	}
	// Kept as typed when the name is not an argument (flows says why).
	c.setInput(flows.ConstraintInput{Arg: "word 5", Condition: "equal", Value: "1"}, sel, true)
	if c.arg != "word 5" || c.argShown(sel, true) != "word 5" {
		t.Errorf("arg %q shown %q", c.arg, c.argShown(sel, true))
	}
}

func TestCallEditorInputRoundTrip(t *testing.T) {
	in := flows.CallPolicyInput{
		Target: "0x3333333333333333333333333333333333333333", Signature: "transfer(address,uint256)",
		MaxValuePerUse: "0.01 ETH", LimitType: "allowance", Limit: "0.1 ETH", Period: "1d",
		Constraints: []flows.ConstraintInput{{Arg: "0", Condition: "equal", Value: "0x4444444444444444444444444444444444444444", LimitType: ""}},
	}
	e := callEditorFrom(in)
	got := e.input()
	if got.Target != in.Target || got.Signature != in.Signature || got.MaxValuePerUse != in.MaxValuePerUse ||
		got.LimitType != in.LimitType || got.Limit != in.Limit || got.Period != in.Period || len(got.Constraints) != 1 ||
		got.Constraints[0] != in.Constraints[0] {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	if _, fe := got.Build(); len(fe) != 0 {
		t.Errorf("Build: %v", fe)
	}
	if s := e.summary(); s != "0x3333…3333 · transfer(address,uint256) · 1 constraint" {
		t.Errorf("summary = %q", s)
	}
}
