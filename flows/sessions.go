package flows

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"

	"walletconsole/apiclient"
	"walletconsole/apiclient/account"
)

// AdvanceSandboxTime moves a sandbox chain's clock forward by d (POST
// /v1/sandbox/advance-time, secret key). A 404 is explained: only
// walletconsole's sandbox serves the route.
func AdvanceSandboxTime(ctx context.Context, c *apiclient.Client, chainID uint64, d time.Duration) (apiclient.AdvanceTimeResult, error) {
	if d < time.Second {
		return apiclient.AdvanceTimeResult{}, fmt.Errorf("advance by %s: at least 1 second", d)
	}
	res, err := c.AdvanceTime(ctx, chainID, int64(d/time.Second))
	var ae *apiclient.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return res, fmt.Errorf("the server answered 404: time travel (POST /v1/sandbox/advance-time) is served only by walletconsole's sandbox, not by the hosted API (%w)", err)
	}
	return res, err
}

// ThirdwebRPCURL is thirdweb's public JSON-RPC for a chain, authenticated by
// the client ID in the path.
func ThirdwebRPCURL(chainID uint64, clientID string) string {
	return fmt.Sprintf("https://%d.rpc.thirdweb.com/%s", chainID, url.PathEscape(clientID))
}

// ResolveRPCURL picks the chain's JSON-RPC endpoint for session reads:
// cfg.RPCURL (--rpc-url, config rpcUrl) if set; else the sandbox's own (GET
// /v1/sandbox/info), when the API is walletconsole's sandbox; else, against
// the hosted API, thirdweb's public RPC with the client ID. The second
// result says where it came from.
func ResolveRPCURL(ctx context.Context, cfg Config, c *apiclient.Client) (string, string, error) {
	if cfg.RPCURL != "" {
		return cfg.RPCURL, "--rpc-url / rpcUrl", nil
	}
	if c != nil {
		info, err := c.SandboxInfo(ctx)
		var ae *apiclient.APIError
		switch {
		case err == nil && info.RPCURL != "":
			return info.RPCURL, "the sandbox's JSON-RPC", nil
		case err == nil:
			return "", "", errors.New("the sandbox serves no JSON-RPC: restart it with --rpc-addr 127.0.0.1:8545, or pass --rpc-url")
		case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
			// The hosted API: fall through to thirdweb's RPC.
		default:
			return "", "", fmt.Errorf("asking the API for its chain's JSON-RPC: %w", err)
		}
	}
	if cfg.ClientID == "" {
		return "", "", errors.New("no JSON-RPC for the chain: pass --rpc-url (or set rpcUrl), or a client ID for thirdweb's public RPC")
	}
	return ThirdwebRPCURL(cfg.ChainID, cfg.ClientID), "thirdweb's public RPC for the chain", nil
}

// SessionReader reads an account's sessions from the chain over JSON-RPC
// (go-ethereum's ethclient), with thirdweb's MinimalAccount ABI: the same
// views and events in sandbox and live mode.
type SessionReader struct {
	ec      *ethclient.Client
	chainID uint64
	// FromBlock is where SessionCreated logs are searched from (0: genesis;
	// public RPCs may limit the range).
	FromBlock uint64
}

// DialSessionReader connects to rpcURL and checks that it serves chainID.
func DialSessionReader(ctx context.Context, rpcURL string, chainID uint64) (*SessionReader, error) {
	ec, err := ethclient.DialContext(ctx, rpcURL)
	if err != nil {
		return nil, fmt.Errorf("JSON-RPC %s: %w", apiclient.Printable(rpcURL), err)
	}
	id, err := ec.ChainID(ctx)
	if err != nil {
		ec.Close()
		return nil, fmt.Errorf("JSON-RPC %s: eth_chainId: %w", apiclient.Printable(rpcURL), err)
	}
	if !id.IsUint64() || id.Uint64() != chainID {
		ec.Close()
		return nil, fmt.Errorf("JSON-RPC %s serves chain %s, not chain %d (--chain)", apiclient.Printable(rpcURL), id, chainID)
	}
	return &SessionReader{ec: ec, chainID: chainID}, nil
}

// Close closes the connection.
func (r *SessionReader) Close() { r.ec.Close() }

// ChainID is the chain read.
func (r *SessionReader) ChainID() uint64 { return r.chainID }

