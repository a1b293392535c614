package contracts

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"

	"walletconsole/apiclient/account"
)

// A chain of our own (not the sandbox's) so these tests hold the contract
// alone: an EOA delegated (EIP-7702 designator in genesis) to SessionAccount,
// one delegated to TestToken (code without receiver hooks), and TestNFT.
type receiverEnv struct {
	sim      *simulated.Backend
	client   simulated.Client
	key      *ecdsa.PrivateKey
	from     common.Address
	user     common.Address // delegated to SessionAccount
	hookless common.Address // delegated to TestToken: no receiver hooks
	nft      common.Address
	nftABI   abi.ABI
}

func newReceiverEnv(t *testing.T) *receiverEnv {
	t.Helper()
	raw, err := os.ReadFile("artifacts/TestNFT.json")
	if err != nil {
		t.Fatal(err)
	}
	_, nftABI, nftCode := parseArtifact("TestNFT", raw)
	key, _ := crypto.GenerateKey()
	e := &receiverEnv{
		key:      key,
		from:     crypto.PubkeyToAddress(key.PublicKey),
		user:     common.HexToAddress("0x00000000000000000000000000000000000a11ce"),
		hookless: common.HexToAddress("0x0000000000000000000000000000000000000b0b"),
		nft:      common.HexToAddress("0x00000000000000000000000000000000000000f7"),
		nftABI:   nftABI,
	}
	impl := common.HexToAddress("0x00000000000000000000000000000000000001a1")
	tok := common.HexToAddress("0x00000000000000000000000000000000000001a2")
	eth := new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	alloc := types.GenesisAlloc{
		impl:       {Code: AccountRuntimeCode()},
		tok:        {Code: TokenRuntimeCode()},
		e.user:     {Code: types.AddressToDelegation(impl), Balance: big.NewInt(0)},
		e.hookless: {Code: types.AddressToDelegation(tok), Balance: big.NewInt(0)},
		e.nft:      {Code: nftCode},
		e.from:     {Balance: eth},
	}
	e.sim = simulated.NewBackend(alloc, func(_ *node.Config, ec *ethconfig.Config) {
		cfg := *params.AllDevChainProtocolChanges
		cfg.AmsterdamTime, cfg.BogotaTime, cfg.UBTTime = nil, nil, nil // Osaka rules, as the sandbox
		ec.Genesis.Config = &cfg
	})
	t.Cleanup(func() { e.sim.Close() })
	e.client = e.sim.Client()
	return e
}

