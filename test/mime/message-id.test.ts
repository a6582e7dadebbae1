import { describe, expect, it } from 'vitest';
import { parseMessageId, parseMessageIds } from '../../src/mime/message-id.ts';

describe('parseMessageIds', () => {
  it('reads one or several ids', () => {
    expect(parseMessageIds('<1234@local.machine.example>')).toEqual(['1234@local.machine.example']);
    expect(parseMessageIds('<a@b>\r\n <c@d> ')).toEqual(['a@b', 'c@d']);
    expect(parseMessageId(' <x@y> ')).toBe('x@y');
  });
  it('removes obsolete CFWS inside the brackets', () => {
    expect(parseMessageIds('<1234   @   local(blah)  .machine .example>')).toEqual(['1234@local.machine.example']);
  });
  it('keeps quoted and literal parts', () => {
    expect(parseMessageIds('<"a b"@[1.2.3.4]>')).toEqual(['"a b"@[1.2.3.4]']);
  });
  it('skips phrases and comments of obs-in-reply-to', () => {
    expect(parseMessageIds('Your message of "Mon <x>" <a@b> (note <c@d>)')).toEqual(['a@b']);
  });
  it('reads bracket-less values as words, and empty as none', () => {
    expect(parseMessageIds('  malformed@id.example \t ')).toEqual(['malformed@id.example']);
    expect(parseMessageIds('<>')).toEqual([]);
    expect(parseMessageIds('')).toEqual([]);
    expect(parseMessageIds('<unterminated@x')).toEqual(['unterminated@x']);
  });
});
