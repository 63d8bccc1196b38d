import type { ResultHistory } from '../results/result-file.js';
import { buildReport } from './build-report.js';
import { renderText } from './render-text.js';
import { renderMarkdown } from './render-markdown.js';
import { renderHtml } from './render-html.js';
import { renderOpenMetrics } from './render-openmetrics.js';
import type { Report } from './report-schema.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'html' | 'openmetrics';

export function renderReport(history: ResultHistory, format: ReportFormat): string {
  const report = buildReport(history);
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return withNewline(renderMarkdown(report));
    case 'openmetrics':
      return renderOpenMetrics(report);
    case 'html':
      return withNewline(renderHtml(report));
    default:
      return withNewline(renderText(report));
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * The report in pieces, for writing to a stream: the JSON report one history entry at a time (the
 * same text as `JSON.stringify(report, null, 2)`), so a 10,000-loop history is never one string.
 * Other formats are one piece.
 */
export function* renderReportChunks(history: ResultHistory, format: ReportFormat): Generator<string> {
  if (format !== 'json') {
    yield renderReport(history, format);
    return;
  }
  yield* jsonChunks(buildReport(history));
}

const jsonPieceChars = 64 * 1024;

function* jsonChunks(report: Report): Generator<string> {
  if (report.history.length === 0) {
    yield `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  // A top-level key at two spaces of indentation cannot occur inside a JSON string (quotes are escaped).
  const marker = '\n  "history": []';
  const outline = JSON.stringify({ ...report, history: [] }, null, 2);
  const at = outline.indexOf(marker) + marker.length - 1;
  // Entries go out in pieces of about 64 KiB: one write per entry would be 10,000 writes.
  let piece = outline.slice(0, at);
  let separator = '\n    ';
  for (const entry of report.history) {
    piece += separator + JSON.stringify(entry, null, 2).replaceAll('\n', '\n    ');
    separator = ',\n    ';
    if (piece.length >= jsonPieceChars) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}\n  ${outline.slice(at)}\n`;
}
