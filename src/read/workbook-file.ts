/**
 * Node's side of workbook.ts: the workbook read from its file (random access for the zip
 * directory, a stream for the sheet), inflated by node:zlib (native, and on a thread of its own
 * while the sheet's XML is parsed), the CSV written to the work folder as it is made.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { once } from 'node:events';
import { createInflateRaw } from 'node:zlib';
import { convertWorkbook, type ArchiveSource, type WorkbookSheet, type WorkbookSheetOptions } from './workbook.ts';


const CHUNK = 1 << 20;

/** Node: stream the workbook file, write the sheet as CSV (UTF-8, LF) to `target`. */
export async function workbookToCsv(path: string, target: string, options: WorkbookSheetOptions): Promise<WorkbookSheet> {
  const handle = await open(path, 'r');
  const out = createWriteStream(target);
  const failed = once(out, 'error').then(([error]) => {
    throw error;
  });
  failed.catch(() => {});
  try {
    const { size } = await handle.stat();
    const source: ArchiveSource = {
      size,
      read: async (offset, length) => {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        return buffer.subarray(0, bytesRead);
      },
      compressed: (offset, length) => (length > 0 ? createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: CHUNK }) : Readable.from([])),
      inflate: (chunks) => pipeline(Readable.from(chunks), createInflateRaw({ chunkSize: CHUNK }), () => {}),
    };
    const sheet = await convertWorkbook(source, { ...options, file: options.file ?? basename(path) }, async (text) => {
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    });
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    return sheet;
  } catch (error) {
    out.destroy();
    throw error;
  } finally {
    await handle.close();
  }
}
