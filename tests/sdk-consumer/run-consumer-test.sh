#!/bin/bash
# usage: run-consumer-test.sh BUILD_DIR INSTALL_PREFIX
# The vendor's experience, end to end, against the *installed* SDK: installs the volcrypt
# build BUILD_DIR (configured for INSTALL_PREFIX) into a temporary staging root, builds
# this folder's out-of-tree plugin with find_package(VolcryptSDK 1) and again with plain
# g++ and pkg-config, checks its exports and runs the installed conformance kit on it,
# then has the installed volcrypt list it, probe with it, and choose it when pinned.
# `volcrypt probe` needs a running libvirtd (.ci/start-libvirtd).
set -euo pipefail
build=$(cd "$1" && pwd)
prefix=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/volcrypt-sdk-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step() { echo "== $*"; }
fail() {
  echo "FAILED: $*" >&2
  exit 1
}
expect_line() {  # expect_line PATTERN TEXT WHAT
  grep -Eq -- "$1" <<<"$2" || fail "$3: no line matching '$1' in:"$'\n'"$2"
}

step "install the volcrypt build into a staging root (DESTDIR)"
stage=$tmp/stage
DESTDIR=$stage cmake --install "$build" >"$tmp/install.log"
root=$stage$prefix
for file in include/volcrypt/plugin_abi.h include/volcrypt/plugin.hpp \
  include/volcrypt/plugin_contract.hpp include/volcrypt/host_kernel.hpp bin/volcrypt \
  bin/volcrypt-plugin-check; do
  [[ -e $root/$file ]] || fail "not installed: $prefix/$file"
done
config=$(find "$root" -name VolcryptSDKConfig.cmake)
[[ -n $config ]] || fail "VolcryptSDKConfig.cmake is not installed"
[[ -e $(dirname "$config")/VolcryptSDKConfigVersion.cmake ]] || fail "no VolcryptSDKConfigVersion.cmake"
pcfile=$(find "$root" -name volcrypt-sdk.pc)
[[ -n $pcfile ]] || fail "volcrypt-sdk.pc is not installed"
packaged_plugins=$(dirname "$(find "$root" -name qemu-native-luks.so)")
echo "SDK package: ${config#"$stage"}"

step "configure and build the out-of-tree plugin with find_package(VolcryptSDK 1)"
consumer=$tmp/consumer-build
cmake -S "$here" -B "$consumer" -DCMAKE_PREFIX_PATH="$root" -DCMAKE_BUILD_TYPE=Release \
  >"$tmp/configure.log" 2>&1 || {
  cat "$tmp/configure.log"
  fail "the consumer project does not configure against the installed SDK"
}
grep "VolcryptSDK" "$tmp/configure.log"
# The package found must be the installed one, never the source tree.
grep -Eq "VolcryptSDK 1\.[0-9]+ from $root/" "$tmp/configure.log" || fail "did not use the installed SDK"
cmake --build "$consumer" >"$tmp/build.log" 2>&1 || {
  cat "$tmp/build.log"
  fail "the consumer plugin does not build"
}
plugin=$consumer/example-vendor.so
[[ -f $plugin ]] || fail "no $plugin (a plugin has no lib prefix)"

step "CMake and pkg-config name one packaged plugin directory: where the plugins are"
cmake_plugins=$(sed -n 's/^-- VolcryptSDK_PACKAGED_PLUGIN_DIR=//p' "$tmp/configure.log")
pc_plugins=$(PKG_CONFIG_PATH=$(dirname "$pcfile") pkg-config --variable=pluginsdir volcrypt-sdk)
echo "CMake: $cmake_plugins"$'\n'"pkg-config: $pc_plugins"
[[ -n $cmake_plugins && $(realpath -m "$cmake_plugins") == $(realpath -m "$pc_plugins") ]] ||
  fail "VolcryptSDK_PACKAGED_PLUGIN_DIR '$cmake_plugins' differs from pluginsdir '$pc_plugins'"
[[ $(realpath -m "$cmake_plugins") == $(realpath "$packaged_plugins") ]] ||
  fail "the packaged plugins are in $packaged_plugins, not $cmake_plugins"

step "find_package(VolcryptSDK 2) is refused (SameMajorVersion)"
if cmake -S "$here" -B "$tmp/consumer-v2" -DCMAKE_PREFIX_PATH="$root" -DVOLCRYPT_SDK_WANTED=2 \
  >"$tmp/v2.log" 2>&1; then
  fail "find_package(VolcryptSDK 2) accepted SDK 1.x"
fi
grep -Eq "1\.[0-9]+" "$tmp/v2.log" || fail "the refusal does not name the SDK version: $(cat "$tmp/v2.log")"
echo "refused, as expected"

exports_of() { nm -D --defined-only "$1" | awk '{print $NF}' | sort | tr '\n' ' '; }
expected_exports="volcrypt_plugin_abi volcrypt_plugin_entry "

step "the plugin exports only the two entry symbols"
exports=$(exports_of "$plugin")
[[ $exports == "$expected_exports" ]] || fail "example-vendor.so exports: $exports"
echo "exports: $exports"

step "the installed conformance kit passes it"
"$root/bin/volcrypt-plugin-check" "$plugin"
(cd "$consumer" && ctest --output-on-failure) || fail "the consumer's own conformance test failed"

step "cmake --install puts it in the drop-in directory /usr/local/lib/volcrypt/plugins"
DESTDIR=$tmp/consumer-stage cmake --install "$consumer" >/dev/null
dropped=$tmp/consumer-stage/usr/local/lib/volcrypt/plugins/example-vendor.so
[[ -f $dropped ]] || fail "not installed to the drop-in directory: $(find "$tmp/consumer-stage" -type f)"
[[ $(stat -c %a "$dropped") == 755 ]] || fail "installed with mode $(stat -c %a "$dropped")"

