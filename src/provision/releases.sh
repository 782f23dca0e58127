# brine's look at an app's releases (runs as root; arrives on stdin). Arg: APP_ROOT.
# Prints `current ID`, `previous ID`, one `release ID META` line per release (its
# .brine-release.json on one line) and the last switches as `log JSON` lines; tab-separated.
set -eu
root=$1
[ -d "$root/releases" ] || exit 0
cur=$(readlink "$root/current" 2>/dev/null || true)
prev=$(readlink "$root/previous" 2>/dev/null || true)
printf 'current\t%s\n' "${cur##*/}"
printf 'previous\t%s\n' "${prev##*/}"
for d in "$root"/releases/*/; do
  [ -d "$d" ] || continue
  id=${d%/}
  id=${id##*/}
  printf 'release\t%s\t' "$id"
  [ ! -f "$d.brine-release.json" ] || tr -d '\n' <"$d.brine-release.json"
  echo
done
[ ! -f "$root/deploys.jsonl" ] || tail -n 200 "$root/deploys.jsonl" | sed 's/^/log\t/'
