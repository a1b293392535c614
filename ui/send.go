package ui

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type sendDoneMsg struct {
	gen  int
	kind string
	ids  []string
	err  error
}

func (sendDoneMsg) ownerScreen() screenID { return sendScreen }

type sendKeys struct {
	Submit, Enter, Next, Prev, Add, Remove, Mode, Up, Down, Form, Yes, No key.Binding
}

// recipient is one row of the transfer editor.
type recipient struct{ addr, amount *field }

// defaultTokenSig is the contract call's default method (the sandbox token).
const defaultTokenSig = "function transfer(address to, uint256 amount)"

// send is screen 6: a transfer (recipients editor) or a contract call,
// executed by the session key on the user's account.
type send struct {
	c        *common
	keys     sendKeys
	w, h     int
	callMode bool
	rows     []recipient
	target   *field
	sig      *field
	args     *field
	value    *field
	focus    int // index into focusables(); -1 = results list
	results  []string
	sel      int
	pending  bool
	confirm  bool
	gen      int
	defaults bool // defaults filled from the login/sandbox

	watchFailed []string // IDs whose watch gave up (r watches them again)
}

func validAddress(v string) error {
	_, err := apiclient.ParseAddress(v)
	return err
}

func validValue(v string) error {
	_, err := flows.ParseValue(v)
	return err
}

func newRecipient(addr, amount string) recipient {
	return recipient{
		addr:   newField("address", "To", "0x… recipient address", validAddress).withValue(addr),
		amount: newField("amount", "Amount", "0.01 (ETH), 5 gwei, 1000 wei", validValue).withValue(amount).withHint("ETH"),
	}
}

func newSend(c *common) *send {
	s := &send{c: c, rows: []recipient{newRecipient("", "0")}, focus: 0}
	s.target = newField("target", "Contract", "0x… contract address", validAddress)
	s.sig = newField("signature", "Function", defaultTokenSig, func(v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			return errors.New("a function signature is needed, e.g. " + defaultTokenSig)
		}
		sel, err := flows.ParseSelector(v)
		if err != nil {
			return err
		}
		if sel.Signature == "" {
			return errors.New("a contract call needs the full signature, e.g. " + defaultTokenSig)
		}
		return nil
	})
	s.args = newField("args", "Arguments", "comma-separated: 0x…, 1000", nil).withHint("comma-separated")
	s.value = newField("value", "Value", "0 (ETH)", validValue).withValue("0")
	s.keys = sendKeys{
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/send")),
		Next:   keyNext,
		Prev:   keyPrev,
		Add:    key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add recipient")),
		Remove: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "remove recipient")),
		Mode:   key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "transfer/contract call")),
		Up:     keyUp,
		Down:   keyDown,
		Form:   key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "edit form")),
		Yes:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "send")),
		No:     key.NewBinding(key.WithKeys("n", "N", "esc", "enter"), key.WithHelp("n/esc", "cancel")),
	}
	return s
}

// focusables is the focus order of the current mode.
func (s *send) focusables() []*field {
	if s.callMode {
		return []*field{s.target, s.sig, s.args, s.value}
	}
	fs := make([]*field, 0, 2*len(s.rows))
	for _, r := range s.rows {
		fs = append(fs, r.addr, r.amount)
	}
	return fs
}

func (s *send) allFields() []*field {
	fs := []*field{s.target, s.sig, s.args, s.value}
	for _, r := range s.rows {
		fs = append(fs, r.addr, r.amount)
	}
	return fs
}

func (s *send) fillDefaults() {
	if s.defaults {
		return
	}
	user := s.c.sess.login.Address
	if user == "" {
		return
	}
	s.defaults = true
	user = apiclient.Checksum(user)
	if r := s.rows[0]; !r.addr.touched && r.addr.Value() == "" {
		r.addr.SetValue(user)
	}
	if info := s.c.sess.sandbox; info != nil && info.TokenAddress != "" && s.target.Value() == "" {
		s.target.SetValue(apiclient.Checksum(info.TokenAddress))
		s.sig.SetValue(defaultTokenSig)
		s.args.SetValue(user + ", 1")
	} else if s.sig.Value() == "" {
		s.sig.SetValue(defaultTokenSig)
	}
}

