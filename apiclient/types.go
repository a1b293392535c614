package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// The JSON shapes of the Wallets API v1, written once: the client sends and
// reads them, and the sandbox serves them, so the two cannot drift.
// Field names follow docs/api.md exactly.

// AuthCompleteRequest is the body of POST /auth/complete (guest method).
type AuthCompleteRequest struct {
	Method    string `json:"method"`
	SessionID string `json:"sessionId,omitempty"`
}

// AuthCompleteResponse is the unwrapped body of POST /auth/complete.
type AuthCompleteResponse struct {
	IsNewUser     bool   `json:"isNewUser"`
	Token         string `json:"token"`
	Type          string `json:"type"`
	WalletAddress string `json:"walletAddress"`
}

// Profile is one linked identity of a wallet; a union on Type ("guest",
// "server", ...), so every variant's fields are optional.
type Profile struct {
	Type       string `json:"type"`
	ID         string `json:"id,omitempty"`
	Identifier string `json:"identifier,omitempty"`
}

// Wallet is a user or server wallet (GET /wallets/me, POST/GET /wallets/server).
type Wallet struct {
	Address            string    `json:"address,omitempty"`
	CreatedAt          string    `json:"createdAt,omitempty"`
	SmartWalletAddress string    `json:"smartWalletAddress,omitempty"`
	PublicKey          string    `json:"publicKey,omitempty"`
	Profiles           []Profile `json:"profiles,omitempty"`
}

// Identifier returns the server-wallet identifier from the profiles, if any.
func (w Wallet) Identifier() string {
	for _, p := range w.Profiles {
		if p.Identifier != "" {
			return p.Identifier
		}
	}
	return ""
}

// CreateServerWalletRequest is the body of POST /wallets/server.
type CreateServerWalletRequest struct {
	Identifier string `json:"identifier"`
}

// Pagination is the paging block of list results; every field may be absent.
type Pagination struct {
	HasMore    *bool `json:"hasMore,omitempty"`
	Limit      *int  `json:"limit,omitempty"`
	Page       *int  `json:"page,omitempty"`
	TotalCount *int  `json:"totalCount,omitempty"`
}

// ServerWalletList is the result of GET /wallets/server.
type ServerWalletList struct {
	Pagination Pagination `json:"pagination"`
	Wallets    []Wallet   `json:"wallets"`
}

// CreateSessionKeyRequest is the body of POST /wallets/create-session-key.
// GrantFullPermissions is a pointer because the API defaults it to true when
// absent; the client always sends it (false to restrict).
type CreateSessionKeyRequest struct {
	ChainID              uint64           `json:"chainId"`
	SessionKeyAddress    string           `json:"sessionKeyAddress"`
	DurationInSeconds    int64            `json:"durationInSeconds"`
	GrantFullPermissions *bool            `json:"grantFullPermissions,omitempty"`
	CallPolicies         []CallPolicy     `json:"callPolicies,omitempty"`
	TransferPolicies     []TransferPolicy `json:"transferPolicies,omitempty"`
}

// FullPermissions reports the effective grantFullPermissions (absent = true).
func (r CreateSessionKeyRequest) FullPermissions() bool {
	return r.GrantFullPermissions == nil || *r.GrantFullPermissions
}

// Bool returns a pointer to b, for optional boolean fields.
func Bool(b bool) *bool { return &b }

// CreateSessionKeyResponse covers every shape the grant's transaction ID has
// been seen in: top-level transactionId (the seed reads this),
// result.transactionId, or result.transactionIds[0].
type CreateSessionKeyResponse struct {
	TransactionID string          `json:"transactionId,omitempty"`
	Result        *TransactionIDs `json:"result,omitempty"`
}

// ID returns the grant's transaction ID from whichever field is present.
func (r CreateSessionKeyResponse) ID() (string, bool) {
	if r.TransactionID != "" {
		return r.TransactionID, true
	}
	if r.Result != nil {
		if r.Result.TransactionID != "" {
			return r.Result.TransactionID, true
		}
		if len(r.Result.TransactionIDs) > 0 && r.Result.TransactionIDs[0] != "" {
			return r.Result.TransactionIDs[0], true
		}
	}
	return "", false
}

// TransactionIDs is the result of writes (send, contract write, grant).
type TransactionIDs struct {
	TransactionID  string   `json:"transactionId,omitempty"`
	TransactionIDs []string `json:"transactionIds"`
}

