/**
 * Field selectors every resource type supports: `metadata.name` and
 * `metadata.namespace`, with `=`, `==` and `!=`.
 */

export interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equal: boolean;
  value: string;
}

export class FieldSelectorError extends Error {}

const FIELDS = ['metadata.name', 'metadata.namespace'] as const;

export function parseFieldSelector(text: string): FieldRequirement[] {
  return text
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .map((term) => {
      const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
      if (!match) throw new FieldSelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
      const field = match[1]!.trim();
      if (!(FIELDS as readonly string[]).includes(field)) {
        throw new FieldSelectorError(`field label not supported: ${field}`);
      }
      return { field: field as FieldRequirement['field'], equal: match[2] !== '!=', value: match[3]!.trim() };
    });
}

export function matchesFields(
  requirements: readonly FieldRequirement[],
  metadata: { name?: string; namespace?: string },
): boolean {
  return requirements.every((r) => {
    const actual = (r.field === 'metadata.name' ? metadata.name : metadata.namespace) ?? '';
    return (actual === r.value) === r.equal;
  });
}
