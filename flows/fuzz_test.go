package flows

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
)

// Fuzz targets for every parser that reads what people type or files they
// write. Seed corpora live in testdata/fuzz/<FuzzName>/. Run one with e.g.
//
//	go test -run='^$' -fuzz=FuzzParseValue -fuzztime=30s ./flows/

var word64RE = regexp.MustCompile(`^0x[0-9a-f]{64}$`)

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"0.01", "0.01 ETH", "1000 wei", "5 gwei", "", "-1", "1e18"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseValue(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if v.Sign() < 0 || v.BitLen() > 256 {
			t.Fatalf("ParseValue(%q) = %s out of range", s, v)
		}
		// The value formats back to an equivalent amount, in both forms.
		for _, back := range []string{FormatValue(v), apiclient.FormatEther(v), v.String() + " wei"} {
			w, err := ParseValue(back)
			if err != nil || w.Cmp(v) != 0 {
				t.Fatalf("ParseValue(%q) = %s; %q reads back %v, %v", s, v, back, w, err)
			}
		}
	})
}

func FuzzParseSessionDuration(f *testing.F) {
	for _, s := range []string{"15m", "1 day", "90m", "18:00", "2026-11-26 18:00", "0", "-1h", "366d"} {
		f.Add(s, int64(1795621400))
	}
	f.Fuzz(func(t *testing.T, s string, nowUnix int64) {
		// Keep now within years 1970–2200 so times stay representable.
		nowUnix = ((nowUnix % 7_258_118_400) + 7_258_118_400) % 7_258_118_400
		now := time.Unix(nowUnix, 0).In(time.FixedZone("F", 5*3600+1800))
		d, err := ParseSessionDuration(s, now)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if d <= 0 || d > MaxSessionDuration {
			t.Fatalf("ParseSessionDuration(%q) = %v out of (0, 365d]", s, d)
		}
		_ = FormatExpiry(now, now.Add(d))
		if p, err := ParsePeriod(FormatPeriod(d)); err != nil || p != d.Truncate(time.Second) {
			t.Fatalf("FormatPeriod(%v) = %q reads back %v, %v", d, FormatPeriod(d), p, err)
		}
	})
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"transfer(address,uint256)", "function transfer(address to, uint256 amount)", "0xa9059cbb", "f((uint256,bool)[2][] x)", "f(", "0x"} {
		f.Add(s)
	}
	hexRE := regexp.MustCompile(`^0x[0-9a-f]{8}$`)
	f.Fuzz(func(t *testing.T, s string) {
		sel, err := ParseSelector(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if !hexRE.MatchString(sel.Hex) {
			t.Fatalf("ParseSelector(%q).Hex = %q", s, sel.Hex)
		}
		if !sel.Known() {
			return
		}
		// The canonical signature and the full form parse to the same function.
		for _, again := range []string{sel.Signature, sel.Full()} {
			s2, err := ParseSelector(again)
			if err != nil || s2.Hex != sel.Hex || s2.Signature != sel.Signature || len(s2.Args) != len(sel.Args) {
				t.Fatalf("ParseSelector(%q) = %+v; %q reparses to %+v, %v", s, sel, again, s2, err)
			}
		}
		if _, _, err := headWords(sel); err != nil {
			t.Fatalf("headWords(%+v): %v", sel, err)
		}
		// Every argument either encodes a value or says why it cannot.
		for _, a := range sel.Args {
			_, _ = EncodeRefValue(a.Type, "1")
		}
	})
}

func FuzzEncodeRefValue(f *testing.F) {
	for _, c := range [][2]string{{"address", "0x4444444444444444444444444444444444444444"}, {"uint256", "100e18"}, {"int8", "-128"}, {"bool", "true"}, {"bytes4", "0xa9059cbb"}, {"string", "x"}, {"word", "0x" + strings.Repeat("0", 64)}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, typ, s string) {
		w, err := EncodeRefValue(typ, s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if !word64RE.MatchString(w) {
			t.Fatalf("EncodeRefValue(%q, %q) = %q", typ, s, w)
		}
		back, ok := DecodeRefValue(typ, w)
		if !ok {
			t.Fatalf("DecodeRefValue(%q, %s) failed for a value EncodeRefValue made", typ, w)
		}
		if again, err := EncodeRefValue(typ, back); err != nil || again != w {
			t.Fatalf("EncodeRefValue(%q, %q) = %s; decoded %q encodes to %s, %v", typ, s, w, back, again, err)
		}
	})
}

