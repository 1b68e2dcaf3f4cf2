#!/usr/bin/env bash
# The sanitizer and fuzzing tier (ctest: sanitizer_and_fuzz; FUZZING.md).
# Configures a clang-14 build in build-fuzz/ with -DTOKEND_FUZZ=ON (ASan +
# UBSan + libFuzzer coverage on every target), builds only the unit tests and
# the harnesses, runs the three unit tests under the sanitizers, then each
# harness for FUZZ_SECONDS over its seed corpus. Any sanitizer report, crash,
# leak, timeout or failed invariant fails the script.
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh form_codec_fuzzer   # one harness, longer
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-2}
FUZZERS=(form_codec_fuzzer basic_auth_fuzzer http_request_fuzzer jwt_fuzzer proto_validator_fuzzer)
UNIT_TESTS=(core_unit_test http_unit_test jwt_unit_test)
if (($#)); then FUZZERS=("$@"); UNIT_TESTS=(); fi

command -v clang++-14 >/dev/null || { echo "clang++-14 is missing (scripts/install-deps.sh)" >&2; exit 1; }
echo "==> configure + build $BUILD (clang-14, ASan+UBSan+libFuzzer)"
cmake -S . -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTOKEND_FUZZ=ON >/dev/null
if (($#)); then
  cmake --build "$BUILD" -j"$JOBS" --target "${FUZZERS[@]}"
else
  cmake --build "$BUILD" -j"$JOBS" --target sanitizer_and_fuzz  # one target: built in parallel
fi

# halt_on_error / -fno-sanitize-recover: the first report ends the process
# with a non-zero status. Leaks are reported (LSan) and fail too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || true)}

for t in "${UNIT_TESTS[@]}"; do
  echo "==> $t under ASan+UBSan"
  "$BUILD/tests/unit/$t" --gtest_brief=1
done

artifacts="$BUILD/fuzz-artifacts"
mkdir -p "$artifacts"
for f in "${FUZZERS[@]}"; do
  echo "==> $f for ${FUZZ_SECONDS}s"
  # New inputs go to a scratch corpus; the committed seeds are only read.
  scratch=$(mktemp -d)
  log="$artifacts/$f.log"
  rc=0
  "$BUILD/tests/fuzz/$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$f-" \
    "$scratch" "$ROOT/tests/fuzz/corpus/$f" >"$log" 2>&1 || rc=$?
  rm -rf "$scratch"
  if ((rc != 0)); then
    tail -n 60 "$log" >&2
    echo "$f failed (exit $rc); the input is under $artifacts, the log is $log" >&2
    exit 1
  fi
  grep -E '^#[0-9]+ +DONE|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$log"
done
echo "sanitizer_and_fuzz: ${#UNIT_TESTS[@]} unit test binaries and ${#FUZZERS[@]} fuzzers clean"
