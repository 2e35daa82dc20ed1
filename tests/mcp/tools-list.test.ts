import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FerryClient } from '../../server/client/index.js';
import { connectMcp, type Connected } from './connect.js';

const EXPECTED = [
  'ferry_list_peers',
  'ferry_peer_status',
  'ferry_context_get',
  'ferry_context_set',
  'ferry_context_list',
  'ferry_context_delete',
  'ferry_execute',
  'ferry_list_jobs',
  'ferry_get_job',
  'ferry_cancel_job',
  'ferry_list_approvals',
  'ferry_decide_approval',
  'ferry_broadcast_context',
  'ferry_list_remote_files',
  'ferry_transfer_file',
  'ferry_send_message',
  'ferry_check_inbox',
  'ferry_wait_for_message',
  'ferry_ack_message',
  'ferry_message_status',
  'ferry_dispatch_task',
  'ferry_wait_for_task',
  'ferry_task_status',
  'ferry_list_tasks',
  'ferry_cancel_task',
  'ferry_decide_task_permission',
];

// Listing needs no daemon: the client points at a port where nothing listens.
let c: Connected;
beforeAll(async () => {
  c = await connectMcp(new FerryClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }));
});
afterAll(() => c.close());

describe('tools/list', () => {
  it('lists exactly the Ferry tools', async () => {
    const { tools } = await c.mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...EXPECTED].sort());
  });

  it('gives every tool a title, a description, object input and output schemas that are valid JSON Schema, and annotations', async () => {
    const ajv = new Ajv({ strict: false });
    // ajv-formats is CommonJS: its plugin is the module's `default` under NodeNext typing.
    formats.default(ajv);
    const { tools } = await c.mcp.listTools();
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(40);
      for (const schema of [tool.inputSchema, tool.outputSchema]) {
        expect(schema?.type, tool.name).toBe('object');
        expect(ajv.validateSchema(schema as object), `${tool.name}: ${ajv.errorsText()}`).toBe(true);
        expect(() => ajv.compile(schema as object), tool.name).not.toThrow();
      }
      const a = tool.annotations;
      expect(typeof a?.readOnlyHint, tool.name).toBe('boolean');
      expect(typeof a?.openWorldHint, tool.name).toBe('boolean');
      if (!a?.readOnlyHint) {
        expect(typeof a?.destructiveHint, tool.name).toBe('boolean');
        expect(typeof a?.idempotentHint, tool.name).toBe('boolean');
      }
    }
  });

  it('marks reads read-only and commands destructive and open-world', async () => {
    const { tools } = await c.mcp.listTools();
    const by = Object.fromEntries(tools.map((t) => [t.name, t.annotations ?? {}]));
    for (const name of [
      'ferry_list_peers',
      'ferry_peer_status',
      'ferry_context_get',
      'ferry_context_list',
      'ferry_list_jobs',
      'ferry_get_job',
      'ferry_list_approvals',
      'ferry_list_remote_files',
      'ferry_check_inbox',
      'ferry_wait_for_message',
      'ferry_message_status',
      'ferry_wait_for_task',
      'ferry_task_status',
      'ferry_list_tasks',
    ]) {
      expect(by[name]?.readOnlyHint, name).toBe(true);
    }
    expect(by.ferry_execute).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(by.ferry_context_delete).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(by.ferry_decide_approval).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    // A copy can replace a file (force); a broadcast overwrites the key everywhere.
    expect(by.ferry_transfer_file).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
    expect(by.ferry_broadcast_context).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(by.ferry_send_message).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(by.ferry_ack_message).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    // A dispatched agent can do anything its CLI can there; allowing a tool request lets it act.
    expect(by.ferry_dispatch_task).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true });
    expect(by.ferry_cancel_task).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(by.ferry_decide_task_permission).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
  });

  it('takes peers by name on every tool that acts on a machine, and never a key, address or fingerprint', async () => {
    const { tools } = await c.mcp.listTools();
    const by = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
    for (const name of [
      'ferry_execute',
      'ferry_list_jobs',
      'ferry_get_job',
      'ferry_cancel_job',
      'ferry_context_get',
      'ferry_context_set',
      'ferry_context_list',
      'ferry_context_delete',
      'ferry_list_remote_files',
      'ferry_dispatch_task',
      'ferry_wait_for_task',
      'ferry_task_status',
      'ferry_list_tasks',
      'ferry_cancel_task',
      'ferry_decide_task_permission',
    ]) {
      expect(by[name]?.properties?.peer, name).toMatchObject({ type: 'string', minLength: 1 });
      expect(by[name]?.required ?? [], name).not.toContain('peer');
    }
    expect(by.ferry_peer_status?.required).toEqual(['peer']);
    expect(by.ferry_transfer_file?.properties?.peer).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
    expect(by.ferry_transfer_file?.required).toEqual(expect.arrayContaining(['direction', 'peer', 'source', 'destination']));
    expect(by.ferry_broadcast_context?.properties?.peers).toMatchObject({ type: 'array', items: { type: 'string', minLength: 1 } });
    for (const tool of tools) {
      expect(Object.keys(tool.inputSchema.properties ?? {}).some((k) => /key$|address|fingerprint|cert/i.test(k) && k !== 'key'), tool.name).toBe(false);
    }
  });

  it('rejects unknown arguments in the advertised input schemas and takes no token anywhere', async () => {
    const { tools } = await c.mcp.listTools();
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      expect(Object.keys(tool.inputSchema.properties ?? {}).some((k) => /token|secret|password/i.test(k)), tool.name).toBe(false);
    }
  });

  it('reuses the protocol rules for context keys', async () => {
    const { tools } = await c.mcp.listTools();
    const get = tools.find((t) => t.name === 'ferry_context_get');
    expect(get?.inputSchema.properties?.key).toMatchObject({ type: 'string', minLength: 1, maxLength: 512 });
    expect(get?.inputSchema.required).toEqual(['key']);
    const broadcast = tools.find((t) => t.name === 'ferry_broadcast_context');
    expect(broadcast?.inputSchema.properties?.key).toMatchObject({ type: 'string', minLength: 1, maxLength: 512 });
  });

  it('reuses the protocol rules for file paths', async () => {
    const { tools } = await c.mcp.listTools();
    const by = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
    for (const [tool, field] of [
      ['ferry_list_remote_files', 'path'],
      ['ferry_transfer_file', 'source'],
      ['ferry_transfer_file', 'destination'],
    ] as const) {
      expect(by[tool]?.properties?.[field], `${tool}.${field}`).toMatchObject({ type: 'string', minLength: 1, maxLength: 4096 });
    }
    expect(by.ferry_transfer_file?.properties?.direction).toMatchObject({ enum: ['push', 'pull'] });
  });

  it('reuses the protocol rules for AI tasks and bounds every wait', async () => {
    const { tools } = await c.mcp.listTools();
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    const dispatch = by.ferry_dispatch_task!.inputSchema;
    expect(dispatch.required).toEqual(['prompt']);
    expect(dispatch.properties?.agent).toMatchObject({ enum: ['claude', 'gemini', 'codex'], default: 'claude' });
    expect(dispatch.properties?.prompt).toMatchObject({ type: 'string', minLength: 1, maxLength: 256 * 1024 });
    expect(dispatch.properties?.wait).toMatchObject({ type: 'boolean' });
    for (const name of ['ferry_dispatch_task', 'ferry_wait_for_task']) {
      expect(by[name]!.inputSchema.properties?.waitSeconds, name).toMatchObject({ type: 'integer', minimum: 0, maximum: 3600 });
    }
    expect(by.ferry_wait_for_task!.inputSchema.required).toEqual(['taskId']);
    expect(by.ferry_decide_task_permission!.inputSchema.required).toEqual(['taskId', 'permissionId', 'behavior']);
    expect(by.ferry_decide_task_permission!.inputSchema.properties?.behavior).toMatchObject({ enum: ['allow', 'deny'] });
    expect(by.ferry_list_tasks!.inputSchema.properties?.status).toMatchObject({ enum: expect.arrayContaining(['queued', 'running', 'succeeded', 'lost']) });
    // The wait tools say why they returned, what waits for a decision, and where to go on from.
    for (const name of ['ferry_dispatch_task', 'ferry_wait_for_task']) {
      const out = by[name]!.outputSchema!;
      expect(Object.keys(out.properties ?? {}), name).toEqual(expect.arrayContaining(['task', 'outcome', 'pending', 'events', 'nextSince', 'error']));
      expect(out.properties?.outcome, name).toMatchObject({ enum: ['ended', 'permission-pending', 'still-running'] });
    }
  });
});
