package chain

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"walletconsole/apiclient/account"
)

// eventsOf decodes every log of one event (by thirdweb's MinimalAccount ABI)
// and checks that each was logged by the account it names as user.
func eventsOf[E any](t *testing.T, logs []*types.Log, decode func(*types.Log) (E, error), user func(E) common.Address) []E {
	t.Helper()
	var out []E
	for _, l := range logs {
		e, err := decode(l)
		if err == account.ErrNotThisEvent {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if u := user(e); u != l.Address {
			t.Errorf("%T logged by %s names user %s", e, l.Address, u)
		}
		out = append(out, e)
	}
	return out
}

func sessionCreated(t *testing.T, logs []*types.Log) []account.SessionCreated {
	return eventsOf(t, logs, account.DecodeSessionCreated, func(e account.SessionCreated) common.Address { return e.User })
}

func executed(t *testing.T, logs []*types.Log) []account.Executed {
	return eventsOf(t, logs, account.DecodeExecuted, func(e account.Executed) common.Address { return e.User })
}

func valueReceived(t *testing.T, logs []*types.Log) []account.ValueReceived {
	return eventsOf(t, logs, account.DecodeValueReceived, func(e account.ValueReceived) common.Address { return e.User })
}

// TestAccountEvents: a grant logs SessionCreated(user, newSigner, spec); a
// session execution by the hosted route logs Executed on both accounts it
// passes through; value arriving at an account logs ValueReceived.
func TestAccountEvents(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk, payer := newKey(t), newKey(t), newKey(t)
	for _, k := range []common.Address{addr(user), addr(payer)} {
		if err := c.Fund(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	spec := SessionSpec{
		Signer:           addr(sk),
		CallPolicies:     []CallSpec{{Target: c.Token(), Selector: selTransfer}},
		TransferPolicies: []TransferSpec{{Target: addr(sk), MaxValuePerUse: eth(1)}},
	}
	o := grant(t, c, user, spec)
	sc := sessionCreated(t, o.Logs)
	if len(sc) != 1 || sc[0].User != addr(user) || sc[0].NewSigner != addr(sk) || sc[0].SessionSpec.Signer != addr(sk) ||
		sc[0].SessionSpec.Uid == ([32]byte{}) || len(sc[0].SessionSpec.TransferPolicies) != 1 ||
		sc[0].SessionSpec.CallPolicies[0].Selector != selTransfer {
		t.Fatalf("SessionCreated: %+v", sc)
	}

	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{
		{To: c.Token(), Data: transferData(t, rcpt, tst(1))},
		{To: c.Token(), Data: transferData(t, rcpt, tst(2))},
	})
	o = mustWait(t, c, p, err)
	if !o.Success {
		t.Fatal(o.Reason)
	}
	ex := executed(t, o.Logs)
	if len(ex) != 2 {
		t.Fatalf("Executed events: %+v", ex)
	}
	// logs come in execution order: the user's account finishes first
	inner, outer := ex[0], ex[1]
	if inner.User != addr(user) || inner.Signer != addr(sk) || inner.Executor != addr(sk) || inner.BatchSize.Int64() != 2 {
		t.Errorf("Executed on the user's account: %+v", inner)
	}
	if outer.User != addr(sk) || outer.Signer != addr(sk) || outer.Executor != c.Relayer() || outer.BatchSize.Int64() != 1 {
		t.Errorf("Executed on the session key's account: %+v (relayer %s)", outer, c.Relayer())
	}
	if v := valueReceived(t, o.Logs); len(v) != 0 {
		t.Errorf("ValueReceived without value: %+v", v)
	}

	// value from the user's account to the session key's (delegated by the
	// execution above), as a session transfer
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: addr(sk), Value: wei(77)}})
	o = mustWait(t, c, p, err)
	v := valueReceived(t, o.Logs)
	if !o.Success || len(v) != 1 || v[0].User != addr(sk) || v[0].From != addr(user) || v[0].Value.Int64() != 77 {
		t.Fatalf("session transfer: %v %q, ValueReceived %+v", o.Success, o.Reason, v)
	}
	if ex := executed(t, o.Logs); len(ex) != 2 || ex[0].BatchSize.Int64() != 1 {
		t.Errorf("Executed: %+v", ex)
	}

	// a plain transaction paying the user's account
	p, err = c.SubmitDirect(ctx, payer, Call{To: addr(user), Value: wei(5)})
	o = mustWait(t, c, p, err)
	v = valueReceived(t, o.Logs)
	if !o.Success || len(v) != 1 || v[0].User != addr(user) || v[0].From != addr(payer) || v[0].Value.Int64() != 5 {
		t.Fatalf("plain payment: %v %q, ValueReceived %+v", o.Success, o.Reason, v)
	}
	if ex := executed(t, o.Logs); len(ex) != 0 {
		t.Errorf("Executed on a plain payment: %+v", ex)
	}
}