func (s *send) setFocus(i int) tea.Cmd {
	fs := s.focusables()
	for _, f := range s.allFields() {
		if f.Focused() {
			f.Blur()
		}
	}
	if i < 0 || len(fs) == 0 {
		s.focus = -1
		return nil
	}
	s.focus = min(i, len(fs)-1)
	return fs[s.focus].Focus()
}

func (s *send) Init() tea.Cmd {
	s.fillDefaults()
	if s.focus >= 0 {
		return s.setFocus(s.focus)
	}
	return nil
}

func (s *send) SetSize(w, h int) {
	s.w, s.h = w, h
	for _, f := range s.allFields() {
		f.SetWidth(w)
	}
}

func (s *send) Capturing() bool {
	if s.confirm {
		return true
	}
	for _, f := range s.focusables() {
		if f.Focused() {
			return true
		}
	}
	return false
}

func (s *send) consumesEsc() bool { return s.confirm }

func (s *send) exchangeTag() string {
	if s.callMode {
		return flows.TagCall
	}
	return flows.TagSend
}

func (s *send) ShortHelp() []key.Binding {
	if s.confirm {
		return []key.Binding{s.keys.Yes, s.keys.No}
	}
	if s.focus < 0 {
		return []key.Binding{s.keys.Submit, s.keys.Up, s.keys.Down, s.keys.Form}
	}
	b := []key.Binding{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Mode}
	if !s.callMode {
		b = append(b, s.keys.Add)
	}
	return b
}

func (s *send) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Prev}, {s.keys.Mode, s.keys.Add, s.keys.Remove}, {s.keys.Up, s.keys.Down}}
}

func (s *send) copyTarget() (string, string, bool) {
	if s.focus < 0 && s.sel < len(s.results) {
		id := s.results[s.sel]
		return "send transaction ID", id, true
	}
	return "", "", false
}

// build validates the form and returns what to send.
func (s *send) build() (rs []apiclient.Recipient, call *apiclient.ContractCall, total *big.Int, bad int) {
	fs := s.focusables()
	bad = -1
	for i, f := range fs {
		if !f.Validate() && bad < 0 {
			bad = i
		}
	}
	if bad >= 0 {
		return nil, nil, nil, bad
	}
	total = new(big.Int)
	if s.callMode {
		v, _ := flows.ParseValue(s.value.Value())
		total.Add(total, v)
		var params []any
		if a := strings.TrimSpace(s.args.Value()); a != "" {
			for _, p := range strings.Split(a, ",") {
				params = append(params, strings.TrimSpace(p))
			}
		}
		if sel, err := flows.ParseSelector(s.sig.Value()); err == nil && len(sel.Args) != len(params) {
			s.args.SetError(fmt.Sprintf("%s takes %d argument(s), %d given", sel.Signature, len(sel.Args), len(params)))
			return nil, nil, nil, 2
		}
		return nil, &apiclient.ContractCall{
			ContractAddress: strings.TrimSpace(s.target.Value()),
			Method:          strings.TrimSpace(s.sig.Value()),
			Params:          params,
			Value:           apiclient.Dec(v),
		}, total, -1
	}
	for _, r := range s.rows {
		v, _ := flows.ParseValue(r.amount.Value())
		total.Add(total, v)
		rs = append(rs, apiclient.Recipient{Address: strings.TrimSpace(r.addr.Value()), Quantity: apiclient.Dec(v)})
	}
	return rs, nil, total, -1
}

