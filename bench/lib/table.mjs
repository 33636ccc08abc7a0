/**
 * Plain-text table rendering: right-aligned numbers, left-aligned text, and
 * "span" rows whose text runs across every column before the last `keep`.
 *
 * @typedef {{ title: string, align?: 'left' | 'right' }} Column
 * @typedef {{ cells: (string | null)[] } | { span: string, tail: (string | null)[] } | { rule: true }} Row
 */

const GAP = '  ';

/**
 * @param {Column[]} columns
 * @param {Row[]} rows  `tail` cells fill the last columns of a span row
 */
export function renderTable(columns, rows) {
  const text = (value) => (value == null ? '—' : String(value));
  const widths = columns.map((c) => c.title.length);
  for (const row of rows) {
    if (row.cells) row.cells.forEach((cell, i) => (widths[i] = Math.max(widths[i], text(cell).length)));
    if (row.span) row.tail.forEach((cell, i) => {
      const column = columns.length - row.tail.length + i;
      widths[column] = Math.max(widths[column], text(cell).length);
    });
  }
  const pad = (value, i) => (columns[i].align === 'left' ? text(value).padEnd(widths[i]) : text(value).padStart(widths[i]));
  const line = (cells) => cells.map(pad).join(GAP).trimEnd();
  const total = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns.length - 1);
  const out = [line(columns.map((c) => c.title)), '─'.repeat(total)];
  for (const row of rows) {
    if (row.rule) out.push('─'.repeat(total));
    else if (row.cells) out.push(line(row.cells));
    else {
      const first = columns.length - row.tail.length;
      const spanWidth = widths.slice(0, first).reduce((sum, w) => sum + w, 0) + GAP.length * (first - 1);
      const tail = row.tail.map((cell, i) => pad(cell, first + i)).join(GAP);
      out.push(`${row.span.padEnd(spanWidth)}${GAP}${tail}`.trimEnd());
    }
  }
  return out.join('\n');
}

export const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : null);
export const times = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : null);
