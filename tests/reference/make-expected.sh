#!/usr/bin/env bash
# Regenerates the expected outputs of every reference case with the R implementation
# (needs R with the survival package: apt-get install r-base-core r-cran-survival).
# The results are committed, so the tests need no R.
set -euo pipefail
cd "$(dirname "$0")"
for case in cases/*/; do
  name=$(basename "$case")
  rm -rf "$case/expected"
  as_of=""
  [ -f "$case/as-of" ] && as_of=$(cat "$case/as-of")
  Rscript reference-metrics.R "$case/input" "$case/expected" $as_of
  echo "reference: $name"
done