func FuzzParsePolicySet(f *testing.F) {
	f.Add([]byte(apiExample))
	f.Add([]byte(`{"grantFullPermissions": true}`))
	f.Add([]byte(`{"transferPolicies": [{"target": "0x4444444444444444444444444444444444444444", "valueLimit": {"limitType": 2, "limit": "1", "period": "60"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParsePolicySet(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// A parsed set re-marshals to something ParsePolicySet accepts, equal.
		out, err := MarshalPolicySet(s)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		s2, err := ParsePolicySet(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", s, s2)
		}
		// Every policy survives the editor: Build(From(p)) is either refused
		// with field errors or gives p back (normalised).
		for _, p := range s.CallPolicies {
			if err := ValidateCallPolicy(p); err != nil {
				t.Fatalf("parsed policy invalid: %v", err)
			}
			_ = DescribeCallPolicy(p, nil)
			got, fe := CallPolicyInputFrom(p).Build()
			if fe == nil && !reflect.DeepEqual(got, normalizeCall(p)) {
				t.Fatalf("editor round trip:\n%+v\n%+v", got, normalizeCall(p))
			}
		}
		for _, p := range s.TransferPolicies {
			_ = DescribeTransferPolicy(p, nil)
			got, fe := TransferPolicyInputFrom(p).Build()
			if fe == nil && !reflect.DeepEqual(got, normalizeTransfer(p)) {
				t.Fatalf("editor round trip:\n%+v\n%+v", got, normalizeTransfer(p))
			}
		}
	})
}

// normalizeLimit is what the editor makes of a wire limit: unlimited is
// absent, and only allowances keep a period.
func normalizeLimit(l *apiclient.UsageLimit) *apiclient.UsageLimit {
	if l == nil || l.LimitType == apiclient.LimitUnlimited {
		return nil
	}
	n := *l
	if n.LimitType != apiclient.LimitAllowance {
		n.Period = "0"
	}
	return &n
}

func normalizeCall(p apiclient.CallPolicy) apiclient.CallPolicy {
	p.Target = apiclient.Checksum(p.Target)
	p.Selector = strings.ToLower(p.Selector)
	p.MaxValuePerUse = orZero(p.MaxValuePerUse)
	p.ValueLimit = normalizeLimit(p.ValueLimit)
	var cs []apiclient.Constraint
	for _, c := range p.Constraints {
		c.RefValue = strings.ToLower(c.RefValue)
		if c.Condition == apiclient.CondUnconstrained {
			c.RefValue = zeroWord
		}
		c.Limit = normalizeLimit(c.Limit)
		cs = append(cs, c)
	}
	p.Constraints = cs
	return p
}

func normalizeTransfer(p apiclient.TransferPolicy) apiclient.TransferPolicy {
	p.Target = apiclient.Checksum(p.Target)
	p.MaxValuePerUse = orZero(p.MaxValuePerUse)
	p.ValueLimit = normalizeLimit(p.ValueLimit)
	return p
}

// FuzzCallPolicyInput drives the editor: whatever Build accepts is a valid
// wire policy that survives a policy file and the editor round trip.
func FuzzCallPolicyInput(f *testing.F) {
	f.Add(tokenAddr, "transfer(address,uint256)", "", "lifetime", "1 ETH", "", "amount", "<=", "100e18", "allowance", "150e18", "1d")
	f.Add(tokenAddr, "0xdeadbeef", "0.01", "allowance", "0.1", "1h", "2", ">", "0x"+strings.Repeat("1", 64), "", "", "")
	f.Add(tokenAddr, "f(int8 x, bytes4 s, bool b)", "5 gwei", "", "", "", "s", "!=", "0xa9059cbb", "", "", "")
	f.Fuzz(func(t *testing.T, target, sig, maxV, lt, lim, per, arg, cond, val, clt, clim, cper string) {
		in := CallPolicyInput{Target: target, Signature: sig, MaxValuePerUse: maxV, LimitType: lt, Limit: lim, Period: per,
			Constraints: []ConstraintInput{{Arg: arg, Condition: cond, Value: val, LimitType: clt, Limit: clim, Period: cper}}}
		p, fe := in.Build()
		if fe != nil {
			for k, msg := range fe {
				if msg == "" {
					t.Fatalf("empty message for %s", k)
				}
			}
			return
		}
		if err := ValidateCallPolicy(p); err != nil {
			t.Fatalf("Build(%+v) = %+v, invalid: %v", in, p, err)
		}
		s := PolicySet{CallPolicies: []apiclient.CallPolicy{p}}
		b, err := MarshalPolicySet(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := ParsePolicySet(b)
		if err != nil || !reflect.DeepEqual(s2.CallPolicies[0], p) {
			t.Fatalf("file round trip of %+v: %+v, %v", p, s2, err)
		}
		back := CallPolicyInputFrom(p)
		p2, fe := back.Build()
		if fe != nil || !reflect.DeepEqual(p2, p) {
			t.Fatalf("editor round trip:\n in   %+v\n p    %+v\n from %+v\n p2   %+v, %v", in, p, back, p2, fe)
		}
		_ = DescribeCallPolicy(p, nil)
	})
}
