/** SHA-1 (FIPS 180-4), for the WebSocket handshake only: small inputs, once per connection. */
export function sha1(msg: Uint8Array): Uint8Array {
	const len = msg.length;
	const blocks = ((len + 8) >> 6) + 1;
	const w = new Uint32Array(80);
	const padded = new Uint8Array(blocks * 64);
	padded.set(msg);
	padded[len] = 0x80;
	const bits = len * 8;
	const dv = new DataView(padded.buffer);
	dv.setUint32(padded.length - 4, bits >>> 0);
	dv.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
	let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
	for (let b = 0; b < blocks; b++) {
		for (let i = 0; i < 16; i++) w[i] = dv.getUint32(b * 64 + i * 4);
		for (let i = 16; i < 80; i++) {
			const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
			w[i] = (x << 1) | (x >>> 31);
		}
		let a = h0, bb = h1, c = h2, d = h3, e = h4;
		for (let i = 0; i < 80; i++) {
			let f: number, k: number;
			if (i < 20) { f = (bb & c) | (~bb & d); k = 0x5a827999; }
			else if (i < 40) { f = bb ^ c ^ d; k = 0x6ed9eba1; }
			else if (i < 60) { f = (bb & c) | (bb & d) | (c & d); k = 0x8f1bbcdc; }
			else { f = bb ^ c ^ d; k = 0xca62c1d6; }
			const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
			e = d; d = c; c = (bb << 30) | (bb >>> 2); bb = a; a = t;
		}
		h0 = (h0 + a) >>> 0; h1 = (h1 + bb) >>> 0; h2 = (h2 + c) >>> 0; h3 = (h3 + d) >>> 0; h4 = (h4 + e) >>> 0;
	}
	const out = new Uint8Array(20);
	const ov = new DataView(out.buffer);
	ov.setUint32(0, h0); ov.setUint32(4, h1); ov.setUint32(8, h2); ov.setUint32(12, h3); ov.setUint32(16, h4);
	return out;
}
