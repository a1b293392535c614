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
// executed by the session key on the user's account. It opens with no field
// being edited (ctrl+s sends the pre-filled form, letters are commands);
// tab or enter moves into the form, esc leaves a field.
type send struct {
	c         *common
	keys      sendKeys
	w, h      int
	callMode  bool
	rows      []recipient
	target    *field
	sig       *field
	args      *field
	value     *field
	transfer  *Group // the recipients' fields
	call      *Group // target, function, arguments, value
	inResults bool   // the sent list has the focus (↑/↓, c copies the ID)
	results   []string
	sel       int
	pending   bool
	confirm   bool
	gen       int
	defaults  bool   // defaults filled from the login/sandbox
	suggested string // grant TxID whose policies pre-filled the form
	scroll    formScroller

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
		amount: newField("amount", "Amount", "0.01 (ETH), 5 gwei, 1e18 wei", validValue).withDefault(amount).withHint("ETH"),
	}
}

func newSend(c *common) *send {
	s := &send{c: c, rows: []recipient{newRecipient("", "0")}}
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
	s.args = newField("args", "Arguments", "comma-separated: 0x…, 1000", func(v string) error {
		_, err := s.callArgs(v)
		return err
	}).withHint("comma-separated")
	s.value = newField("value", "Value", "0 (ETH)", validValue).withDefault("0")
	s.call = newGroup(s.target, s.sig, s.args, s.value)
	s.transfer = newGroup()
	s.rebuildTransfer()
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

// rebuildTransfer gives the recipients' fields to the transfer group.
func (s *send) rebuildTransfer() {
	fs := make([]Field, 0, 2*len(s.rows))
	for _, r := range s.rows {
		fs = append(fs, r.addr, r.amount)
	}
	s.transfer.SetFields(fs)
}

// form is the group of the current mode.
func (s *send) form() *Group {
	if s.callMode {
		return s.call
	}
	return s.transfer
}

// callArgs reads the arguments as the signature's ABI types, each checked
// as typed: addresses, bools, intN/uintN (1000, 100e18, 0x3e8, and "100 TST"
// for the sandbox token), bytesN; other types go as typed. Amounts go to
// the API in plain base units.
func (s *send) callArgs(v string) ([]any, error) {
	var raw []string
	if a := strings.TrimSpace(v); a != "" {
		for _, p := range strings.Split(a, ",") {
			raw = append(raw, strings.TrimSpace(p))
		}
	}
	sel, err := flows.ParseSelector(s.sig.Value())
	if err != nil || !sel.Known() {
		params := make([]any, len(raw))
		for i, r := range raw {
			params[i] = r
		}
		return params, nil // the function field says what is wrong
	}
	if len(sel.Args) != len(raw) {
		return nil, fmt.Errorf("%s takes %d argument(s), %d given", sel.Signature, len(sel.Args), len(raw))
	}
	token := ""
	if info := s.c.sess.sandbox; info != nil && apiclient.SameAddress(info.TokenAddress, s.target.Value()) {
		token = info.TokenSymbol
	}
	params := make([]any, len(raw))
	for i, r := range raw {
		a := sel.Args[i]
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("argument %d", i+1)
		}
		params[i] = r
		switch {
		case strings.HasPrefix(a.Type, "uint") && token != "" && !strings.Contains(a.Type, "["):
			n, err := flows.ParseTokenAmount(r, token, 18)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %v", name, a.Type, err)
			}
			if _, err := flows.EncodeRefValue(a.Type, n.String()); err != nil {
				return nil, fmt.Errorf("%s (%s): %v", name, a.Type, err)
			}
			params[i] = n.String()
		case a.Type == "address" || a.Type == "bool" || strings.HasPrefix(a.Type, "uint") || strings.HasPrefix(a.Type, "int") ||
			(strings.HasPrefix(a.Type, "bytes") && a.Type != "bytes"):
			if strings.Contains(a.Type, "[") {
				continue // arrays: the API reads them
			}
			if _, err := flows.EncodeRefValue(a.Type, r); err != nil {
				return nil, fmt.Errorf("%s (%s): %v", name, a.Type, err)
			}
			if strings.Contains(a.Type, "int") {
				if n, err := flows.ParseArgAmount(strings.TrimPrefix(r, "-")); err == nil {
					if strings.HasPrefix(r, "-") {
						n.Neg(n)
					}
					params[i] = n.String()
				}
			}
		}
	}
	return params, nil
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

