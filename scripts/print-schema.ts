// npm run schema:print: writes the subgraph SDL (what `_service { sdl }` answers) for a
// schema registry to publish. `npm test` fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSubgraphSdl, SUBGRAPH_SDL_FILE } from '../src/federation.js';

writeFileSync(SUBGRAPH_SDL_FILE, printSubgraphSdl());
process.stdout.write(`wrote ${fileURLToPath(SUBGRAPH_SDL_FILE)}\n`);
