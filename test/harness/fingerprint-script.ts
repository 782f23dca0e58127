// The shell script a fingerprint runs on a host (bash, one SSH call). Output is NUL-separated
// records in sections introduced by an '@name' record; fingerprint.ts parses it.

/** Trees whose every entry (type, mode, owner, link target, content hash) is recorded. */
export const FINGERPRINT_ROOTS = ['/etc', '/home', '/root', '/srv', '/opt', '/var/www', '/var/lib/brine', '/var/log/brine', '/usr/local'];

/** Files outside those trees that matter too (ufw keeps rules under /lib on some releases). */
export const FINGERPRINT_EXTRA_GLOBS = ['/lib/ufw/user*.rules', '/lib/ufw/user6*.rules'];

export const fingerprintScript = `
set -u
export LC_ALL=C
roots=""
for r in ${FINGERPRINT_ROOTS.join(' ')}; do [ -e "$r" ] && roots="$roots $r"; done
printf '@meta\\0'
find $roots -xdev -printf '%p\\t%y %m %u:%g %l\\0'
printf '@sha\\0'
find $roots -xdev -type f -print0 | xargs -0 -r sha256sum -z --
for f in ${FINGERPRINT_EXTRA_GLOBS.join(' ')}; do
  [ -f "$f" ] && sha256sum -z -- "$f"
done
printf '@dpkg\\0'
dpkg-query -W -f='\${binary:Package}\\t\${Version} \${db:Status-Abbrev}\\n' | tr '\\n' '\\0'
printf '@enabled\\0'
systemctl list-unit-files --state=enabled --no-legend --plain --no-pager 2>/dev/null | tr '\\n' '\\0'
printf '@active\\0'
systemctl list-units --state=active --all --no-legend --plain --no-pager 2>/dev/null | tr '\\n' '\\0'
for t in iptables ip6tables; do
  if command -v $t-save >/dev/null; then
    printf '@%s\\0' $t
    $t-save 2>/dev/null | tr '\\n' '\\0'
  fi
done
printf '@end\\0'
`;