// ChainTime is the time the next block will carry at the earliest: the
// latest block's time, or now if later (a sandbox's clock may be ahead).
func (r *SessionReader) ChainTime(ctx context.Context, now time.Time) (time.Time, uint64, error) {
	h, err := r.ec.HeaderByNumber(ctx, nil)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("latest block: %w", err)
	}
	t := time.Unix(int64(h.Time), 0)
	if now.After(t) {
		t = now
	}
	return t, h.Number.Uint64(), nil
}

func (r *SessionReader) view(ctx context.Context, acct common.Address, method string, args ...any) ([]any, error) {
	data, err := account.ABI.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	out, err := r.ec.CallContract(ctx, ethereum.CallMsg{To: &acct, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	if len(out) == 0 {
		return nil, errNotAccount
	}
	v, err := account.ABI.Unpack(method, out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	return v, nil
}

// convert turns an ABI-decoded value (an anonymous struct) into T;
// abi.ConvertType panics on a shape mismatch, which becomes an error here.
func convert[T any](method string, in any) (out T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: unexpected result shape: %v", method, r)
		}
	}()
	return *abi.ConvertType(in, new(T)).(*T), nil
}

var errNotAccount = errors.New("the account has no session-account code (not delegated by EIP-7702)")

// ReadSession reads signer's current session on acct through the
// account's views. An account without code, or a signer never granted,
// gives a zero SessionInfo (ExpiresAtUnix 0).
func (r *SessionReader) ReadSession(ctx context.Context, acct, signer common.Address, now time.Time) (apiclient.SessionInfo, error) {
	info := apiclient.SessionInfo{ChainID: r.chainID, AccountAddress: acct.Hex(), SessionKeyAddress: signer.Hex(),
		CallPolicies: []apiclient.CallPolicy{}, TransferPolicies: []apiclient.TransferPolicy{}, Limits: []apiclient.LimitState{}}
	v, err := r.view(ctx, acct, "getSessionExpirationForSigner", signer)
	if errors.Is(err, errNotAccount) {
		return info, nil
	}
	if err != nil {
		return info, err
	}
	exp := v[0].(*big.Int)
	if exp.Sign() == 0 || !exp.IsInt64() {
		return info, nil
	}
	info.ExpiresAtUnix = exp.Int64()
	info.ExpiresAt = time.Unix(exp.Int64(), 0).UTC().Format(time.RFC3339)
	chainNow, _, err := r.ChainTime(ctx, now)
	if err != nil {
		return info, err
	}
	info.Live = chainNow.Unix() < info.ExpiresAtUnix
	if v, err = r.view(ctx, acct, "isWildcardSigner", signer); err != nil {
		return info, err
	}
	info.IsWildcard = v[0].(bool)
	if v, err = r.view(ctx, acct, "getCallPoliciesForSigner", signer); err != nil {
		return info, err
	}
	calls, err := convert[[]account.CallSpec]("getCallPoliciesForSigner", v[0])
	if err != nil {
		return info, err
	}
	if v, err = r.view(ctx, acct, "getTransferPoliciesForSigner", signer); err != nil {
		return info, err
	}
	transfers, err := convert[[]account.TransferSpec]("getTransferPoliciesForSigner", v[0])
	if err != nil {
		return info, err
	}
	info.CallPolicies, info.TransferPolicies = wireSpecs(calls, transfers)
	if v, err = r.view(ctx, acct, "getSessionStateForSigner", signer); err != nil {
		return info, err
	}
	st, err := convert[account.SessionState]("getSessionStateForSigner", v[0])
	if err != nil {
		return info, err
	}
	add := func(kind string, ls []account.LimitState) {
		for _, l := range ls {
			info.Limits = append(info.Limits, apiclient.LimitState{Kind: kind, Target: l.Target.Hex(),
				Selector: hexutil.Encode(l.Selector[:]), Index: l.Index.Uint64(), Remaining: apiclient.Dec(l.Remaining)})
		}
	}
	add(LimitKindTransferValue, st.TransferValue)
	add(LimitKindCallValue, st.CallValue)
	add(LimitKindCallParam, st.CallParams)
	return info, nil
}

// GrantEvent is one SessionCreated log of an account.
type GrantEvent struct {
	Signer   common.Address
	Block    uint64
	TxHash   common.Hash
	LogIndex uint
	Spec     account.SessionSpec
}

// Grants returns every SessionCreated log of acct (the event's indexed
// user is the account), oldest first.
func (r *SessionReader) Grants(ctx context.Context, acct common.Address) ([]GrantEvent, error) {
	ev := account.ABI.Events["SessionCreated"]
	logs, err := r.ec.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(r.FromBlock),
		Addresses: []common.Address{acct},
		Topics:    [][]common.Hash{{ev.ID}, {common.BytesToHash(acct.Bytes())}},
	})
	if err != nil {
		return nil, fmt.Errorf("SessionCreated logs from block %d: %w (a public RPC may limit the range: try --from-block)", r.FromBlock, err)
	}
	var out []GrantEvent
	for i := range logs {
		l := logs[i]
		e, err := account.DecodeSessionCreated(&l)
		if err != nil {
			return nil, fmt.Errorf("SessionCreated log in block %d: %w", l.BlockNumber, err)
		}
		out = append(out, GrantEvent{Signer: e.NewSigner, Block: l.BlockNumber, TxHash: l.TxHash, LogIndex: l.Index, Spec: e.SessionSpec})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Block != out[j].Block {
			return out[i].Block < out[j].Block
		}
		return out[i].LogIndex < out[j].LogIndex
	})
	return out, nil
}

