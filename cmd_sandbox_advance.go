package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// advanceGetenv is swapped by tests.
var advanceGetenv = os.Getenv

const advanceUsage = `Usage: walletconsole sandbox advance DURATION [flags]

Moves a running sandbox chain's clock forward (POST /v1/sandbox/advance-time,
authenticated with the secret key), so an allowance window refills or a
session expires without waiting: 'walletconsole sandbox advance 1h'.
DURATION: 90s, 30m, 1h, 1d, 1h30m, 7d or seconds.

Point it at the sandbox with the variables 'walletconsole sandbox' prints
(THIRDWEB_API_URL, THIRDWEB_CLIENT_ID, THIRDWEB_SECRET_KEY) or the flags.
The hosted API has no such route (it answers 404).

Exit status: 0 advanced, 1 the call failed, 2 usage or config error.

Flags:
`

// runSandboxAdvance is `walletconsole sandbox advance`.
func runSandboxAdvance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "walletconsole sandbox advance"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs)
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), advanceUsage)
		fs.PrintDefaults()
	}
	var dur string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dur, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if dur == "" && fs.NArg() == 1 {
		dur = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (see --help)\n", name, fs.Arg(0))
		return 2
	}
	if dur == "" {
		fmt.Fprintf(stderr, "%s: expected a DURATION such as 1h or 1d (see --help)\n", name)
		return 2
	}
	d, err := flows.ParsePeriod(dur)
	if err != nil {
		fmt.Fprintf(stderr, "%s: DURATION: %v\n", name, err)
		return 2
	}
	cfg, err := flows.LoadConfig(fs, advanceGetenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	if cfg.Mode != flows.ModeLive {
		fmt.Fprintf(stderr, "%s: no sandbox to advance: start one with 'walletconsole sandbox' and use the THIRDWEB_API_URL / THIRDWEB_SECRET_KEY it prints (or --api-url and --secret-key)\n", name)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := flows.AdvanceSandboxTime(ctx, apiclient.New(cfg.APIURL, cfg.ClientID, cfg.SecretKey), cfg.ChainID, d)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stdout, "chain %d advanced %s: its clock now reads %s\n", res.ChainID, flows.FormatPeriod(d), apiclient.Printable(res.BlockTime))
	return 0
}
