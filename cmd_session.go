package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// sessionGetenv and sessionNow are swapped by tests.
var (
	sessionGetenv = os.Getenv
	sessionNow    = time.Now
)

const sessionUsage = `Usage: walletconsole session show --account 0x… --key 0x… [flags]
       walletconsole session list --account 0x… [--json] [--rpc-url URL]
       walletconsole session revoke --account 0x… --key 0x… --token JWT

'list' and 'revoke' read the chain itself (see 'walletconsole session list
--help'); 'show' asks the sandbox's read-back route:

Shows what a session key may do on a user's account, read from the chain:
wildcard or not, the expiry (local time), each call and transfer policy in
plain words, and what is left of every metered limit.

It reads GET /v1/sandbox/sessions/{account}/{key}?chainId=N, which only
walletconsole's sandbox serves (the hosted API has no read-back). Point it at
a running sandbox with the variables 'walletconsole sandbox' prints
(THIRDWEB_API_URL, THIRDWEB_CLIENT_ID, THIRDWEB_SECRET_KEY) or the flags.

Exit status: 0 shown (also when there is no session), 1 the call failed,
2 usage or config error.

Flags:
`

// sessionView is the --json output: the read-back plus the same lines the
// text output prints.
type sessionView struct {
	apiclient.SessionInfo
	Status            string   `json:"status"` // live | expired | none
	Expires           string   `json:"expires,omitempty"`
	CallSummaries     []string `json:"callPolicySummaries"`
	TransferSummaries []string `json:"transferPolicySummaries"`
}

// runSession is `walletconsole session show`.
func runSession(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprint(w, strings.SplitN(sessionUsage, "\n\nFlags:", 2)[0]+"\n\nRun 'walletconsole session show|list|revoke --help' for the flags.\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "show":
	case "list":
		return runSessionList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return runSessionRevoke(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "walletconsole session: unknown subcommand %q (want: show, list, revoke)\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("walletconsole session show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs)
	account := fs.String("account", "", "the user's account `address` (their walletAddress)")
	key := fs.String("key", "", "the session key's `address` (the server wallet)")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), sessionUsage)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walletconsole session show: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	var bad []string
	for _, a := range []struct{ flag, v string }{{"account", *account}, {"key", *key}} {
		if strings.TrimSpace(a.v) == "" {
			bad = append(bad, fmt.Sprintf("--%s is required", a.flag))
		} else if _, err := apiclient.ParseAddress(a.v); err != nil {
			bad = append(bad, fmt.Sprintf("--%s: %v", a.flag, err))
		}
	}
	if len(bad) > 0 {
		for _, b := range bad {
			fmt.Fprintf(stderr, "walletconsole session show: %s\n", b)
		}
		return 2
	}
	cfg, err := flows.LoadConfig(fs, sessionGetenv)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole session show: %v\n", err)
		return 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "walletconsole session show: warning: %s\n", w)
	}
	if cfg.Mode != flows.ModeLive {
		fmt.Fprint(stderr, `walletconsole session show: no API to ask. Sessions live on a running sandbox's chain;
a fresh embedded one would have none. Start one with 'walletconsole sandbox' and use
the THIRDWEB_API_URL / THIRDWEB_SECRET_KEY it prints (or --api-url and --secret-key).
`)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	client := apiclient.New(cfg.APIURL, cfg.ClientID, cfg.SecretKey)
	acc, _ := apiclient.ParseAddress(*account)
	sk, _ := apiclient.ParseAddress(*key)
	info, err := client.Session(ctx, cfg.ChainID, acc.Hex(), sk.Hex())
	if err != nil {
		var ae *apiclient.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			fmt.Fprintf(stderr, "walletconsole session show: %s answered 404: the session read-back (GET /v1/sandbox/sessions/…) is only served by walletconsole's sandbox, not by the hosted API (%v)\n", cfg.APIURL, err)
			return 1
		}
		fmt.Fprintf(stderr, "walletconsole session show: %v\n", err)
		return 1
	}
	v := viewSession(info, sessionNow())
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			fmt.Fprintf(stderr, "walletconsole session show: %v\n", err)
			return 1
		}
		return 0
	}
	printSession(stdout, v)
	return 0
}