// fillFromGrant pre-fills the form, once per confirmed grant, with a call
// and a transfer the grant's policies allow (flows.Suggest), so the default
// send passes. Fields the user typed into are left alone.
func (s *send) fillFromGrant() {
	g := s.c.sess.grant
	if g.TxID == "" || g.TxID == s.suggested || s.c.sess.login.Address == "" {
		return
	}
	s.suggested = g.TxID
	call, tr := flows.Suggest(g.Request, s.c.sess.login.Address)
	if tr != nil && !s.rows[0].addr.touched {
		s.rows[0].addr.SetValue(tr.Recipient)
		s.rows[0].amount.SetValue(flows.FormatValue(tr.Value))
		s.rows[0].amount.pristine = true
	}
	if call != nil && !s.target.touched && !s.sig.touched && !s.args.touched {
		s.target.SetValue(call.Target)
		s.sig.SetValue(call.Signature)
		s.args.SetValue(strings.Join(call.Args, ", "))
		s.value.SetValue("0")
		s.value.pristine = true
		if tr == nil {
			s.callMode = true // only calls are allowed: open on the call
		}
	}
}

// Init fills the defaults; no field takes the keyboard.
func (s *send) Init() tea.Cmd {
	s.fillDefaults()
	s.fillFromGrant()
	s.sync()
	return nil
}

func (s *send) SetSize(w, h int) {
	s.w, s.h = w, h
	s.call.SetWidth(w)
	s.transfer.SetWidth(w)
	s.sync()
}

// Capturing: a field is being edited, or the live y/N prompt is up.
func (s *send) Capturing() bool { return s.confirm || s.form().Editing() }

func (s *send) consumesEsc() bool { return s.confirm || s.form().Editing() }

func (s *send) exchangeTag() string {
	if s.callMode {
		return flows.TagCall
	}
	return flows.TagSend
}

func (s *send) ShortHelp() []key.Binding {
	switch {
	case s.confirm:
		return []key.Binding{s.keys.Yes, s.keys.No}
	case s.inResults:
		return []key.Binding{s.keys.Submit, s.keys.Up, s.keys.Down, s.keys.Form}
	}
	b := []key.Binding{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Mode}
	if !s.callMode {
		b = append(b, s.keys.Add)
	}
	return append(b, s.form().Bindings()...)
}

func (s *send) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Prev, keyLeaveEdit}, {s.keys.Mode, s.keys.Add, s.keys.Remove}, {s.keys.Up, s.keys.Down}}
}

func (s *send) copyTarget() (string, string, bool) {
	if s.inResults && s.sel < len(s.results) {
		id := s.results[s.sel]
		return "send transaction ID", id, true
	}
	return "", "", false
}

