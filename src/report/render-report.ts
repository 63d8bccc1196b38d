import type { ResultHistory } from '../results/result-file.js';
import { buildReport } from './build-report.js';
import { renderText } from './render-text.js';
import { renderMarkdown } from './render-markdown.js';
import { renderHtml } from './render-html.js';
import { renderOpenMetrics } from './render-openmetrics.js';

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
