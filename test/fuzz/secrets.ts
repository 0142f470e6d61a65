/** Looking for issued secrets in text, and naming them without printing them. */

/** Undoes up to three levels of ASCII percent-escapes, so an escaped secret is still seen. */
function unescaped(text: string): string {
  let current = text;
  for (let round = 0; round < 3 && current.includes('%'); round += 1) {
    const next = current.replace(/%([0-7][0-9a-f])/gi, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === current) break;
    current = next;
  }
  return current;
}

export function secretFinder(secrets: readonly string[]) {
  return {
    /** The index of a secret in `text` (as written or percent-escaped), or -1. */
    find(text: string): number {
      if (text === '') return -1;
      const plain = unescaped(text);
      return secrets.findIndex((secret) => text.includes(secret) || plain.includes(secret));
    },
    /** `text` with every secret replaced by its index, cut to 300 characters: safe to print. */
    masked(text: string): string {
      return secrets.reduce((out, secret, index) => out.split(secret).join(`<secret#${index}>`), text).slice(0, 300);
    },
  };
}
