# brine collector (runs as root): collect_runs RUNS REPORTS prints every finished run's status,
# report and log tail that no controller has collected yet, removes them, names runs still
# going, and removes uploads (under RUNS) that were never started. Output sections start with
# '@@brine-'. Only defines the function: the launcher calls it after its run, and the controller
# alone (remote.ts) when a launch ended before that. The paths come from core/host-paths.ts.

collect_runs() {
  # Explicit: the launcher calls this where `set -e` does not apply.
  cd "$2" || return 1
  # Uploads whose job died (host rebooted mid-run), or that were never started for 30 minutes
  # (the connection dropped between upload and start), hold a pillar: remove them.
  for d in "$1"/*; do
    [ -d "$d" ] || continue
    run=${d##*/}
    if [ -e "$run.pid" ]; then
      ! kill -0 "$(cat "$run.pid")" 2>/dev/null || continue
    elif [ -n "$(find "$d" -maxdepth 0 -mmin -30)" ]; then
      continue
    fi
    rm -rf "$d"
  done
  seen=' '
  for f in *.job *.pid *.exit; do
    [ -e "$f" ] || continue
    run=${f%.*}
    case $seen in *" $run "*) continue ;; esac
    seen="$seen$run "
    if [ -e "$run.exit" ]; then
      echo "@@brine-run $run $(cat "$run.exit")"
      [ ! -e "$run.json" ] || cat "$run.json"
      echo "@@brine-log"
      tail -n 40 "$run.log" 2>/dev/null || true
      echo "@@brine-end"
      rm -f "$run.pid" "$run.exit" "$run.json" "$run.log" "$run.events" "$run.job"
    elif [ ! -e "$run.pid" ] && [ -n "$(find "$f" -mmin -1)" ]; then
      continue # launched a moment ago, not started yet
    elif [ -e "$run.pid" ] && kill -0 "$(cat "$run.pid")" 2>/dev/null; then
      echo "@@brine-running $run $(cat "$run.pid")"
    else
      # The job died without a status (host rebooted mid-run): say so, keep nothing.
      echo "@@brine-run $run lost"
      echo "@@brine-log"
      tail -n 40 "$run.log" 2>/dev/null || true
      echo "@@brine-end"
      rm -f "$run.pid" "$run.json" "$run.log" "$run.events" "$run.job"
    fi
  done
}

