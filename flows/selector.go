package flows

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// Selector is a parsed function: its 4-byte selector, its canonical
// signature ("transfer(address,uint256)", "" when only the raw selector is
// known) and its arguments in order.
type Selector struct {
	Hex       string // 0xa9059cbb
	Signature string // canonical, or ""
	Args      []Arg
}

// Arg is one argument of a signature. Type is canonical ("uint256",
// "(address,uint256)[]"); Name is the parameter name when one was given or
// known, else "".
type Arg struct {
	Name string
	Type string
}

// Known reports whether the signature (and so the argument types) is known.
func (s Selector) Known() bool { return s.Signature != "" }

// Display is the signature when known, else the hex selector.
func (s Selector) Display() string {
	if s.Signature != "" {
		return s.Signature
	}
	return s.Hex
}

// Full renders the signature with names as POST /contracts/write takes it:
// "function transfer(address to, uint256 amount)". "" when unknown.
func (s Selector) Full() string {
	if s.Signature == "" {
		return ""
	}
	name, _, _ := strings.Cut(s.Signature, "(")
	parts := make([]string, len(s.Args))
	for i, a := range s.Args {
		parts[i] = a.Type
		if a.Name != "" {
			parts[i] += " " + a.Name
		}
	}
	return "function " + name + "(" + strings.Join(parts, ", ") + ")"
}

// knownSelectors are the well-known functions a raw selector is recognised
// as (ERC-20, and the sandbox test token's mint).
var knownSelectors = map[string]Selector{}

// KnownSignatures lists the full signatures ParseSelector recognises from a
// raw selector, for suggestions.
var KnownSignatures = []string{
	"function transfer(address to, uint256 amount)",
	"function approve(address spender, uint256 amount)",
	"function transferFrom(address from, address to, uint256 amount)",
	"function mint(address to, uint256 amount)",
}

func init() {
	for _, s := range KnownSignatures {
		sel, err := parseSignature(s)
		if err != nil {
			panic("flows: bad known signature " + s + ": " + err.Error())
		}
		knownSelectors[sel.Hex] = sel
	}
}

// LookupSelector returns the well-known function with this 4-byte selector.
func LookupSelector(hexSel string) (Selector, bool) {
	s, ok := knownSelectors[strings.ToLower(strings.TrimSpace(hexSel))]
	if !ok {
		return Selector{}, false
	}
	s.Args = append([]Arg(nil), s.Args...)
	return s, true
}

// ParseSelector reads a function as a person writes it:
//   - a signature: "transfer(address,uint256)", spaces allowed, "uint"/"int"
//     read as uint256/int256, "byte" as bytes1;
//   - a full one: "function transfer(address to, uint256 amount)", names
//     kept as Arg.Name, data locations (memory, calldata, storage) and
//     anything after the closing parenthesis (external, returns (...))
//     ignored;
//   - tuples "(address,uint256)" or "tuple(...)" and arrays "T[]", "T[3]";
//   - a raw 4-byte selector "0xa9059cbb": Signature "" unless it is a
//     well-known one (KnownSignatures), whose signature and names are filled.
//
// The selector and canonical signature come from go-ethereum's ABI package.
// A signature without names that matches a well-known one gets its names.
func ParseSelector(s string) (Selector, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Selector{}, fmt.Errorf("signature is empty: expected e.g. transfer(address,uint256) or 0xa9059cbb")
	}
	if len(s) > maxInputLen {
		return Selector{}, fmt.Errorf("signature is too long (%d characters)", len(s))
	}
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		h := s[2:]
		if len(h) != 8 {
			return Selector{}, fmt.Errorf("selector %s has %d hex digits: a selector is 0x + 8 hex digits (or write the signature)", quoteShort(s), len(h))
		}
		if _, err := hex.DecodeString(h); err != nil {
			return Selector{}, fmt.Errorf("selector %s is not hexadecimal: expected 0x + 8 hex digits", quoteShort(s))
		}
		hexSel := "0x" + strings.ToLower(h)
		if k, ok := LookupSelector(hexSel); ok {
			return k, nil
		}
		return Selector{Hex: hexSel}, nil
	}
	sel, err := parseSignature(s)
	if err != nil {
		return Selector{}, err
	}
	if k, ok := knownSelectors[sel.Hex]; ok && k.Signature == sel.Signature {
		named := false
		for _, a := range sel.Args {
			named = named || a.Name != ""
		}
		if !named {
			for i := range sel.Args {
				sel.Args[i].Name = k.Args[i].Name
			}
		}
	}
	return sel, nil
}

const (
	maxSigArgs   = 64
	maxTupleNest = 8
	maxArrayDim  = 1 << 16
	maxArrayNest = 4
)

// sigParser is a small recursive-descent parser for Solidity signatures.
type sigParser struct {
	src string
	pos int
}

type sigParam struct {
	m    abi.ArgumentMarshaling
	name string
}