func viewSession(info apiclient.SessionInfo, now time.Time) sessionView {
	v := sessionView{SessionInfo: info, CallSummaries: []string{}, TransferSummaries: []string{}}
	switch {
	case info.ExpiresAtUnix == 0:
		v.Status = "none"
	case info.Live:
		v.Status = "live"
	default:
		v.Status = "expired"
	}
	if info.ExpiresAtUnix != 0 {
		exp := time.Unix(info.ExpiresAtUnix, 0)
		v.Expires = flows.FormatExpiry(now, exp)
		if !info.Live && exp.After(now) {
			// The chain's clock is ahead of ours (sandbox advance-time).
			v.Expires = strings.SplitN(v.Expires, " (", 2)[0] + " (expired: the chain's clock is past it)"
		}
	}
	for _, p := range info.CallPolicies {
		v.CallSummaries = append(v.CallSummaries, flows.DescribeCallPolicy(p, info.Limits))
	}
	for _, p := range info.TransferPolicies {
		v.TransferSummaries = append(v.TransferSummaries, flows.DescribeTransferPolicy(p, info.Limits))
	}
	return v
}

func printSession(w io.Writer, v sessionView) {
	fmt.Fprintf(w, "session key %s\non account  %s (chain %d)\n", v.SessionKeyAddress, v.AccountAddress, v.ChainID)
	if v.Status == "none" {
		fmt.Fprintln(w, "status      no session: this key was never granted on this account (or the grant is not confirmed yet)")
		return
	}
	status := "LIVE"
	if v.Status == "expired" {
		status = "EXPIRED"
	}
	fmt.Fprintf(w, "status      %s · expires %s\n", status, v.Expires)
	if v.IsWildcard {
		fmt.Fprintln(w, "permissions full (wildcard): any call and any transfer from the account, no limits")
		return
	}
	fmt.Fprintln(w, "permissions restricted to the policies below; anything else reverts")
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			fmt.Fprintf(w, "%s: none\n", title)
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(lines))
		for i, l := range lines {
			fmt.Fprintf(w, "  %d. %s\n", i+1, l)
		}
	}
	section("call policies", v.CallSummaries)
	section("transfer policies", v.TransferSummaries)
}

const sessionListUsage = `Usage: walletconsole session list --account 0x… [--json] [--rpc-url URL] [flags]

Lists every session key ever granted on an account, read from the chain:
the account's SessionCreated events, then its views for each signer's
current grant (getSessionExpirationForSigner, isWildcardSigner,
getCallPoliciesForSigner, getTransferPoliciesForSigner,
getSessionStateForSigner). For each grant: wildcard or scoped, the expiry
(countdown, "expired", "replaced" by a later grant to the same key, or
"revoked" when the key's current grant allows nothing), the policies in
plain words and, for a live scoped session, each metered limit's use and
when an allowance refills.

The chain's JSON-RPC: --rpc-url (config rpcUrl); else a sandbox's own (it
must run with --rpc-addr); else, against the hosted API, thirdweb's public
RPC https://<chainId>.rpc.thirdweb.com/<clientId>.

Exit status: 0 listed (also none), 1 a read failed, 2 usage or config error.

Flags:
`

// sessionConn is what list and revoke need: the config, an API client when
// an API is configured, and a chain reader.
type sessionConn struct {
	cfg    flows.Config
	client *apiclient.Client
	reader *flows.SessionReader
	rpcURL string
	from   string
}

func openSessionConn(ctx context.Context, name string, fs *flag.FlagSet, fromBlock uint64, needAPI bool, stderr io.Writer) (*sessionConn, int) {
	cfg, err := flows.LoadConfig(fs, sessionGetenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", name, w)
	}
	sc := &sessionConn{cfg: cfg}
	if cfg.Mode == flows.ModeLive {
		sc.client = apiclient.New(cfg.APIURL, cfg.ClientID, cfg.SecretKey)
	} else if needAPI || cfg.RPCURL == "" {
		fmt.Fprintf(stderr, `%s: no API to ask. Sessions live on a running sandbox's chain (or a live chain);
a fresh embedded sandbox would have none. Start one with 'walletconsole sandbox --rpc-addr 127.0.0.1:8545'
and use the THIRDWEB_API_URL / THIRDWEB_SECRET_KEY it prints (or --api-url and --secret-key)%s.
`, name, map[bool]string{true: "", false: ", or pass --rpc-url"}[needAPI])
		return nil, 2
	}
	sc.rpcURL, sc.from, err = flows.ResolveRPCURL(ctx, cfg, sc.client)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, 1
	}
	sc.reader, err = flows.DialSessionReader(ctx, sc.rpcURL, cfg.ChainID)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v (from %s)\n", name, err, sc.from)
		return nil, 1
	}
	sc.reader.FromBlock = fromBlock
	return sc, 0
}

