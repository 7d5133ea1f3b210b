// Parsing COPY … TO STDOUT text rows (tab-separated, backslash escapes, \N for null).

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Undoes COPY's text escaping of one field; null for \N. */
export function copyUnescape(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);
}

/**
 * Splits a stream of COPY text chunks into rows of fields, handing them over in pages of
 * `pageRows` so memory stays bounded.
 */
export async function* copyRows(chunks: AsyncIterable<Buffer>, pageRows: number): AsyncGenerator<(string | null)[][]> {
  let rest = '';
  let page: (string | null)[][] = [];
  for await (const chunk of chunks) {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      page.push(line.split('\t').map(copyUnescape));
      if (page.length >= pageRows) {
        yield page;
        page = [];
      }
    }
  }
  if (rest !== '') page.push(rest.split('\t').map(copyUnescape));
  if (page.length > 0) yield page;
}
