// Where the installed package keeps its own files (the built-in demo scenario).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/src/cli/ is three levels below it. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEMO_SCENARIO = join(PACKAGE_ROOT, 'scenarios', 'demo.yaml');
