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

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// sessionGetenv and sessionNow are swapped by tests.
var (
	sessionGetenv = os.Getenv
	sessionNow    = time.Now
)

const sessionUsage = `Usage: walletconsole session show --account 0x… --key 0x… [flags]

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
		fmt.Fprint(w, strings.SplitN(sessionUsage, "\n\nFlags:", 2)[0]+"\n\nRun 'walletconsole session show --help' for the flags.\n")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "show" {
		fmt.Fprintf(stderr, "walletconsole session: unknown subcommand %q (want: show)\n", args[0])
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
