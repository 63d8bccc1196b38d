import { TaskError } from '../../errors.js';
import { Redactor, REDACTED } from '../../metrics/backend/secrets.js';
import { buildLoopReport } from '../../report/build-loop-report.js';
import { parseDuration } from '../../util/duration.js';
import { defineTask, type TaskContext } from '../task-definition.js';
import { NotifyInputSchema, type NotifyInput } from './notify-input.js';
import { defaultEventType, prepareGitHubDispatch } from './prepare-github.js';
import { prepareSlack } from './prepare-slack.js';
import { prepareWebhook } from './prepare-webhook.js';
import { prepareIter8Notify, type DefaultPayload } from './prepare-iter8.js';
import type { PrepareContext, PreparedNotification } from './prepared-notification.js';
import { checkNotifyInput, isIter8Notify, notifyTargets } from './check-notify-input.js';
import type { SendOutcome } from './send-notification.js';

const defaultTimeoutMs = 10_000;
const defaultRetries = 2;

export const notifyTask = defineTask({
  name: 'notify',
  description:
    'Send the loop report so far to a webhook, Slack or a GitHub repository_dispatch; by default a failed notification does not fail the loop',
  inputSchema: NotifyInputSchema,
  runTimeTemplates: [['webhook', 'payload']],
  // Records no metrics; saying so keeps the check for SLOs on unknown metrics working.
  produces: () => [],
  check: checkNotifyInput,
  async preview(input) {
    const target = isIter8Notify(input) ? 'url' : notifyTargets.find((t) => input[t] !== undefined);
    const webhook = input.webhook;
    return {
      target,
      softFailure: input.softFailure ?? true,
      ...(webhook
        ? {
            // The origin only: a path or query may carry a token even in a literal URL.
            url: webhook.url ? originOf(webhook.url) : REDACTED,
            method: webhook.method ?? 'POST',
            headers: [...Object.keys(webhook.headers ?? {}), ...Object.keys(webhook.headersFrom ?? {})],
            payload:
              webhook.payloadFile ?? (webhook.payload !== undefined ? 'inline template' : 'compact report'),
          }
        : {}),
      ...(input.github
        ? { repository: input.github.repository, eventType: input.github.eventType ?? defaultEventType }
        : {}),
    };
  },
  run: (input, context) => runNotify(input, context),
});

/** Sends one notification; Iter8's slack and github tasks pass the chart's default payload. */
export async function runNotify(
  input: NotifyInput,
  context: TaskContext,
  defaultPayload?: DefaultPayload,
): Promise<{ output: string }> {
  const report = buildLoopReport(context);
  const redactor = new Redactor();
  const target = describeTarget(input);
  let outcome: SendOutcome;
  try {
    const prepared = await prepare(
      input,
      {
        report,
        loop: context.loop,
        experiment: context.experiment,
        env: context.env,
        experimentDir: context.experimentDir,
        experimentStart: context.experimentStart,
      },
      defaultPayload,
    );
    redactor.addAll(prepared.secrets);
    // The HTTP client (undici) is loaded when a notification is sent, not by `canary validate`.
    const { sendNotification } = await import('./send-notification.js');
    outcome = await sendNotification(prepared.request, {
      timeoutMs: input.timeout ? parseDuration(input.timeout) : defaultTimeoutMs,
      retries: input.retries ?? defaultRetries,
      signal: context.signal,
      env: context.env,
      redact: (text) => redactor.redact(text),
      onRetry: (attempt, reason) =>
        context.log(redactor.redact(`${target}: attempt ${attempt} failed (${reason}), retrying`)),
    });
  } catch (error) {
    if (context.signal.aborted || !(error instanceof TaskError)) throw error;
    // Secrets missing or unreadable, a broken template: the notification could not be made.
    outcome = { ok: false, reason: error.message, attempts: 0 };
  }
  return recordOutcome(outcome, target, input, context, redactor);
}

/** Resolves secrets and renders the body for the one target given. */
function prepare(
  input: NotifyInput,
  context: PrepareContext,
  defaultPayload: DefaultPayload | undefined,
): Promise<PreparedNotification> {
  if (isIter8Notify(input)) return prepareIter8Notify(input, context, defaultPayload);
  if (input.webhook) return prepareWebhook(input.webhook, context);
  if (input.slack) return prepareSlack(input.slack, context);
  if (input.github) return prepareGitHubDispatch(input.github, context);
  throw new TaskError('say where to notify: webhook, slack or github', 'error');
}

/**
 * Delivered: a line in the output. Not delivered: the task fails with kind `error` when
 * softFailure is false; otherwise the reason goes to the output and the loop goes on.
 * Every line passes the redactor: receivers echo headers, URLs carry tokens.
 */
function recordOutcome(
  outcome: SendOutcome,
  target: string,
  input: NotifyInput,
  context: Pick<TaskContext, 'log'>,
  redactor: Redactor,
): { output: string } {
  if (outcome.ok) {
    const tries = outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : '';
    const line = redactor.redact(`${target}: sent (HTTP ${outcome.status}${tries})`);
    context.log(line);
    return { output: line };
  }
  const message = redactor.redact(`${target}: not sent: ${outcome.reason}`);
  if (input.softFailure === false) throw new TaskError(message, 'error');
  const line = `${message} (softFailure: the loop goes on)`;
  context.log(line);
  return { output: line };
}

/** How messages name the target: never by a secret, and a literal URL by its origin only. */
function describeTarget(input: NotifyInput): string {
  if (isIter8Notify(input)) return input.url ? originOf(input.url) : 'url from urlFrom';
  if (input.webhook) return input.webhook.url ? `webhook ${originOf(input.webhook.url)}` : 'webhook';
  if (input.github) return `github dispatch to ${input.github.repository}`;
  return input.slack ? 'slack' : 'notify';
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return REDACTED;
  }
}
