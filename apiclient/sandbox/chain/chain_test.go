package chain

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"walletconsole/apiclient/sandbox/contracts"
)

const testChainID = 84532

func eth(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
func tst(n int64) *big.Int { return eth(n) }
func wei(n int64) *big.Int { return big.NewInt(n) }
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func newTestChain(t *testing.T, opts Options) (*Manager, *Chain) {
	t.Helper()
	m := NewManager(opts)
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	c, err := m.Get(testChainID)
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func mustWait(t *testing.T, c *Chain, p *Pending, err error) Outcome {
	t.Helper()
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	o, err := c.Wait(ctxT(t), p)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return o
}

func expiry(c *Chain, d time.Duration) *big.Int {
	return big.NewInt(c.Now().Add(d).Unix())
}

func grant(t *testing.T, c *Chain, user *ecdsa.PrivateKey, spec SessionSpec) Outcome {
	t.Helper()
	if spec.ExpiresAt == nil {
		spec.ExpiresAt = expiry(c, time.Hour)
	}
	p, err := c.SubmitGrant(ctxT(t), user, spec)
	o := mustWait(t, c, p, err)
	if !o.Success {
		t.Fatalf("grant failed: %s", o.Reason)
	}
	return o
}

func transferData(t *testing.T, to common.Address, amount *big.Int) []byte {
	t.Helper()
	d, err := contracts.TokenABI.Pack("transfer", to, amount)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func approveData(t *testing.T, to common.Address, amount *big.Int) []byte {
	t.Helper()
	d, err := contracts.TokenABI.Pack("approve", to, amount)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var (
	selTransfer = [4]byte{0xa9, 0x05, 0x9c, 0xbb}
	selApprove  = [4]byte{0x09, 0x5e, 0xa7, 0xb3}
)

func wordAddr(a common.Address) [32]byte { return [32]byte(common.LeftPadBytes(a[:], 32)) }
func wordInt(v *big.Int) [32]byte {
	var w [32]byte
	v.FillBytes(w[:])
	return w
}

func TestForkPinnedMainnetGas(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	a, b := newKey(t), newKey(t)
	if err := c.Fund(ctx, addr(a)); err != nil {
		t.Fatal(err)
	}
	p, err := c.SubmitDirect(ctx, a, Call{To: addr(b), Value: wei(1)})
	o := mustWait(t, c, p, err)
	if !o.Success || o.GasUsed != 21000 {
		t.Fatalf("plain transfer: success=%v gas=%d, want 21000", o.Success, o.GasUsed)
	}
	got, _ := c.Balance(ctx, addr(a))
	if got.Cmp(eth(10)) >= 0 || got.Cmp(eth(9)) <= 0 {
		t.Fatalf("funded balance after transfer %s", got)
	}
	tb, _ := c.TokenBalance(ctx, addr(a))
	if tb.Cmp(tst(1000)) != 0 {
		t.Fatalf("token balance %s", tb)
	}
	cfgTime := c.Now()
	if time.Since(cfgTime) > time.Minute || time.Until(cfgTime) > time.Minute {
		t.Fatalf("chain time %v far from now", cfgTime)
	}
	id, err := c.Client().ChainID(ctx)
	if err != nil || id.Uint64() != testChainID {
		t.Fatalf("chain id %v %v", id, err)
	}
}

func TestGrantAndWildcardExecute(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk, rcpt := newKey(t), newKey(t), newKey(t)
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	o := grant(t, c, user, SessionSpec{Signer: addr(sk), IsWildcard: true})
	t.Logf("grant (with delegation) gas: %d", o.GasUsed)
	if o.GasUsed > 1_000_000 {
		t.Errorf("grant gas %d, want well under 1M", o.GasUsed)
	}
	code, _ := c.Code(ctx, addr(user))
	if target, ok := types.ParseDelegation(code); !ok || target != c.AccountImpl() {
		t.Fatalf("user not delegated: %x", code)
	}
	if !hasSessionCreated(o.Logs, nil) {
		t.Fatal("no SessionCreated event")
	}
	userEth, _ := c.Balance(ctx, addr(user))

	// The seed flow: 0 ETH to the user's own address.
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(user), Value: wei(0)}})
	o = mustWait(t, c, p, err)
	if !o.Success {
		t.Fatalf("0 ETH to self: %s", o.Reason)
	}
	t.Logf("execute (with session-key delegation) gas: %d", o.GasUsed)
	if p.From != c.Relayer() || !p.Delegated {
		t.Fatalf("pending from %s delegated %v", p.From.Hex(), p.Delegated)
	}

	// A token transfer and an ETH transfer: they come from the user.
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{
		{To: c.Token(), Data: transferData(t, addr(rcpt), tst(5))},
		{To: addr(rcpt), Value: eth(1)},
	})
	o = mustWait(t, c, p, err)
	if !o.Success {
		t.Fatalf("wildcard execute: %s", o.Reason)
	}
	t.Logf("execute (token+eth, key already delegated) gas: %d", o.GasUsed)
	if tb, _ := c.TokenBalance(ctx, addr(rcpt)); tb.Cmp(tst(5)) != 0 {
		t.Fatalf("recipient TST %s", tb)
	}
	if b, _ := c.Balance(ctx, addr(rcpt)); b.Cmp(eth(1)) != 0 {
		t.Fatalf("recipient ETH %s", b)
	}
	// The user paid no gas: exactly 1 ETH left the account.
	if b, _ := c.Balance(ctx, addr(user)); new(big.Int).Sub(userEth, b).Cmp(eth(1)) != 0 {
		t.Fatalf("user ETH %s -> %s", userEth, b)
	}
	// The Transfer event names the user as sender.
	tev := contracts.TokenABI.Events["Transfer"].ID
	found := false
	for _, l := range o.Logs {
		if l.Address == c.Token() && l.Topics[0] == tev && common.BytesToAddress(l.Topics[1][:]) == addr(user) {
			found = true
		}
	}
	if !found {
		t.Fatal("no Transfer event from the user")
	}
	st, err := c.Session(ctx, addr(user), addr(sk))
	if err != nil || !st.IsWildcard || st.ExpiresAt == 0 {
		t.Fatalf("session read-back %+v %v", st, err)
	}
}

