package ui

import (
	"encoding/json"
	"math/big"
	"regexp"
	"time"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// Failure reasons come from the API as "<ErrorName>: <meaning> (<detail>)"
// with amounts in base units (wei, or a token's smallest unit). The console
// shows them in full and, unless the user asks for raw wei (w), with the
// amounts in the units they were granted in: "usage 200 TST would exceed
// 150 TST". See docs/api.md for the sandbox's reason format.

// amountUnit formats base-unit amounts: ETH (flows.FormatValue) or a token.
type amountUnit struct {
	symbol   string // "" = ETH
	decimals int
}

var ethUnit = amountUnit{}

func (u amountUnit) format(v *big.Int) string {
	if u.symbol == "" {
		return flows.FormatValue(v)
	}
	return apiclient.FormatUnits(v, u.decimals) + " " + u.symbol
}

// sandboxTokenDecimals: the sandbox's test token has 18 decimals (its
// decimals() is a constant; /v1/sandbox/info names it but not its decimals).
const sandboxTokenDecimals = 18

var (
	reasonHeadRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*): (.*?)(?: \((.*)\))?$`)
	maxValueRe   = regexp.MustCompile(`^value (\d+) wei, max (\d+) wei$`)
	usageRe      = regexp.MustCompile(`^usage (\d+) would exceed limit (\d+)(?: per (\d+)s)?$`)
	conditionRe  = regexp.MustCompile(`^argument (\d+), required (\S+) (\d+)$`)
	balanceRe    = regexp.MustCompile(`^(0x[0-9a-fA-F]{40}) has (\d+), needs (\d+)$`)
	allowanceRe  = regexp.MustCompile(`^spender (0x[0-9a-fA-F]{40}) allowed (\d+), needs (\d+)$`)
)

func bigOf(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return new(big.Int)
	}
	return v
}

// reasonContext is what decides the unit of a reason's amounts: the kind of
// transaction, the contract it called, and the grant it ran under.
type reasonContext struct {
	kind   string // grant | send | call
	target string // contract called ("" for transfers)
	token  string // the sandbox token's address ("" when unknown)
	symbol string // its symbol
	grant  apiclient.CreateSessionKeyRequest
}

// tokenUnit is the unit of the called contract's amounts, if known.
func (rc reasonContext) tokenUnit() (amountUnit, bool) {
	if rc.kind == "call" && rc.token != "" && rc.symbol != "" && apiclient.SameAddress(rc.target, rc.token) {
		return amountUnit{symbol: rc.symbol, decimals: sandboxTokenDecimals}, true
	}
	return amountUnit{}, false
}

// usageUnit decides whether a usage limit is a value limit (ETH) or an
// argument limit (token units), from the grant's policies on the target.
func (rc reasonContext) usageUnit(limit string) (amountUnit, bool) {
	if rc.kind != "call" {
		return ethUnit, true
	}
	tok, isToken := rc.tokenUnit()
	for _, p := range rc.grant.CallPolicies {
		if !apiclient.SameAddress(p.Target, rc.target) {
			continue
		}
		for _, c := range p.Constraints {
			if c.Limit != nil && string(c.Limit.Limit) == limit {
				return tok, isToken
			}
		}
		if p.ValueLimit != nil && string(p.ValueLimit.Limit) == limit {
			return ethUnit, true
		}
	}
	return tok, isToken
}

// humanReason rewrites the amounts of a known reason in units; anything it
// does not recognise is returned unchanged (never guessed).
func humanReason(reason string, rc reasonContext) string {
	m := reasonHeadRe.FindStringSubmatch(reason)
	if m == nil || m[3] == "" {
		return reason
	}
	name, meaning, detail := m[1], m[2], m[3]
	out := ""
	switch name {
	case "MaxValueExceeded":
		if d := maxValueRe.FindStringSubmatch(detail); d != nil {
			out = "value " + ethUnit.format(bigOf(d[1])) + ", max " + ethUnit.format(bigOf(d[2])) + " per use"
		}
	case "LifetimeUsageExceeded", "AllowanceExceeded":
		if d := usageRe.FindStringSubmatch(detail); d != nil {
			if u, ok := rc.usageUnit(d[2]); ok {
				out = "usage " + u.format(bigOf(d[1])) + " would exceed " + u.format(bigOf(d[2]))
				if d[3] != "" {
					out += " per " + flows.FormatPeriod(time.Duration(bigOf(d[3]).Int64())*time.Second)
				}
			}
		}
	case "ConditionFailed":
		if d := conditionRe.FindStringSubmatch(detail); d != nil {
			if u, ok := rc.tokenUnit(); ok {
				out = "argument " + u.format(bigOf(d[1])) + ", required " + d[2] + " " + u.format(bigOf(d[3]))
			}
		}
	case "ERC20InsufficientBalance":
		if d := balanceRe.FindStringSubmatch(detail); d != nil {
			if u, ok := rc.tokenUnit(); ok {
				out = d[1] + " has " + u.format(bigOf(d[2])) + ", needs " + u.format(bigOf(d[3]))
			}
		}
	case "ERC20InsufficientAllowance":
		if d := allowanceRe.FindStringSubmatch(detail); d != nil {
			if u, ok := rc.tokenUnit(); ok {
				out = "spender " + d[1] + " allowed " + u.format(bigOf(d[2])) + ", needs " + u.format(bigOf(d[3]))
			}
		}
	}
	if out == "" {
		return reason
	}
	return name + ": " + meaning + " (" + out + ")"
}

// reasonContextOf gathers the context of a transaction of this run.
func (c *common) reasonContextOf(r *txRow) reasonContext {
	rc := reasonContext{kind: r.kind, grant: c.sess.grant.Request}
	if info := c.sess.sandbox; info != nil {
		rc.token, rc.symbol = info.TokenAddress, apiclient.Printable(info.TokenSymbol)
	}
	if r.kind == "call" {
		if ex, ok := c.log.find(flows.TagCall, `"`+r.id+`"`); ok {
			var req apiclient.ContractWriteRequest
			if json.Unmarshal(ex.RequestBody, &req) == nil && len(req.Calls) > 0 {
				rc.target = req.Calls[0].ContractAddress
			}
		}
	}
	return rc
}

// meterAmount is an amount of a meter (Try panel, Sessions) in the units
// the console shows amounts in elsewhere: ETH, the sandbox token's units,
// raw base units when w asked for them.
func (c *common) meterAmount(l apiclient.LimitState, v *big.Int) string {
	switch {
	case c.rawWei && l.Kind != flows.LimitKindCallParam:
		return v.String() + " wei"
	case c.rawWei:
		return v.String()
	}
	var tokens []flows.Token
	if info := c.sess.sandbox; info != nil {
		tokens = append(tokens, flows.Token{Address: info.TokenAddress, Symbol: info.TokenSymbol, Decimals: sandboxTokenDecimals})
	}
	return flows.MeterAmountIn(tokens)(l, v)
}

// reasonText is a transaction's failure reason as shown: terminal-safe, in
// units unless the user asked for raw wei. "" when there is none.
func (c *common) reasonText(r *txRow) string {
	e := r.tx.Error()
	if e == "" {
		return ""
	}
	if !c.rawWei {
		e = humanReason(e, c.reasonContextOf(r))
	}
	return apiclient.Printable(e)
}

// ReasonLines is a transaction's failure reason, whole, wrapped to w cells
// with every line after the first indented by indent (nil when the
// transaction has none). Screens that list transactions (Send, Grant,
// Activity) call it so that no reason is ever cut.
func (c *common) ReasonLines(r *txRow, w int, indent string) []string {
	text := c.reasonText(r)
	if text == "" {
		return nil
	}
	return c.styledWrap(c.st.Failed.Render, "✗ "+text, w, indent)
}

// hasRawAmounts reports whether w (raw wei) would change what is shown.
func (c *common) hasRawAmounts(r *txRow) bool {
	e := r.tx.Error()
	return e != "" && humanReason(e, c.reasonContextOf(r)) != e
}
