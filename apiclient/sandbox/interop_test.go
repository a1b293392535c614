package sandbox

import (
	"context"
	"errors"
	"testing"

	"walletconsole/apiclient"
)

// TestTypedClient runs the flow through apiclient.Client, the way the
// console talks to the sandbox, so the two cannot drift apart.
func TestTypedClient(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	cl := apiclient.New(r.BaseURL, r.ClientID(), r.SecretKey())
	wait := func(id string) apiclient.Transaction { return fixture{r: r}.wait(t, id) }

	login, err := cl.GuestLogin(ctx, "typed-user")
	if err != nil {
		t.Fatal(err)
	}
	key, err := cl.CreateServerWallet(ctx, "typed-key")
	if err != nil {
		t.Fatal(err)
	}
	if me, err := cl.Me(ctx, login.Token); err != nil || me.Address != login.WalletAddress {
		t.Fatalf("Me: %+v %v", me, err)
	}
	token := tokenAddr(r)
	gid, _, err := cl.CreateSessionKey(ctx, login.Token, apiclient.CreateSessionKeyRequest{
		ChainID: DefaultChainID, SessionKeyAddress: key.Address, DurationInSeconds: 600,
		GrantFullPermissions: apiclient.Bool(false),
		CallPolicies: []apiclient.CallPolicy{{Target: token, Selector: "0xa9059cbb",
			Constraints: []apiclient.Constraint{{Condition: apiclient.CondLessOrEqual, Index: 1,
				RefValue: "0x00000000000000000000000000000000000000000000000000000000000003e8"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sc := apiclient.SessionContext{Account: login.WalletAddress, SessionKey: key.Address}
	ids, err := cl.WriteContract(ctx, sc, apiclient.ContractWriteRequest{ChainID: DefaultChainID, From: key.Address,
		Calls: []apiclient.ContractCall{
			{ContractAddress: token, Method: "function transfer(address to, uint256 amount)", Params: []any{key.Address, "1000"}},
			{ContractAddress: token, Method: "function transfer(address to, uint256 amount)", Params: []any{key.Address, "1001"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	wantConfirmed(t, wait(gid))
	wantConfirmed(t, wait(ids[0]))
	// reverted on chain: FAILED, with the block it was mined in and its hash
	failed := wait(ids[1])
	wantFailed(t, failed, "ConditionFailed:")
	if failed.Hash() == "" || failed.Block() == "" {
		t.Errorf("a reverted transaction's record misses its hash or block: %+v", failed)
	}
	if tx, err := cl.Transaction(ctx, gid); err != nil || tx.Status != apiclient.StatusConfirmed || tx.Hash() == "" || tx.Block() == "" || tx.ChainID != "84532" {
		t.Errorf("Transaction: %+v %v", tx, err)
	}
	wallets, err := cl.ListServerWallets(ctx, 1, 20)
	if err != nil || len(wallets.Wallets) == 0 || !apiclient.SameAddress(wallets.Wallets[len(wallets.Wallets)-1].Address, key.Address) ||
		wallets.Wallets[len(wallets.Wallets)-1].Identifier() != "typed-key" {
		t.Errorf("ListServerWallets: %+v %v", wallets, err)
	}

	si, err := cl.Session(ctx, DefaultChainID, login.WalletAddress, key.Address)
	if err != nil || len(si.CallPolicies) != 1 || si.IsWildcard {
		t.Errorf("Session: %+v %v", si, err)
	}
	info, err := cl.SandboxInfo(ctx)
	if err != nil || info.TokenAddress != token {
		t.Errorf("SandboxInfo: %+v %v", info, err)
	}
	if _, err := cl.AdvanceTime(ctx, DefaultChainID, 60); err != nil {
		t.Errorf("AdvanceTime: %v", err)
	}
	bals, err := cl.Balance(ctx, key.Address, []uint64{DefaultChainID}, token)
	if err != nil || len(bals) != 1 || bals[0].Value != "1000000000000000001000" {
		t.Errorf("Balance: %+v %v", bals, err)
	}
	list, err := cl.Transactions(ctx, "", 1, 2)
	if err != nil || len(list.Transactions) != 2 || list.Transactions[0].ID != ids[1] {
		t.Errorf("Transactions: %+v %v", list, err)
	}

	// Errors arrive as APIError with code, message and request ID.
	_, err = cl.Send(ctx, sc, apiclient.SendRequest{ChainID: DefaultChainID, From: login.WalletAddress,
		Recipients: []apiclient.Recipient{{Address: key.Address, Quantity: "1"}}})
	var ae *apiclient.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != apiclient.CodeInvalidRequest || ae.RequestID == "" {
		t.Errorf("Send error: %#v", err)
	}
}
