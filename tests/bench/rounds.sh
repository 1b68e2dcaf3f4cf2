#!/usr/bin/env bash
# Runs grpc_bench ROUNDS times, one run per figure each time, and prints the
# median of every figure and every ratio over the rounds. On a shared, noisy
# machine the ratios are best taken within one round (the two figures are
# measured seconds apart), then their median over rounds.
#
#   tests/bench/rounds.sh 7 --seconds=4 --phases=empty,issue,jwt_issue
set -euo pipefail
rounds=$1
shift
bench="$(dirname "$0")/../../build/tests/bench/grpc_bench"
all=$(mktemp)
trap 'rm -f "$all"' EXIT
for ((r = 1; r <= rounds; r++)); do
  out=$("$bench" --runs=1 "$@" 2>&1)
  # Rows: "| name | per second | p50 | p99 | errors |"; ratios: "ratios: a = x; b = y".
  # The CPU table after them: "| phase | tokend | postgres | loadgen | total |" (µs per call).
  echo "$out" | awk -F'|' -v r="$r" '/^CPU per call/ { cpu = 1 }
      NF >= 6 && $3 ~ /^ *[0-9.]+ *$/ && $3 + 0 > 0 {
        gsub(/^ +| +$/, "", $2)
        if (cpu) { printf "%s\tCPU us/call %s: tokend\t%s\n%s\tCPU us/call %s: total\t%s\n", r, $2, $3 + 0, r, $2, $6 + 0; next }
        printf "%s\t%s /s\t%d\n", r, $2, $3
        if ($5 ~ /[0-9]/) { gsub(/ /, "", $5); printf "%s\t%s p99 ms\t%s\n", r, $2, $5 } }' >>"$all"
  echo "$out" | grep '^ratios:' | sed 's/^ratios: //; s/ (target[^)]*)//g' | tr ';' '\n' |
    awk -v r="$r" -F' = ' 'NF == 2 && $2 ~ /^[0-9.]+$/ && $2 + 0 > 0 {
      gsub(/^ +/, "", $1); printf "%s\t%s\t%s\n", r, $1, $2 }' >>"$all"
  echo "round $r done" >&2
done
# One line per figure: its values in round order, then their median.
awk -F'\t' '{ if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } v[$2] = v[$2] " " $3 }
  END { for (i = 1; i <= n; i++) {
          k = order[i]; m = split(substr(v[k], 2), a, " ")
          for (x = 1; x <= m; x++) s[x] = a[x] + 0
          for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (s[y] < s[x]) { t = s[x]; s[x] = s[y]; s[y] = t }
          med = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
          printf "%-52s median %10.2f   of %s\n", k, med, substr(v[k], 2) } }' "$all"