func parseAddressFlags(name string, stderr io.Writer, flags ...struct{ flag, v string }) bool {
	ok := true
	for _, a := range flags {
		if strings.TrimSpace(a.v) == "" {
			fmt.Fprintf(stderr, "%s: --%s is required\n", name, a.flag)
			ok = false
		} else if _, err := apiclient.ParseAddress(a.v); err != nil {
			fmt.Fprintf(stderr, "%s: --%s: %v\n", name, a.flag, err)
			ok = false
		}
	}
	return ok
}

// runSessionList is `walletconsole session list`.
func runSessionList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "walletconsole session list"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs, flows.FlagRPCURL)
	acct := fs.String("account", "", "the user's account `address`")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	fromBlock := fs.Uint64("from-block", 0, "search SessionCreated events from this `block` (public RPCs may limit ranges)")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), sessionListUsage)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see --help)\n", name, fs.Arg(0))
		return 2
	}
	if !parseAddressFlags(name, stderr, struct{ flag, v string }{"account", *acct}) {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	sc, code := openSessionConn(ctx, name, fs, *fromBlock, false, stderr)
	if sc == nil {
		return code
	}
	defer sc.reader.Close()
	a, _ := apiclient.ParseAddress(*acct)
	list, err := flows.ListSessions(ctx, sc.reader, common.Address(a), sessionNow())
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(list); err != nil {
			return 1
		}
		return 0
	}
	printSessionList(stdout, list, sc.rpcURL, flows.MeterAmountIn(sc.tokens(ctx)))
	return 0
}

// tokens names the sandbox's test token when the API is walletconsole's
// sandbox, so meters read "149 TST" as in the console; none otherwise.
func (sc *sessionConn) tokens(ctx context.Context) []flows.Token {
	if sc.client == nil {
		return nil
	}
	info, err := sc.client.SandboxInfo(ctx)
	if err != nil || info.TokenSymbol == "" {
		return nil
	}
	return []flows.Token{{Address: info.TokenAddress, Symbol: info.TokenSymbol, Decimals: sandboxToken.Decimals}}
}

// printSessionList prints l for people; amount formats the meters' amounts.
func printSessionList(w io.Writer, l flows.SessionList, rpcURL string, amount flows.MeterAmount) {
	fmt.Fprintf(w, "account %s on chain %d (block %d, chain time %s, read from %s)\n", l.Account, l.ChainID, l.Block,
		time.Unix(l.ChainTime, 0).Format("15:04:05"), apiclient.Printable(rpcURL))
	if len(l.Sessions) == 0 {
		fmt.Fprintln(w, "no session key was ever granted on this account (no SessionCreated events)")
		return
	}
	for _, e := range l.Sessions {
		kind := "scoped"
		if e.Wildcard {
			kind = "wildcard (full permissions)"
		} else if e.Status == flows.SessionRevoked {
			kind = "empty grant"
		}
		fmt.Fprintf(w, "\n%s  %s · %s · granted in block %d\n", e.Signer, strings.ToUpper(e.Status), kind, e.GrantedBlock)
		switch e.Status {
		case flows.SessionReplaced:
			fmt.Fprintf(w, "  %s\n", e.Expires)
		case flows.SessionRevoked:
			fmt.Fprintf(w, "  revoked: its current grant allows nothing; ends %s\n", e.Expires)
		default:
			fmt.Fprintf(w, "  expires %s\n", e.Expires)
		}
		if e.Wildcard {
			fmt.Fprintln(w, "  may make any call and any transfer, with no limits")
		}
		for i, p := range e.Policies {
			fmt.Fprintf(w, "  %d. %s\n", i+1, apiclient.Printable(p))
		}
		for _, m := range e.Meters {
			fmt.Fprintf(w, "  meter: %s\n", apiclient.Printable(m.Words(amount)))
		}
	}
}

