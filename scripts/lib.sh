# Shared by scripts/test and scripts/demo: package installation and the build.
# Sourced, not run.

# Debian 12 packages the build and the tests need. Only Boost's 1.81 names: the plain
# libboost-*-dev names pull in 1.74, which conflicts.
VIPD_BUILD_PACKAGES=(
  cmake ninja-build pkg-config ccache g++ git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libyang2-dev libspdlog-dev libfmt-dev libssl-dev
  libnl-3-dev libnl-genl-3-dev protobuf-compiler libprotobuf-dev libedit-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-format-14 python3 iproute2 curl
)

# What the tests need beyond the build: the kernel tests boot Debian's kernel under qemu
# (tests/kernel/), the interoperability tests run real BGP peers (tests/integration/), and
# the fuzz target needs clang 16 (tests/fuzz/), /metrics is checked by promtool (prometheus)
# and the status page is loaded in headless Chromium (tests/browser/).
VIPD_TEST_PACKAGES=(
  qemu-system-x86 qemu-system-data linux-image-amd64 busybox-static ipvsadm kmod cpio
  xz-utils
  bird2 frr gobgpd exabgp
  clang-16 libclang-rt-16-dev llvm-14
  prometheus chromium
)

# Installs whichever of the named packages are missing (as root, or through sudo).
vipd_ensure_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >&2
}

# Configures and builds the one build of the project: sanitizers on, -O0 (see
# docs/development.md for why), in build/.
vipd_build() {
  local root=$1
  # ccache may reuse objects built from another checkout of the same tree.
  export CCACHE_BASEDIR=$root
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIPD_SANITIZE=ON \
    >/dev/null
  cmake --build "$root/build" -j "$(nproc)"
}

# playwright-core for the browser test, from the npm registry, pinned by package-lock.json.
vipd_ensure_browser_driver() {
  local folder=$1/tests/browser
  command -v npm >/dev/null || return 0
  [ -d "$folder/node_modules/playwright-core" ] && return 0
  (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error) >&2
}
