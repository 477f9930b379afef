// Entry point of every npm script (build, check, sample, …); see src/cli.ts.
import { main } from '../src/cli.ts';

process.exitCode = await main(process.argv.slice(2));
