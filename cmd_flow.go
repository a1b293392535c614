package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// flowResult is what `walletconsole flow` reports: the text summary on
// stdout, or this object with --json.
type flowResult struct {
	OK         bool        `json:"ok"`
	Error      string      `json:"error,omitempty"`
	FailedStep string      `json:"failedStep,omitempty"`
	Mode       flows.Mode  `json:"mode"`
	APIURL     string      `json:"apiUrl"`
	ChainID    uint64      `json:"chainId"`
	Async      bool        `json:"async"`
	User       *flowUser   `json:"user,omitempty"`
	SessionKey *flowKey    `json:"sessionKey,omitempty"`
	Grant      *flowGrant  `json:"grant,omitempty"`
	Send       *flowSend   `json:"send,omitempty"`
	TimingsMs  flowTimings `json:"timingsMs"`
}

type flowUser struct {
	Address        string `json:"address"`
	SessionID      string `json:"sessionId"`
	IsNewUser      bool   `json:"isNewUser"`
	TokenExpiresAt string `json:"tokenExpiresAt,omitempty"`
}

type flowKey struct {
	Address    string `json:"address"`
	Identifier string `json:"identifier"`
}

type flowTx struct {
	TransactionID   string `json:"transactionId"`
	Status          string `json:"status,omitempty"`
	TransactionHash string `json:"transactionHash,omitempty"`
	BlockNumber     string `json:"blockNumber,omitempty"`
	ErrorMessage    string `json:"errorMessage,omitempty"`
}

type flowGrant struct {
	flowTx
	FullPermissions   bool   `json:"grantFullPermissions"`
	DurationInSeconds int64  `json:"durationInSeconds"`
	CallPolicies      int    `json:"callPolicies"`
	TransferPolicies  int    `json:"transferPolicies"`
	ExpiresAt         string `json:"expiresAt"`
}

type flowSend struct {
	// A contract call (--contract) names the contract and method; a plain
	// send leaves them out.
	Contract     string   `json:"contract,omitempty"`
	Method       string   `json:"method,omitempty"`
	Transactions []flowTx `json:"transactions"`
}

type flowTimings struct {
	Login        int64 `json:"login"`
	SessionKey   int64 `json:"sessionKey"`
	Grant        int64 `json:"grant"`
	GrantConfirm int64 `json:"grantConfirm,omitempty"`
	Send         int64 `json:"send"`
	SendConfirm  int64 `json:"sendConfirm,omitempty"`
	Total        int64 `json:"total"`
}

func txOf(t apiclient.Transaction) flowTx {
	return flowTx{TransactionID: t.ID, Status: string(t.Status), TransactionHash: t.Hash(), BlockNumber: t.Block(), ErrorMessage: t.Error()}
}

const flowUsage = `Usage: walletconsole flow [flags]

Runs the seed example's four calls without a UI: guest login (POST
/auth/complete), a server wallet as session key (POST /wallets/server), the
user's grant (POST /wallets/create-session-key), and a send by the session key
from the user's account (POST /wallets/send: 0 ETH to the user, as the seed
does, or --amount to --to), or with --contract a contract call (POST
/contracts/write). Waits for the grant and the send to be final unless
--async. Without a secret key it starts the embedded sandbox on loopback.

Example, the scoped ERC-20 grant of examples/policies (sandbox):
  walletconsole flow --policies examples/policies/erc20-capped-transfer.json \
    --contract 0x7e57700000000000000000000000000000000001 \
    --call 'transfer(address,uint256)' \
    --args '["0x4444444444444444444444444444444444444444", "100e18"]'


Progress goes to stderr, results to stdout (one JSON object with --json).
Exit status: 0 ok, 1 a call or transaction failed, 2 usage or config error.

Flags:
`

