import { TaskError } from '../../errors.js';
import type { SlackInput } from './notify-input.js';
import {
  checkHttpUrl,
  userAgent,
  type PrepareContext,
  type PreparedNotification,
} from './prepared-notification.js';
import { resolveSecret } from './resolve-secret.js';
import { secretUrlParts } from '../../util/url-secrets.js';
import { buildSlackMessage } from './slack-message.js';

/** A Slack incoming webhook; its URL is the credential, so it is a secret and never shown. */
export async function prepareSlack(
  input: SlackInput,
  context: PrepareContext,
): Promise<PreparedNotification> {
  const { value: url, secrets } = await resolveSecret(input.url, 'slack url', {
    env: { ...context.env },
    baseDir: context.experimentDir,
  });
  const parsed = checkHttpUrl(url, 'the slack url');
  if (typeof parsed === 'string') throw new TaskError(parsed, 'error');
  return {
    request: {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': userAgent },
      body: JSON.stringify(buildSlackMessage(context.report)),
    },
    // A literal `value:` URL is still the credential; a server may echo its path (the token) alone.
    secrets: [...secrets, ...secretUrlParts(url)],
  };
}
