#!/usr/bin/env bash
# Lint throughput and peak memory on a generated capture of realistic mixed
# traffic (100 interleaved sessions: prepared selects and updates,
# transactions with versioned updates, plain queries with literals, a few
# unguarded read-modify-writes), values hashed as in a default capture.
#
#   scripts/bench-lint.sh [EVENTS]     (default 1000000)
#
# Prints wall-clock and CPU throughput (events per second), peak RSS, and the
# Go benchmarks' ratio of lint to plain capture decoding from the same run.
# On a shared machine trust the CPU figure and the ratio over the wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
GO=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$GO build -o "$work/pgrmw" ./cmd/pgrmw
$GO run ./lint/internal/gencapture -events "$EVENTS" -out "$work/capture.jsonl" >/dev/null
size=$(stat -c %s "$work/capture.jsonl")
events=$(($(wc -l <"$work/capture.jsonl") - 1))

timefmt='%e %U %S %M'
if /usr/bin/time -f "$timefmt" true 2>/dev/null; then
  /usr/bin/time -f "$timefmt" -o "$work/time" "$work/pgrmw" --log-level error lint --fail-on none \
    --format json --out "$work/findings.json" "$work/capture.jsonl"
  read -r wall user sys rss_kb <"$work/time"
else
  start=$(date +%s.%N)
  "$work/pgrmw" --log-level error lint --fail-on none --format json --out "$work/findings.json" "$work/capture.jsonl"
  wall=$(echo "$(date +%s.%N) - $start" | bc); user=0; sys=0; rss_kb=0
fi
findings=$(grep -c '"rule":' "$work/findings.json" || true)

awk -v e="$events" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" -v b="$size" -v f="$findings" 'BEGIN {
  printf "lint: %d events (%.0f MiB capture), %d findings\n", e, b/1048576, f
  printf "  wall %.2fs: %.0f events/s\n", w, e/w
  printf "  cpu  %.2fs (user %.2f + sys %.2f): %.0f events per cpu-second\n", u+s, u, s, e/(u+s)
  printf "  peak RSS %.0f MiB\n", r/1024
}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "go benchmarks (same run; lint vs decoding only):"
PGRMW_BENCH_CAPTURE="$work/capture.jsonl" $GO test -run '^$' -bench 'ReadCapture|LintCapture' -benchtime 1x ./lint |
  awk '/^Benchmark/ { for (i = 1; i <= NF; i++) if ($(i+1) == "events/s") v[$1] = $i; print }
       END { for (k in v) if (k ~ /Lint/) l = v[k]; else r = v[k]; if (r > 0) printf "  lint/decode throughput ratio: %.2f\n", l/r }'
