package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
	"walletconsole/flows"
)

// chainSimulator is flows.PolicySimulator on the sandbox's own chain code:
// each Simulate starts a scratch chain, grants the set from a fresh funded
// account to a fresh session key, runs the calls as that key and discards
// the chain. The account contract judges every call.
type chainSimulator struct {
	chainID uint64
}

func (s chainSimulator) Simulate(ctx context.Context, set flows.PolicySet, runs []flows.SimRun) ([]flows.SimResult, error) {
	sc, err := chain.NewScratch(s.chainID)
	if err != nil {
		return nil, fmt.Errorf("starting a scratch chain: %w", err)
	}
	defer sc.Close()
	user, err := sc.NewFundedKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("funding the scratch account: %w", err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	userAddr, keyAddr := crypto.PubkeyToAddress(user.PublicKey), crypto.PubkeyToAddress(key.PublicKey)
	d := time.Duration(set.DurationInSeconds) * time.Second
	if d <= 0 {
		d = flows.DefaultDuration
	}
	spec, err := toSessionSpec(set, keyAddr, sc.Now().Add(d))
	if err != nil {
		return nil, err
	}
	p, err := sc.SubmitGrant(ctx, user, spec)
	if err != nil {
		return nil, fmt.Errorf("granting the draft: %w", err)
	}
	o, err := sc.Wait(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("granting the draft: %w", err)
	}
	if !o.Success {
		return nil, fmt.Errorf("the account refused the draft grant itself: %s", o.Reason)
	}
	out := make([]flows.SimResult, 0, len(runs))
	for i, r := range runs {
		if r.Advance > 0 {
			if err := sc.AdvanceTime(r.Advance); err != nil {
				return out, fmt.Errorf("run %d: advancing time: %w", i+1, err)
			}
		}
		v := r.Value
		if v == nil {
			v = new(big.Int)
		}
		p, err := sc.SubmitExecute(ctx, key, userAddr, []chain.Call{{To: common.HexToAddress(r.To), Value: v, Data: r.Data}})
		if err != nil {
			return out, fmt.Errorf("run %d: %w", i+1, err)
		}
		o, err := sc.Wait(ctx, p)
		if err != nil {
			return out, fmt.Errorf("run %d: %w", i+1, err)
		}
		res := flows.SimResult{OK: o.Success, Reason: o.Reason}
		if !o.Success {
			res.RevertData, _ = sc.RevertData(ctx, p)
		}
		st, err := sc.Session(ctx, userAddr, keyAddr)
		if err != nil {
			return out, fmt.Errorf("run %d: reading the session back: %w", i+1, err)
		}
		for _, l := range st.Limits {
			res.Limits = append(res.Limits, apiclient.LimitState{
				Kind: l.Kind, Target: l.Target.Hex(), Selector: "0x" + hex.EncodeToString(l.Selector[:]),
				Index: l.Index, Remaining: apiclient.Decimal(l.Remaining.String()),
			})
		}
		out = append(out, res)
	}
	return out, nil
}

// toSessionSpec converts a validated policy set to the contract's struct.
func toSessionSpec(set flows.PolicySet, signer common.Address, expires time.Time) (chain.SessionSpec, error) {
	spec := chain.SessionSpec{Signer: signer, IsWildcard: set.GrantFullPermissions, ExpiresAt: big.NewInt(expires.Unix())}
	if set.GrantFullPermissions {
		return spec, nil
	}
	num := func(path string, d apiclient.Decimal) (*big.Int, error) {
		if d == "" {
			return new(big.Int), nil
		}
		v, err := d.Big()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return v, nil
	}
	limit := func(path string, l *apiclient.UsageLimit) (chain.UsageLimit, error) {
		if l == nil {
			return chain.UsageLimit{Limit: new(big.Int), Period: new(big.Int)}, nil
		}
		lim, err := num(path+".limit", l.Limit)
		if err != nil {
			return chain.UsageLimit{}, err
		}
		per, err := num(path+".period", l.Period)
		if err != nil {
			return chain.UsageLimit{}, err
		}
		return chain.UsageLimit{LimitType: uint8(l.LimitType), Limit: lim, Period: per}, nil
	}
	for i, p := range set.CallPolicies {
		path := fmt.Sprintf("callPolicies[%d]", i)
		sel, err := hex.DecodeString(strings.TrimPrefix(p.Selector, "0x"))
		if err != nil || len(sel) != 4 {
			return spec, fmt.Errorf("%s.selector: %q is not 0x + 8 hex digits", path, p.Selector)
		}
		maxV, err := num(path+".maxValuePerUse", p.MaxValuePerUse)
		if err != nil {
			return spec, err
		}
		vl, err := limit(path+".valueLimit", p.ValueLimit)
		if err != nil {
			return spec, err
		}
		cs := chain.CallSpec{Target: common.HexToAddress(p.Target), Selector: [4]byte(sel), MaxValuePerUse: maxV, ValueLimit: vl}
		for j, c := range p.Constraints {
			cp := fmt.Sprintf("%s.constraints[%d]", path, j)
			w, err := hex.DecodeString(strings.TrimPrefix(c.RefValue, "0x"))
			if err != nil || len(w) != 32 {
				return spec, fmt.Errorf("%s.refValue: not a 32-byte word", cp)
			}
			l, err := limit(cp+".limit", c.Limit)
			if err != nil {
				return spec, err
			}
			cs.Constraints = append(cs.Constraints, chain.Constraint{Condition: uint8(c.Condition), Index: c.Index, RefValue: [32]byte(w), Limit: l})
		}
		spec.CallPolicies = append(spec.CallPolicies, cs)
	}
	for i, p := range set.TransferPolicies {
		path := fmt.Sprintf("transferPolicies[%d]", i)
		maxV, err := num(path+".maxValuePerUse", p.MaxValuePerUse)
		if err != nil {
			return spec, err
		}
		vl, err := limit(path+".valueLimit", p.ValueLimit)
		if err != nil {
			return spec, err
		}
		spec.TransferPolicies = append(spec.TransferPolicies, chain.TransferSpec{Target: common.HexToAddress(p.Target), MaxValuePerUse: maxV, ValueLimit: vl})
	}
	return spec, nil
}
