package sandbox

import (
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"walletconsole/apiclient"
)

// method is a parsed contracts/write method signature.
type method struct {
	name      string
	signature string // canonical: transfer(address,uint256)
	args      abi.Arguments
	id        []byte
}

// parseMethod reads a full or bare Solidity signature:
//
//	function transfer(address to, uint256 amount) external returns (bool)
//	transfer(address,uint256)
//
// Parameter names, data locations and anything after the closing
// parenthesis are dropped; the canonical form goes to go-ethereum's selector
// parser.
func parseMethod(sig string) (*method, error) {
	if len(sig) > maxMethodLen {
		return nil, fmt.Errorf("method is %d characters long; at most %d", len(sig), maxMethodLen)
	}
	s := strings.TrimSpace(sig)
	s = strings.TrimSpace(strings.TrimPrefix(s, "function "))
	open := strings.IndexByte(s, '(')
	if open <= 0 {
		return nil, fmt.Errorf("method %q is not a function signature like \"function transfer(address to, uint256 amount)\"", clip(sig, 80))
	}
	name := strings.TrimSpace(s[:open])
	depth, end := 0, -1
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return nil, fmt.Errorf("method %q has unbalanced parentheses", clip(sig, 80))
	}
	if d := parenDepth(s[open:end+1]) - 1; d > maxTupleNest {
		return nil, fmt.Errorf("method %q: tuples nested %d deep; at most %d", clip(sig, 80), d, maxTupleNest)
	}
	params, err := canonicalParams(s[open+1 : end])
	if err != nil {
		return nil, fmt.Errorf("method %q: %v", clip(sig, 80), err)
	}
	canonical := name + "(" + params + ")"
	sm, err := abi.ParseSelector(canonical)
	if err != nil {
		return nil, fmt.Errorf("method %q: %v", clip(sig, 80), err)
	}
	if len(sm.Inputs) > maxMethodArgs {
		return nil, fmt.Errorf("method %q has %d parameters; at most %d", clip(sig, 80), len(sm.Inputs), maxMethodArgs)
	}
	m := &method{name: sm.Name, signature: canonical}
	words := 0
	for i, in := range sm.Inputs {
		t, err := abi.NewType(in.Type, in.InternalType, in.Components)
		if err != nil {
			return nil, fmt.Errorf("method %q: parameter %d: %v", clip(sig, 80), i, err)
		}
		// Bound the type before anything allocates a value of it: packing
		// uint256[1099511627776] would ask for terabytes.
		w, err := staticWords(t, 0, 0)
		if err == nil && w > maxStaticWords-words {
			err = fmt.Errorf("the fixed-size arrays hold more than %d values in all", maxStaticWords)
		}
		if err != nil {
			return nil, fmt.Errorf("method %q: parameter %d (%s): %v", clip(sig, 80), i, in.Type, err)
		}
		words += w
		m.args = append(m.args, abi.Argument{Name: fmt.Sprintf("arg%d", i), Type: t})
	}
	// The selector is keccak of the canonical type list, which abi.NewMethod computes.
	am := abi.NewMethod(m.name, m.name, abi.Function, "", false, false, m.args, nil)
	m.signature = am.Sig
	m.id = am.ID
	return m, nil
}

// Bounds of contracts/write method signatures (as the console's own
// selector parser has them).
const (
	maxMethodLen   = 4096
	maxMethodArgs  = 64
	maxTupleNest   = 8
	maxArrayNest   = 4
	maxStaticWords = 1 << 16
)

func parenDepth(s string) int {
	d, most := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			d++
			most = max(most, d)
		case ')':
			d--
		}
	}
	return most
}

