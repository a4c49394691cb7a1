#!/usr/bin/env bash
# Step "Job summary" of action.yml: appends the run's report.md or the sweep's sweep.md to the job summary.
set -euo pipefail
for f in report.md sweep.md; do
  if [ -f "$HASIM_OUT/$f" ]; then
    cat "$HASIM_OUT/$f" >>"$GITHUB_STEP_SUMMARY"
  fi
done
