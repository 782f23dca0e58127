#!/bin/sh
# Managed by brine (states/sshd): the sshd drop-in's validator, run with the candidate in place.
# First `sshd -t`; then a lockout guard: some member of sshadmins must hold a key in their
# authorized_keys that this configuration accepts (PubkeyAcceptedAlgorithms, RequiredRSASize,
# as `sshd -T` reports them for that user) — an admin with only an ECDSA or a short RSA key
# would otherwise be shut out by the hardened algorithms.
set -u
/usr/sbin/sshd -t || exit
members=$(getent group sshadmins | cut -d: -f4 | tr ',' ' ')
for user in $members; do
  conf=$(/usr/sbin/sshd -T -C "user=$user,host=localhost,addr=127.0.0.1") || exit
  algs=,$(printf '%s\n' "$conf" | awk '$1 == "pubkeyacceptedalgorithms" { print $2 }'),
  minrsa=$(printf '%s\n' "$conf" | awk '$1 == "requiredrsasize" { print $2 }')
  keys=$(getent passwd "$user" | cut -d: -f6)/.ssh/authorized_keys
  [ -r "$keys" ] || continue
  # ssh-keygen -l: "BITS SHA256:… COMMENT (TYPE)" per key, options and all.
  found=$(ssh-keygen -l -f "$keys" 2>/dev/null | while read -r bits _ rest; do
    type=${rest##*(}
    type=${type%)}
    case $type in
      ED25519) alg=ssh-ed25519 ;;
      ED25519-SK) alg=sk-ssh-ed25519@openssh.com ;;
      ECDSA) alg=ecdsa-sha2-nistp$bits ;;
      ECDSA-SK) alg=sk-ecdsa-sha2-nistp256@openssh.com ;;
      RSA) alg=rsa-sha2-256; [ "$bits" -ge "${minrsa:-0}" ] || continue ;;
      *) continue ;;
    esac
    case $algs in *",$alg,"*) echo yes; break ;; esac
  done)
  [ -n "$found" ] && exit 0
done
echo "lockout guard: no member of sshadmins (${members:-none}) has a key this configuration accepts: keys must be Ed25519 or RSA of ${minrsa:-3072} bits or more (PubkeyAcceptedAlgorithms, RequiredRSASize), unless sshd.settings says otherwise" >&2
exit 1
