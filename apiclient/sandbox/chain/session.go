package chain

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	ma "walletconsole/apiclient/account" // thirdweb MinimalAccount ABI and tuples
	"walletconsole/apiclient/sandbox/contracts"
)

// Call is one call the account runs: To, Value (wei), Data.
type Call struct {
	To    common.Address
	Value *big.Int
	Data  []byte
}

// The account's tuples, as Go types: those of thirdweb's MinimalAccount ABI
// (apiclient/account, imported as ma), which SessionAccount declares
// exactly. Field names match the ABI, so abi.Pack and abi.ConvertType map
// them directly.
type (
	// UsageLimit: LimitType 0 Unlimited, 1 Lifetime, 2 Allowance (per Period seconds).
	UsageLimit = ma.UsageLimit
	// Constraint: Condition 0 Unconstrained, 1 Equal, 2 Greater, 3 Less,
	// 4 GreaterOrEqual, 5 LessOrEqual, 6 NotEqual on argument Index.
	Constraint = ma.Constraint
	// CallSpec allows calls with Selector to Target.
	CallSpec = ma.CallSpec
	// TransferSpec allows plain value transfers to Target.
	TransferSpec = ma.TransferSpec
	// SessionSpec is the grant the user signs (EIP-712).
	SessionSpec = ma.SessionSpec
)

// EIP-712 types, in one place. The contract hashes the same shapes.
var (
	eip712DomainType = []apitypes.Type{
		{Name: "name", Type: "string"},
		{Name: "version", Type: "string"},
		{Name: "chainId", Type: "uint256"},
		{Name: "verifyingContract", Type: "address"},
	}
	usageLimitType = []apitypes.Type{
		{Name: "limitType", Type: "uint8"},
		{Name: "limit", Type: "uint256"},
		{Name: "period", Type: "uint256"},
	}
	sessionTypes = apitypes.Types{
		"EIP712Domain": eip712DomainType,
		"UsageLimit":   usageLimitType,
		"Constraint": {
			{Name: "condition", Type: "uint8"},
			{Name: "index", Type: "uint64"},
			{Name: "refValue", Type: "bytes32"},
			{Name: "limit", Type: "UsageLimit"},
		},
		"CallSpec": {
			{Name: "target", Type: "address"},
			{Name: "selector", Type: "bytes4"},
			{Name: "maxValuePerUse", Type: "uint256"},
			{Name: "valueLimit", Type: "UsageLimit"},
			{Name: "constraints", Type: "Constraint[]"},
		},
		"TransferSpec": {
			{Name: "target", Type: "address"},
			{Name: "maxValuePerUse", Type: "uint256"},
			{Name: "valueLimit", Type: "UsageLimit"},
		},
		"SessionSpec": {
			{Name: "signer", Type: "address"},
			{Name: "isWildcard", Type: "bool"},
			{Name: "expiresAt", Type: "uint256"},
			{Name: "callPolicies", Type: "CallSpec[]"},
			{Name: "transferPolicies", Type: "TransferSpec[]"},
			{Name: "uid", Type: "bytes32"},
		},
	}
	wrappedTypes = apitypes.Types{
		"EIP712Domain": eip712DomainType,
		"Call": {
			{Name: "target", Type: "address"},
			{Name: "value", Type: "uint256"},
			{Name: "data", Type: "bytes"},
		},
		"WrappedCalls": {
			{Name: "calls", Type: "Call[]"},
			{Name: "uid", Type: "bytes32"},
		},
	}
)

func domain(chainID uint64, account common.Address) apitypes.TypedDataDomain {
	return apitypes.TypedDataDomain{
		Name:              "MinimalAccount",
		Version:           "1",
		ChainId:           math.NewHexOrDecimal256(int64(chainID)),
		VerifyingContract: account.Hex(),
	}
}