func TestExecuteRoutes(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk, other := newKey(t), newKey(t), newKey(t)
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	grant(t, c, user, SessionSpec{Signer: addr(sk), IsWildcard: true})

	// Direct route: the session key sends execute to the user's address itself.
	if err := c.Fund(ctx, addr(sk)); err != nil {
		t.Fatal(err)
	}
	data, _ := ExecuteCalldata([]Call{{To: addr(other), Value: wei(7)}})
	p, err := c.SubmitDirect(ctx, sk, Call{To: addr(user), Data: data})
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatalf("direct execute: %s", o.Reason)
	}
	if b, _ := c.Balance(ctx, addr(other)); b.Cmp(wei(7)) != 0 {
		t.Fatalf("other balance %s", b)
	}

	// A key with no session.
	stranger := newKey(t)
	p, err = c.SubmitExecute(ctx, stranger, addr(user), []Call{{To: addr(user)}})
	o := mustWait(t, c, p, err)
	wantFail(t, o, "SessionExpired: session expired or never granted for this signer")

	// An account that never delegated (never granted anything).
	p, err = c.SubmitExecute(ctx, sk, addr(other), []Call{{To: addr(user)}})
	wantFail(t, mustWait(t, c, p, err), "SessionExpired: ")

	// Bad signature on executeWithSig: signed by another key.
	uid, _ := randomUID()
	inner, _ := ExecuteCalldata([]Call{{To: addr(user)}})
	badData, _ := ExecuteWithSigCalldata(c.ChainID(), other, []Call{{To: addr(user), Data: inner}}, uid)
	p, err = c.SubmitRaw(ctx, addr(sk), badData, sk)
	wantFail(t, mustWait(t, c, p, err), "InvalidSignature: ")

	// Replayed executeWithSig uid.
	good, _ := ExecuteWithSigCalldata(c.ChainID(), sk, []Call{{To: addr(user), Data: inner}}, uid)
	p, err = c.SubmitRaw(ctx, addr(sk), good)
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatalf("executeWithSig: %s", o.Reason)
	}
	p, err = c.SubmitRaw(ctx, addr(sk), good)
	wantFail(t, mustWait(t, c, p, err), "UIDAlreadyProcessed: ")

	// Empty call list.
	p, err = c.SubmitExecute(ctx, sk, addr(user), nil)
	wantFail(t, mustWait(t, c, p, err), "NoCallsToExecute: ")

	// Inner revert bubbles up: the token's own error.
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: c.Token(), Data: transferData(t, addr(other), tst(5000))}})
	wantFail(t, mustWait(t, c, p, err), "ERC20InsufficientBalance: token balance too low")
}

