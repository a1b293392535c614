package ui

import (
	"fmt"
	"strings"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// ExitSummary is what the run leaves behind, for stdout once the
// alternate screen has closed (nothing vanishes with it): mode, user, key,
// and every transaction ID with its last known state and, if it failed,
// its reason. Plain text, terminal-safe, secrets never included. After
// Close it is the state at Close.
func (m *Model) ExitSummary() string {
	if m.closed {
		return m.summary
	}
	return m.exitSummary()
}

func (m *Model) exitSummary() string {
	c := m.c
	var b strings.Builder
	mode := "sandbox (embedded)"
	if c.cfg.Mode == flows.ModeLive {
		mode = "live " + apiclient.Printable(c.cfg.APIURL)
		if c.sess.sandbox != nil {
			mode += " (a sandbox)"
		}
	}
	fmt.Fprintf(&b, "walletconsole run summary\n")
	fmt.Fprintf(&b, "  mode   %s, chain %d\n", mode, c.chainID())
	user, key := "none", "none"
	if a := c.sess.login.Address; a != "" {
		user = apiclient.Checksum(a)
	}
	if k := c.sess.key; k.Address != "" {
		key = apiclient.Checksum(k.Address)
		if k.Identifier != "" {
			key += " (" + apiclient.Printable(k.Identifier) + ")"
		}
	}
	fmt.Fprintf(&b, "  user   %s\n", user)
	fmt.Fprintf(&b, "  key    %s\n", key)
	rows := c.txs.rows
	if len(rows) == 0 {
		b.WriteString("  no transactions in this run\n")
		return b.String()
	}
	fmt.Fprintf(&b, "  transactions (%d):\n", len(rows))
	for _, r := range rows {
		state := r.statusText()
		if !r.final() {
			state += " (not final when the console quit)"
		}
		fmt.Fprintf(&b, "    %-5s %s %s", r.kind, apiclient.Printable(r.id), state)
		if blk := r.failedIn(); blk != "" {
			fmt.Fprintf(&b, " in block %s", blk)
		} else if blk := r.tx.Block(); blk != "" {
			fmt.Fprintf(&b, " block %s", apiclient.Printable(blk))
		}
		if h := r.tx.Hash(); h != "" {
			fmt.Fprintf(&b, " hash %s", apiclient.Printable(h))
		}
		b.WriteString("\n")
		if e := c.reasonText(r); e != "" {
			fmt.Fprintf(&b, "          reason: %s\n", e)
		}
	}
	return b.String()
}
