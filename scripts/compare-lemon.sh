#!/usr/bin/env bash
# Side-by-side comparison of symbiosim's network simplex with LEMON's NetworkSimplex on the
# same generated DIMACS instances; fails if any objective differs.
#
#   scripts/compare-lemon.sh                  # sizes 1e3 1e4 1e5 1e6, both families
#   SIZES="1000 10000" REPEAT=5 scripts/compare-lemon.sh
#
# Environment: SIZES (arcs), REPEAT (in-process solves per solver and instance; the minimum
# time is kept -- the machine may be shared, and minima are the most stable statistic),
# FAMILIES ("transport netgen"), SEED, WORK (instance/binary folder, default
# target/compare-lemon). Needs g++ and LEMON headers (Debian: liblemon-dev); without them the
# script prints a notice and exits 0, so it is optional in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000 1000000"}
REPEAT=${REPEAT:-3}
FAMILIES=${FAMILIES:-"transport netgen"}
SEED=${SEED:-1}
WORK=${WORK:-target/compare-lemon}

if ! command -v g++ >/dev/null 2>&1; then
    echo "compare-lemon: g++ not found; skipping"
    exit 0
fi
if ! echo '#include <lemon/network_simplex.h>' | g++ -x c++ -fsyntax-only - >/dev/null 2>&1; then
    echo "compare-lemon: LEMON headers not found (apt-get install liblemon-dev); skipping"
    exit 0
fi

mkdir -p "$WORK"
g++ -O3 -DNDEBUG -std=c++11 scripts/lemon/lemon_ns.cpp -o "$WORK/lemon_ns"
cargo build --quiet --release -p symbiosim-engine --example gen_dimacs
TARGET_DIR=${CARGO_TARGET_DIR:-target}
TOOL="$TARGET_DIR/release/examples/gen_dimacs"

# `<objective> <seconds>` from a solver's `s` and `c solve_seconds` lines.
run_min() {
    "$@" | awk '$1 == "s" { obj = $2 } $1 == "c" && $2 == "solve_seconds" { t = $3 } END { print obj, t }'
}

status=0
printf '%-10s %9s %9s %18s %12s %12s %7s\n' family arcs nodes objective "ours_ms" "lemon_ms" ratio
for family in $FAMILIES; do
    for m in $SIZES; do
        file="$WORK/$family-$m-$SEED.min"
        if [ ! -s "$file" ]; then
            case $family in
                transport) "$TOOL" transport "$m" "$SEED" >"$file" ;;
                netgen) "$TOOL" netgen $((m / 8)) "$m" "$SEED" >"$file" ;;
                *) echo "unknown family $family" >&2; exit 2 ;;
            esac
        fi
        nodes=$(awk '$1 == "p" { print $3; exit }' "$file")
        arcs=$(awk '$1 == "p" { print $4; exit }' "$file")
        read -r ours_obj ours_t < <(run_min "$TOOL" time "$file" "$REPEAT")
        read -r lemon_obj lemon_t < <(run_min "$WORK/lemon_ns" "$file" "$REPEAT")
        ratio=$(awk -v a="$ours_t" -v b="$lemon_t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        ours_ms=$(awk -v a="$ours_t" 'BEGIN { printf "%.3f", a * 1000 }')
        lemon_ms=$(awk -v a="$lemon_t" 'BEGIN { printf "%.3f", a * 1000 }')
        printf '%-10s %9s %9s %18s %12s %12s %7s\n' "$family" "$arcs" "$nodes" "$ours_obj" "$ours_ms" "$lemon_ms" "$ratio"
        if [ "$ours_obj" != "$lemon_obj" ]; then
            echo "  MISMATCH: symbiosim '$ours_obj' vs LEMON '$lemon_obj' on $file" >&2
            status=1
        fi
    done
done
exit $status
