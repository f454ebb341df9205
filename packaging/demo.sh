#!/bin/bash
# volcrypt end to end, on a fresh Debian 12 machine, as root:   bash packaging/demo.sh
#
# Installs the build dependencies, builds volcrypt, starts libvirtd if needed, makes a
# scratch LUKS1 volume holding a readable message, hot-attaches it to a throw-away
# QEMU guest with volcrypt, shows that the guest reads the plaintext while the file on
# the host holds only ciphertext, grows the volume (volcrypt extend: the guest sees the new
# size), and detaches it again. Everything it makes is removed
# on exit, whether it succeeds or not. The passphrase is never on a command line.
#
#   bash packaging/demo.sh --installed   uses the installed packages' /usr/bin/volcrypt
#                                        and plugins instead of building.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$repo/build-demo"
volcrypt="$build/bin/volcrypt"
installed=false
if [[ ${1:-} == --installed ]]; then
  installed=true
  volcrypt=/usr/bin/volcrypt
fi
domain="volcrypt-demo-$$"
volume_id="demo-vol-$$"
domain_log="/var/log/libvirt/qemu/$domain.log"
# Short enough to sit on the first line of qemu-io's hex dump (16 bytes a line).
marker="VOLCRYPT-DEMO"
scratch=""

heading() { printf '\n==== %s ====\n' "$*"; }
# Prints a command as one could type it, then runs it.
show() {
  local arg
  printf '$'
  for arg in "$@"; do
    if [[ $arg == *[[:space:]]* ]]; then printf " '%s'" "$arg"; else printf ' %s' "$arg"; fi
  done
  printf '\n'
  "$@"
}
die() {
  echo "demo.sh: $*" >&2
  exit 1
}

# Uuids of the libvirt secrets whose usage is the demo volume id.
secrets_of_volume() {
  virsh -q -c qemu:///system secret-list |
    awk -v id="$volume_id" '$2 == "volume" && $3 == id { print $1 }'
}

