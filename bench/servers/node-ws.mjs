// npm `ws` peer for bench/run.mjs: echoes every message to its sender (what lws-mirror does for a
// lone client), accepts any subprotocol. Prints "listening PORT". With the argument `deflate` it
// negotiates permessage-deflate (bench/autobahn.mjs --deflate).
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: process.argv.includes('deflate'),
  handleProtocols: (protocols) => protocols.values().next().value ?? false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  // a peer's protocol error (ws closes with its code) must not end the process: an 'error'
  // event with no listener throws
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
