# Sourced by scripts/test and scripts/quickstart: the compiler cache and linker every build uses.
#   build_cache_setup ROOT   sets the array build_cache_cmake_args (-D… flags for cmake) and
#                            exports the CCACHE_* variables; never fails
#   build_cache_report DIR   prints ccache's counters for the compilations of one build
#
# ccache's cache lives outside the checkout (default /var/cache/dbkeep-ccache; an existing
# CCACHE_DIR is respected), so CI's fresh clone in any folder finds what the last run compiled:
# CCACHE_BASEDIR rewrites the clone's absolute paths to relative ones and CCACHE_NOHASHDIR keeps
# the working directory (only in -g1 line tables) out of the key. Without ccache, or with a cache
# directory that cannot be written, the build runs the compiler directly. DBKEEP_CCACHE=0 turns
# it off.

build_cache_setup() {
  local root=$1
  build_cache_cmake_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=)
  build_cache_enabled=0
  if [[ ${DBKEEP_CCACHE:-1} == 0 ]]; then
    echo "ccache: off (DBKEEP_CCACHE=0)"
  elif ! command -v ccache >/dev/null; then
    echo "ccache: not installed; compiling without a cache"
  else
    export CCACHE_DIR=${CCACHE_DIR:-/var/cache/dbkeep-ccache}
    local probe="$CCACHE_DIR/.probe-$$"
    if mkdir -p "$CCACHE_DIR" 2>/dev/null && : >"$probe" 2>/dev/null; then
      rm -f "$probe"
      export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
      export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
      # No precompiled headers (CMakeLists.txt says why), so no sloppiness is needed: ccache's
      # default checks stay on.
      build_cache_cmake_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
      build_cache_enabled=1
      echo "ccache: $CCACHE_DIR (base dir $root)"
    else
      echo "ccache: $CCACHE_DIR is not writable; compiling without a cache"
    fi
  fi
  # mold links the (large, instrumented) test binaries several times faster than ld.bfd.
  if command -v mold >/dev/null; then
    build_cache_cmake_args+=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=mold)
  else
    build_cache_cmake_args+=(-DCMAKE_EXE_LINKER_FLAGS=)
  fi
}

# Each build logs its own ccache counters (CCACHE_STATSLOG), so the figures are this build's
# even while other builds share the cache.
build_cache_statslog() {  # build_cache_statslog DIR: call before building DIR
  if ((build_cache_enabled)); then
    mkdir -p "$1"
    rm -f "$1/ccache-stats.log"
    # Absolute: ccache runs in the build's subdirectories.
    CCACHE_STATSLOG=$(cd "$1" && pwd)/ccache-stats.log
    export CCACHE_STATSLOG
  fi
}

build_cache_report() {  # build_cache_report DIR
  ((build_cache_enabled)) || return 0
  if [[ ! -s $1/ccache-stats.log ]]; then
    echo "ccache ($1): nothing compiled"
    return 0
  fi
  local stats
  stats=$(CCACHE_STATSLOG=$1/ccache-stats.log ccache --show-log-stats 2>/dev/null) || return 0
  echo "ccache ($1): $(grep -E '^ *(Cacheable calls|Hits|Misses|Uncacheable calls|Errors)' <<<"$stats" |
    sed -E 's/^ +//; s/ +/ /g' | paste -sd ';' | sed 's/;/; /g')"
}