// Recipient is one transfer of a send; Quantity is in wei (or token base units).
type Recipient struct {
	Address  string  `json:"address"`
	Quantity Decimal `json:"quantity"`
}

// SendRequest is the body of POST /wallets/send.
type SendRequest struct {
	ChainID      uint64      `json:"chainId"`
	From         string      `json:"from,omitempty"`
	Recipients   []Recipient `json:"recipients"`
	TokenAddress string      `json:"tokenAddress,omitempty"`
	TokenID      string      `json:"tokenId,omitempty"`
}

// ContractCall is one call of POST /contracts/write. Method is a full
// signature ("function transfer(address to, uint256 amount)"); Params are
// positional, with addresses and integers as strings.
type ContractCall struct {
	ContractAddress string  `json:"contractAddress"`
	Method          string  `json:"method"`
	Params          []any   `json:"params,omitempty"`
	Value           Decimal `json:"value,omitempty"`
}

// ContractWriteRequest is the body of POST /contracts/write.
type ContractWriteRequest struct {
	ChainID uint64         `json:"chainId"`
	From    string         `json:"from,omitempty"`
	Calls   []ContractCall `json:"calls"`
}

// TxStatus is a transaction's lifecycle state (docs/api.md §6).
type TxStatus string

const (
	StatusQueued    TxStatus = "QUEUED"
	StatusSubmitted TxStatus = "SUBMITTED"
	StatusConfirmed TxStatus = "CONFIRMED"
	StatusFailed    TxStatus = "FAILED"
)

// Final reports whether no further change is expected.
func (s TxStatus) Final() bool { return s == StatusConfirmed || s == StatusFailed }

// Transaction is a transaction record (GET /transactions/{id}). Nullable
// fields are pointers: nil until set. chainId and the block number are
// decimal strings on the wire but are read leniently from numbers too.
type Transaction struct {
	ID                     string          `json:"id"`
	BatchIndex             int             `json:"batchIndex"`
	ChainID                NumString       `json:"chainId"`
	ClientID               string          `json:"clientId"`
	From                   string          `json:"from"`
	Status                 TxStatus        `json:"status"`
	TransactionHash        *string         `json:"transactionHash"`
	ConfirmedAt            *string         `json:"confirmedAt"`
	ConfirmedAtBlockNumber *NumString      `json:"confirmedAtBlockNumber"`
	ErrorMessage           *string         `json:"errorMessage"`
	CancelledAt            *string         `json:"cancelledAt"`
	CreatedAt              string          `json:"createdAt"`
	ExecutionParams        json.RawMessage `json:"executionParams"`
	TransactionParams      json.RawMessage `json:"transactionParams"`
	ExecutionResult        json.RawMessage `json:"executionResult"`
	EnrichedData           json.RawMessage `json:"enrichedData"`
}

// Final reports whether the record is in a final state (a non-null
// cancelledAt is final too).
func (t Transaction) Final() bool { return t.Status.Final() || t.CancelledAt != nil }

// Hash returns the transaction hash or "".
func (t Transaction) Hash() string { return deref(t.TransactionHash) }

// Error returns the error message or "".
func (t Transaction) Error() string { return deref(t.ErrorMessage) }

