import { formatNumber } from '../../report/format-number.js';
import type { Report, SloEntry } from '../../report/report-schema.js';

/** Slack's limits: 50 blocks per message, 3000 characters per section text. */
const maxBlocks = 50;
const maxSectionText = 3000;
const maxFallbackText = 3000;

export interface SlackMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

const verdictEmoji: Record<Report['verdict'], string> = {
  pass: ':white_check_mark:',
  fail: ':x:',
  inconclusive: ':warning:',
  error: ':octagonal_sign:',
  none: ':hourglass:',
};

const statusEmoji: Record<SloEntry['status'], string> = {
  pass: ':white_check_mark:',
  fail: ':x:',
  nodata: ':grey_question:',
  'insufficient-data': ':grey_question:',
  inconclusive: ':grey_question:',
};

/**
 * An incoming-webhook message: the verdict, then each version's SLOs. Built as an object (the
 * caller JSON.stringifies it), so any name or reason yields valid JSON; names are escaped for
 * mrkdwn and set in code spans, where `*`, `_` and `~` cannot start formatting.
 */
export function buildSlackMessage(report: Report): SlackMessage {
  const loop = report.latestLoop?.loop ?? report.loops;
  const { name, namespace } = report.experiment;
  const experiment = namespace ? `${namespace}/${name}` : name;
  const headline = `${verdictEmoji[report.verdict]} *canary* ${code(experiment)} loop ${loop}: *${report.verdict}*`;
  const versionBlocks = report.versions.map((version) => section(versionText(version)));
  const room = maxBlocks - 1;
  const blocks = [section(`${headline}\n${countLine(report)}`), ...versionBlocks.slice(0, room)];
  if (versionBlocks.length > room) {
    // Keep the last slot to say what was left out.
    blocks.splice(room, 1, section(`…and ${versionBlocks.length - room + 1} more versions`));
  }
  return {
    text: limitText(`canary ${escapeSlack(experiment)} loop ${loop}: ${report.verdict}`, maxFallbackText),
    blocks,
  };
}

function section(text: string): SlackMessage['blocks'][number] {
  return { type: 'section', text: { type: 'mrkdwn', text: limitText(text, maxSectionText) } };
}

function countLine(report: Report): string {
  const slos = report.versions.flatMap((v) => v.slos);
  if (slos.length === 0) return 'No SLOs evaluated.';
  const count = (status: SloEntry['status']) => slos.filter((s) => s.status === status).length;
  return `SLOs: ${count('pass')} met, ${count('fail')} violated, ${count('nodata')} without data`;
}

function versionText(version: Report['versions'][number]): string {
  const failed = version.slos.filter((s) => s.status === 'fail').length;
  const emoji =
    failed > 0 ? ':x:' : version.slos.some((s) => s.status === 'nodata') ? ':warning:' : ':white_check_mark:';
  const summary =
    version.slos.length === 0
      ? 'no SLOs'
      : failed > 0
        ? `${failed} of ${version.slos.length} SLOs violated`
        : `${version.slos.length} SLOs checked`;
  const lines = version.slos.map((slo) => {
    const relation = `${code(`${slo.metric} ${slo.op === '<=' ? '≤' : '≥'} ${formatNumber(slo.limit)}`)}`;
    const value =
      slo.status === 'nodata'
        ? `no data (${escapeSlack(slo.reason ?? 'no value')})`
        : formatNumber(slo.value);
    return `${statusEmoji[slo.status]} ${relation} ${value}`;
  });
  return [`${emoji} ${code(version.name)} ${summary}`, ...lines].join('\n');
}

/** Slack reads `&`, `<` and `>` as markup (links, mentions); these three are all it asks to escape. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An inline code span; a backtick would end it, so it becomes a look-alike. Newlines become spaces. */
function code(text: string): string {
  return `\`${escapeSlack(text.replace(/`/g, 'ˋ').replace(/\s+/g, ' '))}\``;
}

/** Cuts at a line when possible; never leaves half an entity such as `&am`. */
export function limitText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '\n…';
  let cut = text.slice(0, max - marker.length);
  const lastLine = cut.lastIndexOf('\n');
  if (lastLine > max / 2) cut = cut.slice(0, lastLine);
  cut = cut.replace(/&[a-z]*$/, '');
  return `${cut}${marker}`;
}
