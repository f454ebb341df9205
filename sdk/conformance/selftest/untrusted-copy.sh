#!/bin/bash
# usage: untrusted-copy.sh EXPECT-CHECK-FAILURE CHECKER PLUGIN CASE
# Puts a copy of a good PLUGIN where others could swap it, and passes when the kit's
# file-trust check names the folder that makes it untrusted. CASE:
#   file-in-open-folder   the plugin file sits in a world-writable folder
#   link-to-open-folder   a link in a safe folder points to a plugin in such a folder
set -euo pipefail
expect=$1 checker=$2 plugin=$3 case=$4
tmp=$(mktemp -d "${TMPDIR:-/tmp}/volcrypt-untrusted.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"
mkdir -m 0755 "$tmp/safe"
mkdir -m 0777 "$tmp/open"
install -m 0755 "$plugin" "$tmp/open/plugin.so"
case $case in
  file-in-open-folder)
    exec bash "$expect" "$checker" "$tmp/open/plugin.so" file-trust \
      "$tmp/open is writable by group or others (mode 0777)" ;;
  link-to-open-folder)
    ln -s "$tmp/open/plugin.so" "$tmp/safe/plugin.so"
    exec bash "$expect" "$checker" "$tmp/safe/plugin.so" file-trust \
      "$tmp/safe/plugin.so is a symbolic link to $tmp/open/plugin.so: $tmp/open is writable by group or others (mode 0777)" ;;
  *)
    echo "unknown case $case" >&2
    exit 2 ;;
esac