// build validates the form and returns what to send; bad is the first
// invalid field's index in the current group (-1: all valid).
func (s *send) build() (rs []apiclient.Recipient, call *apiclient.ContractCall, total *big.Int, bad int) {
	if bad = s.form().ValidateAll(); bad >= 0 {
		return nil, nil, nil, bad
	}
	total = new(big.Int)
	if s.callMode {
		v, _ := flows.ParseValue(s.value.Value())
		total.Add(total, v)
		params, err := s.callArgs(s.args.Value())
		if err != nil {
			s.args.SetError(err.Error())
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
		s.inResults = false
		return s.form().FocusAt(bad)
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

// Update handles the message, then lays the screen out for View.
func (s *send) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.sync()
	return cmd
}

func (s *send) update(msg tea.Msg) tea.Cmd {
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
		s.form().Blur()
		s.inResults = true // the sent list gets the focus: c copies the ID
		return tea.Batch(cmds...)
	case txFinalMsg:
		return nil
	case tea.KeyMsg:
		return s.onKey(msg)
	}
	return s.form().Update(msg)
}

func (s *send) onKey(msg tea.KeyMsg) tea.Cmd {
	if s.confirm {
		s.confirm = false
		if key.Matches(msg, s.keys.Yes) {
			return s.submit(true)
		}
		return statusCmd("send cancelled")
	}
	g := s.form()
	switch {
	case key.Matches(msg, s.keys.Submit):
		return s.submit(false)
	case key.Matches(msg, s.keys.Mode):
		g.Blur()
		s.callMode = !s.callMode
		s.inResults = false
		return nil
	case key.Matches(msg, s.keys.Add) && !s.callMode:
		s.rows = append(s.rows, newRecipient("", "0"))
		s.rebuildTransfer()
		s.SetSize(s.w, s.h)
		s.inResults = false
		return s.transfer.FocusAt(2 * (len(s.rows) - 1))
	case key.Matches(msg, s.keys.Remove) && !s.callMode && len(s.rows) > 1 && s.transfer.Index() >= 0:
		i := s.transfer.Index() / 2
		s.transfer.Blur()
		s.rows = append(s.rows[:i], s.rows[i+1:]...)
		s.rebuildTransfer()
		return s.transfer.FocusAt(min(2*i, 2*len(s.rows)-2))
	}
	if s.inResults {
		switch {
		case key.Matches(msg, s.keys.Up):
			s.sel = max(s.sel-1, 0)
		case key.Matches(msg, s.keys.Down):
			s.sel = min(s.sel+1, max(len(s.results)-1, 0))
		case key.Matches(msg, s.keys.Form), key.Matches(msg, s.keys.Enter):
			s.inResults = false
			return g.FocusAt(0)
		}
		return nil
	}
	n := len(g.Fields())
	switch {
	case msg.Type == tea.KeyEsc && g.Editing():
		g.Blur() // leave the field, keep what was typed
		return nil
	case key.Matches(msg, s.keys.Next):
		if cmd, ok := g.Next(); ok {
			return cmd
		}
		return g.FocusAt(0)
	case key.Matches(msg, s.keys.Prev):
		if cmd, ok := g.Prev(); ok {
			return cmd
		}
		return g.FocusAt(n - 1)
	case key.Matches(msg, s.keys.Enter):
		if g.Index() == n-1 {
			return s.submit(false)
		}
		cmd, _ := g.Next()
		return cmd
	}
	cmd := g.Update(msg)
	if s.callMode && s.args.touched && g.Focused() != Field(s.args) {
		s.args.runValidate() // the function changed: re-read the arguments
	}
	return cmd
}

// lines is the screen's content and the focused lines [start, end).
func (s *send) lines() (lines []string, start, end int) {
	st := s.c.st
	lines = []string{st.Title.Render("6 · Send with the session key")}
	l, k := s.c.sess.login, s.c.sess.key
	from := "from the user's account, signed by the session key"
	if l.Address != "" && k.Address != "" {
		from = "from " + apiclient.ShortHex(apiclient.Checksum(l.Address)) + " signed by " + apiclient.ShortHex(apiclient.Checksum(k.Address))
	}
	lines = append(lines, s.c.para(st.Subtle, from, s.w)...)
	if !s.c.sess.grantOK && s.c.sess.grant.TxID == "" {
		lines = append(lines, s.c.para(st.Warn, "! no confirmed grant yet: the send will fail on chain", s.w)...)
	}
	lines = append(lines, s.grantLines()...)
	tr, cl := "[Transfer]", " Contract call "
	if s.callMode {
		tr, cl = " Transfer ", "[Contract call]"
	}
	lines = append(lines, wrapLines(st.Label.Render(tr)+" "+st.Label.Render(cl)+st.Subtle.Render("  ctrl+t to switch"), s.w, "")...)
	lines = append(lines, "")
	start, end = -1, -1
	fl, a, b := s.form().Lines(st)
	if a >= 0 {
		start, end = a+len(lines), b+len(lines)
	}
	if s.callMode {
		lines = append(lines, fl...)
		if info := s.c.sess.sandbox; info != nil && apiclient.SameAddress(info.TokenAddress, s.target.Value()) {
			lines = append(lines, s.c.para(st.Subtle, "  sandbox test token "+info.TokenSymbol+": amounts as 100 "+info.TokenSymbol+" or in base units (100e18)", s.w)...)
			if s.call.Index() >= 0 {
				end = len(lines) // the hint scrolls into view with the field being edited
			}
		}
	} else {
		// "Recipient N" above each pair of fields
		for i := 0; i < len(s.rows); i++ {
			pair := []string{}
			for _, f := range []*field{s.rows[i].addr, s.rows[i].amount} {
				pair = append(pair, strings.Split(f.View(st, s.transfer.LabelWidth()), "\n")...)
			}
			if a >= 0 && s.transfer.Index()/2 == i {
				// the focused row's lines, shifted by the titles above
				start, end = len(lines)+1, len(lines)+1+len(pair)
			}
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("Recipient %d", i+1)))
			lines = append(lines, pair...)
		}
		lines = append(lines, s.c.para(st.Subtle, "ctrl+n: add recipient · ctrl+d: remove", s.w)...)
	}
	if start < 0 && !s.inResults {
		lines = append(lines, s.c.para(st.Subtle, "ctrl+s sends this · tab edits it", s.w)...)
	}
	lines = append(lines, "")
	switch {
	case s.confirm:
		ls := s.c.para(st.Warn, "LIVE mode: this sends value from the user's account. Send? (y/N)", s.w)
		start, end = len(lines), len(lines)+len(ls)
		lines = append(lines, ls...)
	case s.pending:
		start, end = len(lines), len(lines)+1
		lines = append(lines, s.c.spinner()+" sending…")
	}
	if len(s.results) > 0 {
		lines = append(lines, st.Label.Render("Sent"))
		now := s.c.now()
		for i, id := range s.results {
			mark := "  "
			if s.inResults && i == s.sel {
				mark = "› "
				start, end = len(lines), len(lines)+1
			}
			line := mark + st.Hash.Render(fitHex(id, s.w-30))
			if r := s.c.txs.get(id); r != nil {
				status := st.StatusWord(string(r.status()))
				if !r.final() {
					status = s.c.spinner() + " " + status
				}
				if b := r.failedIn(); b != "" {
					status += " in block " + b
				}
				line += "  " + status + st.Subtle.Render(" "+fmtElapsed(r.elapsed(now)))
				if b := r.tx.Block(); b != "" && r.failedIn() == "" {
					line += st.Subtle.Render(" block " + apiclient.Printable(b))
				}
				// the reason whole, wrapped (never cut), in token units
				if rl := s.c.ReasonLines(r, s.w-4, "  "); len(rl) > 0 {
					lines = append(lines, line)
					for _, l := range rl[:len(rl)-1] {
						lines = append(lines, "    "+l)
					}
					line = "    " + rl[len(rl)-1]
				}
			}
			lines = append(lines, line)
			if s.inResults && i == s.sel {
				end = len(lines) // the selected row's reason scrolls into view with it
			}
		}
	}
	return lines, start, end
}