func bi(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

func limitMsg(l UsageLimit) map[string]interface{} {
	return map[string]interface{}{
		"limitType": new(big.Int).SetUint64(uint64(l.LimitType)),
		"limit":     bi(l.Limit),
		"period":    bi(l.Period),
	}
}

// SessionSpecDigest is the EIP-712 digest the account owner signs for a grant.
func SessionSpecDigest(chainID uint64, account common.Address, s SessionSpec) ([]byte, error) {
	calls := make([]interface{}, 0, len(s.CallPolicies))
	for _, cp := range s.CallPolicies {
		cons := make([]interface{}, 0, len(cp.Constraints))
		for _, k := range cp.Constraints {
			cons = append(cons, map[string]interface{}{
				"condition": new(big.Int).SetUint64(uint64(k.Condition)),
				"index":     new(big.Int).SetUint64(k.Index),
				"refValue":  k.RefValue,
				"limit":     limitMsg(k.Limit),
			})
		}
		calls = append(calls, map[string]interface{}{
			"target":         cp.Target.Hex(),
			"selector":       cp.Selector,
			"maxValuePerUse": bi(cp.MaxValuePerUse),
			"valueLimit":     limitMsg(cp.ValueLimit),
			"constraints":    cons,
		})
	}
	transfers := make([]interface{}, 0, len(s.TransferPolicies))
	for _, tp := range s.TransferPolicies {
		transfers = append(transfers, map[string]interface{}{
			"target":         tp.Target.Hex(),
			"maxValuePerUse": bi(tp.MaxValuePerUse),
			"valueLimit":     limitMsg(tp.ValueLimit),
		})
	}
	td := apitypes.TypedData{
		Types:       sessionTypes,
		PrimaryType: "SessionSpec",
		Domain:      domain(chainID, account),
		Message: apitypes.TypedDataMessage{
			"signer":           s.Signer.Hex(),
			"isWildcard":       s.IsWildcard,
			"expiresAt":        bi(s.ExpiresAt),
			"callPolicies":     calls,
			"transferPolicies": transfers,
			"uid":              s.Uid,
		},
	}
	digest, _, err := apitypes.TypedDataAndHash(td)
	return digest, err
}

// WrappedCallsDigest is the EIP-712 digest an account's own key signs for executeWithSig.
func WrappedCallsDigest(chainID uint64, account common.Address, calls []Call, uid [32]byte) ([]byte, error) {
	cs := make([]interface{}, 0, len(calls))
	for _, c := range calls {
		cs = append(cs, map[string]interface{}{
			"target": c.To.Hex(),
			"value":  bi(c.Value),
			"data":   append([]byte{}, c.Data...),
		})
	}
	td := apitypes.TypedData{
		Types:       wrappedTypes,
		PrimaryType: "WrappedCalls",
		Domain:      domain(chainID, account),
		Message:     apitypes.TypedDataMessage{"calls": cs, "uid": uid},
	}
	digest, _, err := apitypes.TypedDataAndHash(td)
	return digest, err
}

func sign(digest []byte, key *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := crypto.Sign(digest, key)
	if err != nil {
		return nil, err
	}
	sig[64] += 27
	return sig, nil
}

// normalize fills nil big.Ints so the spec packs.
func normalize(s SessionSpec) SessionSpec {
	nl := func(l UsageLimit) UsageLimit {
		return UsageLimit{LimitType: l.LimitType, Limit: bi(l.Limit), Period: bi(l.Period)}
	}
	out := s
	out.ExpiresAt = bi(s.ExpiresAt)
	out.CallPolicies = make([]CallSpec, len(s.CallPolicies))
	for i, cp := range s.CallPolicies {
		cp.MaxValuePerUse = bi(cp.MaxValuePerUse)
		cp.ValueLimit = nl(cp.ValueLimit)
		cons := make([]Constraint, len(cp.Constraints))
		for j, k := range cp.Constraints {
			k.Limit = nl(k.Limit)
			cons[j] = k
		}
		cp.Constraints = cons
		out.CallPolicies[i] = cp
	}
	out.TransferPolicies = make([]TransferSpec, len(s.TransferPolicies))
	for i, tp := range s.TransferPolicies {
		tp.MaxValuePerUse = bi(tp.MaxValuePerUse)
		tp.ValueLimit = nl(tp.ValueLimit)
		out.TransferPolicies[i] = tp
	}
	return out
}

func randomUID() ([32]byte, error) {
	var u [32]byte
	_, err := rand.Read(u[:])
	return u, err
}

func toABICalls(calls []Call) []ma.Call {
	out := make([]ma.Call, len(calls))
	for i, c := range calls {
		out[i] = ma.Call{Target: c.To, Value: bi(c.Value), Data: append([]byte{}, c.Data...)}
	}
	return out
}

func copyCalls(calls []Call) []Call {
	out := make([]Call, len(calls))
	for i, c := range calls {
		out[i] = Call{To: c.To, Value: new(big.Int).Set(bi(c.Value)), Data: append([]byte{}, c.Data...)}
	}
	return out
}

// GrantCalldata returns createSessionWithSig(spec, sig) calldata with the
// user's EIP-712 signature (spec.Uid must be set).
func GrantCalldata(chainID uint64, user *ecdsa.PrivateKey, spec SessionSpec) ([]byte, error) {
	spec = normalize(spec)
	account := crypto.PubkeyToAddress(user.PublicKey)
	digest, err := SessionSpecDigest(chainID, account, spec)
	if err != nil {
		return nil, err
	}
	sig, err := sign(digest, user)
	if err != nil {
		return nil, err
	}
	return contracts.AccountABI.Pack("createSessionWithSig", spec, sig)
}

// ExecuteCalldata returns execute(calls) calldata.
func ExecuteCalldata(calls []Call) ([]byte, error) {
	return contracts.AccountABI.Pack("execute", toABICalls(calls))
}

// ExecuteWithSigCalldata returns executeWithSig(WrappedCalls{calls, uid}, sig)
// calldata signed by key for key's own delegated account.
func ExecuteWithSigCalldata(chainID uint64, key *ecdsa.PrivateKey, calls []Call, uid [32]byte) ([]byte, error) {
	self := crypto.PubkeyToAddress(key.PublicKey)
	digest, err := WrappedCallsDigest(chainID, self, calls, uid)
	if err != nil {
		return nil, err
	}
	sig, err := sign(digest, key)
	if err != nil {
		return nil, err
	}
	return contracts.AccountABI.Pack("executeWithSig", ma.WrappedCalls{Calls: toABICalls(calls), Uid: uid}, sig)
}

// SubmitGrant grants spec on the user's account: it delegates the user's EOA
// to AccountImpl by EIP-7702 in the same transaction if needed, and calls
// createSessionWithSig(spec, user's EIP-712 signature) on the user's address.
// The relayer sends and pays. spec.Uid is filled randomly if zero. Returns
// once submitted.
func (c *Chain) SubmitGrant(ctx context.Context, user *ecdsa.PrivateKey, spec SessionSpec) (*Pending, error) {
	if user == nil {
		return nil, errors.New("chain: nil user key")
	}
	if spec.Uid == ([32]byte{}) {
		u, err := randomUID()
		if err != nil {
			return nil, err
		}
		spec.Uid = u
	}
	data, err := GrantCalldata(c.id, user, spec)
	if err != nil {
		return nil, fmt.Errorf("chain: encoding grant: %w", err)
	}
	account := crypto.PubkeyToAddress(user.PublicKey)
	return c.send(ctx, c.relayer, sendReq{
		to:       account,
		data:     data,
		delegate: []*ecdsa.PrivateKey{user},
		kind:     kindGrant,
		calls:    []Call{{To: account, Value: new(big.Int), Data: data}},

		mustBeDelegated: []common.Address{account},
	})
}

// SubmitExecute runs calls on account as sessionKey: the relayer calls
// executeWithSig on the session key's own delegated EOA (delegating it in the
// same transaction if needed), which calls account.execute(calls), so on the
// account msg.sender is the session key. Returns once submitted.
func (c *Chain) SubmitExecute(ctx context.Context, sessionKey *ecdsa.PrivateKey, account common.Address, calls []Call) (*Pending, error) {
	if sessionKey == nil {
		return nil, errors.New("chain: nil session key")
	}
	inner, err := ExecuteCalldata(calls)
	if err != nil {
		return nil, fmt.Errorf("chain: encoding execute: %w", err)
	}
	uid, err := randomUID()
	if err != nil {
		return nil, err
	}
	outer := []Call{{To: account, Value: new(big.Int), Data: inner}}
	data, err := ExecuteWithSigCalldata(c.id, sessionKey, outer, uid)
	if err != nil {
		return nil, fmt.Errorf("chain: encoding executeWithSig: %w", err)
	}
	return c.send(ctx, c.relayer, sendReq{
		to:       crypto.PubkeyToAddress(sessionKey.PublicKey),
		data:     data,
		delegate: []*ecdsa.PrivateKey{sessionKey},
		kind:     kindExecute,
		calls:    copyCalls(calls),

		mustBeDelegated: []common.Address{account, crypto.PubkeyToAddress(sessionKey.PublicKey)},
	})
}

// SubmitDirect sends one call as a plain transaction from key's address; the
// wallet pays gas. Returns once submitted.
func (c *Chain) SubmitDirect(ctx context.Context, key *ecdsa.PrivateKey, call Call) (*Pending, error) {
	if key == nil {
		return nil, errors.New("chain: nil key")
	}
	call = copyCalls([]Call{call})[0]
	return c.send(ctx, key, sendReq{to: call.To, value: call.Value, data: call.Data, kind: kindDirect, calls: []Call{call}})
}

// SubmitRaw sends arbitrary calldata from the relayer to `to`, optionally
// delegating EOAs in the same transaction. For tests and tooling (e.g. a
// hand-made executeWithSig with a bad signature).
func (c *Chain) SubmitRaw(ctx context.Context, to common.Address, data []byte, delegate ...*ecdsa.PrivateKey) (*Pending, error) {
	return c.send(ctx, c.relayer, sendReq{to: to, data: data, delegate: delegate, kind: kindDirect,
		calls: []Call{{To: to, Value: new(big.Int), Data: append([]byte{}, data...)}}})
}

// SessionState is the read-back of a signer's session on an account.
type SessionState struct {
	IsWildcard       bool
	ExpiresAt        uint64 // unix seconds; 0: never granted
	CallPolicies     []CallSpec
	TransferPolicies []TransferSpec
	Limits           []LimitState
}

// LimitState is the remaining amount of one metered limit (Unlimited limits
// are not listed). Kind is "transferValue", "callValue" or "callParam"; Index
// is the constrained argument's index for "callParam", else 0. For
// allowances Remaining is what is left in the current period.
type LimitState struct {
	Kind      string
	Target    common.Address
	Selector  [4]byte
	Index     uint64
	Remaining *big.Int
}

// Session reads signer's session on account (latest block). An account that
// is not delegated, or a signer never granted, gives a zero state.
func (c *Chain) Session(ctx context.Context, account, signer common.Address) (SessionState, error) {
	var st SessionState
	ok, err := c.IsDelegated(ctx, account)
	if err != nil || !ok {
		return st, err
	}
	call := func(method string) ([]interface{}, error) {
		data, err := contracts.AccountABI.Pack(method, signer)
		if err != nil {
			return nil, err
		}
		out, err := c.client.CallContract(ctx, ethereum.CallMsg{To: &account, Data: data}, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		return contracts.AccountABI.Unpack(method, out)
	}
	v, err := call("isWildcardSigner")
	if err != nil {
		return st, err
	}
	st.IsWildcard = v[0].(bool)
	if v, err = call("getSessionExpirationForSigner"); err != nil {
		return st, err
	}
	st.ExpiresAt = v[0].(*big.Int).Uint64()
	if v, err = call("getCallPoliciesForSigner"); err != nil {
		return st, err
	}
	st.CallPolicies = *contractsConvert(v[0], new([]CallSpec)).(*[]CallSpec)
	if v, err = call("getTransferPoliciesForSigner"); err != nil {
		return st, err
	}
	st.TransferPolicies = *contractsConvert(v[0], new([]TransferSpec)).(*[]TransferSpec)
	if v, err = call("getSessionStateForSigner"); err != nil {
		return st, err
	}
	ss := *contractsConvert(v[0], new(ma.SessionState)).(*ma.SessionState)
	add := func(kind string, ls []ma.LimitState) {
		for _, l := range ls {
			st.Limits = append(st.Limits, LimitState{Kind: kind, Target: l.Target, Selector: l.Selector, Index: l.Index.Uint64(), Remaining: l.Remaining})
		}
	}
	add("transferValue", ss.TransferValue)
	add("callValue", ss.CallValue)
	add("callParam", ss.CallParams)
	return st, nil
}

// contractsConvert converts an ABI-decoded value into proto's type; it
// panics (as abi.ConvertType does) only on a programming error.
func contractsConvert(in interface{}, proto interface{}) interface{} {
	return abi.ConvertType(in, proto)
}
