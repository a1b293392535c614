#!/usr/bin/env bash
# Pictures of the console for the README, without VHS (VHS needs ttyd,
# which Debian 12 does not package). The real binary runs in tmux at a
# fixed size; tmux capture-pane -e keeps its colours; aha turns the ANSI
# text into HTML; headless Chromium renders that to PNG; ffmpeg joins the
# frames into a small GIF. The same four keys as demo/walkthrough.tape.
#
#   apt-get install -y tmux aha chromium ffmpeg fonts-dejavu-core
#   bash demo/screenshots.sh            # writes docs/console-*.png and docs/console-walkthrough.gif
#
# The console starts its own embedded sandbox; no credentials are needed
# or shown. Times and addresses differ on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

COLS=${COLS:-100}
ROWS=${ROWS:-30}
OUT=docs
work=$(mktemp -d)
session=wc-shots-$$
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/walletconsole" .
mkdir -p "$work/home"
tmux new-session -d -s "$session" -x "$COLS" -y "$ROWS" \
	"HOME=$work/home TERM=xterm-256color COLORTERM=truecolor $work/walletconsole --theme projector"

# wait_for TEXT: until the screen shows TEXT (10 s at most).
wait_for() {
	for _ in $(seq 100); do
		if tmux capture-pane -t "$session" -p | grep -q -- "$1"; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for: $1" >&2
	tmux capture-pane -t "$session" -p >&2
	return 1
}

n=0
# shot NAME: capture the pane with its colours and render it to PNG.
shot() {
	n=$((n + 1))
	local ansi="$work/$(printf '%02d' "$n")-$1.ansi" html png
	html="${ansi%.ansi}.html"
	png="$work/$(printf '%02d' "$n").png"
	tmux capture-pane -t "$session" -p -e >"$ansi"
	{
		echo '<!doctype html><meta charset="utf-8"><style>'
		echo 'html,body{margin:0;background:#101216}'
		echo 'pre{margin:0;padding:14px;font:16px/1.25 "DejaVu Sans Mono",monospace;color:#e6e6e6;background:#101216;white-space:pre}'
		echo '</style><pre>'
		aha --no-header --black <"$ansi"
		echo '</pre>'
	} >"$html"
	# one cell is about 9.63 x 20 px at 16 px DejaVu Sans Mono
	local w=$((COLS * 963 / 100 + 28)) h=$((ROWS * 20 + 28))
	# a fresh profile each run: a first-run profile can make the first
	# screenshot fail; retry once, and show chromium's output if it fails
	for try in 1 2; do
		if chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
			--user-data-dir="$work/chromium" --window-size="$w,$h" \
			--screenshot="$png" "file://$html" >"$work/chromium.log" 2>&1 && [ -s "$png" ]; then
			break
		fi
		[ "$try" = 2 ] && { cat "$work/chromium.log" >&2; return 1; }
	done
	cp "$png" "$OUT/console-$1.png"
}

wait_for "ready"
shot login
tmux send-keys -t "$session" Enter
wait_for "3 · Session key"
sleep 0.3
shot sessionkey
tmux send-keys -t "$session" Enter
wait_for "Full access"
sleep 0.3
shot permissions
tmux send-keys -t "$session" C-s
wait_for "Send with the session key"
sleep 0.5
shot send
tmux send-keys -t "$session" C-s
wait_for "block"
sleep 0.3
shot sent
tmux send-keys -t "$session" a
wait_for "Activity"
shot activity
tmux send-keys -t "$session" Enter
wait_for "Request that created it"
shot detail
tmux send-keys -t "$session" C-c

# GIF: 2.5 s a frame, one shared palette (small and sharp).
ffmpeg -loglevel error -y -framerate 0.4 -i "$work/%02d.png" \
	-vf "fps=0.4,split[a][b];[a]palettegen=max_colors=64[p];[b][p]paletteuse=dither=none" \
	-loop 0 "$OUT/console-walkthrough.gif"
# keep only the stills the README shows
rm -f "$OUT"/console-{login,sessionkey,send,sent,detail}.png
ls -l "$OUT"/console-*