// runFlow is `walletconsole flow`.
func runFlow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("walletconsole flow", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs, flows.FlagDuration, flows.FlagLog, flows.FlagReveal)
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	policyFile := fs.String("policies", "", "grant the policies of `FILE` (JSON: grantFullPermissions, durationInSeconds, callPolicies, transferPolicies) instead of full permissions")
	async := fs.Bool("async", false, "print transaction IDs without waiting for them (the send follows the grant at once, as in the seed)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	verbose := fs.Bool("v", false, "print every request as curl on stderr (secrets masked unless --reveal)")
	to := fs.String("to", "", "send to this `address` instead of the user's own (the seed's choice)")
	amount := fs.String("amount", "0", "`value` to send from the user's account: 0.01 (ETH), 5 gwei, 1000 wei (with --contract: the call's value)")
	contract := fs.String("contract", "", "call a function of the contract at `address` instead of a plain send (POST /contracts/write)")
	callSig := fs.String("call", "", "with --contract: the function, e.g. 'transfer(address,uint256)' or 'function transfer(address to, uint256 amount)'")
	callArgs := fs.String("args", "", "with --contract: the arguments as a JSON `array`, e.g. '[\"0x4444…4444\", \"100e18\"]' (integers in base units: 1000, 100e18, 0x3e8)")
	embedded := registerSandboxFlags(fs, " (embedded sandbox only)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), flowUsage)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walletconsole flow: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	var toAddr string
	if *to != "" {
		a, err := apiclient.ParseAddress(*to)
		if err != nil {
			fmt.Fprintf(stderr, "walletconsole flow: --to: %v\n", err)
			return 2
		}
		toAddr = a.Hex()
	}
	wei, err := flows.ParseValue(*amount)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole flow: --amount: %v\n", err)
		return 2
	}
	var call *apiclient.ContractCall
	switch {
	case *contract != "":
		if *to != "" {
			fmt.Fprintln(stderr, "walletconsole flow: --to is for a plain send; a contract call goes to --contract (put a recipient in --args)")
			return 2
		}
		cc, err := buildCall(*contract, *callSig, *callArgs, wei)
		if err != nil {
			fmt.Fprintf(stderr, "walletconsole flow: %v\n", err)
			return 2
		}
		call = &cc
	case *callSig != "" || *callArgs != "":
		fmt.Fprintln(stderr, "walletconsole flow: --call and --args need --contract (the contract's address)")
		return 2
	}
	sbOpts, err := embedded.options()
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole flow: %v\n", err)
		return 2
	}
	cfg, err := flows.LoadConfig(fs, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole flow: %v\n", err)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "walletconsole flow: %v\n", err)
		return 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if *async && cfg.Mode == flows.ModeSandbox {
		fmt.Fprintln(stderr, "warning: --async with the embedded sandbox: the sandbox and its chain end with this command, so these transaction IDs cannot be looked up afterwards; run 'walletconsole sandbox' and point "+flows.EnvAPIURL+" at it to keep them")
	}
	durationSet := false
	fs.Visit(func(f *flag.Flag) { durationSet = durationSet || f.Name == flows.FlagDuration })

	in := flows.GrantInput{Duration: cfg.Duration, Full: true}
	if *policyFile != "" {
		set, err := flows.LoadPolicyFile(*policyFile)
		if err != nil {
			fmt.Fprintf(stderr, "walletconsole flow: --policies: %v\n", err)
			return 2
		}
		in.Full = set.GrantFullPermissions
		in.CallPolicies, in.TransferPolicies = set.CallPolicies, set.TransferPolicies
		if set.DurationInSeconds > 0 && !durationSet {
			in.Duration = time.Duration(set.DurationInSeconds) * time.Second
		}
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	var logMu sync.Mutex
	var logw io.Writer
	if cfg.LogFile != "" {
		f, err := openLogFile(cfg.LogFile)
		if err != nil {
			fmt.Fprintf(stderr, "walletconsole flow: --log: %v\n", err)
			return 2
		}
		defer f.Close()
		logw = f
	}
	onExchange := func(e apiclient.Exchange) {
		if logw == nil && !*verbose {
			return
		}
		line := fmt.Sprintf("%s %-11s %d %s %s", e.Start.Format("15:04:05.000"), e.Tag, e.Status, e.Duration.Round(time.Millisecond), e.Curl(false))
		logMu.Lock()
		defer logMu.Unlock()
		if logw != nil {
			fmt.Fprintln(logw, apiclient.Printable(line))
		}
		if *verbose {
			fmt.Fprintln(stderr, "      "+apiclient.Printable(e.Curl(cfg.Reveal)))
		}
	}

	res := flowResult{Mode: cfg.Mode, ChainID: cfg.ChainID, Async: *async}
	start := time.Now()
	code := doFlow(ctx, cfg, sbOpts, in, payment{toAddr, wei, call}, *async, onExchange, progress{stderr, *verbose}, &res)
	res.TimingsMs.Total = time.Since(start).Milliseconds()
	res.OK = code == 0
	if res.User != nil && !cfg.Reveal {
		// The guest sessionId logs in as the user: a credential.
		res.User.SessionID = apiclient.MaskSecret(res.User.SessionID)
	}
	// The summary is printed on failure too: what was done before the
	// failure (user, key, transaction IDs) is what one needs to look into it.
	if *jsonOut {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.Encode(res)
		stdout.Write(jsonTerminalSafe(buf.Bytes()))
	} else {
		printFlow(stdout, res)
	}
	if code != 0 {
		fmt.Fprintf(stderr, "walletconsole flow: %s failed: %s\n", res.FailedStep, apiclient.Printable(res.Error))
	}
	return code
}

// progress writes step lines to stderr; with -v each step's requests are
// printed between its heading and its result, so those go on lines of their own.
type progress struct {
	w       io.Writer
	verbose bool
}

func (p progress) start(format string, a ...any) {
	fmt.Fprintf(p.w, format, a...)
	if p.verbose {
		fmt.Fprintln(p.w)
	} else {
		fmt.Fprint(p.w, " ")
	}
}

func (p progress) end(format string, a ...any) {
	if p.verbose {
		fmt.Fprint(p.w, "      → ")
	}
	fmt.Fprintf(p.w, format+"\n", a...)
}

// payment is what step 4 sends: wei to to ("" = the user, as the seed
// does), or, when call is set, that contract call instead.
type payment struct {
	to   string
	wei  *big.Int
	call *apiclient.ContractCall
}

// recipients is the send's body for the user l; nil means the runner's
// default, the seed's 0 to the user.
func (p payment) recipients(l flows.Login) []apiclient.Recipient {
	if p.to == "" && p.wei.Sign() == 0 {
		return nil
	}
	to := p.to
	if to == "" {
		to = l.Address
	}
	return []apiclient.Recipient{{Address: to, Quantity: apiclient.Dec(p.wei)}}
}

func (p payment) describe() string {
	if p.call != nil {
		return "call " + strings.TrimPrefix(p.call.Method, "function ") + " on " + apiclient.ShortHex(p.call.ContractAddress)
	}
	to := "the user"
	if p.to != "" {
		to = apiclient.ShortHex(p.to)
	}
	return flows.FormatValue(p.wei) + " to " + to
}

func doFlow(ctx context.Context, cfg flows.Config, sbOpts sandbox.Options, in flows.GrantInput, pay payment, async bool, onExchange func(apiclient.Exchange), pr progress, res *flowResult) int {
	stderr := pr.w
	fail := func(step string, err error) int {
		res.FailedStep, res.Error = step, err.Error()
		return 1
	}
	if cfg.Mode == flows.ModeSandbox {
		fmt.Fprintln(stderr, "no secret key: starting the embedded sandbox (local chain, nothing leaves this machine)")
	}
	conn, err := flows.Connect(ctx, cfg, embeddedSandbox(sbOpts), apiclient.WithOnExchange(onExchange))
	if err != nil {
		return fail("connect", err)
	}
	defer conn.Close()
	res.Mode, res.APIURL = conn.Config.Mode, conn.Config.APIURL
	fmt.Fprintf(stderr, "%s mode, %s, chain %d\n", conn.Config.Mode, conn.Config.APIURL, conn.Config.ChainID)
	r := conn.Runner

	step := func(n int, what string) func(format string, a ...any) int64 {
		pr.start("[%d/4] %s…", n, what)
		t0 := time.Now()
		return func(format string, a ...any) int64 {
			ms := time.Since(t0)
			pr.end("%s (%s)", fmt.Sprintf(format, a...), fmtDur(ms))
			return ms.Milliseconds()
		}
	}
	failed := func(what string, err error) int {
		pr.end("failed")
		return fail(what, err)
	}

	done := step(1, "guest login (POST /auth/complete)")
	l, err := r.Login(ctx, "")
	if err != nil {
		return failed("login", err)
	}
	res.User = &flowUser{Address: l.Address, SessionID: l.SessionID, IsNewUser: l.IsNewUser}
	if !l.ExpiresAt.IsZero() {
		res.User.TokenExpiresAt = l.ExpiresAt.UTC().Format(time.RFC3339)
	}
	res.TimingsMs.Login = done("user %s", l.Address)

	done = step(2, "session key (POST /wallets/server)")
	k, err := r.CreateSessionKey(ctx, "")
	if err != nil {
		return failed("session key", err)
	}
	res.SessionKey = &flowKey{Address: k.Address, Identifier: k.Identifier}
	res.TimingsMs.SessionKey = done("key %s", k.Address)

	what := "full permissions"
	if !in.Full {
		what = fmt.Sprintf("%d call, %d transfer policies", len(in.CallPolicies), len(in.TransferPolicies))
	}
	done = step(3, "grant, "+what+" (POST /wallets/create-session-key)")
	g, err := r.Grant(ctx, l, k, in)
	if err != nil {
		return failed("grant", err)
	}
	res.Grant = &flowGrant{flowTx: flowTx{TransactionID: g.TxID}, FullPermissions: g.Request.FullPermissions(),
		DurationInSeconds: g.Request.DurationInSeconds, CallPolicies: len(g.Request.CallPolicies),
		TransferPolicies: len(g.Request.TransferPolicies), ExpiresAt: g.ExpiresAt.UTC().Format(time.RFC3339)}
	res.TimingsMs.Grant = done("tx %s", apiclient.Printable(g.TxID))

	if !async {
		t0 := time.Now()
		pr.start("      waiting for the grant…")
		tx, err := r.Watch(ctx, g.TxID, nil)
		res.TimingsMs.GrantConfirm = time.Since(t0).Milliseconds()
		if err != nil {
			return failed("grant confirmation", err)
		}
		res.Grant.flowTx = txOf(tx)
		if tx.Status != apiclient.StatusConfirmed {
			pr.end("%s", apiclient.Printable(finalWord(tx)))
			return fail("grant confirmation", fmt.Errorf("grant %s ended %s: %s", g.TxID, finalWord(tx), orDash(tx.Error())))
		}
		pr.end("CONFIRMED in block %s (%s)", apiclient.Printable(tx.Block()), fmtDur(time.Since(t0)))
	}

	var ids []string
	if pay.call != nil {
		done = step(4, pay.describe()+" as the session key (POST /contracts/write)")
		ids, err = r.Call(ctx, l, k, []apiclient.ContractCall{*pay.call})
	} else {
		done = step(4, "send "+pay.describe()+" as the session key (POST /wallets/send)")
		ids, err = r.Send(ctx, l, k, pay.recipients(l))
	}
	if err != nil {
		return failed("send", err)
	}
	res.Send = &flowSend{}
	if pay.call != nil {
		res.Send.Contract, res.Send.Method = pay.call.ContractAddress, pay.call.Method
	}
	for _, id := range ids {
		res.Send.Transactions = append(res.Send.Transactions, flowTx{TransactionID: id})
	}
	res.TimingsMs.Send = done("tx %s", apiclient.Printable(strings.Join(ids, ", ")))
	if async {
		return 0
	}
	t0 := time.Now()
	if pay.call != nil {
		pr.start("      waiting for the call…")
	} else {
		pr.start("      waiting for the send…")
	}
	txs, err := r.WatchAll(ctx, ids, nil)
	res.TimingsMs.SendConfirm = time.Since(t0).Milliseconds()
	for i, tx := range txs {
		if tx.ID != "" {
			res.Send.Transactions[i] = txOf(tx)
		}
	}
	if err != nil {
		pr.end("failed")
		return fail("send confirmation", err)
	}
	for _, tx := range txs {
		if tx.Status != apiclient.StatusConfirmed {
			pr.end("%s", apiclient.Printable(finalWord(tx)))
			return fail("send confirmation", fmt.Errorf("send %s ended %s: %s", tx.ID, finalWord(tx), orDash(tx.Error())))
		}
	}
	pr.end("CONFIRMED in block %s (%s)", apiclient.Printable(txs[len(txs)-1].Block()), fmtDur(time.Since(t0)))
	return 0
}

func finalWord(tx apiclient.Transaction) string {
	if tx.CancelledAt != nil {
		return "cancelled"
	}
	return string(tx.Status)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printFlow prints the summary. Every value that came from the server or
// the chain goes through Printable: a revert reason must not be able to
// move the cursor, set the title or print a fake status line.
func printFlow(w io.Writer, r flowResult) {
	row := func(k, v string) { fmt.Fprintf(w, "%-13s %s\n", k, apiclient.Printable(v)) }
	row("mode", fmt.Sprintf("%s  %s  chain %d", r.Mode, r.APIURL, r.ChainID))
	if r.User != nil {
		row("user", r.User.Address)
	}
	if r.SessionKey != nil {
		row("session key", r.SessionKey.Address+"  ("+r.SessionKey.Identifier+")")
	}
	tx := func(t flowTx) string {
		s := t.TransactionID
		if t.Status != "" {
			s += "  " + t.Status
		} else {
			s += "  (not waited for)"
		}
		if t.TransactionHash != "" {
			s += "  hash " + t.TransactionHash
		}
		if t.BlockNumber != "" {
			s += "  block " + t.BlockNumber
		}
		if t.ErrorMessage != "" {
			s += "  reason: " + t.ErrorMessage
		}
		return s
	}
	if r.Grant != nil {
		row("grant tx", tx(r.Grant.flowTx))
		perm := "full permissions"
		if !r.Grant.FullPermissions {
			perm = fmt.Sprintf("%d call / %d transfer policies", r.Grant.CallPolicies, r.Grant.TransferPolicies)
		}
		row("grant", fmt.Sprintf("%s, %ds, expires %s", perm, r.Grant.DurationInSeconds, r.Grant.ExpiresAt))
	}
	if r.Send != nil {
		label := "send tx"
		if r.Send.Method != "" {
			row("call", r.Send.Method+" on "+r.Send.Contract)
			label = "call tx"
		}
		for _, t := range r.Send.Transactions {
			row(label, tx(t))
		}
	}
	t := r.TimingsMs
	parts := []string{fmt.Sprintf("login %dms", t.Login), fmt.Sprintf("session key %dms", t.SessionKey), fmt.Sprintf("grant %dms", t.Grant)}
	if !r.Async {
		parts = append(parts, fmt.Sprintf("grant confirm %dms", t.GrantConfirm))
	}
	parts = append(parts, fmt.Sprintf("send %dms", t.Send))
	if !r.Async {
		parts = append(parts, fmt.Sprintf("send confirm %dms", t.SendConfirm))
	}
	row("timings", strings.Join(parts, ", "))
	row("total", fmt.Sprintf("%dms", t.Total))
	if !r.OK {
		row("result", "FAILED at "+r.FailedStep+": "+r.Error)
	}
}

// jsonTerminalSafe escapes, inside encoded JSON, the characters
// encoding/json leaves raw but a terminal may act on: DEL, C1 controls and
// bidi overrides (C0, U+2028 and U+2029 are escaped already). They can only
// occur inside strings, where \uXXXX means the same text.
func jsonTerminalSafe(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b))
	for _, r := range string(b) {
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
			r == 0x200e || r == 0x200f || r == 0x061c {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.Bytes()
}

// buildCall reads --contract, --call and --args into one contract call,
// checking each argument against its type in the signature.
func buildCall(contract, sig, argsJSON string, value *big.Int) (apiclient.ContractCall, error) {
	addr, err := apiclient.ParseAddress(contract)
	if err != nil {
		return apiclient.ContractCall{}, fmt.Errorf("--contract: %w", err)
	}
	if strings.TrimSpace(sig) == "" {
		return apiclient.ContractCall{}, errors.New("--contract needs --call: the function to call, e.g. 'transfer(address,uint256)'")
	}
	sel, err := flows.ParseSelector(sig)
	if err != nil {
		return apiclient.ContractCall{}, fmt.Errorf("--call: %w", err)
	}
	if !sel.Known() {
		return apiclient.ContractCall{}, fmt.Errorf("--call: %s is a bare selector; write the signature, e.g. 'transfer(address,uint256)'", sel.Hex)
	}
	var raw []json.RawMessage
	if strings.TrimSpace(argsJSON) != "" {
		if err := json.Unmarshal([]byte(argsJSON), &raw); err != nil {
			return apiclient.ContractCall{}, fmt.Errorf("--args: want a JSON array such as '[\"0x4444…4444\", \"100e18\"]': %v", err)
		}
	}
	if len(raw) != len(sel.Args) {
		return apiclient.ContractCall{}, fmt.Errorf("--args: %s takes %d argument(s), %d given", sel.Signature, len(sel.Args), len(raw))
	}
	params := make([]any, len(raw))
	for i, a := range sel.Args {
		p, err := callParam(a.Type, raw[i])
		if err != nil {
			return apiclient.ContractCall{}, fmt.Errorf("--args: argument %d (%s): %w", i+1, a.Type, err)
		}
		params[i] = p
	}
	cc := apiclient.ContractCall{ContractAddress: addr.Hex(), Method: sel.Full(), Params: params}
	if value != nil && value.Sign() > 0 {
		cc.Value = apiclient.Dec(value)
	}
	return cc, nil
}

// callParam turns one --args element into the API's form: addresses in
// EIP-55, integers as decimal strings (ParseArgAmount's forms: 1000,
// 100e18, 0x3e8), bools as bools; other types pass through as given.
func callParam(typ string, raw json.RawMessage) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	text := ""
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	}
	switch {
	case typ == "address":
		a, err := apiclient.ParseAddress(text)
		if err != nil {
			return nil, err
		}
		return a.Hex(), nil
	case strings.HasPrefix(typ, "uint") && !strings.Contains(typ, "["):
		n, err := flows.ParseArgAmount(text)
		if err != nil {
			return nil, err
		}
		if _, err := flows.EncodeRefValue(typ, n.String()); err != nil {
			return nil, err
		}
		return n.String(), nil
	case strings.HasPrefix(typ, "int") && !strings.Contains(typ, "["):
		if _, err := flows.EncodeRefValue(typ, text); err != nil {
			return nil, err
		}
		return strings.TrimSpace(text), nil
	case typ == "bool":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		if text == "true" || text == "false" {
			return text == "true", nil
		}
		return nil, fmt.Errorf("%s is not true or false", raw)
	}
	return v, nil
}

func fmtDur(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}