func wantFail(t *testing.T, o Outcome, reason string) {
	t.Helper()
	if o.Success {
		t.Fatalf("succeeded, want failure %q", reason)
	}
	if !strings.HasPrefix(o.Reason, reason) {
		t.Fatalf("reason %q, want prefix %q", o.Reason, reason)
	}
	if o.Block == 0 {
		t.Fatal("failure not on chain")
	}
}

func TestGrantErrors(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)

	spec := SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, time.Hour), Uid: [32]byte{1}}
	grant(t, c, user, spec)
	// Replayed uid.
	p, err := c.SubmitGrant(ctx, user, spec)
	wantFail(t, mustWait(t, c, p, err), "UIDAlreadyProcessed: ")
	// Zero signer.
	p, err = c.SubmitGrant(ctx, user, SessionSpec{ExpiresAt: expiry(c, time.Hour)})
	wantFail(t, mustWait(t, c, p, err), "SessionZeroSigner: ")
	// Expiry not in the future.
	p, err = c.SubmitGrant(ctx, user, SessionSpec{Signer: addr(sk), ExpiresAt: big.NewInt(c.Now().Unix() - 1)})
	wantFail(t, mustWait(t, c, p, err), "SessionExpiresTooSoon: ")
	// Signature not from the account's owner.
	other := newKey(t)
	spec2 := SessionSpec{Signer: addr(sk), ExpiresAt: expiry(c, time.Hour), Uid: [32]byte{2}}
	data, _ := GrantCalldata(c.ChainID(), other, spec2)
	p, err = c.SubmitRaw(ctx, addr(user), data)
	wantFail(t, mustWait(t, c, p, err), "InvalidSignature: ")
}

func TestExpiry(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	grant(t, c, user, SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, 60*time.Second)})
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(user)}})
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatal(o.Reason)
	}
	before := c.LatestBlockTime()
	if err := c.AdvanceTime(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if d := c.LatestBlockTime().Sub(before); d < 2*time.Minute {
		t.Fatalf("time advanced by %v", d)
	}
	if c.Now().Before(c.LatestBlockTime()) {
		t.Fatal("Now before the latest block")
	}
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(user)}})
	wantFail(t, mustWait(t, c, p, err), "SessionExpired: ")
}

