import type { Command } from 'commander';
import { registerMsgSend } from './send.js';
import { registerMsgInbox } from './inbox.js';
import { registerMsgAck } from './ack.js';
import { registerMsgWait } from './wait.js';
import { registerMsgStatus } from './status.js';

export function registerMsg(program: Command): void {
  const group = program
    .command('msg')
    .alias('messages')
    .description('messages to and from paired machines, never lost: send, inbox, show, ack, wait, status, outbox');
  registerMsgSend(group);
  registerMsgInbox(group);
  registerMsgAck(group);
  registerMsgWait(group);
  registerMsgStatus(group);
}
