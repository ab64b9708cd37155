/**
 * A report as sections of figures, tables and charts, written once and rendered twice: as a self-contained HTML
 * page (report/html.ts, charts as inline SVG) for the file and the email's HTML part, and as plain text for the
 * email's text part (charts are only in the HTML). Pure.
 */
import { dataTable, escapeHtml, figuresTable, htmlPage } from '../report/html';

/** A table cell; { text, sign } is coloured by the sign of the number it shows. */
export type Cell = string | { text: string; sign: number };

export type Block =
  | { kind: 'figures'; rows: (readonly [label: string, value: string])[] }
  | { kind: 'table'; header: string[]; rows: Cell[][]; empty: string }
  | { kind: 'chart'; svg: string }
  | { kind: 'note'; text: string };

export interface Section {
  heading: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  subtitle: string;
  sections: Section[];
}

export function reportHtml(doc: ReportDocument): string {
  const block = (b: Block): string => {
    switch (b.kind) {
      case 'figures':
        return figuresTable(b.rows);
      case 'table':
        return b.rows.length ? dataTable(b.header, b.rows) : `<p class="note">${escapeHtml(b.empty)}</p>`;
      case 'chart':
        return b.svg;
      case 'note':
        return `<p class="note">${escapeHtml(b.text)}</p>`;
    }
  };
  const sections = doc.sections.map((s) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.blocks.map(block).join('\n')}`);
  return htmlPage(doc.title, `<h1>${escapeHtml(doc.title)}</h1>\n<div class="subtitle">${escapeHtml(doc.subtitle)}</div>\n${sections.join('\n')}`);
}

export function reportText(doc: ReportDocument): string {
  const block = (b: Block): string[] => {
    switch (b.kind) {
      case 'figures': {
        const width = Math.max(...b.rows.map(([label]) => label.length));
        return b.rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`);
      }
      case 'table':
        return b.rows.length ? textTable(b.header, b.rows.map((r) => r.map((c) => (typeof c === 'string' ? c : c.text)))) : [b.empty];
      case 'chart':
        return [];
      case 'note':
        return [b.text];
    }
  };
  const lines = [doc.title, doc.subtitle];
  for (const s of doc.sections) lines.push('', s.heading, '-'.repeat(s.heading.length), ...s.blocks.flatMap(block));
  return `${lines.join('\n')}\n`;
}

/** Columns padded to their widest cell: the first (a name or a date) left-aligned, the figures right-aligned. */
function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