// TestPolicyTable: one row per rule, each with fresh user and session key.
func TestPolicyTable(t *testing.T) {
	_, c := newTestChain(t, Options{})
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	rcpt2 := common.HexToAddress("0x5555555555555555555555555555555555555555")
	tokenPolicy := func(cons ...Constraint) CallSpec {
		return CallSpec{Target: c.Token(), Selector: selTransfer, Constraints: cons}
	}
	lifetime := func(n *big.Int) UsageLimit { return UsageLimit{LimitType: 1, Limit: n} }
	allowance := func(n *big.Int, period int64) UsageLimit {
		return UsageLimit{LimitType: 2, Limit: n, Period: big.NewInt(period)}
	}
	tx := func(to common.Address, amount *big.Int) Call {
		return Call{To: c.Token(), Data: transferData(t, to, amount)}
	}
	cond := func(k uint8, index uint64, ref [32]byte) Constraint {
		return Constraint{Condition: k, Index: index, RefValue: ref}
	}
	type step struct {
		calls   []Call
		advance time.Duration
		reason  string // "" success
	}
	rows := []struct {
		name  string
		spec  SessionSpec
		steps []step
	}{
		{"allowed token transfer", SessionSpec{CallPolicies: []CallSpec{tokenPolicy()}},
			[]step{{calls: []Call{tx(rcpt, tst(1))}}}},
		{"wrong target", SessionSpec{CallPolicies: []CallSpec{{Target: rcpt2, Selector: selTransfer}}},
			[]step{{calls: []Call{tx(rcpt, tst(1))}, reason: "CallPolicyViolated: no matching policy"}}},
		{"wrong selector", SessionSpec{CallPolicies: []CallSpec{tokenPolicy()}},
			[]step{{calls: []Call{{To: c.Token(), Data: approveData(t, rcpt, tst(1))}}, reason: fmt.Sprintf("CallPolicyViolated: no matching policy for this call (target %s, selector %#x)", c.Token().Hex(), selApprove)}}},
		{"value above max per use", SessionSpec{CallPolicies: []CallSpec{{Target: rcpt2, Selector: [4]byte{1, 2, 3, 4}, MaxValuePerUse: wei(10)}}},
			[]step{
				{calls: []Call{{To: rcpt2, Value: wei(10), Data: []byte{1, 2, 3, 4}}}},
				{calls: []Call{{To: rcpt2, Value: wei(11), Data: []byte{1, 2, 3, 4}}}, reason: "MaxValueExceeded: value above max per use (value 11 wei, max 10 wei)"},
			}},
		{"inner call without reason", SessionSpec{CallPolicies: []CallSpec{{Target: c.Token(), Selector: selTransfer, MaxValuePerUse: wei(10)}}},
			[]step{{calls: []Call{{To: c.Token(), Value: wei(10), Data: transferData(t, rcpt, wei(0))}}, reason: "CallReverted: "}}}, // token is not payable
		{"lifetime limit over several calls", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(Constraint{Index: 1, Limit: lifetime(tst(150))})}},
			[]step{
				{calls: []Call{tx(rcpt, tst(100))}},
				{calls: []Call{tx(rcpt, tst(50))}},
				{calls: []Call{tx(rcpt, wei(1))}, reason: "LifetimeUsageExceeded: lifetime limit exceeded"},
			}},
		{"allowance resets after its period", SessionSpec{ExpiresAt: expiry(c, 3*time.Hour), CallPolicies: []CallSpec{tokenPolicy(Constraint{Index: 1, Limit: allowance(tst(10), 3600)})}},
			[]step{
				{calls: []Call{tx(rcpt, tst(6))}},
				{calls: []Call{tx(rcpt, tst(5))}, reason: "AllowanceExceeded: allowance limit exceeded for this period"},
				{advance: time.Hour},
				{calls: []Call{tx(rcpt, tst(10))}},
			}},
		{"call value lifetime limit", SessionSpec{CallPolicies: []CallSpec{{Target: rcpt2, Selector: [4]byte{1, 2, 3, 4}, MaxValuePerUse: wei(100), ValueLimit: lifetime(wei(150))}}},
			[]step{
				{calls: []Call{{To: rcpt2, Value: wei(100), Data: []byte{1, 2, 3, 4}}}},
				{calls: []Call{{To: rcpt2, Value: wei(51), Data: []byte{1, 2, 3, 4}}}, reason: "LifetimeUsageExceeded: "},
			}},
		{"equal", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(1, 0, wordAddr(rcpt)))}},
			[]step{{calls: []Call{tx(rcpt, tst(1))}}, {calls: []Call{tx(rcpt2, tst(1))}, reason: "ConditionFailed: argument constraint failed"}}},
		{"not equal", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(6, 0, wordAddr(rcpt)))}},
			[]step{{calls: []Call{tx(rcpt2, tst(1))}}, {calls: []Call{tx(rcpt, tst(1))}, reason: "ConditionFailed: "}}},
		{"greater", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(2, 1, wordInt(wei(100))))}},
			[]step{{calls: []Call{tx(rcpt, wei(101))}}, {calls: []Call{tx(rcpt, wei(100))}, reason: "ConditionFailed: argument constraint failed (argument 100, required > 100)"}}},
		{"less", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(3, 1, wordInt(wei(100))))}},
			[]step{{calls: []Call{tx(rcpt, wei(99))}}, {calls: []Call{tx(rcpt, wei(100))}, reason: "ConditionFailed: "}}},
		{"greater or equal", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(4, 1, wordInt(wei(100))))}},
			[]step{{calls: []Call{tx(rcpt, wei(100))}}, {calls: []Call{tx(rcpt, wei(99))}, reason: "ConditionFailed: "}}},
		{"less or equal", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(5, 1, wordInt(tst(100))))}},
			[]step{{calls: []Call{tx(rcpt, tst(100))}}, {calls: []Call{tx(rcpt, new(big.Int).Add(tst(100), wei(1)))}, reason: "ConditionFailed: "}}},
		{"unconstrained", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(0, 1, [32]byte{}))}},
			[]step{{calls: []Call{tx(rcpt, tst(3))}}}},
		{"calldata too short for constraint", SessionSpec{CallPolicies: []CallSpec{tokenPolicy(cond(0, 2, [32]byte{}))}},
			[]step{{calls: []Call{tx(rcpt, tst(1))}, reason: "InvalidDataLength: "}}},
		{"native transfer within and beyond its limit", SessionSpec{TransferPolicies: []TransferSpec{{Target: rcpt, MaxValuePerUse: eth(1), ValueLimit: lifetime(eth(2))}}},
			[]step{
				{calls: []Call{{To: rcpt, Value: eth(1)}}},
				{calls: []Call{{To: rcpt, Value: eth(1)}}},
				{calls: []Call{{To: rcpt, Value: wei(1)}}, reason: "LifetimeUsageExceeded: "},
			}},
		{"native transfer above max per use", SessionSpec{TransferPolicies: []TransferSpec{{Target: rcpt, MaxValuePerUse: eth(1)}}},
			[]step{{calls: []Call{{To: rcpt, Value: new(big.Int).Add(eth(1), wei(1))}}, reason: "MaxValueExceeded: "}}},
		{"transfer to an unlisted target", SessionSpec{TransferPolicies: []TransferSpec{{Target: rcpt, MaxValuePerUse: eth(1)}}},
			[]step{{calls: []Call{{To: rcpt2, Value: wei(1)}}, reason: "TransferPolicyViolated: no matching policy for this transfer (target " + rcpt2.Hex() + ")"}}},
		{"wildcard passes anything", SessionSpec{IsWildcard: true},
			[]step{{calls: []Call{tx(rcpt2, tst(1)), {To: rcpt2, Value: eth(1)}, {To: c.Token(), Data: approveData(t, rcpt, tst(1))}}}}},
		{"second call of a batch violates", SessionSpec{CallPolicies: []CallSpec{tokenPolicy()}},
			[]step{{calls: []Call{tx(rcpt, tst(1)), {To: rcpt, Value: wei(1)}}, reason: "TransferPolicyViolated: "}}},
	}
	// Rows run at once, as users would: on an honest clock blocks come at
	// most about once a second, so one row after another would take
	// minutes. A row that advances time gets a chain of its own.
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, r := range rows {
		wg.Add(1)
		go t.Run(r.name, func(t *testing.T) {
			defer wg.Done()
			c, ctx := c, ctxT(t)
			for _, s := range r.steps {
				if s.advance > 0 {
					_, c = newTestChain(t, Options{})
					break
				}
			}
			user, sk := newKey(t), newKey(t)
			if err := c.Fund(ctx, addr(user)); err != nil {
				t.Fatal(err)
			}
			spec := r.spec
			spec.Signer = addr(sk)
			grant(t, c, user, spec)
			for i, s := range r.steps {
				if s.advance > 0 {
					if err := c.AdvanceTime(s.advance); err != nil {
						t.Fatal(err)
					}
					continue
				}
				p, err := c.SubmitExecute(ctx, sk, addr(user), s.calls)
				o := mustWait(t, c, p, err)
				if s.reason == "" {
					if !o.Success {
						t.Fatalf("step %d: %s", i, o.Reason)
					}
					continue
				}
				if o.Success || !strings.HasPrefix(o.Reason, s.reason) {
					t.Fatalf("step %d: success=%v reason %q, want %q", i, o.Success, o.Reason, s.reason)
				}
			}
		})
	}
}

