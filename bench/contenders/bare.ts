/** The ceiling: node:http that parses the POST body and answers a fixed JSON (no GraphQL). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, EXPECTED_ANSWER } from '../shared.js';

const answer = Buffer.from(JSON.stringify(EXPECTED_ANSWER));

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let query: unknown;
    try {
      query = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query?: unknown }).query;
    } catch {
      query = undefined;
    }
    if (typeof query !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"errors":[{"message":"expected a JSON body with a query"}]}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': answer.length,
    });
    res.end(answer);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
