/** Where the bench finds the hand-written reference loop: in the project (bench/reference),
 *  so `npm run bench` works in any clone. From dist/bench this is ../../bench/reference. */
import * as path from 'node:path';

export const REFERENCE = path.resolve(__dirname, '..', '..', 'bench', 'reference', 'bfs1.js');