func TestOtherUsersSessionKey(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	alice, bob, skA := newKey(t), newKey(t), newKey(t)
	for _, k := range []*ecdsa.PrivateKey{alice, bob} {
		if err := c.Fund(ctx, addr(k)); err != nil {
			t.Fatal(err)
		}
	}
	grant(t, c, alice, SessionSpec{Signer: addr(skA), IsWildcard: true})
	grant(t, c, bob, SessionSpec{Signer: addr(newKey(t)), IsWildcard: true})
	p, err := c.SubmitExecute(ctx, skA, addr(bob), []Call{{To: addr(skA), Value: eth(1)}})
	wantFail(t, mustWait(t, c, p, err), "SessionExpired: ")
}

func TestSessionReadBack(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	exp := expiry(c, time.Hour)
	spec := SessionSpec{
		Signer: addr(sk), ExpiresAt: exp,
		CallPolicies: []CallSpec{{Target: c.Token(), Selector: selTransfer, Constraints: []Constraint{
			{Condition: 1, Index: 0, RefValue: wordAddr(rcpt)},
			{Condition: 5, Index: 1, RefValue: wordInt(tst(100)), Limit: UsageLimit{LimitType: 1, Limit: tst(150)}},
		}}},
		TransferPolicies: []TransferSpec{{Target: rcpt, MaxValuePerUse: eth(1), ValueLimit: UsageLimit{LimitType: 2, Limit: eth(2), Period: big.NewInt(86400)}}},
	}
	o := grant(t, c, user, spec)
	t.Logf("restricted grant (1 call policy, 2 constraints, 1 transfer policy, with delegation) gas: %d", o.GasUsed)
	if o.GasUsed > 1_000_000 {
		t.Errorf("grant gas %d", o.GasUsed)
	}
	st, err := c.Session(ctx, addr(user), addr(sk))
	if err != nil {
		t.Fatal(err)
	}
	if st.IsWildcard || st.ExpiresAt != exp.Uint64() || len(st.CallPolicies) != 1 || len(st.TransferPolicies) != 1 {
		t.Fatalf("read-back %+v", st)
	}
	cp := st.CallPolicies[0]
	if cp.Target != c.Token() || cp.Selector != selTransfer || len(cp.Constraints) != 2 || cp.Constraints[1].RefValue != wordInt(tst(100)) ||
		cp.Constraints[1].Limit.Limit.Cmp(tst(150)) != 0 || cp.Constraints[0].RefValue != wordAddr(rcpt) {
		t.Fatalf("call policy %+v", cp)
	}
	remaining := func(st SessionState, kind string) *big.Int {
		for _, l := range st.Limits {
			if l.Kind == kind {
				return l.Remaining
			}
		}
		t.Fatalf("no %s limit in %+v", kind, st.Limits)
		return nil
	}
	if len(st.Limits) != 2 || remaining(st, "callParam").Cmp(tst(150)) != 0 || remaining(st, "transferValue").Cmp(eth(2)) != 0 {
		t.Fatalf("limits %+v", st.Limits)
	}
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: c.Token(), Data: transferData(t, rcpt, tst(40))}, {To: rcpt, Value: eth(1)}})
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatal(o.Reason)
	} else {
		t.Logf("restricted execute (token transfer + ETH transfer, 2 metered limits) gas: %d", o.GasUsed)
	}
	st, _ = c.Session(ctx, addr(user), addr(sk))
	if remaining(st, "callParam").Cmp(tst(110)) != 0 || remaining(st, "transferValue").Cmp(eth(1)) != 0 {
		t.Fatalf("limits after use %+v", st.Limits)
	}
	for _, l := range st.Limits {
		if l.Kind == "callParam" && (l.Index != 1 || l.Selector != selTransfer || l.Target != c.Token()) {
			t.Fatalf("callParam limit %+v", l)
		}
	}
	// A new grant to the same signer replaces the old one, with fresh usage.
	grant(t, c, user, spec)
	st, _ = c.Session(ctx, addr(user), addr(sk))
	if remaining(st, "callParam").Cmp(tst(150)) != 0 {
		t.Fatalf("regrant limits %+v", st.Limits)
	}
	// Unknown signer / undelegated account: zero state.
	if st, err := c.Session(ctx, addr(user), addr(newKey(t))); err != nil || st.ExpiresAt != 0 {
		t.Fatalf("unknown signer %+v %v", st, err)
	}
	if st, err := c.Session(ctx, addr(newKey(t)), addr(sk)); err != nil || st.ExpiresAt != 0 {
		t.Fatalf("undelegated %+v %v", st, err)
	}
}