func parseSignature(s string) (Selector, error) {
	p := &sigParser{src: s}
	p.skipSpace()
	if p.keyword("function") {
		p.skipSpace()
	}
	name := p.ident()
	if name == "" {
		return Selector{}, p.errf("expected a function name such as transfer")
	}
	p.skipSpace()
	if !p.eat('(') {
		return Selector{}, p.errf("expected '(' after the function name %q", name)
	}
	params, err := p.params(0, true)
	if err != nil {
		return Selector{}, err
	}
	// Anything after the parameter list (visibility, mutability, returns)
	// does not change the selector; it only needs balanced parentheses.
	if rest := strings.TrimSpace(p.src[p.pos:]); rest != "" {
		if err := checkTrailer(rest); err != nil {
			return Selector{}, fmt.Errorf("signature %s: %v", quoteShort(s), err)
		}
	}
	inputs := make(abi.Arguments, len(params))
	args := make([]Arg, len(params))
	for i, prm := range params {
		t, err := newABIType(prm.m)
		if err != nil {
			return Selector{}, fmt.Errorf("signature %s: argument %d: %v", quoteShort(s), i, err)
		}
		inputs[i] = abi.Argument{Name: fmt.Sprintf("a%d", i), Type: t}
		args[i] = Arg{Name: prm.name, Type: t.String()}
	}
	m := abi.NewMethod(name, name, abi.Function, "nonpayable", false, false, inputs, nil)
	return Selector{Hex: "0x" + hex.EncodeToString(m.ID), Signature: m.Sig, Args: args}, nil
}

// newABIType builds the go-ethereum type, turning its rare panics into errors.
func newABIType(m abi.ArgumentMarshaling) (t abi.Type, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unsupported type %s", m.Type)
		}
	}()
	return abi.NewType(m.Type, "", m.Components)
}

func (p *sigParser) errf(format string, a ...any) error {
	at := p.pos
	if at > len(p.src) {
		at = len(p.src)
	}
	got := "end of input"
	if at < len(p.src) {
		r := []rune(p.src[at:])
		got = strconv.QuoteRune(r[0])
	}
	return fmt.Errorf("signature %s: %s (at %s, position %d)", quoteShort(p.src), fmt.Sprintf(format, a...), got, at+1)
}