func (s *send) submit(confirmed bool) tea.Cmd {
	if s.pending {
		return nil
	}
	rs, call, total, bad := s.build()
	if bad >= 0 {
		return s.setFocus(bad)
	}
	if s.c.runner == nil {
		return errCmd(sendScreen, errors.New("not connected"))
	}
	if s.c.sess.login.Address == "" || s.c.sess.key.Address == "" {
		return errCmd(sendScreen, errors.New("log in and create a session key first (esc to go back)"))
	}
	if !confirmed && s.c.cfg.Mode == flows.ModeLive && total.Sign() > 0 {
		s.confirm = true
		return nil
	}
	s.pending = true
	s.gen++
	s.c.begin()
	gen, r, l, k := s.gen, s.c.runner, s.c.sess.login, s.c.sess.key
	clear := func() tea.Msg { return clearErrMsg{sendScreen} }
	if call != nil {
		ctx, cc := apiclient.WithTag(s.c.ctx, flows.TagCall), *call
		return tea.Batch(clear, func() tea.Msg {
			ids, err := r.Call(ctx, l, k, []apiclient.ContractCall{cc})
			return sendDoneMsg{gen, "call", ids, err}
		})
	}
	ctx := apiclient.WithTag(s.c.ctx, flows.TagSend)
	return tea.Batch(clear, func() tea.Msg {
		ids, err := r.Send(ctx, l, k, rs)
		return sendDoneMsg{gen, "send", ids, err}
	})
}

func (s *send) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readyMsg:
		return nil
	case watchFailedMsg:
		s.watchFailed = append(s.watchFailed, msg.id)
		return errCmd(sendScreen, msg.err)
	case retryMsg:
		if ids := s.watchFailed; len(ids) > 0 {
			s.watchFailed = nil
			cmds := make([]tea.Cmd, 0, len(ids))
			for _, id := range ids {
				if r := s.c.txs.get(id); r != nil {
					cmds = append(cmds, watchTxCmd(id, r.kind))
				}
			}
			return tea.Batch(cmds...)
		}
		return s.submit(false)
	case sendDoneMsg:
		s.c.end()
		if msg.gen != s.gen {
			return nil
		}
		s.pending = false
		if msg.err != nil {
			return errCmd(sendScreen, msg.err)
		}
		cmds := []tea.Cmd{}
		s.sel = len(s.results)
		for _, id := range msg.ids {
			s.results = append(s.results, id)
			s.c.sess.sendIDs = append(s.c.sess.sendIDs, id)
			cmds = append(cmds, watchTxCmd(id, msg.kind))
		}
		s.setFocus(-1) // results get the focus: c copies the ID
		return tea.Batch(cmds...)
	case txFinalMsg:
		return nil
	case tea.KeyMsg:
		return s.onKey(msg)
	}
	if f := s.focused(); f != nil {
		return f.Update(msg)
	}
	return nil
}

func (s *send) focused() *field {
	fs := s.focusables()
	if s.focus >= 0 && s.focus < len(fs) {
		return fs[s.focus]
	}
	return nil
}

func (s *send) onKey(msg tea.KeyMsg) tea.Cmd {
	if s.confirm {
		s.confirm = false
		if key.Matches(msg, s.keys.Yes) {
			return s.submit(true)
		}
		return statusCmd("send cancelled")
	}
	n := len(s.focusables())
	switch {
	case key.Matches(msg, s.keys.Submit):
		return s.submit(false)
	case key.Matches(msg, s.keys.Mode):
		s.callMode = !s.callMode
		return s.setFocus(0)
	case key.Matches(msg, s.keys.Add) && !s.callMode:
		s.rows = append(s.rows, newRecipient("", "0"))
		s.SetSize(s.w, s.h)
		return s.setFocus(2 * (len(s.rows) - 1))
	case key.Matches(msg, s.keys.Remove) && !s.callMode && len(s.rows) > 1 && s.focus >= 0:
		i := s.focus / 2
		s.rows = append(s.rows[:i], s.rows[i+1:]...)
		return s.setFocus(min(2*i, 2*len(s.rows)-2))
	}
	if s.focus < 0 {
		switch {
		case key.Matches(msg, s.keys.Up):
			s.sel = max(s.sel-1, 0)
		case key.Matches(msg, s.keys.Down):
			s.sel = min(s.sel+1, max(len(s.results)-1, 0))
		case key.Matches(msg, s.keys.Form):
			return s.setFocus(0)
		case key.Matches(msg, s.keys.Enter):
			return s.setFocus(0)
		}
		return nil
	}
	switch {
	case key.Matches(msg, s.keys.Next):
		return s.setFocus((s.focus + 1) % n)
	case key.Matches(msg, s.keys.Prev):
		return s.setFocus((s.focus - 1 + n) % n)
	case key.Matches(msg, s.keys.Enter):
		if s.focus == n-1 {
			return s.submit(false)
		}
		return s.setFocus(s.focus + 1)
	}
	if f := s.focused(); f != nil {
		return f.Update(msg)
	}
	return nil
}