// Block returns the confirmation block number or "".
func (t Transaction) Block() string {
	if t.ConfirmedAtBlockNumber == nil {
		return ""
	}
	return string(*t.ConfirmedAtBlockNumber)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ExecutionParams7702 is the sandbox's executionParams of a record.
type ExecutionParams7702 struct {
	Type              string `json:"type"` // "EIP7702"
	ChainID           string `json:"chainId"`
	AccountAddress    string `json:"accountAddress"`
	SessionKeyAddress string `json:"sessionKeyAddress,omitempty"`
}

// TransactionParam is one entry of a record's transactionParams.
type TransactionParam struct {
	To    string  `json:"to"`
	Data  string  `json:"data"`
	Value Decimal `json:"value"`
}

// TransactionList is the result of GET /transactions.
type TransactionList struct {
	Pagination   Pagination    `json:"pagination"`
	Transactions []Transaction `json:"transactions"`
}

// Balance is one entry of GET /wallets/{address}/balance (an array, one per chain).
type Balance struct {
	ChainID      uint64 `json:"chainId"`
	Decimals     int    `json:"decimals"`
	DisplayValue string `json:"displayValue"`
	Name         string `json:"name"`
	Symbol       string `json:"symbol"`
	TokenAddress string `json:"tokenAddress"`
	Value        string `json:"value"`
}

// --- Policies (docs/api.md §4) ---

// LimitType says how a UsageLimit meters: 0 unlimited, 1 lifetime, 2 allowance per period.
type LimitType uint8

const (
	LimitUnlimited LimitType = 0
	LimitLifetime  LimitType = 1
	LimitAllowance LimitType = 2
)

func (t LimitType) String() string {
	switch t {
	case LimitUnlimited:
		return "unlimited"
	case LimitLifetime:
		return "lifetime"
	case LimitAllowance:
		return "allowance"
	}
	return fmt.Sprintf("LimitType(%d)", uint8(t))
}

// Valid reports whether t is a known limit type.
func (t LimitType) Valid() bool { return t <= LimitAllowance }

// Condition compares a call argument with a constraint's refValue (unsigned).
type Condition uint8

const (
	CondUnconstrained  Condition = 0
	CondEqual          Condition = 1
	CondGreater        Condition = 2
	CondLess           Condition = 3
	CondGreaterOrEqual Condition = 4
	CondLessOrEqual    Condition = 5
	CondNotEqual       Condition = 6
)

var conditionNames = [...]string{"unconstrained", "equal", "greater", "less", "greater-or-equal", "less-or-equal", "not-equal"}

func (c Condition) String() string {
	if c.Valid() {
		return conditionNames[c]
	}
	return fmt.Sprintf("Condition(%d)", uint8(c))
}

// Valid reports whether c is a known condition.
func (c Condition) Valid() bool { return int(c) < len(conditionNames) }

// ParseCondition reads a condition by its name (as String prints it).
func ParseCondition(s string) (Condition, bool) {
	for i, n := range conditionNames {
		if strings.EqualFold(s, n) {
			return Condition(i), true
		}
	}
	return 0, false
}

// UsageLimit meters a value: Limit is a decimal string (wei for values, the
// argument's units for constraints), Period is seconds (allowance only).
type UsageLimit struct {
	LimitType LimitType `json:"limitType"`
	Limit     Decimal   `json:"limit"`
	Period    Decimal   `json:"period"`
}

// Constraint restricts the ABI-encoded argument at Index of a call.
// RefValue is a 32-byte word, 0x + 64 hex.
type Constraint struct {
	Condition Condition   `json:"condition"`
	Index     uint64      `json:"index"`
	RefValue  string      `json:"refValue"`
	Limit     *UsageLimit `json:"limit,omitempty"`
}

// CallPolicy allows calls to Target with Selector (0x + 8 hex).
type CallPolicy struct {
	Target         string       `json:"target"`
	Selector       string       `json:"selector"`
	MaxValuePerUse Decimal      `json:"maxValuePerUse,omitempty"`
	ValueLimit     *UsageLimit  `json:"valueLimit,omitempty"`
	Constraints    []Constraint `json:"constraints,omitempty"`
}

// TransferPolicy allows plain value transfers to Target.
type TransferPolicy struct {
	Target         string      `json:"target"`
	MaxValuePerUse Decimal     `json:"maxValuePerUse,omitempty"`
	ValueLimit     *UsageLimit `json:"valueLimit,omitempty"`
}

// --- Sandbox extensions (served only by the embedded sandbox, under /v1/sandbox) ---

// SandboxInfo is GET /v1/sandbox/info: what a walkthrough needs to know about
// the local chains.
type SandboxInfo struct {
	Version            string   `json:"version"`
	Chains             []uint64 `json:"chains"`
	DefaultChainID     uint64   `json:"defaultChainId"`
	AccountImplAddress string   `json:"accountImplementation"`
	TokenAddress       string   `json:"tokenAddress"`
	TokenSymbol        string   `json:"tokenSymbol"`
	FundWei            Decimal  `json:"fundWei"`
	TokenMint          Decimal  `json:"tokenMint"`
	BlockTimeMillis    int64    `json:"blockTimeMillis"`
	RPCURL             string   `json:"rpcUrl,omitempty"`
}

// SessionInfo is GET /v1/sandbox/sessions/{account}/{signer}?chainId=N: what a
// session key may do on an account, read from the chain.
type SessionInfo struct {
	ChainID           uint64           `json:"chainId"`
	AccountAddress    string           `json:"accountAddress"`
	SessionKeyAddress string           `json:"sessionKeyAddress"`
	IsWildcard        bool             `json:"isWildcard"`
	ExpiresAt         string           `json:"expiresAt"` // ISO-8601; "" when no session
	ExpiresAtUnix     int64            `json:"expiresAtUnix"`
	Live              bool             `json:"live"`
	CallPolicies      []CallPolicy     `json:"callPolicies"`
	TransferPolicies  []TransferPolicy `json:"transferPolicies"`
	Limits            []LimitState     `json:"limits"`
}

// LimitState is the remaining amount of one metered limit of a session.
type LimitState struct {
	Kind      string  `json:"kind"` // transferValue | callValue | callParam
	Target    string  `json:"target"`
	Selector  string  `json:"selector,omitempty"`
	Index     uint64  `json:"index,omitempty"`
	Remaining Decimal `json:"remaining"`
}

// AdvanceTimeRequest is POST /v1/sandbox/advance-time: moves a chain's clock
// forward (expiry and allowance demos). Needs x-secret-key.
type AdvanceTimeRequest struct {
	ChainID uint64 `json:"chainId"`
	Seconds int64  `json:"seconds"`
}

// AdvanceTimeResult is the result of POST /v1/sandbox/advance-time.
type AdvanceTimeResult struct {
	ChainID   uint64 `json:"chainId"`
	BlockTime string `json:"blockTime"` // ISO-8601 of the new latest block
}

// --- Errors ---

// ErrorBody is the sandbox's error envelope: {"error":{"code","message"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes the sandbox uses (docs/api.md §7).
const (
	CodeInvalidRequest    = "invalid_request"
	CodeUnauthorized      = "unauthorized"
	CodeInsufficientFunds = "insufficient_funds"
	CodeForbidden         = "forbidden"
	CodeNotFound          = "not_found"
	CodeRateLimited       = "rate_limited"
	CodeInternal          = "internal"
)

// --- Scalar helpers ---

// Decimal is a non-negative integer carried as a decimal string (wei,
// seconds, token units). It marshals as a string and reads a string or a
// JSON number (integral, exponent allowed: JSON.stringify(1e21) is "1e+21").
// The empty Decimal means "absent".
type Decimal string

// Dec makes a Decimal from a big.Int (nil → "0").
func Dec(v *big.Int) Decimal {
	if v == nil {
		return "0"
	}
	return Decimal(v.String())
}

// Big parses the decimal; the empty Decimal is zero.
func (d Decimal) Big() (*big.Int, error) {
	if d == "" {
		return new(big.Int), nil
	}
	return parseUint(string(d))
}

// UnmarshalJSON accepts "123", 123 and 1e+21; it refuses fractions,
// negatives and anything else with a message naming the value.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	v, err := parseUint(s)
	if err != nil {
		return err
	}
	*d = Decimal(v.String())
	return nil
}

