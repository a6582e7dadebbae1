// The envelope flags of submit and send: --sender, -r/--recipient, -h.
import type { Command } from 'commander';
import { usageError } from './errors.ts';
import { collect } from './flags.ts';
import { chooseEnvelope, type EnvelopeChoice, type MessageHeader } from '../../src/smtp/envelope.ts';

export interface EnvelopeFlags {
  sender?: string;
  recipient?: string[];
  hostname?: string;
}

/** --sender, -r/--recipient (repeatable), -h/--hostname (the EHLO name). */
export function addEnvelopeOptions(cmd: Command): Command {
  return cmd
    .option('--sender <address>', 'envelope sender (default: the From address)')
    .option('-r, --recipient <address>', 'envelope recipient (repeatable; default: To, Cc and Bcc)', collect, [])
    .option('-h, --hostname <name>', 'the EHLO name (default: this host name)');
}

/** The envelope from the flags, else from the message header; a usage error when there is none. */
export function envelopeFromFlags(o: EnvelopeFlags, h: MessageHeader): EnvelopeChoice {
  const r = chooseEnvelope({ sender: o.sender, recipients: o.recipient ?? [] }, h);
  if (!r.ok) throw usageError(r.message);
  return r.value;
}
