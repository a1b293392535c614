package account

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// The FN_SELECTOR constants of thirdweb 5.121.6's generated erc7702 helpers.
var sdkSelectors = map[string]string{
	"createSessionWithSig":          "0xb5051648",
	"execute":                       "0x3f707e6b",
	"executeWithSig":                "0xba61557d",
	"eip712Domain":                  "0x84b0196e",
	"getCallPoliciesForSigner":      "0x7103acbb",
	"getSessionExpirationForSigner": "0xf0a83adf",
	"getSessionStateForSigner":      "0x74e25eb2",
	"getTransferPoliciesForSigner":  "0xed6ed279",
	"isWildcardSigner":              "0x16c258a7",
}

func TestSelectorsMatchSDKHelpers(t *testing.T) {
	for name, want := range sdkSelectors {
		m, ok := ABI.Methods[name]
		if !ok {
			t.Errorf("%s missing from the ABI", name)
			continue
		}
		if got := hexutil.Encode(m.ID); got != want {
			t.Errorf("%s: selector %s, SDK helper has %s (%s)", name, got, want, m.Sig)
		}
	}
}

// The exported event helpers' signatures, as written in the SDK.
func TestEventSignaturesMatchSDKHelpers(t *testing.T) {
	spec := "(address,bool,uint256,(address,bytes4,uint256,(uint8,uint256,uint256),(uint8,uint64,bytes32,(uint8,uint256,uint256))[])[],(address,uint256,(uint8,uint256,uint256))[],bytes32)"
	want := map[string]string{
		"SessionCreated": "SessionCreated(address,address," + spec + ")",
		"Executed":       "Executed(address,address,address,uint256)",
		"ValueReceived":  "ValueReceived(address,address,uint256)",
	}
	for name, sig := range want {
		ev, ok := ABI.Events[name]
		if !ok {
			t.Fatalf("event %s missing", name)
		}
		if ev.Sig != sig {
			t.Errorf("%s: %s, want %s", name, ev.Sig, sig)
		}
		if ev.ID != crypto.Keccak256Hash([]byte(sig)) {
			t.Errorf("%s: topic mismatch", name)
		}
	}
	if n := len(ABI.Events); n != 3 {
		t.Errorf("%d events, want 3", n)
	}
	// two readers and the hooks are not in the generated helpers: pin them too
	for _, name := range []string{"supportsInterface", "onERC721Received", "onERC1155Received", "onERC1155BatchReceived"} {
		if _, ok := ABI.Methods[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	if !ABI.HasReceive() {
		t.Error("receive() missing")
	}
}

func TestErrorSignatures(t *testing.T) {
	want := []string{
		"AllowanceExceeded(uint256,uint256,uint64)",
		"CallPolicyViolated(address,bytes4)",
		"CallReverted()",
		"ConditionFailed(bytes32,bytes32,uint8)",
		"InvalidDataLength(uint256,uint256)",
		"InvalidSignature(address,address)",
		"LifetimeUsageExceeded(uint256,uint256)",
		"MaxValueExceeded(uint256,uint256)",
		"NoCallsToExecute()",
		"SessionExpired()",
		"SessionExpiresTooSoon()",
		"SessionZeroSigner()",
		"TransferPolicyViolated(address)",
		"UIDAlreadyProcessed()",
	}
	if len(ABI.Errors) != len(want) {
		t.Errorf("%d errors, want %d", len(ABI.Errors), len(want))
	}
	for _, sig := range want {
		name := sig[:strings.IndexByte(sig, '(')]
		e, ok := ABI.Errors[name]
		if !ok || e.Sig != sig {
			t.Errorf("error %s: got %+v", sig, e.Sig)
		}
	}
}

func TestDecodeEventsAndErrors(t *testing.T) {
	user := common.HexToAddress("0x1111111111111111111111111111111111111111")
	key := common.HexToAddress("0x2222222222222222222222222222222222222222")
	exec := common.HexToAddress("0x3333333333333333333333333333333333333333")

	spec := SessionSpec{Signer: key, ExpiresAt: big.NewInt(99), Uid: [32]byte{7},
		TransferPolicies: []TransferSpec{{Target: exec, MaxValuePerUse: big.NewInt(5),
			ValueLimit: UsageLimit{LimitType: LimitAllowance, Limit: big.NewInt(10), Period: big.NewInt(3600)}}},
		CallPolicies: []CallSpec{}}
	ev := ABI.Events["SessionCreated"]
	data, err := ev.Inputs.NonIndexed().Pack(spec)
	if err != nil {
		t.Fatal(err)
	}
	lg := &types.Log{Topics: []common.Hash{ev.ID, common.BytesToHash(user[:]), common.BytesToHash(key[:])}, Data: data}
	sc, err := DecodeSessionCreated(lg)
	if err != nil {
		t.Fatal(err)
	}
	if sc.User != user || sc.NewSigner != key || sc.SessionSpec.Uid != spec.Uid ||
		sc.SessionSpec.TransferPolicies[0].ValueLimit.Period.Int64() != 3600 {
		t.Fatalf("decoded %+v", sc)
	}
	if _, err := DecodeExecuted(lg); err != ErrNotThisEvent {
		t.Fatalf("DecodeExecuted of a SessionCreated log: %v", err)
	}

	ex := ABI.Events["Executed"]
	data, _ = ex.Inputs.NonIndexed().Pack(big.NewInt(3))
	e, err := DecodeExecuted(&types.Log{Topics: []common.Hash{ex.ID, common.BytesToHash(user[:]), common.BytesToHash(key[:]), common.BytesToHash(exec[:])}, Data: data})
	if err != nil || e.User != user || e.Signer != key || e.Executor != exec || e.BatchSize.Int64() != 3 {
		t.Fatalf("Executed: %+v %v", e, err)
	}

	ae := ABI.Errors["AllowanceExceeded"]
	args, _ := ae.Inputs.Pack(big.NewInt(11), big.NewInt(10), uint64(5))
	got, vals, err := DecodeError(append(ae.ID[:4:4], args...))
	if err != nil || got.Name != "AllowanceExceeded" || vals[2].(uint64) != 5 {
		t.Fatalf("DecodeError: %v %v %v", got, vals, err)
	}
	if _, _, err := DecodeError([]byte{1, 2, 3, 4}); err == nil {
		t.Fatal("unknown selector decoded")
	}
}