func parseUint(s string) (*big.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("empty number")
	}
	if len(s) > 100 {
		return nil, fmt.Errorf("number %q… is too long", s[:20])
	}
	if v, ok := new(big.Int).SetString(s, 10); ok {
		if v.Sign() < 0 {
			return nil, fmt.Errorf("%q is negative", s)
		}
		if v.BitLen() > 256 {
			return nil, fmt.Errorf("%q does not fit in 256 bits", s)
		}
		return v, nil
	}
	// Exponent forms such as 1e+21, exactly, without floats.
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/xX") {
		return nil, fmt.Errorf("%q is not a whole decimal number", s)
	}
	if !r.IsInt() {
		return nil, fmt.Errorf("%q is not a whole number", s)
	}
	if r.Sign() < 0 {
		return nil, fmt.Errorf("%q is negative", s)
	}
	v := new(big.Int).Set(r.Num())
	if v.BitLen() > 256 {
		return nil, fmt.Errorf("%q does not fit in 256 bits", s)
	}
	return v, nil
}

// NumString is a decimal carried as a JSON string that is read leniently
// from a number too (chainId and block numbers of transaction records).
type NumString string

// UnmarshalJSON accepts a string or a number.
func (n *NumString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = NumString(s)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return fmt.Errorf("expected a string or number, got %s", truncate(string(b), 40))
	}
	*n = NumString(num.String())
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