// TestRevertArguments: the errors whose selectors changed to thirdweb's
// decode with their arguments, and 1-3 bytes of calldata are refused even
// where a transfer policy names the target.
func TestRevertArguments(t *testing.T) {
	_, c := newTestChain(t, Options{})
	ctx := ctxT(t)
	user, sk, other := newKey(t), newKey(t), newKey(t)
	if err := c.Fund(ctx, addr(user)); err != nil {
		t.Fatal(err)
	}
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	grant(t, c, user, SessionSpec{
		Signer:           addr(sk),
		ExpiresAt:        expiry(c, 3*time.Hour),
		TransferPolicies: []TransferSpec{{Target: rcpt, MaxValuePerUse: eth(1)}},
		CallPolicies: []CallSpec{{Target: c.Token(), Selector: selTransfer, Constraints: []Constraint{
			{Index: 1, Limit: UsageLimit{LimitType: account.LimitAllowance, Limit: tst(10), Period: big.NewInt(3600)}},
		}}},
	})

	// 1-3 bytes: no policy can allow them; plain value to the same target passes
	p, err := c.SubmitExecute(ctx, sk, addr(user), []Call{{To: rcpt, Value: wei(1), Data: []byte{0xab, 0xcd}}})
	wantFail(t, mustWait(t, c, p, err), "CallPolicyViolated: no matching policy for this call (target "+rcpt.Hex()+", selector 0xabcd0000)")
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: rcpt, Value: wei(1)}})
	if o := mustWait(t, c, p, err); !o.Success {
		t.Fatal(o.Reason)
	}

	// AllowanceExceeded names the period id: block time / period
	p, err = c.SubmitExecute(ctx, sk, addr(user), []Call{{To: c.Token(), Data: transferData(t, rcpt, tst(11))}})
	o := mustWait(t, c, p, err)
	want := "AllowanceExceeded: allowance limit exceeded for this period (usage 11000000000000000000 would exceed limit 10000000000000000000 in period #" +
		big.NewInt(o.BlockTime.Unix()/3600).String() + ")"
	if o.Success || o.Reason != want {
		t.Fatalf("got %q, want %q", o.Reason, want)
	}

	// InvalidSignature names the caller and the account
	uid, _ := randomUID()
	inner, _ := ExecuteCalldata([]Call{{To: rcpt}})
	bad, _ := ExecuteWithSigCalldata(c.ChainID(), other, []Call{{To: addr(user), Data: inner}}, uid)
	p, err = c.SubmitRaw(ctx, addr(sk), bad, sk)
	o = mustWait(t, c, p, err)
	if o.Success || !strings.HasPrefix(o.Reason, "InvalidSignature: ") ||
		!strings.Contains(o.Reason, "sent by "+c.Relayer().Hex()+" to account "+addr(sk).Hex()) {
		t.Fatalf("bad executeWithSig signature: %q", o.Reason)
	}
}
