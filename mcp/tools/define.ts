import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { FerryError, type FerryClient } from '../../server/client/index.js';
import type { McpLog, ToolDeps } from '../deps.js';
import { errorText, toErrorInfo } from './errors.js';
import { toolOutput } from './output.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  client: FerryClient;
  extra: ToolExtra;
  log: McpLog;
}

/** A tool's answer: a short text for the model and the structured data for programs. */
export interface ToolSuccess<T> {
  text: string;
  data: T;
}

// The SDK types inputs as `z.core.$ZodType`; any object schema (strict, refined) is accepted.
type InputSchema = z.ZodObject<z.ZodRawShape, z.core.$ZodObjectConfig>;

export interface ToolSpec<I extends InputSchema, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  /** A strict object: unknown keys are rejected, so a misspelt argument is an error, not ignored. */
  input: I;
  output: O;
  annotations: Omit<ToolAnnotations, 'title'>;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolSuccess<z.output<z.ZodObject<O>>>>;
}

/**
 * Register one tool: input validated by the SDK against `input`, results parsed against the
 * success schema, every failure (daemon error, unreachable daemon, bug) turned into an `isError`
 * result with the stable code in both the text and structuredContent. A tool never crashes the server.
 */
export function defineTool<I extends InputSchema, O extends z.ZodRawShape>(server: McpServer, deps: ToolDeps, spec: ToolSpec<I, O>): void {
  const output = toolOutput(spec.output);
  const handler = async (args: z.output<I>, extra: ToolExtra): Promise<CallToolResult> => {
    try {
      const result = await spec.run(args, { client: deps.client(), extra, log: deps.log });
      const parsed = output.success.safeParse(result.data);
      if (!parsed.success) {
        throw new FerryError(0, 'invalid-response', `the daemon's answer does not match the expected shape: ${parsed.error.message}`);
      }
      return { content: [{ type: 'text', text: result.text }], structuredContent: parsed.data as Record<string, unknown> };
    } catch (err) {
      const error = toErrorInfo(err, deps.log, spec.name);
      return { isError: true, content: [{ type: 'text', text: errorText(error) }], structuredContent: { error } };
    }
  };
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: output.advertised,
      annotations: { title: spec.title, ...spec.annotations },
    },
    ((args: z.output<I>, extra: ToolExtra) => deps.track(handler(args, extra))) as unknown as ToolCallback<I>,
  );
}
