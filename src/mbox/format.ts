// The four mbox variants (the names of mutt and of Qmail's mbox(5), RFC 4155
// §1 calls them all "mbox"): where a message ends and how a body line that
// starts with `From ` is kept from looking like one.
//   mboxo    ends at the next `From ` line; body `From ` lines written
//            `>From ` and one `>` removed from `>From ` on reading (lossy:
//            a body line that was `>From ` comes back as `From `).
//   mboxrd   as mboxo, but every /^>*From / line gets one more `>`, so
//            reading removes exactly one from every /^>+From /: reversible.
//   mboxcl   mboxo quoting, plus a Content-Length field giving the body size.
//   mboxcl2  Content-Length only: body lines are never quoted.

export type MboxFormat = 'mboxo' | 'mboxrd' | 'mboxcl' | 'mboxcl2';
export type MboxReadFormat = MboxFormat | 'auto';

export const MBOX_FORMATS: readonly MboxFormat[] = ['mboxo', 'mboxrd', 'mboxcl', 'mboxcl2'];

/** How reading removes quoting: from every /^>+From / (rd), only /^>From / (o), or never. */
export type Unquoting = 'rd' | 'o' | 'none';

export interface FormatRules {
  unquote: Unquoting;
  /** Whether a Content-Length field decides where the body ends. */
  contentLength: boolean;
  /**
   * Whether a separator must look like a From_ line (a sender and maybe a
   * date, a header field after it) rather than any line that starts with
   * `From `.
   */
  strictSeparator: boolean;
}

export function formatRules(f: MboxReadFormat): FormatRules {
  switch (f) {
    case 'mboxo':
      return { unquote: 'o', contentLength: false, strictSeparator: false };
    case 'mboxrd':
      return { unquote: 'rd', contentLength: false, strictSeparator: false };
    case 'mboxcl':
      return { unquote: 'o', contentLength: true, strictSeparator: false };
    case 'mboxcl2':
      return { unquote: 'none', contentLength: true, strictSeparator: false };
    case 'auto':
      // mboxrd's unquoting undoes both mboxo's and mboxrd's quoting of a
      // `From ` line; Content-Length is honoured when it is verified.
      return { unquote: 'rd', contentLength: true, strictSeparator: true };
  }
}
