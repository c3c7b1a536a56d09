# Shared by the bench scripts (sourced): bounded runs and free ports on loopback.
# The sourcing script keeps the PIDs of what it starts in PIDS and stops them on EXIT.

# Ends the sourcing script (and, through its EXIT trap, all it started) after $1 seconds.
watchdog() {
  local seconds="$1"
  (
    sleep "$seconds" &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    wait "$sleeper" && { echo "error: time limit of ${seconds}s reached" >&2; kill -TERM $$; }
  ) &
  PIDS+=("$!")
}

# A TCP port free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