const sessionRevokeUsage = `Usage: walletconsole session revoke --account 0x… --key 0x… --token JWT [flags]

Revokes a session key: there is no revoke call, so it grants the same key
a session that allows nothing (grantFullPermissions false, no policies, %s),
which replaces the key's session, as the user (POST
/wallets/create-session-key with the user's token: --token or
WALLETCONSOLE_USER_TOKEN). It waits for the grant, reads the key's session
back from the chain and says plainly whether the old permissions are gone.
Against walletconsole's sandbox it also sends a probe as the key (0 ETH to
the user) and shows the chain's refusal.

%s

Exit status: 0 revoked (old permissions gone), 1 failed or the old
permissions are still there, 2 usage or config error.

Flags:
`

// EnvUserToken is the user's token for `session revoke`.
const EnvUserToken = "WALLETCONSOLE_USER_TOKEN"

// runSessionRevoke is `walletconsole session revoke`.
func runSessionRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "walletconsole session revoke"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs, flows.FlagRPCURL)
	acct := fs.String("account", "", "the user's account `address`")
	key := fs.String("key", "", "the session key's `address` to revoke")
	token := fs.String("token", "", "the user's `JWT` (default $"+EnvUserToken+"): a revoke is the user's act")
	jsonOut := fs.Bool("json", false, "print one JSON object on stdout")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), sessionRevokeUsage, flows.FormatPeriod(flows.RevokeDuration), flows.RevocationNote)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see --help)\n", name, fs.Arg(0))
		return 2
	}
	ok := parseAddressFlags(name, stderr, struct{ flag, v string }{"account", *acct}, struct{ flag, v string }{"key", *key})
	tok := strings.TrimSpace(*token)
	if tok == "" {
		tok = strings.TrimSpace(sessionGetenv(EnvUserToken))
	}
	if tok == "" {
		fmt.Fprintf(stderr, "%s: --token (or %s) is required: the user's token from guest login\n", name, EnvUserToken)
		ok = false
	}
	if !ok {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	sc, code := openSessionConn(ctx, name, fs, 0, true, stderr)
	if sc == nil {
		return code
	}
	defer sc.reader.Close()
	// The probe is for the sandbox only: it answers /v1/sandbox/info.
	_, infoErr := sc.client.SandboxInfo(ctx)
	isSandbox := infoErr == nil
	a, _ := apiclient.ParseAddress(*acct)
	k, _ := apiclient.ParseAddress(*key)
	r := &flows.Runner{Client: sc.client, ChainID: sc.cfg.ChainID}
	progress := func(s string) {
		if !*jsonOut {
			fmt.Fprintln(stdout, apiclient.Printable(s))
		}
	}
	res, err := flows.Revoke(ctx, r, sc.reader, tok, common.Address(a), common.Address(k), isSandbox, progress)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	if !isSandbox {
		res.ProbeSkips = "live mode: no probe is sent (it would be a real transaction); the read-back above is the evidence"
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		if res.Before.ExpiresAtUnix == 0 {
			fmt.Fprintln(stdout, "before: the chain showed no session for this key on this account")
		} else {
			fmt.Fprintf(stdout, "before: wildcard %v, %d call and %d transfer policies, expiring %s\n", res.Before.IsWildcard,
				len(res.Before.CallPolicies), len(res.Before.TransferPolicies), time.Unix(res.Before.ExpiresAtUnix, 0).Format("15:04:05"))
		}
		fmt.Fprintf(stdout, "after:  %s\n", res.Verdict)
		if p := res.Probe; p != nil {
			if p.Refused {
				fmt.Fprintf(stdout, "probe:  a send as the key (0 ETH to the user) was refused on chain: %s\n", apiclient.Printable(p.Reason))
			} else {
				fmt.Fprintf(stdout, "probe:  a send as the key (0 ETH to the user) was NOT refused: %s %s\n", p.Status, p.TxID)
			}
		} else if res.ProbeSkips != "" {
			fmt.Fprintf(stdout, "probe:  skipped (%s)\n", res.ProbeSkips)
		}
		fmt.Fprintf(stdout, "\n%s\n", flows.RevocationNote)
	}
	if !res.OldGone || (res.Probe != nil && !res.Probe.Refused) {
		return 1
	}
	return 0
}