func wireLimit(l account.UsageLimit) *apiclient.UsageLimit {
	return &apiclient.UsageLimit{LimitType: apiclient.LimitType(l.LimitType), Limit: apiclient.Dec(l.Limit), Period: apiclient.Dec(l.Period)}
}

// wireSpecs converts the contract's policy structs to the API's shapes.
func wireSpecs(calls []account.CallSpec, transfers []account.TransferSpec) ([]apiclient.CallPolicy, []apiclient.TransferPolicy) {
	cs := []apiclient.CallPolicy{}
	for _, c := range calls {
		p := apiclient.CallPolicy{Target: c.Target.Hex(), Selector: hexutil.Encode(c.Selector[:]),
			MaxValuePerUse: apiclient.Dec(c.MaxValuePerUse), ValueLimit: wireLimit(c.ValueLimit)}
		for _, k := range c.Constraints {
			p.Constraints = append(p.Constraints, apiclient.Constraint{Condition: apiclient.Condition(k.Condition), Index: k.Index,
				RefValue: hexutil.Encode(k.RefValue[:]), Limit: wireLimit(k.Limit)})
		}
		cs = append(cs, p)
	}
	ts := []apiclient.TransferPolicy{}
	for _, t := range transfers {
		ts = append(ts, apiclient.TransferPolicy{Target: t.Target.Hex(), MaxValuePerUse: apiclient.Dec(t.MaxValuePerUse), ValueLimit: wireLimit(t.ValueLimit)})
	}
	return cs, ts
}

// Session statuses of a SessionEntry.
const (
	SessionLive     = "live"
	SessionExpired  = "expired"
	SessionReplaced = "replaced" // a later grant to the same signer superseded it
	SessionRevoked  = "revoked"  // the signer's current grant allows nothing
)

// Meter is one metered limit of a live scoped session.
type Meter struct {
	Clause    string            `json:"clause"` // callPolicies[0].constraints[1].limit
	What      string            `json:"what"`   // "amount of transfer(address,uint256) on 0x7e57…0001"
	Type      string            `json:"type"`   // lifetime | allowance
	Limit     apiclient.Decimal `json:"limit"`
	Used      apiclient.Decimal `json:"used"`
	Remaining apiclient.Decimal `json:"remaining"`
	PeriodSec int64             `json:"periodSeconds,omitempty"`
	// RefillsAt is when an allowance's window ends and it refills (unix
	// seconds, chain time); 0 for lifetime limits or an untouched window.
	RefillsAt int64  `json:"refillsAt,omitempty"`
	Text      string `json:"text"`
	// State names the limit (kind, target, selector, argument) for Words.
	State     apiclient.LimitState `json:"-"`
	period    string               // "1h"; "" for lifetime limits
	refillsIn string               // "45m"; "" when RefillsAt is 0
}

