/** What `checkFile` says of one file (`file-check.ts`), apart so the scans it runs can name it. */
import type { FileType } from './file-type.ts';
import type { FindingCheck, RowLevelFinding, TextFinding } from './text-scan.ts';

export type FileStatus = 'pass' | 'manual-review' | 'review' | 'refused';

export type FileFinding = TextFinding | RowLevelFinding | { check: 'size' | 'archive' | 'unpack' | 'uncheckable' | 'budget'; message: string };

export interface FileCheckResult {
  name: string;
  size: number;
  /** Hex sha256 of the bytes checked (absent when refused unread for size). */
  sha256?: string;
  type: FileType;
  status: FileStatus;
  findings: FileFinding[];
  /** Findings per scan, including those beyond the kept ones. */
  counts: Partial<Record<FindingCheck, number>>;
  /** Entries of an allowed archive, each checked in turn. */
  entries?: FileCheckResult[];
}
