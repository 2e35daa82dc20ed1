import { z } from 'zod';

/** What a failed call carries in structuredContent, beside its text. */
export const ToolErrorInfo = z.object({
  code: z.string().describe('Stable kebab-case error code, e.g. "version-conflict" or "daemon-unreachable".'),
  message: z.string(),
  hint: z.string().optional().describe('What to do about it.'),
  details: z.unknown().optional(),
});
export type ToolErrorInfo = z.infer<typeof ToolErrorInfo>;

export interface ToolOutput<S extends z.ZodRawShape> {
  /** A successful result. Results are parsed with it, so unknown keys from the daemon are dropped. */
  success: z.ZodObject<S>;
  /** The advertised outputSchema: the success shape, or `{ error }` on an `isError` result. */
  advertised: z.ZodType;
}

/**
 * Build a tool's output schema so that error results can carry `{ error: {code, message} }` in
 * structuredContent too. The SDK client (1.x) validates structuredContent against the outputSchema
 * even when `isError` is set, so the schema itself must admit the error form. An object root is
 * required (a union root is dropped by McpServer), hence: every success field optional plus
 * `error`, a JSON Schema `anyOf` that demands either all required success fields or `error`, and
 * a refinement that holds successful results to the exact success schema on the server.
 */
export function toolOutput<S extends z.ZodRawShape>(shape: S): ToolOutput<S> {
  const success = z.object(shape);
  const required = (z.toJSONSchema(success, { io: 'output' }).required ?? []) as string[];
  const loose: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) loose[key] = (schema as z.ZodType).optional();
  const advertised = z
    .object({ ...loose, error: ToolErrorInfo.optional() })
    .superRefine((value, ctx) => {
      if (value.error !== undefined) return;
      const parsed = success.safeParse(value);
      if (!parsed.success) ctx.addIssue({ code: 'custom', message: z.prettifyError(parsed.error) });
    })
    .meta({ anyOf: [{ required }, { required: ['error'] }] });
  return { success, advertised };
}
