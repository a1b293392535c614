// Package contracts embeds the sandbox's compiled Solidity contracts
// (SessionAccount, the EIP-7702 session account; TestToken, an ERC-20) and
// decodes their revert data into human-readable reasons.
//
// The artifacts are produced by build.sh (pinned npm solc 0.8.37, optimizer
// on, 200 runs, evmVersion prague) and committed; `./build.sh --check`
// verifies that they match the sources.
package contracts

import (
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// TestNFT.json (test-only) is left out of the binary; tests read it from disk.
//
//go:embed artifacts/SessionAccount.json artifacts/TestToken.json
var artifactFS embed.FS

// Artifact is one compiled contract as written by compile.mjs.
type Artifact struct {
	ContractName string `json:"contractName"`
	SourceName   string `json:"sourceName"`
	Compiler     struct {
		Version string `json:"version"`
	} `json:"compiler"`
	ABI              json.RawMessage `json:"abi"`
	Bytecode         string          `json:"bytecode"`
	DeployedBytecode string          `json:"deployedBytecode"`
}

var (
	// AccountABI is the ABI of SessionAccount: exactly the functions, events
	// and errors of thirdweb's MinimalAccount (apiclient/account.ABI), as a
	// test holds.
	AccountABI abi.ABI
	// TokenABI is the ABI of TestToken.
	TokenABI abi.ABI

	accountArt, tokenArt         Artifact
	accountRuntime, tokenRuntime []byte
)

func init() {
	accountArt, AccountABI, accountRuntime = mustLoad("SessionAccount")
	tokenArt, TokenABI, tokenRuntime = mustLoad("TestToken")
}

func mustLoad(name string) (Artifact, abi.ABI, []byte) {
	raw, err := artifactFS.ReadFile("artifacts/" + name + ".json")
	if err != nil {
		panic("contracts: " + err.Error())
	}
	return parseArtifact(name, raw)
}

func parseArtifact(name string, raw []byte) (Artifact, abi.ABI, []byte) {
	var art Artifact
	if err := json.Unmarshal(raw, &art); err != nil {
		panic("contracts: " + name + ": " + err.Error())
	}
	parsed, err := abi.JSON(strings.NewReader(string(art.ABI)))
	if err != nil {
		panic("contracts: " + name + " abi: " + err.Error())
	}
	code, err := hexutil.Decode(art.DeployedBytecode)
	if err != nil || len(code) == 0 {
		panic(fmt.Sprintf("contracts: %s runtime code: %v", name, err))
	}
	return art, parsed, code
}

// AccountRuntimeCode returns (a copy of) SessionAccount's runtime code, to be
// placed in genesis at the delegation target.
func AccountRuntimeCode() []byte { return append([]byte(nil), accountRuntime...) }

// TokenRuntimeCode returns (a copy of) TestToken's runtime code.
func TokenRuntimeCode() []byte { return append([]byte(nil), tokenRuntime...) }

// AccountArtifact and TokenArtifact return the parsed artifacts.
func AccountArtifact() Artifact { return accountArt }

// TokenArtifact returns TestToken's parsed artifact.
func TokenArtifact() Artifact { return tokenArt }

// SolcVersion is the compiler version recorded in the artifacts.
func SolcVersion() string { return accountArt.Compiler.Version }

// Error meanings; DecodeRevert formats "<ErrorName>: <meaning>[ (detail)]".
var meanings = map[string]string{
	// SessionAccount
	"SessionZeroSigner":      "session signer is the zero address",
	"SessionExpiresTooSoon":  "session expiry is not in the future",
	"UIDAlreadyProcessed":    "uid already used (replayed grant or signed request)",
	"InvalidSignature":       "signature is not from the account's owner",
	"SessionExpired":         "session expired or never granted for this signer",
	"CallPolicyViolated":     "no matching policy for this call",
	"TransferPolicyViolated": "no matching policy for this transfer",
	"MaxValueExceeded":       "value above max per use",
	"LifetimeUsageExceeded":  "lifetime limit exceeded",
	"AllowanceExceeded":      "allowance limit exceeded for this period",
	"InvalidDataLength":      "calldata too short for a constrained argument",
	"ConditionFailed":        "argument constraint failed",
	"NoCallsToExecute":       "no calls to execute (empty call list)",
	"CallReverted":           "an inner call reverted without a reason",
	// TestToken (ERC-6093)
	"ERC20InsufficientBalance":   "token balance too low",
	"ERC20InsufficientAllowance": "token allowance too low",
	"ERC20InvalidSender":         "invalid token sender",
	"ERC20InvalidReceiver":       "invalid token receiver",
	"ERC20InvalidApprover":       "invalid token approver",
	"ERC20InvalidSpender":        "invalid token spender",
}

// ConditionNames are the constraint conditions by number, as operators.
var ConditionNames = []string{"unconstrained", "==", ">", "<", ">=", "<=", "!="}

var (
	errorSelector = [4]byte{0x08, 0xc3, 0x79, 0xa0} // Error(string)
	panicSelector = [4]byte{0x4e, 0x48, 0x7b, 0x71} // Panic(uint256)
)

// ErrorName returns the custom error's name for revert data of the account or
// token ("Error" / "Panic" for the built-ins), or "" if unknown.
func ErrorName(data []byte) string {
	if len(data) < 4 {
		return ""
	}
	id := [4]byte(data[:4])
	switch id {
	case errorSelector:
		return "Error"
	case panicSelector:
		return "Panic"
	}
	for _, a := range []*abi.ABI{&AccountABI, &TokenABI} {
		if e, err := a.ErrorByID(id); err == nil {
			return e.Name
		}
	}
	return ""
}

// DecodeRevert turns revert data into "<ErrorName>: <meaning>" with a short
// parenthesised detail where useful. Unknown data is shown as hex.
func DecodeRevert(data []byte) string {
	if len(data) == 0 {
		return "Reverted: execution reverted without revert data"
	}
	if len(data) < 4 {
		return "Reverted: unrecognised revert data " + hexutil.Encode(data)
	}
	id := [4]byte(data[:4])
	switch id {
	case errorSelector:
		if s, err := abi.UnpackRevert(data); err == nil {
			return "Error: " + s
		}
	case panicSelector:
		if s, err := abi.UnpackRevert(data); err == nil {
			code := new(big.Int).SetBytes(data[4:min(len(data), 36)])
			return fmt.Sprintf("Panic: %s (code %#x)", s, code)
		}
	}
	for _, a := range []*abi.ABI{&AccountABI, &TokenABI} {
		e, err := a.ErrorByID(id)
		if err != nil {
			continue
		}
		args, err := e.Inputs.Unpack(data[4:])
		if err != nil {
			return fmt.Sprintf("%s: %s (undecodable arguments %s)", e.Name, meaning(e.Name), hexutil.Encode(data[4:]))
		}
		if d := detail(e.Name, args); d != "" {
			return fmt.Sprintf("%s: %s (%s)", e.Name, meaning(e.Name), d)
		}
		return e.Name + ": " + meaning(e.Name)
	}
	return "Reverted: unknown revert data " + hexutil.Encode(data)
}

func meaning(name string) string {
	if m, ok := meanings[name]; ok {
		return m
	}
	return "contract error"
}

func detail(name string, args []interface{}) string {
	num := func(i int) *big.Int { v, _ := args[i].(*big.Int); return v }
	addr := func(i int) string { v, _ := args[i].(common.Address); return v.Hex() }
	switch name {
	case "CallPolicyViolated":
		sel, _ := args[1].([4]byte)
		return fmt.Sprintf("target %s, selector %s", addr(0), hexutil.Encode(sel[:]))
	case "TransferPolicyViolated":
		return "target " + addr(0)
	case "MaxValueExceeded":
		return fmt.Sprintf("value %s wei, max %s wei", num(0), num(1))
	case "LifetimeUsageExceeded":
		return fmt.Sprintf("usage %s would exceed limit %s", num(0), num(1))
	case "AllowanceExceeded":
		// the third argument is the window's id (block time / period), not its length
		p, _ := args[2].(uint64)
		return fmt.Sprintf("usage %s would exceed limit %s in period #%d", num(0), num(1), p)
	case "InvalidSignature":
		return fmt.Sprintf("sent by %s to account %s", addr(0), addr(1))
	case "InvalidDataLength":
		return fmt.Sprintf("calldata %s bytes, need %s", num(0), num(1))
	case "ConditionFailed":
		p, _ := args[0].([32]byte)
		r, _ := args[1].([32]byte)
		c, _ := args[2].(uint8)
		op := fmt.Sprintf("condition %d", c)
		if int(c) < len(ConditionNames) {
			op = ConditionNames[c]
		}
		return fmt.Sprintf("argument %s, required %s %s", Word(p), op, Word(r))
	case "ERC20InsufficientBalance":
		return fmt.Sprintf("%s has %s, needs %s", addr(0), num(1), num(2))
	case "ERC20InsufficientAllowance":
		return fmt.Sprintf("spender %s allowed %s, needs %s", addr(0), num(1), num(2))
	case "ERC20InvalidSender", "ERC20InvalidReceiver", "ERC20InvalidApprover", "ERC20InvalidSpender":
		return addr(0)
	}
	return ""
}

// Word renders a 32-byte ABI word for humans: small numbers in decimal,
// address-shaped words (12 zero bytes, then a large value) as an address,
// anything else as hex.
func Word(w [32]byte) string {
	v := new(big.Int).SetBytes(w[:])
	if v.BitLen() <= 96 {
		return v.String()
	}
	if v.BitLen() <= 160 {
		return common.BytesToAddress(w[12:]).Hex()
	}
	return hexutil.Encode(w[:])
}