func TestTwoChainsAndConcurrency(t *testing.T) {
	m, c1 := newTestChain(t, Options{})
	c2, err := m.Get(1337)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := m.Get(testChainID); again != c1 {
		t.Fatal("Get not idempotent")
	}
	if _, err := m.Get(0); err == nil {
		t.Fatal("chain 0 accepted")
	}
	if ids := m.Chains(); len(ids) != 2 || ids[0] != 1337 || ids[1] != testChainID {
		t.Fatalf("chains %v", ids)
	}
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for _, c := range []*Chain{c1, c2} {
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func(c *Chain) {
				defer wg.Done()
				user, sk := newKey(t), newKey(t)
				if err := c.Fund(ctx, addr(user)); err != nil {
					errs <- err
					return
				}
				p, err := c.SubmitGrant(ctx, user, SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, time.Hour)})
				if err != nil {
					errs <- err
					return
				}
				if o, err := c.Wait(ctx, p); err != nil || !o.Success {
					errs <- errorf("grant on %d: %v %s", c.ChainID(), err, o.Reason)
					return
				}
				p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(sk), Value: wei(1)}})
				if err != nil {
					errs <- err
					return
				}
				if o, err := c.Wait(ctx, p); err != nil || !o.Success {
					errs <- errorf("execute on %d: %v %s", c.ChainID(), err, o.Reason)
				}
			}(c)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A grant signed for one chain is rejected on the other (domain chainId).
	user, sk := newKey(t), newKey(t)
	data, _ := GrantCalldata(c1.ChainID(), user, SessionSpec{Signer: addr(sk), ExpiresAt: expiry(c2, time.Hour), Uid: [32]byte{9}})
	p, err := c2.SubmitRaw(ctx, addr(user), data, user)
	wantFail(t, mustWait(t, c2, p, err), "InvalidSignature: ")
}

