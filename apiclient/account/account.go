// Package account holds thirdweb's MinimalAccount interface (the EIP-7702
// session-key account the Wallets API delegates users' EOAs to) as a
// go-ethereum ABI, with Go mirrors of its tuples and decoders for its events
// and custom errors. Live-mode clients use it to read an account's session
// views and decode its logs and reverts without importing the sandbox.
//
// minimalaccount.abi.json is the reference, taken from the published npm
// package thirdweb 5.121.6 (see README.md in this directory for the exact
// files): functions, errors and receive() from the SDK's MinimalAccount ABI in
// dist/esm/wallets/in-app/core/eip7702/minimal-account.js, events from the
// exported helpers in dist/esm/extensions/erc7702/__generated__/MinimalAccount/events/.
package account

import (
	_ "embed"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

//go:embed minimalaccount.abi.json
var abiJSON string

// ABI is thirdweb's MinimalAccount ABI (npm thirdweb 5.121.6).
var ABI abi.ABI

// JSON returns the embedded ABI text, e.g. for tools that want the file.
func JSON() string { return abiJSON }

func init() {
	a, err := abi.JSON(strings.NewReader(abiJSON))
	if err != nil {
		panic("account: minimalaccount.abi.json: " + err.Error())
	}
	ABI = a
}

// Limit types of UsageLimit.LimitType.
const (
	LimitUnlimited uint8 = 0
	LimitLifetime  uint8 = 1 // cumulative cap over the session
	LimitAllowance uint8 = 2 // cap per window of Period seconds
)

// Conditions of Constraint.Condition, comparing the calldata argument at
// Index with RefValue.
const (
	CondUnconstrained  uint8 = 0
	CondEqual          uint8 = 1
	CondGreater        uint8 = 2
	CondLess           uint8 = 3
	CondGreaterOrEqual uint8 = 4
	CondLessOrEqual    uint8 = 5
	CondNotEqual       uint8 = 6
)

// Go mirrors of the ABI's tuples. Field names are the ABI component names in
// Go case, so abi.Pack and abi.ConvertType map them directly.

// UsageLimit is (uint8 limitType, uint256 limit, uint256 period).
type UsageLimit struct {
	LimitType uint8
	Limit     *big.Int
	Period    *big.Int
}

// Constraint is (uint8 condition, uint64 index, bytes32 refValue, UsageLimit limit).
type Constraint struct {
	Condition uint8
	Index     uint64
	RefValue  [32]byte
	Limit     UsageLimit
}

// CallSpec allows calls of Selector on Target.
type CallSpec struct {
	Target         common.Address
	Selector       [4]byte
	MaxValuePerUse *big.Int
	ValueLimit     UsageLimit
	Constraints    []Constraint
}

// TransferSpec allows plain value transfers to Target.
type TransferSpec struct {
	Target         common.Address
	MaxValuePerUse *big.Int
	ValueLimit     UsageLimit
}

// SessionSpec is the grant the account owner signs (EIP-712 primary type
// "SessionSpec", domain "MinimalAccount" version "1").
type SessionSpec struct {
	Signer           common.Address
	IsWildcard       bool
	ExpiresAt        *big.Int
	CallPolicies     []CallSpec
	TransferPolicies []TransferSpec
	Uid              [32]byte
}

// Call is (address target, uint256 value, bytes data), one call of execute.
type Call struct {
	Target common.Address
	Value  *big.Int
	Data   []byte
}

// WrappedCalls is what executeWithSig's signature covers.
type WrappedCalls struct {
	Calls []Call
	Uid   [32]byte
}

// LimitState is one entry of getSessionStateForSigner: what is left of a
// metered limit.
type LimitState struct {
	Remaining *big.Int
	Target    common.Address
	Selector  [4]byte
	Index     *big.Int
}

// SessionState is getSessionStateForSigner's result.
type SessionState struct {
	TransferValue []LimitState
	CallValue     []LimitState
	CallParams    []LimitState
}

// SessionCreated is the event emitted by createSessionWithSig.
type SessionCreated struct {
	User        common.Address // the account (indexed)
	NewSigner   common.Address // the session key (indexed)
	SessionSpec SessionSpec
}

// Executed is the event emitted for every session execution.
type Executed struct {
	User      common.Address // the account (indexed)
	Signer    common.Address // the session key (indexed)
	Executor  common.Address // who called (indexed)
	BatchSize *big.Int       // number of calls
}

// ValueReceived is the event emitted when the account receives value.
type ValueReceived struct {
	User  common.Address // the account (indexed)
	From  common.Address // sender (indexed)
	Value *big.Int
}

// ErrNotThisEvent is returned by the Decode* functions for a log of another
// event (or an anonymous log).
var ErrNotThisEvent = errors.New("account: log is not this event")

func decodeLog(name string, l *types.Log, out any) error {
	ev, ok := ABI.Events[name]
	if !ok {
		return fmt.Errorf("account: no event %s in ABI", name)
	}
	if l == nil || len(l.Topics) == 0 || l.Topics[0] != ev.ID {
		return ErrNotThisEvent
	}
	if len(l.Data) > 0 {
		if err := ABI.UnpackIntoInterface(out, name, l.Data); err != nil {
			return fmt.Errorf("account: %s data: %w", name, err)
		}
	}
	var indexed abi.Arguments
	for _, in := range ev.Inputs {
		if in.Indexed {
			indexed = append(indexed, in)
		}
	}
	if err := abi.ParseTopics(out, indexed, l.Topics[1:]); err != nil {
		return fmt.Errorf("account: %s topics: %w", name, err)
	}
	return nil
}

// DecodeSessionCreated decodes a SessionCreated log.
func DecodeSessionCreated(l *types.Log) (SessionCreated, error) {
	var e SessionCreated
	return e, decodeLog("SessionCreated", l, &e)
}

// DecodeExecuted decodes an Executed log.
func DecodeExecuted(l *types.Log) (Executed, error) {
	var e Executed
	return e, decodeLog("Executed", l, &e)
}

// DecodeValueReceived decodes a ValueReceived log.
func DecodeValueReceived(l *types.Log) (ValueReceived, error) {
	var e ValueReceived
	return e, decodeLog("ValueReceived", l, &e)
}

// DecodeError finds the account's custom error for revert data and unpacks
// its arguments. It fails for data that is not one of the ABI's errors.
func DecodeError(data []byte) (*abi.Error, []any, error) {
	if len(data) < 4 {
		return nil, nil, fmt.Errorf("account: revert data of %d bytes has no error selector", len(data))
	}
	e, err := ABI.ErrorByID([4]byte(data[:4]))
	if err != nil {
		return nil, nil, fmt.Errorf("account: %w", err)
	}
	args, err := e.Inputs.Unpack(data[4:])
	if err != nil {
		return e, nil, fmt.Errorf("account: %s arguments: %w", e.Name, err)
	}
	return e, args, nil
}
