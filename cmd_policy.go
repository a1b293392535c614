package main

import (
	"context"
	"encoding/json"

	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
	"walletconsole/flows"
)

const policyUsage = `Usage: walletconsole policy lint|explain|test FILE [flags]

Checks a policy file (the create-session-key body without chainId and
sessionKeyAddress, as 'flow --policies' and the console's Permissions screen
read it) before anyone signs it:

  lint FILE [--strict] [--account 0x…] [--json]
      the hazards, each with why and the fix. Exit 1 on errors; warnings
      exit 0 unless --strict.
  explain FILE
      the set in plain sentences.
  test FILE [--json]
      runs the file's "tests" cases, each on a fresh scratch chain with the
      real account contract (grant, run, discard): one line per case, exit 1
      on any mismatch, naming the clause that refused. Needs no network.

Exit status: 0 fine, 1 findings/mismatch (see above), 2 usage error or
unreadable file.
`

// policySimulator is what 'policy test' runs cases on (tests swap it).
var policySimulator = func(chainID uint64) flows.PolicySimulator { return chainSimulator{chainID: chainID} }

// sandboxToken names the sandbox's test token for explanations.
var sandboxToken = flows.Token{Address: chain.TokenAddress.Hex(), Symbol: "TST", Decimals: 18}

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := stderr
		if len(args) > 0 {
			w = stdout
		}
		fmt.Fprint(w, policyUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub := args[0]
	name := "walletconsole policy " + sub
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var strict, jsonOut *bool
	var acct *string
	var chainID *uint64
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	switch sub {
	case "lint":
		strict = fs.Bool("strict", false, "exit 1 on warnings too")
		acct = fs.String("account", "", "the user's account `address`, to flag policies on the account itself")
		jsonOut = fs.Bool("json", false, "print the findings as JSON")
	case "explain":
	case "test":
		jsonOut = fs.Bool("json", false, "print the results as JSON (for CI)")
		chainID = fs.Uint64("chain", chain.DefaultRPCChainID, "chain `ID` of the scratch chain (the EIP-712 domain's chainId)")
	default:
		fmt.Fprintf(stderr, "walletconsole policy: unknown subcommand %q (want: lint, explain, test)\n", sub)
		return 2
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), policyUsage+"\nFlags of "+sub+":\n")
		fs.PrintDefaults()
	}
	// Allow the file before or after the flags.
	rest := args[1:]
	var file string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q (one FILE)\n", name, fs.Arg(0))
		return 2
	}
	if file == "" || fs.NArg() > 1 {
		fmt.Fprintf(stderr, "%s: expected one policy FILE (see --help)\n", name)
		return 2
	}
	b, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	switch sub {
	case "lint":
		opts := flows.LintOptions{}
		if *acct != "" {
			a, err := apiclient.ParseAddress(*acct)
			if err != nil {
				fmt.Fprintf(stderr, "%s: --account: %v\n", name, err)
				return 2
			}
			opts.Account = a.Hex()
		}
		return policyLint(file, b, opts, *strict, *jsonOut, stdout, stderr)
	case "explain":
		s, err := flows.ParsePolicySet(b)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s: %v\n", name, file, err)
			return 1
		}
		for _, l := range flows.ExplainPolicySet(s, flows.ExplainOptions{Tokens: []flows.Token{sandboxToken}, Functions: testFunctions(s)}) {
			fmt.Fprintln(stdout, l)
		}
		return 0
	default:
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		return policyTest(ctx, file, b, *chainID, *jsonOut, stdout, stderr)
	}
}

// testFunctions are the signatures a set's tests name, for argument names.
func testFunctions(s flows.PolicySet) []flows.Selector {
	var out []flows.Selector
	cases, _ := flows.ParsePolicyTests(s.Tests)
	for _, c := range cases {
		if c.Call != nil {
			if sel, err := flows.ParseSelector(c.Call.Signature); err == nil && sel.Known() {
				out = append(out, sel)
			}
		}
	}
	return out
}

func policyLint(file string, b []byte, opts flows.LintOptions, strict, jsonOut bool, stdout, stderr io.Writer) int {
	_, findings, err := flows.LintPolicyFile(b, opts)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole policy lint: %s: %v\n", file, err)
		return 1
	}
	errs, warns := flows.LintCounts(findings)
	if jsonOut {
		if findings == nil {
			findings = []flows.LintFinding{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			File     string              `json:"file"`
			Errors   int                 `json:"errors"`
			Warnings int                 `json:"warnings"`
			Findings []flows.LintFinding `json:"findings"`
		}{file, errs, warns, findings})
	} else {
		if len(findings) == 0 {
			fmt.Fprintf(stdout, "%s: no hazards found\n", file)
		} else {
			fmt.Fprintf(stdout, "%s: %d error(s), %d warning(s)\n", file, errs, warns)
		}
		for _, f := range findings {
			fmt.Fprintf(stdout, "%-7s %s [%s]\n  %s\n  why: %s\n  fix: %s\n", f.Severity, pathOrTop(f.Path), f.Code, f.Message, f.Why, f.Fix)
		}
	}
	if errs > 0 || (strict && warns > 0) {
		return 1
	}
	return 0
}

func pathOrTop(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

func policyTest(ctx context.Context, file string, b []byte, chainID uint64, jsonOut bool, stdout, stderr io.Writer) int {
	s, err := flows.ParsePolicySet(b)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole policy test: %s: %v\n", file, err)
		return 1
	}
	results, err := flows.RunPolicyTests(ctx, policySimulator(chainID), s)
	if err != nil && len(results) == 0 {
		fmt.Fprintf(stderr, "walletconsole policy test: %s: %v\n", file, err)
		return 1
	}
	failed := 0
	for _, r := range results {
		if !r.Pass {
			failed++
		}
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			File    string                   `json:"file"`
			Passed  int                      `json:"passed"`
			Failed  int                      `json:"failed"`
			Results []flows.PolicyTestResult `json:"results"`
		}{file, len(results) - failed, failed, results})
	} else {
		for _, r := range results {
			fmt.Fprintln(stdout, formatTestResult(r))
		}
		fmt.Fprintf(stdout, "%s: %d passed, %d failed (each case on a scratch chain running the account contract)\n", file, len(results)-failed, failed)
	}
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole policy test: %v\n", err)
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func formatTestResult(r flows.PolicyTestResult) string {
	mark := "ok  "
	if !r.Pass {
		mark = "FAIL"
	}
	s := fmt.Sprintf("%s %s: expected %s, got %s", mark, apiclient.Printable(r.Name), r.Expect, r.Got)
	if r.Error != "" {
		return s + " (" + apiclient.Printable(r.Error) + ")"
	}
	if r.Run > 0 {
		s += fmt.Sprintf(" at run %d", r.Run)
		if r.Clause != "" {
			s += " by " + r.Clause
		}
		s += " — " + apiclient.Printable(r.Reason)
	}
	if len(r.Remaining) > 0 && (r.Run == 0 || !r.Pass) {
		s += " · left: " + strings.Join(r.Remaining, "; ")
	}
	return s
}
