#!/usr/bin/env bash
# The Debian packages, end to end: cpack makes them from the build; lintian finds no error;
# the installed unit passes `systemd-analyze verify` and `systemd-analyze security` rates it
# 2.0 or lower; dpkg installs them into an empty root (its maintainer scripts run chrootless,
# with DPKG_ROOT); and licensord starts from that root with the arguments the unit gives it
# (the credentials dir stands in for systemd's, as the service's user when run as root), serves
# /v1/health over TLS, takes the operator token from its file and wraps its keys with the
# passphrase. Purging keeps the data and the secrets that open it.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
build_dir=$1
started=$SECONDS
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then pkill -KILL -P "$server_pid" 2>/dev/null || true; kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $* ($((SECONDS - started)) s)"; }

step "cpack"
cpack --config "$build_dir/CPackConfig.cmake" -B "$work/cpack" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack"; }
debs=("$work"/cpack/*.deb)
names=$(for deb in "${debs[@]}"; do dpkg-deb -f "$deb" Package; done | sort | tr '\n' ' ')
[ "$names" = "liblicensor-verify-dev liblicensor-verify0 licensorctl licensord " ] || fail "packages: $names"
deb_of() { for deb in "${debs[@]}"; do [ "$(dpkg-deb -f "$deb" Package)" = "$1" ] && echo "$deb"; done; }
for deb in "${debs[@]}"; do echo "$(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"; done

# What each package must hold, beyond what lintian checks. (Listings go to files first: grep -q
# would close the pipe early and dpkg-deb would die of SIGPIPE.)
for package in licensord liblicensor-verify0; do
  dpkg-deb -c "$(deb_of $package)" | awk '{print $6}' >"$work/$package.files"
done
grep -qx './lib/systemd/system/licensord.service' "$work/licensord.files" || fail "licensord: no unit"
[ "$(dpkg-deb -I "$(deb_of licensord)" conffiles)" = /etc/licensor/licensord.conf ] || fail "licensord: conffiles"
dpkg-deb -I "$(deb_of liblicensor-verify0)" shlibs >"$work/shlibs"
grep -q '^liblicensor_verify 0 liblicensor-verify0 ' "$work/shlibs" || fail "liblicensor-verify0: shlibs"
[ "$(dpkg-deb -I "$(deb_of liblicensor-verify0)" triggers)" = 'activate-noawait ldconfig' ] ||
  fail "liblicensor-verify0: ldconfig trigger"
[[ "$(dpkg-deb -f "$(deb_of liblicensor-verify-dev)" Depends)" == *"liblicensor-verify0 (= "* ]] ||
  fail "liblicensor-verify-dev must depend on its runtime"
if grep -E 'include/|\.a$|\.so$' "$work/liblicensor-verify0.files"; then
  fail "liblicensor-verify0 holds development files"
fi

step "lintian"
lintian_status=0
lintian --fail-on error --tag-display-limit 0 "${debs[@]}" >"$work/lintian.txt" 2>&1 || lintian_status=$?
cat "$work/lintian.txt"
echo "lintian: $(grep -c '^E:' "$work/lintian.txt" || true) errors, $(grep -c '^W:' "$work/lintian.txt" || true) warnings," \
  "$(grep -c '^I:' "$work/lintian.txt" || true) informational"
[ "$lintian_status" -eq 0 ] || fail "lintian reported errors (exit $lintian_status)"

step "install into an empty root"
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_as=()
if [ "$(id -u)" -ne 0 ]; then
  command -v fakeroot >/dev/null || fail "run as root, or install fakeroot"
  dpkg_as=(fakeroot)
fi
dpkg_root() {
  "${dpkg_as[@]}" dpkg --root="$root" --log=/dev/null --force-script-chrootless --force-not-root --force-depends "$@" \
    >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg $*"; }
}
dpkg_root -i "${debs[@]}"
unit=$root/lib/systemd/system/licensord.service
for file in "$root/usr/bin/licensord" "$root/usr/bin/licensorctl" "$unit" "$root/etc/licensor/licensord.conf" \
            "$root/usr/lib/sysusers.d/licensord.conf" "$root/usr/include/licensor/verifier.hpp"; do
  [ -e "$file" ] || fail "not installed: ${file#"$root"}"
done
ls "$root"/usr/lib/*/liblicensor_verify.so.0 >/dev/null || fail "not installed: liblicensor_verify.so.0"
grep -q '^licensor:' "$root/etc/passwd" || fail "postinst made no licensor user"
for secret in passphrase operator-token; do
  [ "$(stat -c %a "$root/etc/licensor/$secret")" = 600 ] || fail "postinst: /etc/licensor/$secret is not 0600"
done

step "systemd-analyze"
# verify resolves the unit's binary, its dependencies and its man page in the root it is given:
# the targets and slices of the systemd package (a dependency, not in this root) stand in.
cp -n /lib/systemd/system/*.target /lib/systemd/system/*.slice "$root/lib/systemd/system/"
MANPATH=$root/usr/share/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --root="$root" licensord.service \
  >"$work/verify.txt" 2>&1 ||
  { cat "$work/verify.txt" >&2; fail "systemd-analyze verify"; }
if [ -s "$work/verify.txt" ]; then cat "$work/verify.txt" >&2; fail "systemd-analyze verify said something"; fi
security_status=0
systemd-analyze security --offline=true --root="$root" --threshold=20 --no-pager licensord.service \
  >"$work/security.txt" 2>&1 || security_status=$?
score=$(sed -n 's/.*Overall exposure level for licensord.service: \([0-9.]*\).*/\1/p' "$work/security.txt")
[ -n "$score" ] || { cat "$work/security.txt" >&2; fail "no exposure score"; }
echo "systemd-analyze security: exposure $score (must be 2.0 or lower)"
grep -E '^✗' "$work/security.txt" || true
[ "$security_status" -eq 0 ] || fail "exposure $score is over 2.0"

step "start licensord from the installed files"
# The unit's own ExecStart, with the paths moved into the root and systemd's %d (the credentials
# dir) standing in: the installed config with its data dir in the root, on a free loopback port.
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
data_dir=$root/var/lib/licensor
credentials=$work/credentials
mkdir -p "$data_dir" "$credentials"
sed -e "s|^data-dir = /var/lib/licensor|data-dir = $data_dir|" -e 's|^listen = .*|listen = 127.0.0.1:0|' \
  "$root/etc/licensor/licensord.conf" >"$work/licensord.conf"
grep -q "^data-dir = $data_dir\$" "$work/licensord.conf" || fail "the packaged config names no data-dir"
# systemd copies each credential into a directory of the service's own, mode 0400.
cp "$root/etc/licensor/passphrase" "$root/etc/licensor/operator-token" "$credentials/"
chmod 0400 "$credentials"/*
read -r -a argv <<<"$exec_start"
argv=("${argv[@]//%d/$credentials}")
argv=("${argv[@]/#\/usr\/bin\//$root/usr/bin/}")
argv=("${argv[@]//\/etc\/licensor\/licensord.conf/$work/licensord.conf}")
[ "${argv[0]}" = "$root/usr/bin/licensord" ] || fail "ExecStart runs ${argv[0]}"
# As root, run it as the unit does: another user, no new privileges, umask 0077.
run_as=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  chmod 0755 "$work"
  chown -R nobody:nogroup "$data_dir" "$credentials"
  chmod 0750 "$data_dir"
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all)
fi
echo "${run_as[*]} ${argv[*]}"
# Under strace, to check below that every system call it makes passes the unit's filter.
(umask 0077; cd "$data_dir" && exec strace -f -qq -o "$work/trace" "${run_as[@]}" "${argv[@]}" >"$work/stdout" 2>"$work/stderr") &
server_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's|^licensord listening on https://127.0.0.1:\([0-9]*\)$|\1|p' "$work/stdout")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/stderr" >&2; fail "licensord did not start"; }
health=$(curl -sS --fail --cacert "$data_dir/tls/cert.pem" --resolve "localhost:$port:127.0.0.1" \
  "https://localhost:$port/v1/health" 2>/dev/null ||
  curl -sS --fail -k "https://127.0.0.1:$port/v1/health") || fail "GET /v1/health"
echo "GET /v1/health: $health"
token=$(cat "$root/etc/licensor/operator-token")
status=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "https://127.0.0.1:$port/v1/keys")
[ "$status" = 200 ] || fail "GET /v1/keys with the operator token from its file answered $status"
portal=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/")
[ "$portal" = 200 ] || fail "GET / answered $portal: the installed portal (usr/share/licensor/portal) is not served"
if grep -q 'operator token' "$work/stdout"; then fail "a token read from a file was printed"; fi
if grep -q 'DEVELOPMENT MODE' "$work/stderr"; then fail "keys made in development mode"; fi
if grep -qF "$(cat "$root/etc/licensor/passphrase")" "$work/stdout" "$work/stderr"; then fail "the passphrase was logged"; fi

# The key dir holds wrapped secrets only, each 0600.
secrets=0
while IFS= read -r secret; do
  secrets=$((secrets + 1))
  [ "$(stat -c %a "$secret")" = 600 ] || fail "${secret#"$root"} is not 0600"
  [ "$(head -c 13 "$secret")" = k4.secret-pw. ] || fail "${secret#"$root"} is not wrapped"
done < <(find "$data_dir/keys" -name '*.secret')
[ "$secrets" -ge 2 ] || fail "the key dir holds $secrets secrets"
if grep -rq 'k4\.secret\.' "$data_dir"; then fail "an unwrapped secret is in the data dir"; fi
echo "key dir: $secrets secrets, all k4.secret-pw, 0600"

# SIGTERM goes to licensord, strace's child (strace itself would only detach), and its exit code
# comes back through strace.
kill -TERM "$(pgrep -P "$server_pid")"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
[ "$server_status" -eq 0 ] || { cat "$work/stderr" >&2; fail "licensord exited $server_status after SIGTERM"; }

# The unit's SystemCallFilter= allows @system-service, denies @privileged and @resources (with
# EPERM), then takes single calls back: every call licensord made, from its first start to its
# stop, must pass.
syscall_set() {  # the system calls of a systemd-analyze syscall-filter group, nested groups expanded
  local member
  systemd-analyze syscall-filter "$1" | tail -n +2 | sed -e 's/^ *//' -e '/^#/d' -e '/^$/d' | while read -r member; do
    if [[ $member == @* ]]; then syscall_set "$member"; else echo "$member"; fi
  done
}
syscall_set @system-service | sort -u >"$work/allowed"
sed -n -E 's/^SystemCallFilter=([a-z_0-9]+)$/\1/p' "$unit" | sort -u >"$work/taken_back"
{ syscall_set @privileged; syscall_set @resources; } | sort -u | comm -23 - "$work/taken_back" >"$work/denied"
# Skip setpriv's own calls: the trace counts from licensord's execve on.
sed -n '/execve(".*\/usr\/bin\/licensord"/,$p' "$work/trace" | sed -E -n 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' | sort -u >"$work/used"
refused=$(comm -23 "$work/used" "$work/allowed"; comm -12 "$work/used" "$work/denied")
echo "system calls: licensord made $(wc -l <"$work/used") distinct ones; outside the unit's filter: ${refused:-none}"
[ -z "$refused" ] || fail "the unit's SystemCallFilter= would refuse: $refused"

step "purge"
dpkg_root --purge licensord licensorctl liblicensor-verify-dev liblicensor-verify0
[ ! -e "$root/usr/bin/licensord" ] && [ ! -e "$root/etc/licensor/licensord.conf" ] || fail "purge left the package's files"
[ -e "$data_dir/keys/keyring.token" ] && [ -e "$root/etc/licensor/passphrase" ] ||
  fail "purge removed the data or the passphrase that opens its keys"

step "package test passed"
