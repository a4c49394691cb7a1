#!/usr/bin/env bash
# Step "Verdict" of action.yml: fails the step with hasim's exit code (1: an SLO failed, or a sweep's pass
# rate was below --min-pass-rate; 2: bad input; 3: a bug in hasim), after the summary and the upload.
set -euo pipefail
code="${HASIM_EXIT_CODE:-}"
case "$code" in
  0) exit 0 ;;
  1) echo "::error title=hasim::an SLO failed: see the job summary and the report artifact" ;;
  2) echo "::error title=hasim::bad input: see the log of the Run hasim step" ;;
  "") echo "::error title=hasim::hasim did not run: see the log of the Run hasim step"; exit 2 ;;
  *) echo "::error title=hasim::hasim stopped with exit code $code: see the log of the Run hasim step" ;;
esac
exit "$code"
