#!/usr/bin/env bash
# Step "Run hasim" of action.yml: runs `hasim run` or `hasim sweep` on the scenario, writing the report
# folder, and records the exit code as the step output exit-code instead of failing at once, so that the
# job summary and the artifact upload still happen; the last step (verdict.sh) fails the job.
set -uo pipefail
case "$HASIM_COMMAND" in
  run | sweep) ;;
  *)
    echo "::error title=hasim::the command input must be run or sweep (found \"$HASIM_COMMAND\")"
    exit 2
    ;;
esac
# The args input is split into words as a shell would, so quotes in it work:
# args: --seed 7 --set 'spec.slos[0].max=5m'
eval "set -- $HASIM_ARGS"
hasim "$HASIM_COMMAND" "$HASIM_SCENARIO" --out "$HASIM_OUT" "$@"
code=$?
{
  echo "exit-code=$code"
  echo "report-dir=$HASIM_OUT"
} >>"$GITHUB_OUTPUT"
exit 0