// SessionEntry is one grant of an account: the current one of its signer,
// or an earlier one a later grant replaced.
type SessionEntry struct {
	Signer           string                     `json:"signer"`
	Status           string                     `json:"status"`
	Wildcard         bool                       `json:"wildcard"`
	ExpiresAtUnix    int64                      `json:"expiresAtUnix"`
	Expires          string                     `json:"expires"`
	GrantedBlock     uint64                     `json:"grantedBlock"`
	GrantTx          string                     `json:"grantTx"`
	ReplacedBlock    uint64                     `json:"replacedBlock,omitempty"`
	CallPolicies     []apiclient.CallPolicy     `json:"callPolicies"`
	TransferPolicies []apiclient.TransferPolicy `json:"transferPolicies"`
	Policies         []string                   `json:"policies"`
	Meters           []Meter                    `json:"meters,omitempty"`
}

// SessionList is an account's sessions as read from the chain.
type SessionList struct {
	ChainID   uint64         `json:"chainId"`
	Account   string         `json:"account"`
	Block     uint64         `json:"block"`
	ChainTime int64          `json:"chainTime"`
	Sessions  []SessionEntry `json:"sessions"`
}

// ListSessions lists every grant ever made on acct (SessionCreated logs),
// newest first: each signer's current grant with its status (live,
// expired, revoked) and, for a live scoped one, its meters; earlier grants
// as replaced.
func ListSessions(ctx context.Context, r *SessionReader, acct common.Address, now time.Time) (SessionList, error) {
	out := SessionList{ChainID: r.chainID, Account: acct.Hex(), Sessions: []SessionEntry{}}
	chainNow, block, err := r.ChainTime(ctx, now)
	if err != nil {
		return out, err
	}
	out.Block, out.ChainTime = block, chainNow.Unix()
	grants, err := r.Grants(ctx, acct)
	if err != nil {
		return out, err
	}
	latest := map[common.Address]int{}
	for i, g := range grants {
		latest[g.Signer] = i
	}
	for i := len(grants) - 1; i >= 0; i-- {
		g := grants[i]
		calls, transfers := wireSpecs(g.Spec.CallPolicies, g.Spec.TransferPolicies)
		e := SessionEntry{Signer: g.Signer.Hex(), Wildcard: g.Spec.IsWildcard, GrantedBlock: g.Block, GrantTx: g.TxHash.Hex(),
			CallPolicies: calls, TransferPolicies: transfers, Policies: []string{}}
		if g.Spec.ExpiresAt != nil && g.Spec.ExpiresAt.IsInt64() {
			e.ExpiresAtUnix = g.Spec.ExpiresAt.Int64()
		}
		var limits []apiclient.LimitState
		switch {
		case latest[g.Signer] != i:
			e.Status = SessionReplaced
			for _, h := range grants[i+1:] {
				if h.Signer == g.Signer {
					e.ReplacedBlock = h.Block
					break
				}
			}
		default:
			info, err := r.ReadSession(ctx, acct, g.Signer, now)
			if err != nil {
				return out, err
			}
			if info.ExpiresAtUnix != 0 {
				// The views are the truth; the event is what was asked.
				e.ExpiresAtUnix, e.Wildcard = info.ExpiresAtUnix, info.IsWildcard
				e.CallPolicies, e.TransferPolicies = info.CallPolicies, info.TransferPolicies
			}
			switch {
			case !e.Wildcard && len(e.CallPolicies)+len(e.TransferPolicies) == 0:
				e.Status = SessionRevoked
			case chainNow.Unix() >= e.ExpiresAtUnix:
				e.Status = SessionExpired
			default:
				e.Status = SessionLive
				limits = info.Limits
				if !e.Wildcard {
					e.Meters = Meters(e.CallPolicies, e.TransferPolicies, info.Limits, chainNow)
				}
			}
		}
		e.Expires = FormatExpiry(chainNow, time.Unix(e.ExpiresAtUnix, 0))
		if e.Status == SessionReplaced {
			e.Expires = fmt.Sprintf("replaced in block %d (was to expire %s)", e.ReplacedBlock, strings.SplitN(e.Expires, " (", 2)[0])
		}
		for _, p := range e.CallPolicies {
			e.Policies = append(e.Policies, DescribeCallPolicy(p, limits))
		}
		for _, p := range e.TransferPolicies {
			e.Policies = append(e.Policies, DescribeTransferPolicy(p, limits))
		}
		out.Sessions = append(out.Sessions, e)
	}
	return out, nil
}

