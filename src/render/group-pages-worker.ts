/** Worker-thread entry: writes its share of the group pages, in both languages, and posts back how many. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeGroupPages, type GroupPagesJob } from './group-pages-writer.ts';

parentPort!.postMessage(await writeGroupPages(workerData as GroupPagesJob));
