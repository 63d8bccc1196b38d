import nunjucks from 'nunjucks';
import { cleanTemplateError } from '../../config/expressions.js';
import { createSandboxedEnvironment } from '../../util/sandboxed-nunjucks.js';
import type { Report } from '../../report/report-schema.js';

export interface PayloadData {
  report: Report;
  loop: number;
  experiment: { name: string; namespace?: string };
}

/**
 * An isolated environment per payload: no global `configure`, no file loader (a template cannot
 * include files), no autoescape (the output is JSON, not HTML), undefined values are errors.
 */
function createPayloadEnvironment(): nunjucks.Environment {
  return createSandboxedEnvironment({ autoescape: false, throwOnUndefined: true });
}

/** A syntax problem, for `canary validate`; undefined when the template compiles. */
export function checkPayloadTemplate(source: string): string | undefined {
  try {
    new nunjucks.Template(source, createPayloadEnvironment(), 'payload', true);
    return undefined;
  } catch (error) {
    return cleanTemplateError(error);
  }
}

/** Renders the template; throws an Error with a cleaned-up message. */
export function renderPayload(source: string, data: PayloadData): string {
  try {
    return createPayloadEnvironment().renderString(source, data);
  } catch (error) {
    throw new Error(`payload template: ${cleanTemplateError(error)}`, { cause: error });
  }
}

/**
 * Bodies sent as JSON must be JSON: a name with a quote spliced in without `| dump` would
 * otherwise reach the receiver as a broken document.
 */
export function checkJsonPayload(body: string): string | undefined {
  try {
    JSON.parse(body);
    return undefined;
  } catch (error) {
    return `payload is not valid JSON (${(error as Error).message}); write values as {{ value | dump }}, or set a content-type header to send other text`;
  }
}
