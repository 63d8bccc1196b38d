/**
 * A deny list standing in for RBAC: everything is allowed until a test forbids
 * it. A rule's unset fields match anything.
 */

export interface ForbidRule {
  verb?: string;
  group?: string;
  /** Plural, or `plural/subresource` (as in RBAC, `pods` does not cover `pods/log`). */
  resource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessRequest {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export class AccessRules {
  private readonly rules: ForbidRule[] = [];

  forbid(rule: ForbidRule): void {
    this.rules.push({ ...rule });
  }

  /** Lifts the rules equal to `rule`, or every rule when none is given. */
  allow(rule?: ForbidRule): void {
    if (!rule) {
      this.rules.length = 0;
      return;
    }
    const key = JSON.stringify(normalise(rule));
    for (let i = this.rules.length - 1; i >= 0; i--) {
      if (JSON.stringify(normalise(this.rules[i]!)) === key) this.rules.splice(i, 1);
    }
  }

  isForbidden(request: AccessRequest): boolean {
    return this.rules.some(
      (rule) =>
        matches(rule.verb, request.verb) &&
        matches(rule.group, request.group) &&
        matches(rule.resource, request.resource) &&
        matches(rule.namespace, request.namespace ?? '') &&
        matches(rule.name, request.name ?? ''),
    );
  }
}

function matches(expected: string | undefined, actual: string): boolean {
  return expected === undefined || expected === actual;
}

function normalise(rule: ForbidRule): ForbidRule {
  const { verb, group, resource, namespace, name } = rule;
  return { verb, group, resource, namespace, name };
}