func (s *send) View() string {
	st := s.c.st
	lines := []string{st.Title.Render("6 · Send with the session key")}
	l, k := s.c.sess.login, s.c.sess.key
	from := "from the user's account, signed by the session key"
	if l.Address != "" && k.Address != "" {
		from = "from " + apiclient.ShortHex(apiclient.Checksum(l.Address)) + " signed by " + apiclient.ShortHex(apiclient.Checksum(k.Address))
	}
	lines = append(lines, st.Subtle.Render(from))
	if !s.c.sess.grantOK && s.c.sess.grant.TxID == "" {
		lines = append(lines, st.Warn.Render("! no confirmed grant yet: the send will fail on chain"))
	}
	tr, cl := "[Transfer]", " Contract call "
	if s.callMode {
		tr, cl = " Transfer ", "[Contract call]"
	}
	lines = append(lines, st.Label.Render(tr)+" "+st.Label.Render(cl)+st.Subtle.Render("  ctrl+t to switch"), "")
	head := len(lines)
	focusLine := -1
	if s.callMode {
		g := []*field{s.target, s.sig, s.args, s.value}
		for _, f := range g {
			if f.Focused() {
				focusLine = len(lines)
			}
			lines = append(lines, strings.Split(f.View(st, 9), "\n")...)
		}
		if info := s.c.sess.sandbox; info != nil && apiclient.SameAddress(info.TokenAddress, s.target.Value()) {
			lines = append(lines, st.Subtle.Render("  sandbox test token "+info.TokenSymbol))
		}
	} else {
		for i, r := range s.rows {
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("Recipient %d", i+1)))
			for _, f := range []*field{r.addr, r.amount} {
				if f.Focused() {
					focusLine = len(lines)
				}
				lines = append(lines, strings.Split(f.View(st, 7), "\n")...)
			}
		}
		lines = append(lines, st.Subtle.Render("ctrl+n: add recipient · ctrl+d: remove"))
	}
	lines = append(lines, "")
	switch {
	case s.confirm:
		focusLine = len(lines)
		lines = append(lines, st.Warn.Render("LIVE mode: this sends value from the user's account. Send? (y/N)"))
	case s.pending:
		focusLine = len(lines)
		lines = append(lines, s.c.spinner()+" sending…")
	}
	if len(s.results) > 0 {
		lines = append(lines, st.Label.Render("Sent"))
		now := s.c.now()
		for i, id := range s.results {
			mark := "  "
			if s.focus < 0 && i == s.sel {
				mark = "› "
				focusLine = len(lines)
			}
			line := mark + st.Hash.Render(fitHex(id, s.w-30))
			if r := s.c.txs.get(id); r != nil {
				status := st.StatusWord(string(r.status()))
				if !r.final() {
					status = s.c.spinner() + " " + status
				}
				line += "  " + status + st.Subtle.Render(" "+fmtElapsed(r.elapsed(now)))
				if b := r.tx.Block(); b != "" {
					line += st.Subtle.Render(" block " + b)
				}
				if e := r.tx.Error(); e != "" {
					lines = append(lines, line)
					line = "    " + st.Failed.Render("✗ "+e)
				}
			}
			lines = append(lines, line)
		}
	}
	return scrollLines(lines, head, focusLine, s.h)
}

func fitHex(s string, w int) string {
	if len(s) > w {
		return apiclient.ShortHex(s)
	}
	return s
}
