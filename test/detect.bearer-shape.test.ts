import fc from 'fast-check';
import { bearerShape } from '../src/detect';

// The two expressions the one-pass classifier replaced (issue 20's instruction counts).
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function byReference(value: string): string {
  if (!TOKEN68.test(value)) return 'malformed';
  return JWS_SHAPE.test(value) ? 'jws' : 'opaque';
}

// Values made of the characters that decide the shape, so most cases sit on an edge.
const edgeChar = fc.constantFrom('a', 'Z', '0', '-', '_', '.', '.', '~', '+', '/', '=', '=', ' ', '\n', ',', '\u00e9', '\u0000', '\u2028');
const value = fc.oneof(
  fc.array(edgeChar, { maxLength: 12 }).map((chars) => chars.join('')),
  fc
    .tuple(fc.array(edgeChar, { maxLength: 4 }), fc.array(edgeChar, { maxLength: 4 }), fc.array(edgeChar, { maxLength: 4 }), fc.array(edgeChar, { maxLength: 3 }))
    .map(([a, b, c, d]) => `${a.join('')}.${b.join('')}.${c.join('')}${d.join('')}`),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('the shape of a bearer credential', () => {
  it('agrees with the b64token and JWS expressions on every generated value', () => {
    fc.assert(
      fc.property(value, (candidate) => {
        expect(bearerShape(candidate)).toBe(byReference(candidate));
      }),
      { numRuns: 20000 },
    );
  });

  it('classifies the forms clients send', () => {
    expect(bearerShape('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln')).toBe('jws');
    expect(bearerShape('a.b.')).toBe('jws');
    expect(bearerShape('a..c')).toBe('opaque');
    expect(bearerShape('.b.c')).toBe('opaque');
    expect(bearerShape('a.b.c.d')).toBe('opaque');
    expect(bearerShape('a.b.c=')).toBe('opaque');
    expect(bearerShape('a+b.c.d')).toBe('opaque');
    expect(bearerShape('gh_0123456789abcdef')).toBe('opaque');
    expect(bearerShape('abc==')).toBe('opaque');
    expect(bearerShape('')).toBe('malformed');
    expect(bearerShape('==')).toBe('malformed');
    expect(bearerShape('abc=d')).toBe('malformed');
    expect(bearerShape('a b')).toBe('malformed');
  });
});
