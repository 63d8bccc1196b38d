import { Type } from '@sinclair/typebox';

/**
 * The schema of a SecretSource (secrets.ts): a value from an environment variable or a file, with an
 * optional prefix, or a literal. Every task that takes secrets uses this one, so they are configured
 * one way.
 */
export const secretSourceSchema = (description: string) =>
  Type.Union(
    [
      Type.Object(
        { env: Type.String({ minLength: 1 }), prefix: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
      Type.Object(
        { file: Type.String({ minLength: 1 }), prefix: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
      Type.Object({ value: Type.String() }, { additionalProperties: false }),
    ],
    { description },
  );
