#!/usr/bin/env bash
# Step "Install hasim" of action.yml: packs this checkout of the action (the hasim version the workflow
# asked for with uses: ...@<ref>) and installs the tarball globally, as a user installs a release.
# npm pack runs the prepare script, which compiles; the dependencies come from the lock file.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
tarball="$(npm pack --silent --pack-destination "$RUNNER_TEMP" | tail -n 1)"
npm install -g "$RUNNER_TEMP/$tarball" --no-audit --no-fund --loglevel=error
echo "Installed hasim $(hasim --version)"
