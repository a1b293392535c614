// Command walletconsole walks the Wallets API session-key flow (EIP-7702):
// a terminal console, a headless `flow` command, and an embedded
// API-compatible sandbox on a local EVM chain.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"walletconsole/apiclient"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module's build info.
var version = ""

func main() {
	// Set once before anything runs: every client (console, flow, session)
	// reads it, some on goroutines of their own.
	apiclient.Version = versionString()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runConsole(ctx, args, stdin, stdout, stderr)
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	case "-v", "--version", "version":
		fmt.Fprintln(stdout, "walletconsole", versionString())
		return 0
	case "--keys", "-keys", "keys":
		io.WriteString(stdout, keysDoc)
		return 0
	case "flow":
		return runFlow(ctx, args[1:], stdout, stderr)
	case "sandbox":
		return runSandbox(ctx, args[1:], stdout, stderr)
	case "session":
		return runSession(ctx, args[1:], stdout, stderr)
	case "policy":
		return runPolicy(ctx, args[1:], stdout, stderr)
	}
	// Anything else is the console's flags (e.g. --theme projector).
	return runConsole(ctx, args, stdin, stdout, stderr)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func usage(w io.Writer) {
	fmt.Fprint(w, `walletconsole: walk the Wallets API session-key flow (EIP-7702)

Usage:
  walletconsole [flags]              open the console (embedded sandbox unless a secret key is set)
  walletconsole flow [flags]         run login → session key → grant → send headless
  walletconsole sandbox [flags]      serve the API-compatible sandbox on loopback
  walletconsole sandbox advance 1h   move a running sandbox chain's clock forward
  walletconsole session show [flags] show what a session key may do on an account
  walletconsole --keys               print the console's key map
  walletconsole policy lint|explain|test FILE   check a policy file before granting it
  walletconsole --version | --help

Run 'walletconsole <command> --help' for a command's flags.
Credentials: --client-id/--secret-key/--api-url, or THIRDWEB_CLIENT_ID,
THIRDWEB_SECRET_KEY, THIRDWEB_API_URL. See README.md.
`)
}
