// The HTML of a message made ready for the sandboxed preview, as it streams:
// `cid:` URLs (RFC 2392) point at the message's own parts on this server,
// `<meta http-equiv>` is disabled (a refresh would navigate the frame to a
// remote page and leak that the mail was opened, which CSP does not stop),
// and a `<base target="_blank">` opens followed links in a new tab. The
// rest is left as written: the CSP and the sandbox do the policing.

/** Text held back waiting for the end of a tag; past this it is let through as is. */
const MAX_HELD = 64 * 1024;

const CID = /(["'=(\s])cid:([^"'\s)<>]+)/gi;
const META_EQUIV = /(<meta\b[^>]*?)\bhttp-equiv\b/gi;

export class PreviewRewriter {
  private held = '';
  private started = false;

  /** `cidUrl(contentId)` gives the URL of the part with that Content-ID. */
  constructor(private readonly cidUrl: (contentId: string) => string) {}

  push(text: string): string {
    let s = this.held + text;
    const cut = s.lastIndexOf('>') + 1;
    if (cut === 0 && s.length < MAX_HELD) {
      this.held = s;
      return '';
    }
    const end = cut === 0 ? s.length : cut;
    this.held = s.slice(end);
    s = s.slice(0, end);
    return this.rewrite(s);
  }

  finish(): string {
    const s = this.held;
    this.held = '';
    return this.rewrite(s) || (this.started ? '' : this.start(''));
  }

  private rewrite(s: string): string {
    if (!s) return '';
    const out = s.replace(CID, (_m, lead: string, id: string) => {
      let cid = id;
      try {
        cid = decodeURIComponent(id);
      } catch {
        /* kept as written */
      }
      return lead + this.cidUrl(cid);
    }).replace(META_EQUIV, '$1data-blaze-disabled-http-equiv');
    return this.started ? out : this.start(out);
  }

  /** The base element goes after a doctype (before it, the page would render in quirks mode). */
  private start(s: string): string {
    this.started = true;
    const base = '<base target="_blank">';
    const m = /^(\ufeff?\s*<!doctype[^>]*>)/i.exec(s);
    return m ? m[1] + base + s.slice(m[1].length) : base + s;
  }
}