func errorf(format string, a ...interface{}) error { return fmt.Errorf(format, a...) }

func TestBlockTimeMode(t *testing.T) {
	const bt = 200 * time.Millisecond
	_, c := newTestChain(t, Options{BlockTime: bt})
	ctx := ctxT(t)
	user, sk := newKey(t), newKey(t)
	start := time.Now()
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*bt+250*time.Millisecond {
		t.Fatalf("fund took %v with block time %v", d, bt)
	}
	grant(t, c, user, SessionSpec{Signer: addr(sk), IsWildcard: true})
	// Several transactions from the relayer land in one block.
	var ps []*Pending
	for i := 0; i < 5; i++ {
		p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(sk), Value: wei(1)}})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	start = time.Now()
	blocks := map[uint64]bool{}
	for _, p := range ps {
		o, err := c.Wait(ctx, p)
		if err != nil || !o.Success {
			t.Fatalf("%v %s", err, o.Reason)
		}
		blocks[o.Block] = true
	}
	if d := time.Since(start); d > 2*bt+250*time.Millisecond {
		t.Fatalf("confirmation took %v with block time %v", d, bt)
	}
	if len(blocks) > 2 {
		t.Fatalf("5 txs spread over %d blocks", len(blocks))
	}
	// Time moves with pending transactions.
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(sk), Value: wei(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AdvanceTime(time.Hour); err != nil {
		t.Fatal(err)
	}
	if o, err := c.Wait(ctx, p); err != nil || !o.Success {
		t.Fatalf("%v %s", err, o.Reason)
	}
}

func TestRPC(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m := NewManager(Options{RPCAddr: "127.0.0.1:" + strconv.Itoa(port), RPCChainID: 31337})
	defer m.Close()
	if m.RPCErr() != nil {
		t.Fatal(m.RPCErr())
	}
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`)
	resp, err := http.Post(m.RPCURL(), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Result string `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Result != "0x7a69" {
		t.Fatalf("eth_chainId = %q, want 0x7a69", out.Result)
	}
	if ids := m.Chains(); len(ids) != 1 || ids[0] != 31337 {
		t.Fatalf("chains %v", ids)
	}
	// The port is taken now: a second manager reports it.
	taken := NewManager(Options{RPCAddr: "127.0.0.1:" + strconv.Itoa(port), RPCChainID: 31337})
	if _, err := taken.Get(31337); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("port taken: %v", err)
	}
	taken.Close()
	if bad := NewManager(Options{RPCAddr: "0.0.0.0:8545"}); bad.RPCErr() == nil {
		bad.Close()
		t.Fatal("non-loopback RPC address accepted")
	} else {
		bad.Close()
	}
}

func TestCloseNoLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, bt := range []time.Duration{0, 50 * time.Millisecond} {
		m := NewManager(Options{BlockTime: bt})
		for _, id := range []uint64{1, 2} {
			c, err := m.Get(id)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Fund(ctxT(t), addr(newKey(t))); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Get(1); err == nil {
			t.Fatal("Get after Close")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after close\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestSameBlockRevertReason: a grant and a violating execute mined in one
// block; replaying the execute alone on the parent state would say
// SessionExpired, the block re-simulation gives the real reason.
func TestSameBlockRevertReason(t *testing.T) {
	_, c := newTestChain(t, Options{BlockTime: 300 * time.Millisecond})
	ctx := ctxT(t)
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	// The two submissions race the block ticker: retry until they share a block.
	for attempt := 0; ; attempt++ {
		user, sk := newKey(t), newKey(t)
		pg, err := c.SubmitGrant(ctx, user, SessionSpec{Signer: addr(sk), ExpiresAt: expiry(c, time.Hour),
			CallPolicies: []CallSpec{{Target: c.Token(), Selector: selTransfer}}})
		if err != nil {
			t.Fatal(err)
		}
		pe, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: c.Token(), Data: approveData(t, rcpt, wei(1))}})
		if err != nil {
			t.Fatal(err)
		}
		og := mustWait(t, c, pg, nil)
		oe := mustWait(t, c, pe, nil)
		if !og.Success {
			t.Fatalf("grant: %s", og.Reason)
		}
		wantFail(t, oe, "CallPolicyViolated: ")
		if og.Block != oe.Block {
			if attempt < 5 {
				continue
			}
			t.Skip("could not get grant and execute into one block")
		}
		c.sigMu.Lock()
		m := c.mined[pe.Hash]
		c.sigMu.Unlock()
		data, ok := c.simulateRevert(ctx, pe, m)
		if !ok || !strings.HasPrefix(contracts.DecodeRevert(data), "CallPolicyViolated: ") {
			t.Fatalf("simulateRevert: ok=%v %x", ok, data)
		}
		return
	}
}

// TestDelegatedSenderSeveralTxsPerBlock: the txpool allows one in-flight
// transaction per delegated account; several direct sends from a delegated
// wallet within one block interval still go through.
func TestDelegatedSenderSeveralTxsPerBlock(t *testing.T) {
	_, c := newTestChain(t, Options{BlockTime: 200 * time.Millisecond})
	ctx := ctxT(t)
	user, sk, other := newKey(t), newKey(t), newKey(t)
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	// Grant (delegation pending) and a direct send from the user at once.
	pg, err := c.SubmitGrant(ctx, user, SessionSpec{Signer: addr(sk), IsWildcard: true, ExpiresAt: expiry(c, time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var ps []*Pending
	for i := 0; i < 3; i++ {
		p, err := c.SubmitDirect(ctx, user, Call{To: addr(other), Value: wei(1)})
		if err != nil {
			t.Fatalf("direct %d: %v", i, err)
		}
		ps = append(ps, p)
	}
	if o := mustWait(t, c, pg, nil); !o.Success {
		t.Fatal(o.Reason)
	}
	for _, p := range ps {
		if o := mustWait(t, c, p, nil); !o.Success {
			t.Fatal(o.Reason)
		}
	}
	if b, _ := c.Balance(ctx, addr(other)); b.Cmp(wei(3)) != 0 {
		t.Fatalf("balance %s", b)
	}
}

func TestContractViews(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user := newKey(t)
	grant(t, c, user, SessionSpec{Signer: addr(newKey(t)), IsWildcard: true})
	call := func(to common.Address, a abiLike, method string) []interface{} {
		data, err := a.Pack(method)
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.Client().CallContract(ctx, ethereumCall(to, data), nil)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		v, err := a.Unpack(method, out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	d := call(addr(user), &contracts.AccountABI, "eip712Domain")
	if d[1].(string) != "MinimalAccount" || d[2].(string) != "1" || d[3].(*big.Int).Uint64() != testChainID || d[4].(common.Address) != addr(user) {
		t.Fatalf("eip712Domain %v", d)
	}
	if v := call(c.Token(), &contracts.TokenABI, "name"); v[0].(string) != "Workshop Token" {
		t.Fatalf("name %v", v)
	}
	if v := call(c.Token(), &contracts.TokenABI, "symbol"); v[0].(string) != "TST" {
		t.Fatalf("symbol %v", v)
	}
	if v := call(c.Token(), &contracts.TokenABI, "decimals"); v[0].(uint8) != 18 {
		t.Fatalf("decimals %v", v)
	}
}

type abiLike interface {
	Pack(name string, args ...interface{}) ([]byte, error)
	Unpack(name string, data []byte) ([]interface{}, error)
}

func ethereumCall(to common.Address, data []byte) ethereum.CallMsg {
	return ethereum.CallMsg{To: &to, Data: data}
}
