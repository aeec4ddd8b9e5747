#!/usr/bin/env bash
# scripts/setup.sh — the one entry point behind the README's two commands.
#
#   bash scripts/setup.sh run    install what is missing, build, run the main job
#                                (clnscl repro all --scale quick → figures/)
#   bash scripts/setup.sh test   install what is missing, build (Release and
#                                ASan+UBSan), run the whole CTest suite
#   bash scripts/setup.sh deps   only install the Debian packages
#   bash scripts/setup.sh build  deps + Release build in build/
#
# Idempotent and quiet when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime dependencies (README "Dependencies" says why each is here).
PKGS=(build-essential cmake pkg-config libgsl-dev liblapacke-dev libopenblas-dev zlib1g-dev
      libcjson-dev libinih-dev gnuplot-nox dataset-fashion-mnist python3)

deps() {
    local missing=()
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "setup: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

JOBS=$(nproc 2>/dev/null || echo 2)

build() { # build DIR [cmake args...]
    local dir=$1; shift
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    fi
    cmake --build "$dir" -j "$JOBS" >/dev/null
}

case "${1:-}" in
    deps) deps ;;
    build) deps; build build ;;
    run)
        deps
        build build
        ./build/clnscl repro all --scale quick --out figures
        ;;
    test)
        deps
        build build
        # 1. everything (unit, CLI, end-to-end smoke) on the Release build
        (cd build && ctest --output-on-failure -j "$JOBS")
        # 2. the unit and CLI tests again under AddressSanitizer + UBSan
        build build-asan -DCLNSCL_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
        (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$JOBS" -L 'unit|cli')
        ;;
    *)
        echo "usage: bash scripts/setup.sh run|test|deps|build" >&2
        exit 2
        ;;
esac
