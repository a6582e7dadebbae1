import { describe, expect, it } from 'vitest';
import { runSync, type Answer } from '../../src/dns/index.ts';
import { buildAuthResults, evaluateDmarc } from '../../src/dmarc/index.ts';
import { formatAuthResults } from '../../src/authres/index.ts';

const zone = (q: { name: string; type: string }): Answer =>
  q.name === '_dmarc.example.com' ? { ok: true, type: 'TXT', records: [['v=DMARC1; p=reject; sp=quarantine; pct=50']] } : { ok: false, type: 'TXT', error: 'nxdomain' };

describe('buildAuthResults', () => {
  it('writes spf, dkim, dmarc in RFC 8601 form with the policy comment', () => {
    const dmarc = runSync(evaluateDmarc({ fromDomain: 'example.com', dkim: [{ status: 'fail', domain: 'example.com' }], sample: 70 }), zone);
    const ar = buildAuthResults('mx.example.net', {
      spf: { result: 'softfail', mailfrom: 'x@other.example' },
      dkim: [{ status: 'fail', domain: 'example.com', selector: 's1', b: 'abcdefgh', reason: 'body hash did not verify' }],
      dmarc,
    });
    expect(formatAuthResults(ar)).toBe(
      'mx.example.net; spf=softfail smtp.mailfrom=x@other.example; dkim=fail reason="body hash did not verify" header.d=example.com header.s=s1 header.b=abcdefgh; dmarc=fail (p=REJECT sp=QUARANTINE dis=QUARANTINE pct=50) header.from=example.com',
    );
  });

  it('dkim=none without signatures, arc with its instance count', () => {
    const ar = buildAuthResults('h.example', { arc: { status: 'pass', instances: 2 }, dkim: [] });
    expect(formatAuthResults(ar)).toBe('h.example; arc=pass (i=2); dkim=none');
  });
});
