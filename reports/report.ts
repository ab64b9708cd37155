import type { ReportDocument } from './document';

/** A report made: its id (the file's name and the email's identity), subject, content and headline figures. */
export interface Report {
  /** daily-YYYY-MM-DD or weekly-YYYY-MM-DD. */
  id: string;
  subject: string;
  document: ReportDocument;
  /** The headline numbers, recorded with the report in Postgres (null where a figure is undefined, e.g. no trades). */
  figures: Record<string, string | number | null>;
}

/** A figure for the record: NaN and ±Infinity (no trades, no variance) become null, as JSON would make them. */
export function figure(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
