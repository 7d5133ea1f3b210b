// Text from outside (run names, file names, values, error messages of other programs) shown to a
// human: control characters are escaped, so a name holding a terminal escape sequence cannot
// recolour, retitle or rewrite the user's terminal, and a newline cannot forge an output line.

/** C0 and C1 controls and DEL, plus the bidi overrides that can reorder what a terminal shows. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character written as a visible escape (\n, \t, \x1b, \u202e). */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
