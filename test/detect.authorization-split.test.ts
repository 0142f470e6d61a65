import fc from 'fast-check';
import { splitAuthorization } from '../src/schemes/detection';

// The grammar the parser must keep: an RFC 7235 auth-scheme (token), then optionally spaces
// or tabs and the credentials, then optional trailing spaces or tabs; no line break anywhere.
const REFERENCE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:[ \t]+(.*?))?[ \t]*$/;

function byReference(header: string): { keyword: string; value: string } | null {
  const match = REFERENCE.exec(header);
  return match ? { keyword: match[1], value: match[2] ?? '' } : null;
}

// Headers made of the characters that decide the split, so most cases sit on an edge.
const edgeChar = fc.constantFrom('B', 'e', 'a', 'r', '1', '-', '.', '~', ' ', '\t', '\n', '\r', '\u2028', '\u2029', ',', '=', '"', ':', '/', '\u00e9', '\u0000');
const header = fc.oneof(
  fc.array(edgeChar, { maxLength: 16 }).map((chars) => chars.join('')),
  fc.tuple(fc.constantFrom('Bearer', 'Basic', 'ApiKey', 'x'), fc.array(edgeChar, { maxLength: 6 }), fc.string(), fc.array(edgeChar, { maxLength: 6 })).map((parts) => parts.map((p) => (Array.isArray(p) ? p.join('') : p)).join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('splitting the Authorization header', () => {
  it('agrees with the RFC 7235 grammar on every generated header', () => {
    fc.assert(
      fc.property(header, (candidate) => {
        expect(splitAuthorization(candidate)).toEqual(byReference(candidate));
      }),
      { numRuns: 5000 },
    );
  });

  it('splits the forms clients send and refuses the rest', () => {
    expect(splitAuthorization('Bearer abc.def.ghi')).toEqual({ keyword: 'Bearer', value: 'abc.def.ghi' });
    expect(splitAuthorization('Basic \t dXNlcjpwYXNz \t')).toEqual({ keyword: 'Basic', value: 'dXNlcjpwYXNz' });
    expect(splitAuthorization('Bearer')).toEqual({ keyword: 'Bearer', value: '' });
    expect(splitAuthorization('Bearer   ')).toEqual({ keyword: 'Bearer', value: '' });
    expect(splitAuthorization('Digest a="b c"')).toEqual({ keyword: 'Digest', value: 'a="b c"' });
    expect(splitAuthorization(' Bearer abc')).toBeNull();
    expect(splitAuthorization('Bearer:abc')).toBeNull();
    expect(splitAuthorization('Bearer abc\ndef')).toBeNull();
    expect(splitAuthorization('B\u00e9arer abc')).toBeNull();
    expect(splitAuthorization('')).toBeNull();
  });
});
