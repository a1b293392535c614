package chain

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"walletconsole/apiclient/sandbox/contracts"
)

// A scratch chain runs the real contract and recovers the raw revert data
// of a refused call, whose error decodes with its arguments.
func TestScratchRevertData(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc, err := NewScratch(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if sc.ChainID() != DefaultRPCChainID {
		t.Errorf("chain ID %d", sc.ChainID())
	}
	user, err := sc.NewFundedKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := crypto.GenerateKey()
	to := common.HexToAddress("0x4444444444444444444444444444444444444444")
	spec := SessionSpec{Signer: crypto.PubkeyToAddress(key.PublicKey), ExpiresAt: big.NewInt(sc.Now().Add(time.Hour).Unix()),
		TransferPolicies: []TransferSpec{{Target: to, MaxValuePerUse: big.NewInt(10)}}}
	p, err := sc.SubmitGrant(ctx, user, spec)
	if err != nil {
		t.Fatal(err)
	}
	if o, err := sc.Wait(ctx, p); err != nil || !o.Success {
		t.Fatalf("grant: %+v %v", o, err)
	}
	account := crypto.PubkeyToAddress(user.PublicKey)
	ok, err := sc.SubmitExecute(ctx, key, account, []Call{{To: to, Value: big.NewInt(10)}})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := sc.Wait(ctx, ok); err != nil || !o.Success {
		t.Fatalf("allowed transfer: %+v %v", o, err)
	}
	if _, has := sc.RevertData(ctx, ok); has {
		t.Error("revert data for a successful transaction")
	}
	bad, err := sc.SubmitExecute(ctx, key, account, []Call{{To: to, Value: big.NewInt(11)}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := sc.Wait(ctx, bad)
	if err != nil || o.Success {
		t.Fatalf("transfer above max: %+v %v", o, err)
	}
	data, has := sc.RevertData(ctx, bad)
	if !has || contracts.ErrorName(data) != "MaxValueExceeded" {
		t.Fatalf("revert data %x (%v), reason %q", data, has, o.Reason)
	}
	args, err := contracts.AccountABI.Errors["MaxValueExceeded"].Inputs.Unpack(data[4:])
	if err != nil || args[0].(*big.Int).Int64() != 11 || args[1].(*big.Int).Int64() != 10 {
		t.Errorf("arguments %v %v", args, err)
	}
	// Closing discards the chain.
	if err := sc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.SubmitExecute(ctx, key, account, []Call{{To: to, Value: big.NewInt(1)}}); err == nil {
		t.Error("a closed scratch chain still accepts transactions")
	}
}
