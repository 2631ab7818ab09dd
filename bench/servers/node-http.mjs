// Node `http` peer for bench/run.mjs: serves one file at /<name>, from memory or read each time.
//   node node-http.mjs FILE memory|file   -> prints "listening PORT"
import http from 'node:http';
import { readFileSync, readFile } from 'node:fs';
import { basename } from 'node:path';

const [file, mode = 'memory'] = process.argv.slice(2);
const path = '/' + basename(file);
const body = readFileSync(file);
const head = (length) => ({ 'Content-Type': 'text/html', 'Content-Length': length });
const server = http.createServer((req, res) => {
  if (req.url !== path) {
    res.writeHead(404, head(0));
    res.end();
  } else if (mode === 'memory') {
    res.writeHead(200, head(body.length));
    res.end(body);
  } else {
    readFile(file, (err, data) => {
      if (err) { res.writeHead(500, head(0)); res.end(); return; }
      res.writeHead(200, head(data.length));
      res.end(data);
    });
  }
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