// staticWords counts the values a type holds before any dynamic array is
// filled (a dynamic array counts its element type once: its length comes
// from the JSON params, which the body size bounds), refusing fixed arrays
// of 0 or more than maxStaticWords elements and nesting beyond the bounds.
func staticWords(t abi.Type, arrays, tuples int) (int, error) {
	switch t.T {
	case abi.ArrayTy, abi.SliceTy:
		if arrays+1 > maxArrayNest {
			return 0, fmt.Errorf("arrays nested more than %d deep", maxArrayNest)
		}
		n := 1
		if t.T == abi.ArrayTy {
			if t.Size <= 0 || t.Size > maxStaticWords {
				return 0, fmt.Errorf("array size %d is out of range (1 to %d elements)", t.Size, maxStaticWords)
			}
			n = t.Size
		}
		w, err := staticWords(*t.Elem, arrays+1, tuples)
		if err != nil {
			return 0, err
		}
		if w > maxStaticWords/n {
			return 0, fmt.Errorf("the fixed-size arrays hold more than %d values in all", maxStaticWords)
		}
		return n * w, nil
	case abi.TupleTy:
		if tuples+1 > maxTupleNest {
			return 0, fmt.Errorf("tuples nested more than %d deep", maxTupleNest)
		}
		sum := 0
		for _, e := range t.TupleElems {
			w, err := staticWords(*e, arrays, tuples+1)
			if err != nil {
				return 0, err
			}
			if w > maxStaticWords-sum {
				return 0, fmt.Errorf("the fixed-size arrays hold more than %d values in all", maxStaticWords)
			}
			sum += w
		}
		return max(sum, 1), nil
	}
	return 1, nil
}

// canonicalParams turns "address to, uint256 amount" into "address,uint256".
// Tuple components in parentheses are canonicalised recursively.
func canonicalParams(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var parts []string
	depth, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || (s[i] == ',' && depth == 0) {
			p, err := canonicalParam(strings.TrimSpace(s[start:i]))
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
			start = i + 1
			continue
		}
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	return strings.Join(parts, ","), nil
}

func canonicalParam(p string) (string, error) {
	if p == "" {
		return "", fmt.Errorf("empty parameter")
	}
	if p[0] == '(' {
		depth, end := 0, -1
		for i := 0; i < len(p); i++ {
			if p[i] == '(' {
				depth++
			} else if p[i] == ')' {
				depth--
				if depth == 0 {
					end = i
					break
				}
			}
		}
		if end < 0 {
			return "", fmt.Errorf("unbalanced parentheses in %q", p)
		}
		inner, err := canonicalParams(p[1:end])
		if err != nil {
			return "", err
		}
		rest := p[end+1:]
		suffix := ""
		for len(rest) > 0 && rest[0] == '[' {
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				return "", fmt.Errorf("unbalanced brackets in %q", p)
			}
			suffix += rest[:j+1]
			rest = rest[j+1:]
		}
		return "(" + inner + ")" + suffix, nil
	}
	fields := strings.Fields(p)
	t := fields[0]
	switch t {
	case "uint":
		t = "uint256"
	case "int":
		t = "int256"
	}
	if strings.HasPrefix(t, "uint[") {
		t = "uint256" + t[4:]
	} else if strings.HasPrefix(t, "int[") {
		t = "int256" + t[3:]
	}
	return t, nil
}

// pack encodes params for the method: addresses and integers as strings (or
// JSON numbers), bools, hex strings for bytes, arrays as JSON arrays.
func (m *method) pack(params []any) ([]byte, error) {
	if len(params) != len(m.args) {
		return nil, fmt.Errorf("%s takes %d parameter(s), got %d", m.signature, len(m.args), len(params))
	}
	vals := make([]any, len(params))
	for i, a := range m.args {
		v, err := convertParam(a.Type, params[i])
		if err != nil {
			return nil, fmt.Errorf("params[%d] (%s): %v", i, a.Type.String(), err)
		}
		vals[i] = v
	}
	packed, err := m.args.Pack(vals...)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %v", m.signature, err)
	}
	return append(append([]byte{}, m.id...), packed...), nil
}

