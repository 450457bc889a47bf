#!/usr/bin/env bash
# Builds Abseil with ThreadSanitizer from Debian's source package and installs
# it (static libraries and a CMake package) under build/tsan-abseil/install,
# where the `tsan` CMake preset finds it.
#
# Why: Debian's libabsl is not instrumented, so TSan does not see absl::Mutex
# acquire/release and reports every hand-off through one as a race. Building
# the same version Debian ships, from Debian's own source with its patches,
# keeps the TSan build's Abseil identical to the one every other build uses.
#
# Needs root (it adds a deb-src entry to apt and may install dpkg-dev). Takes
# a few minutes on 2 cores. Skips the build when the install already matches
# the source version and flags; delete build/tsan-abseil to force one.
set -euo pipefail
cd "$(dirname "$0")/.."

root=$PWD/build/tsan-abseil
prefix=$root/install
cxx=clang++
flags="-fsanitize=thread -fno-omit-frame-pointer"

# The version Debian ships to the other builds; the source must match it.
version=$(dpkg-query -W -f='${source:Version}' libabsl-dev)
stamp="abseil $version + waiter annotation, $cxx $flags"
if [[ -f $prefix/stamp && $(<"$prefix/stamp") == "$stamp" ]]; then
  echo "TSan Abseil $version is already built in $prefix"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

# A deb-src twin of each deb entry, so that `apt-get source` sees the same
# mirrors and suites (the security suite carries Debian's patched releases).
sources=/etc/apt/sources.list.d/debian.sources
src_sources=/etc/apt/sources.list.d/debian-src.sources
if [[ ! -f $src_sources ]]; then
  if [[ -f $sources ]]; then
    sed 's/^Types: deb$/Types: deb-src/' "$sources" |
      "${sudo_cmd[@]}" tee "$src_sources" >/dev/null
  else
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/debian-src.list >/dev/null
  fi
fi
"${sudo_cmd[@]}" apt-get update -qq
if ! dpkg-query -W -f='${Status}' dpkg-dev 2>/dev/null |
    grep -q "install ok installed"; then
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends dpkg-dev
fi

rm -rf "$root"
mkdir -p "$root"
(cd "$root" && apt-get source -qq "abseil=$version")
source_dir=$(find "$root" -mindepth 1 -maxdepth 1 -type d -name 'abseil-*')

# One TSan annotation that this release lacks (Abseil fixed it upstream in
# November 2022, "fix Mutex TSan annotations"): Mutex passes a waiter's
# thread identity between threads through synchronization it hides from
# TSan, so the wake-up's write to that identity looks like a race with the
# waiter's first use of it. Ignore the accesses of that one wake-up. Only
# TSan builds see the annotations; they expand to nothing elsewhere.
mutex_cc=$source_dir/absl/synchronization/mutex.cc
post='  PerThreadSem::Post(w->thread_identity());'
[[ $(grep -cxF "$post" "$mutex_cc") -eq 1 ]] ||
  { echo "mutex.cc changed: review the TSan annotation patch" >&2; exit 1; }
sed -i "s/^$post\$/  ABSL_ANNOTATE_IGNORE_READS_AND_WRITES_BEGIN();\n&\n  ABSL_ANNOTATE_IGNORE_READS_AND_WRITES_END();/" \
  "$mutex_cc"

# Debian's configuration (debian/rules: C++17, static libraries), plus TSan.
cmake -S "$source_dir" -B "$root/build" \
  -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_CXX_STANDARD=17 \
  -DABSL_PROPAGATE_CXX_STD=ON \
  -DBUILD_SHARED_LIBS=OFF \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DBUILD_TESTING=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib
cmake --build "$root/build" -j 2
cmake --install "$root/build" >/dev/null
echo "$stamp" >"$prefix/stamp"
echo "TSan Abseil $version installed in $prefix"