// send mines one transaction from e.key and returns its receipt.
func (e *receiverEnv) send(t *testing.T, to common.Address, value *big.Int, data []byte) *types.Receipt {
	t.Helper()
	ctx := context.Background()
	nonce, err := e.client.PendingNonceAt(ctx, e.from)
	if err != nil {
		t.Fatal(err)
	}
	gas, err := e.client.EstimateGas(ctx, ethereum.CallMsg{From: e.from, To: &to, Value: value, Data: data})
	if err != nil {
		gas = 1_000_000 // let it revert on chain
	}
	id, _ := e.client.ChainID(ctx)
	tx, err := types.SignNewTx(e.key, types.LatestSignerForChainID(id), &types.DynamicFeeTx{
		ChainID: id, Nonce: nonce, To: &to, Value: value, Data: data, Gas: gas,
		GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(100 * params.GWei),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	rc, err := e.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func (e *receiverEnv) call(to common.Address, data []byte) ([]byte, error) {
	return e.client.CallContract(context.Background(), ethereum.CallMsg{From: e.from, To: &to, Data: data}, nil)
}

func (e *receiverEnv) pack(t *testing.T, a abi.ABI, method string, args ...any) []byte {
	t.Helper()
	data, err := a.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A safe ERC-721 mint and transfer to a sandbox account succeed; to an
// account whose code has no hook they fail (so the test can tell).
func TestSafeNFTTransferToAccount(t *testing.T) {
	e := newReceiverEnv(t)
	if rc := e.send(t, e.nft, nil, e.pack(t, e.nftABI, "safeMint", e.user, big.NewInt(1))); rc.Status != types.ReceiptStatusSuccessful {
		t.Fatal("safeMint to a sandbox account reverted")
	}
	out, err := e.call(e.nft, e.pack(t, e.nftABI, "ownerOf", big.NewInt(1)))
	if err != nil || common.BytesToAddress(out) != e.user {
		t.Fatalf("ownerOf(1) = %x, %v; want %s", out, err, e.user)
	}
	// a safe transfer from the sender's own token to the account
	if rc := e.send(t, e.nft, nil, e.pack(t, e.nftABI, "safeMint", e.from, big.NewInt(2))); rc.Status != 1 {
		t.Fatal("safeMint to the sender failed")
	}
	withData := "safeTransferFrom" // overloaded: go-ethereum names the other one safeTransferFrom0
	if len(e.nftABI.Methods[withData].Inputs) != 4 {
		withData = "safeTransferFrom0"
	}
	if rc := e.send(t, e.nft, nil, e.pack(t, e.nftABI, withData, e.from, e.user, big.NewInt(2), []byte("hi"))); rc.Status != 1 {
		t.Fatal("safeTransferFrom to a sandbox account reverted")
	}
	_, err = e.call(e.nft, e.pack(t, e.nftABI, "safeMint", e.hookless, big.NewInt(3)))
	if err == nil || !strings.Contains(err.Error(), "revert") {
		t.Fatalf("safeMint to code without hooks: %v, want a revert", err)
	}
}

// The hooks and supportsInterface answer as declared, by eth_call.
func TestReceiverHooksAnswer(t *testing.T) {
	e := newReceiverEnv(t)
	a := account.ABI
	for _, c := range []struct {
		method string
		args   []any
	}{
		{"onERC721Received", []any{e.from, e.from, big.NewInt(1), []byte{}}},
		{"onERC1155Received", []any{e.from, e.from, big.NewInt(1), big.NewInt(5), []byte{1}}},
		{"onERC1155BatchReceived", []any{e.from, e.from, []*big.Int{big.NewInt(1)}, []*big.Int{big.NewInt(2)}, []byte{}}},
	} {
		out, err := e.call(e.user, e.pack(t, a, c.method, c.args...))
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		v, err := a.Unpack(c.method, out)
		if err != nil {
			t.Fatalf("%s: %v", c.method, err)
		}
		if got, want := v[0].([4]byte), [4]byte(a.Methods[c.method].ID); got != want {
			t.Errorf("%s returned %x, want %x", c.method, got, want)
		}
	}
	for id, want := range map[[4]byte]bool{
		{0x01, 0xff, 0xc9, 0xa7}: true,  // ERC-165
		{0x15, 0x0b, 0x7a, 0x02}: true,  // ERC-721 receiver
		{0x4e, 0x23, 0x12, 0xe0}: true,  // ERC-1155 receiver
		{0xff, 0xff, 0xff, 0xff}: false, // ERC-165's invalid id
		{0x80, 0xac, 0x58, 0xcd}: false, // ERC-721 itself
	} {
		out, err := e.call(e.user, e.pack(t, a, "supportsInterface", id))
		if err != nil {
			t.Fatal(err)
		}
		if got := new(big.Int).SetBytes(out).Sign() == 1; got != want {
			t.Errorf("supportsInterface(%x) = %v, want %v", id, got, want)
		}
	}
	// no fallback: an undeclared function reverts instead of "succeeding"
	if _, err := e.call(e.user, []byte{0x12, 0x34, 0x56, 0x78}); err == nil {
		t.Error("a call of an undeclared selector succeeded")
	}
}

func valueReceived(t *testing.T, rc *types.Receipt) []account.ValueReceived {
	t.Helper()
	var out []account.ValueReceived
	for _, l := range rc.Logs {
		v, err := account.DecodeValueReceived(l)
		if err == account.ErrNotThisEvent {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if l.Address != v.User {
			t.Errorf("ValueReceived logged by %s names user %s", l.Address, v.User)
		}
		out = append(out, v)
	}
	return out
}

// Value arriving at the account emits ValueReceived(user, from, value), also
// on the 2300-gas stipend of Solidity's transfer; a zero-value call does not.
func TestValueReceived(t *testing.T) {
	e := newReceiverEnv(t)
	rc := e.send(t, e.user, big.NewInt(12345), nil)
	got := valueReceived(t, rc)
	if rc.Status != 1 || len(got) != 1 || got[0].User != e.user || got[0].From != e.from || got[0].Value.Int64() != 12345 {
		t.Fatalf("plain transfer: status %d, events %+v", rc.Status, got)
	}
	rc = e.send(t, e.nft, big.NewInt(7), e.pack(t, e.nftABI, "forward", e.user))
	got = valueReceived(t, rc)
	if rc.Status != 1 || len(got) != 1 || got[0].From != e.nft || got[0].Value.Int64() != 7 {
		t.Fatalf("stipend transfer: status %d, events %+v", rc.Status, got)
	}
	rc = e.send(t, e.user, big.NewInt(0), nil)
	if got := valueReceived(t, rc); rc.Status != 1 || len(got) != 0 {
		t.Fatalf("zero-value call: status %d, events %+v", rc.Status, got)
	}
	bal, _ := e.client.BalanceAt(context.Background(), e.user, nil)
	if bal.Int64() != 12352 {
		t.Fatalf("account balance %s, want 12352", bal)
	}
}