cleanup() {
  local status=$?
  set +e
  if virsh -q -c qemu:///system dominfo "$domain" >/dev/null 2>&1; then
    virsh -q -c qemu:///system destroy "$domain" >/dev/null 2>&1
  fi
  # A secret left behind by a failed step (usage id = the demo volume id).
  for uuid in $(secrets_of_volume 2>/dev/null); do
    virsh -q -c qemu:///system secret-undefine "$uuid" >/dev/null 2>&1
  done
  [[ -n $scratch && -d $scratch ]] && rm -rf -- "$scratch"
  if ((status != 0)); then
    echo >&2
    echo "demo.sh: FAILED (exit $status); the demo domain, secret and files were removed" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

((EUID == 0)) || die "run me as root (I install packages and talk to the system libvirtd)"

if $installed; then
  heading "1-2. Use the installed packages"
  [[ -x $volcrypt ]] || die "$volcrypt is not installed (apt install ./volcrypt*.deb)"
  dpkg-query -W volcrypt volcrypt-plugin-qemu-native-luks
else
  heading "1. Install the Debian packages (.ci/install-deps)"
  "$repo/.ci/install-deps"
  echo "all packages present"

  heading "2. Build volcrypt and the qemu-native-luks plugin (Release, into build-demo/)"
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DVOLCRYPT_BUILD_TESTS=OFF -DVOLCRYPT_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target volcrypt qemu-native-luks
  [[ -x $volcrypt ]] || die "the build made no $volcrypt"
fi

heading "3. Start libvirtd if it is not running (.ci/start-libvirtd)"
"$repo/.ci/start-libvirtd"
virsh -c qemu:///system version

heading "4. A scratch LUKS1 volume with a random passphrase kept in a 0600 file"
scratch=$(mktemp -d /tmp/volcrypt-demo.XXXXXX)
chmod 755 "$scratch" # QEMU runs as libvirt-qemu and must reach the volume
passfile="$scratch/passphrase"
volume="$scratch/volume.luks"
message_file="$scratch/message.txt"
(
  umask 077
  head -c 24 /dev/urandom | base64 -w0 >"$passfile"
)
ls -l "$passfile"

# A fixed PBKDF2 count: qemu-img times its PBKDF by CPU usage and, on some hosts, always
# fails ("Unable to get accurate CPU usage"). QEMU reads cryptsetup's LUKS1 as its own.
command -v cryptsetup >/dev/null || die "needs cryptsetup (cryptsetup-bin) to make the scratch volume"
truncate -s 16M "$volume"
cryptsetup luksFormat --batch-mode --type luks1 --pbkdf-force-iterations 1000 \
  --key-file "$passfile" "$volume" >/dev/null || die "cryptsetup could not format $volume"
echo "formatted $volume (16 MiB, LUKS1); its first bytes on the host:"
head -c 16 "$volume" | od -An -c

# The message fills exactly one 512-byte sector, written through QEMU's LUKS layer.
message="$marker: this sentence was written through LUKS and only the guest can read it."
printf '%-512s' "$message" >"$message_file"
qemu-io --object "secret,id=s,file=$passfile" \
  --image-opts "driver=luks,key-secret=s,file.filename=$volume" \
  -c "write -s $message_file 0 512"
echo "wrote the message into the plaintext: \"$message\""

heading "5. A throw-away guest: TCG, 64 MiB, a virtio-scsi controller, no OS"
cat >"$scratch/domain.xml" <<EOF
<domain type='qemu'>
  <name>$domain</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <controller type='scsi' index='0' model='virtio-scsi'/>
  </devices>
</domain>
EOF
show virsh -c qemu:///system create "$scratch/domain.xml"

heading "6. The plugins volcrypt found"
show "$volcrypt" plugins

heading "7. Which plugin would serve this volume, and why"
show "$volcrypt" probe --source "$volume" --volume-id "$volume_id" --provider luks

heading "8. Hot-attach the volume as sdb (passphrase read from the 0600 file)"
show "$volcrypt" attach --domain "$domain" --target sdb --source "$volume" \
  --volume-id "$volume_id" --provider luks --passphrase-file "$passfile" --live

heading "9. The guest reads the plaintext through QEMU; the host file holds none"
live_xml=$(virsh -c qemu:///system dumpxml "$domain")
echo "the disk libvirt attached:"
awk "/<disk /,/<\/disk>/" <<<"$live_xml"
# libvirt names QEMU's decrypting block node libvirt-N-format, N = <source index='N'>.
index=$(grep -F "<source file='$volume'" <<<"$live_xml" | grep -o "index='[0-9]*'" |
  grep -o '[0-9]\+' | head -n 1 || true)
[[ -n $index ]] || die "no <source index=...> for $volume in the live XML of $domain"
node="libvirt-$index-format"

# qemu-io in QEMU's monitor prints its hex dump into the domain log, not the reply.
log_before=$(stat -c %s "$domain_log")
show virsh -c qemu:///system qemu-monitor-command "$domain" --hmp "qemu-io $node \"read -v 0 96\""
dump=""
for _ in $(seq 1 50); do
  dump=$(tail -c +"$((log_before + 1))" "$domain_log")
  grep -q 'bytes at offset' <<<"$dump" && break
  sleep 0.1
done
echo "what the guest's disk sdb reads at offset 0 (from $domain_log):"
grep -E '^[0-9a-f]{8}:' <<<"$dump" || die "qemu-io printed no hex dump into $domain_log"
grep -F 'bytes at offset' <<<"$dump"
# qemu-io shows only letters and digits in its text column: decode the hex bytes.
guest_text=$(grep -E '^[0-9a-f]{8}:' <<<"$dump" |
  awk '{ for (i = 2; i <= 17; i++) printf "\\x%s", $i }')
guest_text=$(printf '%b' "$guest_text")
echo "as text: \"$guest_text\""
sector=$(cat "$message_file")
[[ $guest_text == "${sector:0:96}" ]] || die "the guest did not read the message"
echo "OK: the guest reads the message"

host_hits=$(grep -a -c -F "$marker" "$volume" || true)
printf '$ grep -a -c -F %q %q\n%s\n' "$marker" "$volume" "$host_hits"
[[ $host_hits == 0 ]] || die "the host file holds the plaintext marker"
echo "OK: the volume file on the host holds no plaintext"

heading "10. The record volcrypt keeps in the domain's metadata, and the libvirt secret"
show "$volcrypt" list --domain "$domain"
show virsh -c qemu:///system secret-list
[[ -n $(secrets_of_volume) ]] || die "no libvirt secret for $volume_id while attached"

heading "11. Extend: the volume grows by 16 MiB and the guest sees it"
capacity() {
  virsh -c qemu:///system domblkinfo "$domain" sdb | awk '$1 == "Capacity:" { print $2 }'
}
show virsh -c qemu:///system domblkinfo "$domain" sdb
before=$(capacity)
show truncate -s +16M "$volume"
show "$volcrypt" extend --domain "$domain" --target sdb
show virsh -c qemu:///system domblkinfo "$domain" sdb
after=$(capacity)
((after == before + 16 * 1024 * 1024)) ||
  die "the guest sees $after bytes, not $before + 16 MiB (the LUKS header is not the guest's)"
echo "OK: the guest's disk grew from $before to $after bytes (the volume less its LUKS header)"

heading "12. Detach: the disk, its secret and the record go"
show "$volcrypt" detach --domain "$domain" --target sdb
show "$volcrypt" list --domain "$domain"
show virsh -c qemu:///system secret-list
[[ -z $(secrets_of_volume) ]] || die "the secret for $volume_id is still defined"
if "$volcrypt" --json list --domain "$domain" | grep -q '"target"'; then
  die "a record is still in the metadata of $domain"
fi
if virsh -c qemu:///system dumpxml "$domain" | grep -q "<target dev='sdb'"; then
  die "disk sdb is still attached to $domain"
fi
echo "OK: no disk sdb, no secret for $volume_id, no record"

heading "Done: every step passed (the demo domain and files are removed now)"
