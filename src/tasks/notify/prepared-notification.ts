import type { Report } from '../../report/report-schema.js';
import { toolVersion } from '../../version.js';
import type { NotificationRequest } from './send-notification.js';

/** A request ready to send, and the secrets it carries (for redaction). */
export interface PreparedNotification {
  request: NotificationRequest;
  secrets: string[];
}

/** What preparing a notification may read: never process.env, never the working directory. */
export interface PrepareContext {
  report: Report;
  loop: number;
  experiment: { name: string; namespace?: string };
  env: Readonly<Record<string, string | undefined>>;
  experimentDir: string;
  /** When the experiment started: Iter8's report carried it. */
  experimentStart?: Date;
}

export const userAgent = `canary/${toolVersion}`;

export function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** Refuses anything but http(s) without echoing the URL, which may be a secret. */
export function checkHttpUrl(url: string, what: string): URL | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${what} is not a valid URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `${what} must be http:// or https://`;
  return parsed;
}
