# brine launcher (runs as root, arrives on stdin after collect.sh and a line setting BRINE_MARK):
# starts the agent detached from this SSH session, so a dropped connection cannot stop it
# half-way, streams its events (REPORTS/RUN.events, which the agent's argv names: one JSON line
# each) until it ends, then prints BRINE_MARK (a line only the controller
# knows: it is not in any process's arguments) and collect_runs, and exits with the agent's
# status. Args: RUN_ID VIA RUNS REPORTS AGENT_DIR AGENT_ARGV... (the paths: core/host-paths.ts)
set -eu

# One argument as a sh word: as it is when it holds only characters sh gives no meaning (most
# do: paths, options), else single-quoted — sed runs only for those, as each run costs a fork.
q() {
  case $1 in
    '' | *[!A-Za-z0-9_./:=,@%+-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf '%s' "$1" ;;
  esac
}

main() {
  run=$1 via=$2 runs=$3 reports=$4 agent=$5
  shift 5
  case $run in '' | *[!A-Za-z0-9-]*) echo "brine: bad run id" >&2; exit 1 ;; esac
  dir=$runs/$run
  rep=$reports/$run
  [ -d "$dir" ] || { echo "brine: the upload $dir is missing" >&2; exit 1; }
  umask 077
  # Keep this agent: the next upload of the same bundle links it from here instead of sending it.
  if [ -d "$agent" ] && [ -f "$dir/brine.js" ] && [ ! "$dir/brine.js" -ef "$agent/brine.js" ]; then
    ln -f "$dir/brine.js" "$agent/.brine.js.$run" && mv -f "$agent/.brine.js.$run" "$agent/brine.js" || rm -f "$agent/.brine.js.$run"
  fi
  # The job outlives this session: it records its pid, runs the agent, records the status
  # atomically, then removes the upload (and with it the pillar) whatever happened here.
  # Its arguments live in the file, not on systemd-run's command line, where systemd would
  # expand '$' and '%' in them.
  {
    printf 'set --'
    for a in "$@"; do printf ' %s' "$(q "$a")"; done
    printf '\nexport SUDO_USER=%s BRINE_VIA=%s\n' "$(q "${SUDO_USER:-}")" "$(q "$via")"
    printf 'r=%s d=%s\n' "$rep" "$dir"
    cat <<'JOB'
echo $$ >"$r.pid"
"$@" >"$r.log" 2>&1 </dev/null && s=0 || s=$?
echo $s >"$r.exit.tmp"
mv "$r.exit.tmp" "$r.exit"
rm -rf "$d"
JOB
  } >"$rep.job"
  : >"$rep.log"
  : >"$rep.events"
  if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
    systemd-run --quiet --collect --unit="brine-apply-$run" /bin/sh "$rep.job"
  else
    setsid nohup /bin/sh "$rep.job" >/dev/null 2>&1 &
  fi
  i=0
  while [ ! -s "$rep.pid" ]; do
    i=$((i + 1))
    [ "$i" -lt 600 ] || { echo "brine: the agent did not start (see $rep.log)" >&2; exit 1; }
    sleep 0.05
  done
  # tail follows the events through inotify; -s is how often it looks whether the agent is gone.
  tail -n +1 -s 0.05 --pid="$(cat "$rep.pid")" -f "$rep.events"
  while [ ! -e "$rep.exit" ]; do sleep 0.05; done
  status=$(cat "$rep.exit")
  # This run's report and whatever earlier runs left, on the same connection.
  printf '%s\n' "$BRINE_MARK"
  collect_runs "$runs" "$reports" || echo "brine: collecting the finished runs failed" >&2
  exit "$status"
}

main "$@" </dev/null