func (p *sigParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *sigParser) eat(c byte) bool {
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *sigParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (p *sigParser) ident() string {
	start := p.pos
	if p.pos < len(p.src) && isIdentStart(p.src[p.pos]) {
		p.pos++
		for p.pos < len(p.src) && isIdentChar(p.src[p.pos]) {
			p.pos++
		}
	}
	return p.src[start:p.pos]
}

// keyword consumes word if it is followed by a non-identifier character.
func (p *sigParser) keyword(word string) bool {
	if strings.HasPrefix(p.src[p.pos:], word) {
		end := p.pos + len(word)
		if end == len(p.src) || !isIdentChar(p.src[end]) {
			p.pos = end
			return true
		}
	}
	return false
}

// params reads "T name, T name)" after an opening parenthesis; top says
// whether names and locations are expected (tuple members may have names
// too, which are ignored).
func (p *sigParser) params(depth int, top bool) ([]sigParam, error) {
	var out []sigParam
	p.skipSpace()
	if p.eat(')') {
		return out, nil
	}
	for {
		if len(out) >= maxSigArgs {
			return nil, p.errf("more than %d arguments", maxSigArgs)
		}
		p.skipSpace()
		m, err := p.typ(depth)
		if err != nil {
			return nil, err
		}
		m.Name = fmt.Sprintf("f%d", len(out)) // go-ethereum needs member names; the signature ignores them
		p.skipSpace()
		name := ""
		for {
			save := p.pos
			w := p.ident()
			if w == "" {
				break
			}
			switch w {
			case "memory", "calldata", "storage", "indexed", "payable":
			default:
				if name != "" {
					p.pos = save
					return nil, p.errf("unexpected %q after argument name %q", w, name)
				}
				name = w
			}
			p.skipSpace()
		}
		out = append(out, sigParam{m: m, name: name})
		p.skipSpace()
		if p.eat(')') {
			return out, nil
		}
		if !p.eat(',') {
			if p.pos >= len(p.src) {
				return nil, p.errf("missing ')'")
			}
			return nil, p.errf("expected ',' or ')'")
		}
	}
}

// typ reads an elementary type or a tuple, with array suffixes.
func (p *sigParser) typ(depth int) (abi.ArgumentMarshaling, error) {
	var m abi.ArgumentMarshaling
	if p.keyword("tuple") {
		p.skipSpace()
		if p.peek() != '(' {
			return m, p.errf("expected '(' after tuple")
		}
	}
	if p.eat('(') {
		if depth+1 > maxTupleNest {
			return m, p.errf("tuples nested more than %d deep", maxTupleNest)
		}
		comps, err := p.params(depth+1, false)
		if err != nil {
			return m, err
		}
		if len(comps) == 0 {
			return m, p.errf("empty tuple ()")
		}
		m.Type = "tuple"
		for _, c := range comps {
			m.Components = append(m.Components, c.m)
		}
	} else {
		start := p.pos
		w := p.ident()
		if w == "" {
			return m, p.errf("expected a type such as address or uint256")
		}
		t, err := canonicalElementary(w)
		if err != nil {
			p.pos = start
			return m, p.errf("%v", err)
		}
		m.Type = t
	}
	dims := 0
	total := 1
	for {
		p.skipSpace()
		if !p.eat('[') {
			break
		}
		dims++
		if dims > maxArrayNest {
			return m, p.errf("arrays nested more than %d deep", maxArrayNest)
		}
		p.skipSpace()
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		size := p.src[start:p.pos]
		p.skipSpace()
		if !p.eat(']') {
			return m, p.errf("expected ']'")
		}
		if size != "" {
			n, err := strconv.Atoi(size)
			if err != nil || n <= 0 || n > maxArrayDim || total*n > maxArrayDim {
				p.pos = start
				return m, p.errf("array size %s is out of range (1 to %d elements)", size, maxArrayDim)
			}
			total *= n
			m.Type += "[" + strconv.Itoa(n) + "]"
		} else {
			m.Type += "[]"
		}
	}
	return m, nil
}

// canonicalElementary checks an elementary type name and returns its
// canonical form.
func canonicalElementary(w string) (string, error) {
	switch w {
	case "address", "bool", "string", "bytes", "function":
		return w, nil
	case "uint", "int":
		return w + "256", nil
	case "byte":
		return "bytes1", nil
	case "fixed", "ufixed":
		return "", fmt.Errorf("type %s is not supported by the ABI tooling", w)
	}
	for _, pre := range []string{"uint", "int", "bytes"} {
		if rest, ok := strings.CutPrefix(w, pre); ok && rest != "" && allDigits(rest) {
			n, err := strconv.Atoi(rest)
			if err != nil || rest[0] == '0' {
				break
			}
			if pre == "bytes" {
				if n >= 1 && n <= 32 {
					return w, nil
				}
				return "", fmt.Errorf("type %s: bytesN takes N from 1 to 32", w)
			}
			if n >= 8 && n <= 256 && n%8 == 0 {
				return w, nil
			}
			return "", fmt.Errorf("type %s: %sN takes N from 8 to 256 in steps of 8", w, pre)
		}
	}
	if strings.HasPrefix(w, "fixed") || strings.HasPrefix(w, "ufixed") {
		return "", fmt.Errorf("type %s is not supported by the ABI tooling", w)
	}
	return "", fmt.Errorf("unknown type %q: expected address, bool, uintN, intN, bytesN, bytes, string, a tuple or an array", w)
}

// checkTrailer accepts modifiers after the parameter list, such as
// "external view returns (bool)": identifiers and balanced parentheses.
func checkTrailer(rest string) error {
	depth := 0
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced ')' after the argument list")
			}
		case c == ',' || c == '[' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || isIdentChar(c):
		default:
			return fmt.Errorf("unexpected %q after the argument list", rune(c))
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced '(' after the argument list")
	}
	return nil
}

// headWords returns, for each argument, the calldata word where its head
// starts (what a constraint's index addresses), and the number of words it
// spans (1 for elementary and dynamic types; more for static tuples and
// fixed arrays).
func headWords(s Selector) (start, span []int, err error) {
	if !s.Known() {
		return nil, nil, nil
	}
	w := 0
	for _, a := range s.Args {
		t, err := typeFromCanonical(a.Type)
		if err != nil {
			return nil, nil, err
		}
		n := 1
		if !isDynamic(t) {
			n = staticWords(t)
		}
		start = append(start, w)
		span = append(span, n)
		w = min(w+n, 1<<30)
	}
	return start, span, nil
}

// typeFromCanonical re-parses a canonical type string ("(address,uint256)[2]").
func typeFromCanonical(t string) (abi.Type, error) {
	p := &sigParser{src: t}
	m, err := p.typ(0)
	if err != nil {
		return abi.Type{}, err
	}
	if p.pos != len(p.src) {
		return abi.Type{}, fmt.Errorf("bad type %q", t)
	}
	return newABIType(m)
}

func isDynamic(t abi.Type) bool {
	switch t.T {
	case abi.StringTy, abi.BytesTy, abi.SliceTy:
		return true
	case abi.ArrayTy:
		return isDynamic(*t.Elem)
	case abi.TupleTy:
		for _, e := range t.TupleElems {
			if isDynamic(*e) {
				return true
			}
		}
	}
	return false
}

// staticWords counts the 32-byte words of a static type, saturating at
// maxWords so absurd nestings cannot overflow.
func staticWords(t abi.Type) int {
	const maxWords = 1 << 30
	switch t.T {
	case abi.ArrayTy:
		n := staticWords(*t.Elem)
		if n > maxWords/max(t.Size, 1) {
			return maxWords
		}
		return t.Size * n
	case abi.TupleTy:
		n := 0
		for _, e := range t.TupleElems {
			n = min(n+staticWords(*e), maxWords)
		}
		return n
	}
	return 1
}
