package contracts

import (
	"bytes"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

func packErr(t *testing.T, a abi.ABI, name string, args ...interface{}) []byte {
	t.Helper()
	e, ok := a.Errors[name]
	if !ok {
		t.Fatalf("no error %s in ABI", name)
	}
	enc, err := e.Inputs.Pack(args...)
	if err != nil {
		t.Fatalf("pack %s: %v", name, err)
	}
	return append(append([]byte{}, e.ID[:4]...), enc...)
}

func word(n int64) [32]byte {
	var w [32]byte
	big.NewInt(n).FillBytes(w[:])
	return w
}

func TestArtifactsLoaded(t *testing.T) {
	if len(AccountRuntimeCode()) < 1000 || len(TokenRuntimeCode()) < 500 {
		t.Fatal("runtime code missing")
	}
	if SolcVersion() == "" || !strings.HasPrefix(SolcVersion(), "0.8.37") {
		t.Fatalf("solc version %q", SolcVersion())
	}
	for _, m := range []string{"createSessionWithSig", "execute", "executeWithSig", "getCallPoliciesForSigner",
		"getTransferPoliciesForSigner", "getSessionExpirationForSigner", "isWildcardSigner", "eip712Domain", "getSessionStateForSigner"} {
		if _, ok := AccountABI.Methods[m]; !ok {
			t.Errorf("account ABI lacks %s", m)
		}
	}
	if AccountABI.Methods["execute"].ID[0] != crypto.Keccak256([]byte("execute((address,uint256,bytes)[])"))[0] {
		t.Error("execute selector mismatch")
	}
	for name := range AccountABI.Errors {
		if _, ok := meanings[name]; !ok {
			t.Errorf("no meaning for account error %s", name)
		}
	}
	for name := range TokenABI.Errors {
		if _, ok := meanings[name]; !ok {
			t.Errorf("no meaning for token error %s", name)
		}
	}
}

func TestDecodeRevert(t *testing.T) {
	tok := common.HexToAddress("0x3333333333333333333333333333333333333333")
	rcpt := common.HexToAddress("0x4444444444444444444444444444444444444444")
	errStr, _ := abi.NewType("string", "", nil)
	errData, _ := abi.Arguments{{Type: errStr}}.Pack("boom")
	u256, _ := abi.NewType("uint256", "", nil)
	panicData, _ := abi.Arguments{{Type: u256}}.Pack(big.NewInt(0x11))

	cases := []struct {
		data []byte
		want []string
	}{
		{packErr(t, AccountABI, "CallPolicyViolated", tok, [4]byte{0xa9, 0x05, 0x9c, 0xbb}),
			[]string{"CallPolicyViolated: no matching policy", "0xa9059cbb", tok.Hex()}},
		{packErr(t, AccountABI, "TransferPolicyViolated", rcpt), []string{"TransferPolicyViolated: no matching policy", rcpt.Hex()}},
		{packErr(t, AccountABI, "LifetimeUsageExceeded", big.NewInt(160), big.NewInt(150)),
			[]string{"LifetimeUsageExceeded: lifetime limit exceeded", "160", "150"}},
		{packErr(t, AccountABI, "AllowanceExceeded", big.NewInt(11), big.NewInt(10), uint64(493612)),
			[]string{"AllowanceExceeded: allowance limit exceeded for this period", "usage 11 would exceed limit 10 in period #493612"}},
		{packErr(t, AccountABI, "MaxValueExceeded", big.NewInt(2), big.NewInt(1)), []string{"MaxValueExceeded: value above max per use", "value 2 wei, max 1 wei"}},
		{packErr(t, AccountABI, "ConditionFailed", word(101), word(100), uint8(5)),
			[]string{"ConditionFailed: argument constraint failed", "argument 101, required <= 100"}},
		{packErr(t, AccountABI, "ConditionFailed", [32]byte(common.LeftPadBytes(rcpt[:], 32)), [32]byte(common.LeftPadBytes(tok[:], 32)), uint8(1)),
			[]string{"required == " + tok.Hex()}},
		{packErr(t, AccountABI, "SessionExpired"), []string{"SessionExpired: session expired or never granted for this signer"}},
		{packErr(t, AccountABI, "InvalidSignature", rcpt, tok), []string{"InvalidSignature: signature is not from the account's owner", "sent by " + rcpt.Hex() + " to account " + tok.Hex()}},
		{packErr(t, AccountABI, "UIDAlreadyProcessed"), []string{"UIDAlreadyProcessed: "}},
		{packErr(t, AccountABI, "SessionZeroSigner"), []string{"SessionZeroSigner: "}},
		{packErr(t, AccountABI, "SessionExpiresTooSoon"), []string{"SessionExpiresTooSoon: "}},
		{packErr(t, AccountABI, "InvalidDataLength", big.NewInt(36), big.NewInt(68)), []string{"InvalidDataLength: ", "36", "68"}},
		{packErr(t, AccountABI, "NoCallsToExecute"), []string{"NoCallsToExecute: "}},
		{packErr(t, AccountABI, "CallReverted"), []string{"CallReverted: "}},
		{packErr(t, TokenABI, "ERC20InsufficientBalance", rcpt, big.NewInt(1), big.NewInt(5)),
			[]string{"ERC20InsufficientBalance: token balance too low", "has 1, needs 5"}},
		{append(append([]byte{}, errorSelector[:]...), errData...), []string{"Error: boom"}},
		{append(append([]byte{}, panicSelector[:]...), panicData...), []string{"Panic: arithmetic underflow or overflow", "0x11"}},
		{nil, []string{"without revert data"}},
		{[]byte{1, 2, 3, 4, 5}, []string{"unknown revert data 0x0102030405"}},
	}
	for _, c := range cases {
		got := DecodeRevert(c.data)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("DecodeRevert(%x) = %q, want it to contain %q", c.data, got, w)
			}
		}
		if n := ErrorName(c.data); n != "" && !strings.HasPrefix(got, n+": ") {
			t.Errorf("%q does not start with %s: ", got, n)
		}
	}
}

// TestBuildCheck runs build.sh --check (npm ci + recompile) when
// SANDBOX_CONTRACTS_CHECK=1; CI runs build.sh --check directly, so plain
// `go test` stays hermetic (no Node, no registry).
func TestBuildCheck(t *testing.T) {
	if os.Getenv("SANDBOX_CONTRACTS_CHECK") != "1" {
		t.Skip("set SANDBOX_CONTRACTS_CHECK=1 to recompile and compare the artifacts")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("no npm")
	}
	var out bytes.Buffer
	cmd := exec.Command("./build.sh", "--check")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if strings.Contains(out.String(), "artifacts differ") {
			t.Fatalf("committed artifacts are stale: %s", out.String())
		}
		t.Skipf("build.sh --check unavailable or failed (%v): %s", err, out.String())
	}
}

// TestStorageSlot checks the ERC-7201 namespace constant in the account's code.
func TestStorageSlot(t *testing.T) {
	h := new(big.Int).SetBytes(crypto.Keccak256([]byte("walletconsole.storage.SessionAccount")))
	h.Sub(h, big.NewInt(1))
	slot := crypto.Keccak256(common.LeftPadBytes(h.Bytes(), 32))
	slot[31] = 0
	if !bytes.Contains(AccountRuntimeCode(), slot) {
		t.Fatalf("ERC-7201 slot %x not in the account's code", slot)
	}
}