// Meters pairs each metered limit of a session with its remaining amount
// (getSessionStateForSigner): used, remaining and, for allowances, when the
// window refills. Windows are fixed: block time / period. Text has the
// amounts in ETH and the argument grammar ("149e18"); Words renders them in
// other units.
func Meters(calls []apiclient.CallPolicy, transfers []apiclient.TransferPolicy, limits []apiclient.LimitState, chainNow time.Time) []Meter {
	var out []Meter
	add := func(clause string, state apiclient.LimitState, l *apiclient.UsageLimit, remaining *apiclient.Decimal) {
		if l == nil || l.LimitType == apiclient.LimitUnlimited || remaining == nil {
			return
		}
		lim, err1 := orZero(l.Limit).Big()
		rem, err2 := remaining.Big()
		if err1 != nil || err2 != nil {
			return
		}
		used := new(big.Int).Sub(lim, rem)
		if used.Sign() < 0 {
			used.SetInt64(0)
		}
		state.Remaining = apiclient.Dec(rem)
		m := Meter{Clause: clause, What: MeterName(state), Type: l.LimitType.String(), Limit: apiclient.Dec(lim), Used: apiclient.Dec(used),
			Remaining: apiclient.Dec(rem), State: state}
		if l.LimitType == apiclient.LimitAllowance {
			per, err := orZero(l.Period).Big()
			if err == nil && per.IsInt64() && per.Int64() > 0 {
				m.PeriodSec = per.Int64()
				m.period = formatPeriodDecimal(orZero(l.Period))
				if used.Sign() > 0 {
					p := per.Int64()
					m.RefillsAt = (chainNow.Unix()/p + 1) * p
					m.refillsIn = humanDuration(time.Unix(m.RefillsAt, 0).Sub(chainNow))
				}
			}
		}
		m.Text = m.Words(MeterAmountIn(nil))
		out = append(out, m)
	}
	for i, p := range calls {
		add(fmt.Sprintf("callPolicies[%d].valueLimit", i), apiclient.LimitState{Kind: LimitKindCallValue, Target: p.Target, Selector: p.Selector},
			p.ValueLimit, findLimit(limits, LimitKindCallValue, p.Target, p.Selector, 0))
		for j, c := range p.Constraints {
			add(fmt.Sprintf("callPolicies[%d].constraints[%d].limit", i, j),
				apiclient.LimitState{Kind: LimitKindCallParam, Target: p.Target, Selector: p.Selector, Index: c.Index},
				c.Limit, findLimit(limits, LimitKindCallParam, p.Target, p.Selector, c.Index))
		}
	}
	for i, p := range transfers {
		add(fmt.Sprintf("transferPolicies[%d].valueLimit", i), apiclient.LimitState{Kind: LimitKindTransferValue, Target: p.Target},
			p.ValueLimit, findLimit(limits, LimitKindTransferValue, p.Target, "", 0))
	}
	return out
}

// Words is the meter as one line, its amounts formatted by amount: "amount
// of transfer(address,uint256) on 0x7e57…0001: used 1 TST of 150 TST in
// total, 149 TST left" (the Try panel's RemainingLine names meters alike).
func (m Meter) Words(amount MeterAmount) string {
	f := func(d apiclient.Decimal) string {
		v, err := d.Big()
		if err != nil {
			return string(d)
		}
		return amount(m.State, v)
	}
	s := fmt.Sprintf("%s: used %s of %s", MeterName(m.State), f(m.Used), f(m.Limit))
	switch {
	case m.period != "":
		s += " per " + m.period
	case m.Type != apiclient.LimitAllowance.String():
		s += " in total"
	}
	s += ", " + f(m.Remaining) + " left"
	if m.refillsIn != "" {
		s += ", refills in " + m.refillsIn
	}
	return s
}

// MeterAmount formats an amount v of the meter l.
type MeterAmount func(l apiclient.LimitState, v *big.Int) string

// MeterAmountIn formats ETH amounts in ETH, argument amounts of the named
// tokens in their units ("149 TST") and other argument amounts in the
// argument grammar ("149e18"): their unit is unknown.
func MeterAmountIn(tokens []Token) MeterAmount {
	return func(l apiclient.LimitState, v *big.Int) string {
		if l.Kind != LimitKindCallParam {
			return FormatValue(v)
		}
		for _, t := range tokens {
			if t.Symbol != "" && apiclient.SameAddress(t.Address, l.Target) {
				return apiclient.FormatUnits(v, t.Decimals) + " " + apiclient.Printable(t.Symbol)
			}
		}
		return FormatArgAmount(v)
	}
}
