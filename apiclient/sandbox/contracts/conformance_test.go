package contracts

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"walletconsole/apiclient/account"
)

// abiDiff lists every way ours differs from ref: a function, event or error
// of ref missing from ours or with another selector/topic, parameter names,
// indexed flags or state mutability; receive()/fallback() presence; and
// anything ours declares that ref does not.
func abiDiff(ref, ours abi.ABI) []string {
	var d []string
	names := func(args abi.Arguments) string {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = a.Name
			if a.Indexed {
				s[i] += " indexed"
			}
		}
		return strings.Join(s, ",")
	}
	types := func(args abi.Arguments) string {
		s := make([]string, len(args))
		for i, a := range args {
			s[i] = a.Type.String()
		}
		return strings.Join(s, ",")
	}
	for n, m := range ref.Methods {
		o, ok := ours.Methods[n]
		switch {
		case !ok:
			d = append(d, "function "+m.Sig+" missing")
		case string(o.ID) != string(m.ID):
			d = append(d, fmt.Sprintf("function %s: selector %x, want %x (%s)", n, o.ID, m.ID, m.Sig))
		case names(o.Inputs) != names(m.Inputs) || names(o.Outputs) != names(m.Outputs) || types(o.Outputs) != types(m.Outputs):
			d = append(d, fmt.Sprintf("function %s: parameters %v -> %v, want %v -> %v", n, o.Inputs, o.Outputs, m.Inputs, m.Outputs))
		case o.StateMutability != m.StateMutability:
			d = append(d, fmt.Sprintf("function %s: %s, want %s", n, o.StateMutability, m.StateMutability))
		}
	}
	for n, e := range ref.Events {
		o, ok := ours.Events[n]
		switch {
		case !ok:
			d = append(d, "event "+e.Sig+" missing")
		case o.ID != e.ID:
			d = append(d, fmt.Sprintf("event %s: topic of %s, want %s", n, o.Sig, e.Sig))
		case names(o.Inputs) != names(e.Inputs):
			d = append(d, fmt.Sprintf("event %s: parameters (%s), want (%s)", n, names(o.Inputs), names(e.Inputs)))
		}
	}
	for n, e := range ref.Errors {
		o, ok := ours.Errors[n]
		switch {
		case !ok:
			d = append(d, "error "+e.Sig+" missing")
		case o.ID != e.ID:
			d = append(d, fmt.Sprintf("error %s: selector of %s, want %s", n, o.Sig, e.Sig))
		case names(o.Inputs) != names(e.Inputs):
			d = append(d, fmt.Sprintf("error %s: parameters (%s), want (%s)", n, names(o.Inputs), names(e.Inputs)))
		}
	}
	if ref.HasReceive() != ours.HasReceive() {
		d = append(d, fmt.Sprintf("receive(): ours %v, want %v", ours.HasReceive(), ref.HasReceive()))
	}
	if ref.HasFallback() != ours.HasFallback() {
		d = append(d, fmt.Sprintf("fallback(): ours %v, want %v", ours.HasFallback(), ref.HasFallback()))
	}
	for n, m := range ours.Methods {
		if _, ok := ref.Methods[n]; !ok {
			d = append(d, "extra function "+m.Sig)
		}
	}
	for n, e := range ours.Events {
		if _, ok := ref.Events[n]; !ok {
			d = append(d, "extra event "+e.Sig)
		}
	}
	for n, e := range ours.Errors {
		if _, ok := ref.Errors[n]; !ok {
			d = append(d, "extra error "+e.Sig)
		}
	}
	sort.Strings(d)
	return d
}

// TestAccountMatchesThirdwebABI: SessionAccount declares exactly thirdweb's
// MinimalAccount interface (npm thirdweb 5.121.6, see apiclient/account).
func TestAccountMatchesThirdwebABI(t *testing.T) {
	if len(account.ABI.Methods) < 13 || len(account.ABI.Events) != 3 || len(account.ABI.Errors) != 14 {
		t.Fatalf("reference ABI incomplete: %d functions, %d events, %d errors",
			len(account.ABI.Methods), len(account.ABI.Events), len(account.ABI.Errors))
	}
	for _, d := range abiDiff(account.ABI, AccountABI) {
		t.Error(d)
	}
}

// TestABIDiffCatchesDifferences: the comparison above cannot pass vacuously.
func TestABIDiffCatchesDifferences(t *testing.T) {
	fresh := func() abi.ABI {
		a, err := abi.JSON(strings.NewReader(account.JSON()))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if d := abiDiff(account.ABI, fresh()); len(d) != 0 {
		t.Fatalf("identical ABIs differ: %v", d)
	}
	// each mutation, and a word its report must contain
	mutations := []struct {
		want string
		f    func(a *abi.ABI)
	}{
		{"isWildcardSigner", func(a *abi.ABI) { delete(a.Methods, "isWildcardSigner") }},
		{"ValueReceived", func(a *abi.ABI) { delete(a.Events, "ValueReceived") }},
		{"InvalidSignature", func(a *abi.ABI) { delete(a.Errors, "InvalidSignature") }},
		{"extra function x", func(a *abi.ABI) {
			a.Methods["x"] = abi.NewMethod("x", "x", abi.Function, "view", false, false, nil, nil)
		}},
		{"AllowanceExceeded", func(a *abi.ABI) { e := a.Errors["AllowanceExceeded"]; e.ID[0] ^= 1; a.Errors["AllowanceExceeded"] = e }},
		{"SessionCreated", func(a *abi.ABI) { e := a.Events["SessionCreated"]; e.ID[0] ^= 1; a.Events["SessionCreated"] = e }},
		{"supportsInterface: pure", func(a *abi.ABI) {
			m := a.Methods["supportsInterface"]
			a.Methods["supportsInterface"] = abi.NewMethod(m.Name, m.RawName, m.Type, "pure", false, false, m.Inputs, m.Outputs)
		}},
		{"receive()", func(a *abi.ABI) { a.Receive = abi.Method{} }},
	}
	for _, m := range mutations {
		a := fresh()
		m.f(&a)
		d := strings.Join(abiDiff(account.ABI, a), "\n")
		if !strings.Contains(d, m.want) {
			t.Errorf("mutation %q: report %q does not name it", m.want, d)
		}
	}
}