step "the installed volcrypt lists it from a plugin directory"
plugins_dir=$tmp/plugins
mkdir -m 0755 "$plugins_dir"
install -m 0755 "$plugin" "$plugins_dir/"
volcrypt=$root/bin/volcrypt
listing=$("$volcrypt" --plugin-dir "$plugins_dir" plugins)
echo "$listing"
expect_line '^example-vendor +1\.0\.0 +loaded +'"$plugins_dir"'/example-vendor\.so$' "$listing" \
  "volcrypt plugins"

step "volcrypt probe chooses it for its own provider"
volume=$tmp/volume.img
truncate -s 16M "$volume"
probe=$("$volcrypt" --plugin-dir "$plugins_dir" --plugin-dir "$packaged_plugins" probe \
  --source "$volume" --volume-id sdk-consumer-volume --provider example)
echo "$probe"
expect_line '^\* example-vendor +64 +example vendor: serves any volume' "$probe" "probe --provider example"
expect_line '^chosen: example-vendor$' "$probe" "probe --provider example"

step "for luks, qemu-native-luks ranks higher, and a pin in the config file wins"
# A LUKS1 volume: the example serves luks only for volumes that are LUKS already.
# cryptsetup formats a file without device-mapper, at a fixed cost (no benchmark).
command -v cryptsetup >/dev/null || fail "needs the cryptsetup program (cryptsetup-bin)"
volume=$tmp/volume.luks
truncate -s 16M "$volume"
printf 'sdk-consumer-passphrase' >"$tmp/passphrase"
cryptsetup luksFormat --batch-mode --type luks1 --pbkdf-force-iterations 1000 \
  --key-file "$tmp/passphrase" "$volume" >/dev/null
probe=$("$volcrypt" --plugin-dir "$plugins_dir" --plugin-dir "$packaged_plugins" probe \
  --source "$volume" --volume-id sdk-consumer-volume --provider luks)
echo "$probe"
expect_line '^chosen: qemu-native-luks$' "$probe" "probe --provider luks without a pin"
conf=$tmp/volcrypt.conf
printf 'pin = luks:example-vendor\n' >"$conf"
probe=$("$volcrypt" --config "$conf" --plugin-dir "$plugins_dir" --plugin-dir "$packaged_plugins" \
  probe --source "$volume" --volume-id sdk-consumer-volume --provider luks)
echo "$probe"
expect_line '^  qemu-native-luks +256 ' "$probe" "probe --provider luks with a pin"
expect_line '^\* example-vendor +64 .*\[pinned\]' "$probe" "probe --provider luks with a pin"
expect_line '^chosen: example-vendor$' "$probe" "probe --provider luks with a pin"

step "a plain g++ build with pkg-config makes a loadable plugin too"
PKG_CONFIG_PATH=$(dirname "$pcfile")
export PKG_CONFIG_PATH
cflags=$(pkg-config --cflags volcrypt-sdk)
exportmap=$(pkg-config --variable=exportmap volcrypt-sdk)
echo "pkg-config --cflags volcrypt-sdk: $cflags"
includedir=$(pkg-config --variable=includedir volcrypt-sdk)
[[ $cflags == "-I$includedir"* && -f $includedir/volcrypt/plugin.hpp ]] ||
  fail "the Cflags do not name the installed headers"
[[ $(realpath "$includedir") == "$root"/* ]] || fail "the Cflags name $includedir, outside the install"
[[ -f $exportmap ]] || fail "exportmap $exportmap does not exist"
[[ -n $(pkg-config --variable=pluginsdir volcrypt-sdk) ]] || fail "no pluginsdir variable"
pc_dir=$tmp/pc-plugins
mkdir -m 0755 "$pc_dir"
# shellcheck disable=SC2086 # cflags is a list of flags
g++ -std=c++20 -Wall -Wextra -Werror -O2 -shared -fPIC -fvisibility=hidden $cflags \
  -Wl,--no-undefined -Wl,--version-script="$exportmap" \
  -o "$pc_dir/example-vendor.so" "$here/example_vendor.cpp"
chmod 0755 "$pc_dir/example-vendor.so"
exports=$(exports_of "$pc_dir/example-vendor.so")
[[ $exports == "$expected_exports" ]] || fail "the pkg-config build exports: $exports"
"$root/bin/volcrypt-plugin-check" "$pc_dir/example-vendor.so" >/dev/null ||
  fail "the pkg-config build fails the conformance kit"
listing=$("$volcrypt" --plugin-dir "$pc_dir" plugins)
expect_line '^example-vendor +1\.0\.0 +loaded ' "$listing" "volcrypt plugins (pkg-config build)"
echo "loaded: $(grep -E '^example-vendor' <<<"$listing")"

step "the installed template builds as shipped and passes its conformance test"
template=$(find "$root" -type d -name template -path '*volcrypt-sdk*')
[[ -f $template/CMakeLists.txt && -f $template/my_plugin.cpp ]] || fail "the template is not installed"
if ! { cmake -S "$template" -B "$tmp/template-build" -DCMAKE_PREFIX_PATH="$root" &&
  cmake --build "$tmp/template-build"; } >"$tmp/template.log" 2>&1; then
  cat "$tmp/template.log"
  fail "the installed template does not build"
fi
(cd "$tmp/template-build" && ctest --output-on-failure) || fail "the template fails the conformance kit"

echo "sdk-consumer: every step passed"