// grantLines keep the grant's confirmation in view for an audience: the
// Grant screen moves on once CONFIRMED, so Send says what was confirmed.
func (s *send) grantLines() []string {
	st := s.c.st
	g := s.c.sess.grant
	if g.TxID == "" || !s.c.sess.grantOK {
		return nil
	}
	r := s.c.txs.get(g.TxID)
	if r == nil {
		return nil
	}
	line := st.OK.Render("✓ Grant confirmed")
	if b := r.tx.Block(); b != "" {
		line += " in block " + b
	}
	h := r.tx.Hash()
	if s.h < 20 && h != "" {
		// short terminals: block and hash on one line
		return append(wrapLines(line+" · "+st.Hash.Render(apiclient.ShortHex(h)), s.w, "  "),
			s.c.para(st.Subtle, "  the session key may now act for the user", s.w)...)
	}
	lines := []string{line}
	if h != "" {
		lines = append(lines, "  hash "+st.Hash.Render(fitHex(h, s.w-8)))
	}
	return append(lines, s.c.para(st.Subtle, "  the session key may now act for the user", s.w)...)
}

// sync keeps the focused lines in view (Update, SetSize, Init).
func (s *send) sync() {
	lines, a, b := s.lines()
	s.scroll.follow(lines, 1, a, b, s.w, s.h)
}

func (s *send) View() string {
	lines, _, _ := s.lines()
	return s.scroll.frame(lines, 1, s.h)
}

func fitHex(s string, w int) string {
	if len(s) > w {
		return apiclient.ShortHex(s)
	}
	return s
}
