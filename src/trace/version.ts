// The version of hasim, as package.json has it (a test keeps the two equal). A seed replays the same run
// only within one version, so every output that a run can be reproduced from records it: summary.json,
// the run.started trace event, every report and `hasim --version`. Kept as a constant rather than read
// from package.json so that the runner and the reports stay free of file-system access.
export const HASIM_VERSION = '0.3.0';