func convertParam(t abi.Type, v any) (any, error) {
	switch t.T {
	case abi.AddressTy:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want an address string, got %s", jsonTypeName(v))
		}
		a, err := apiclient.ParseAddress(s)
		if err != nil {
			return nil, err
		}
		return a, nil
	case abi.UintTy, abi.IntTy:
		n, err := toBigInt(v)
		if err != nil {
			return nil, err
		}
		if t.T == abi.UintTy {
			if n.Sign() < 0 || n.BitLen() > t.Size {
				return nil, fmt.Errorf("%s is out of range for %s", n, t.String())
			}
		} else {
			lim := new(big.Int).Lsh(big.NewInt(1), uint(t.Size-1))
			if n.Cmp(lim) >= 0 || n.Cmp(new(big.Int).Neg(lim)) < 0 {
				return nil, fmt.Errorf("%s is out of range for %s", n, t.String())
			}
		}
		gt := t.GetType()
		if gt == reflect.TypeFor[*big.Int]() {
			return n, nil
		}
		rv := reflect.New(gt).Elem()
		if t.T == abi.UintTy {
			rv.SetUint(n.Uint64())
		} else {
			rv.SetInt(n.Int64())
		}
		return rv.Interface(), nil
	case abi.BoolTy:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			switch strings.ToLower(b) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, fmt.Errorf("want true or false, got %s", jsonTypeName(v))
	case abi.StringTy:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", jsonTypeName(v))
		}
		return s, nil
	case abi.BytesTy, abi.FixedBytesTy:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a 0x hex string, got %s", jsonTypeName(v))
		}
		b, err := hexutil.Decode(s)
		if err != nil {
			return nil, fmt.Errorf("want a 0x hex string: %v", err)
		}
		if t.T == abi.BytesTy {
			return b, nil
		}
		if len(b) != t.Size {
			return nil, fmt.Errorf("want %d bytes, got %d", t.Size, len(b))
		}
		rv := reflect.New(t.GetType()).Elem()
		reflect.Copy(rv, reflect.ValueOf(b))
		return rv.Interface(), nil
	case abi.SliceTy, abi.ArrayTy:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("want a JSON array, got %s", jsonTypeName(v))
		}
		if t.T == abi.ArrayTy && len(arr) != t.Size {
			return nil, fmt.Errorf("want %d elements, got %d", t.Size, len(arr))
		}
		var rv reflect.Value
		if t.T == abi.SliceTy {
			rv = reflect.MakeSlice(t.GetType(), len(arr), len(arr))
		} else {
			rv = reflect.New(t.GetType()).Elem()
		}
		for i, e := range arr {
			ev, err := convertParam(*t.Elem, e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %v", i, err)
			}
			rv.Index(i).Set(reflect.ValueOf(ev))
		}
		return rv.Interface(), nil
	}
	return nil, fmt.Errorf("parameters of type %s are not supported by the sandbox", t.String())
}

func toBigInt(v any) (*big.Int, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	case float64:
		s = fmt.Sprintf("%.0f", x)
		if float64(int64(x)) != x {
			return nil, fmt.Errorf("%v is not a whole number", x)
		}
	default:
		return nil, fmt.Errorf("want an integer (as a decimal string), got %s", jsonTypeName(v))
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n, ok := new(big.Int).SetString(s[2:], 16)
		if !ok {
			return nil, fmt.Errorf("%q is not a hex integer", clip(s, 80))
		}
		return n, nil
	}
	if n, ok := new(big.Int).SetString(s, 10); ok {
		return n, nil
	}
	if len(s) > 100 {
		return nil, fmt.Errorf("%q is too long for an integer", clip(s, 20))
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		var exp int
		if _, err := fmt.Sscan(strings.TrimPrefix(s[i+1:], "+"), &exp); err != nil || exp > 80 || exp < -80 {
			return nil, fmt.Errorf("%q is not a usable integer", clip(s, 80))
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || !r.IsInt() || strings.ContainsAny(s, "/") {
		return nil, fmt.Errorf("%q is not a whole number", clip(s, 80))
	}
	return new(big.Int).Set(r.Num()), nil
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// erc20Transfer is transfer(address,uint256) calldata.
func erc20Transfer(to common.Address, amount *big.Int) []byte {
	m, err := parseMethod("transfer(address,uint256)")
	if err != nil {
		panic(err)
	}
	b, err := m.args.Pack(to, amount)
	if err != nil {
		panic(err)
	}
	return append(append([]byte{}, m.id...), b...)
}
