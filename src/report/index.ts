// Reports are pure functions from a run (summary + trace) to file contents; the CLI writes them.
import type { TraceEvent } from '../trace/events.js';
import type { RunSummary } from '../trace/summary.js';
import { renderHtmlReport } from './html-report.js';
import { renderJunit } from './junit.js';
import { renderMarkdownReport } from './markdown-report.js';
import { renderTimelineSvg } from './timeline-svg.js';

export type ReportFile = 'timeline.svg' | 'report.html' | 'report.md' | 'junit.xml';

/** Every report file of README.md#what-a-run-writes except summary.json and events.jsonl, by file name. */
export function renderReports(summary: RunSummary, events: readonly TraceEvent[]): Record<ReportFile, string> {
  // The timeline is the costliest part at scale: drawn once, used twice.
  const svg = renderTimelineSvg(summary, events);
  return {
    'timeline.svg': svg,
    'report.html': renderHtmlReport(summary, events, svg),
    'report.md': renderMarkdownReport(summary, events),
    'junit.xml': renderJunit(summary, events),
  };
}

export { renderTimelineSvg, COLLAPSE_NODES_ABOVE } from './timeline-svg.js';
export { renderHtmlReport, describeEvent } from './html-report.js';
export { renderMarkdownReport } from './markdown-report.js';
export { renderJunit } from './junit.js';
export { sloCauses, causesOf, causeLines, type SloCauses, type PodCause } from './causes.js';
export { faultChains, chainLine, type FaultChain, type ChainStep } from './fault-chains.js';
export { renderTextSummary, type TextSummaryOptions } from './text-summary.js';
export { milestones, faultMilestones, type Milestone, type MilestoneKind, type FaultMilestone } from './milestones.js';
export { formatDuration, formatClock, formatClockShort, escapeXml } from './format.js';
