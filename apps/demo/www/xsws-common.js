/*
 * xsws-common.js: a WebSocket that reconnects, and page dimming while the
 * device is unreachable (in the spirit of lws-common.js; our own code).
 */
"use strict";
(function () {
	const open = new Set();
	let live = 0;

	function setOnline() {
		document.body.classList.toggle("disconnected", live < open.size);
	}

	/** xsws.connect(protocol, {path, onMessage, onState}) -> { send(data) } */
	function connect(protocol, opts) {
		const o = opts || {};
		const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + (o.path || "/");
		let ws = null, up = false, delay = 500, closed = false;
		const handle = {
			send(data) { if (ws && up) ws.send(data); },
			get connected() { return up; },
			close() { closed = true; if (ws) ws.close(); },
		};
		open.add(handle);
		function state(s) { if (o.onState) o.onState(s); }
		function start() {
			try { ws = new WebSocket(url, protocol); }
			catch (e) { retry(); return; }
			ws.binaryType = "arraybuffer";
			ws.onopen = function () { up = true; live++; delay = 500; state("connected"); setOnline(); };
			ws.onmessage = function (ev) { if (o.onMessage) o.onMessage(ev.data); };
			ws.onclose = function () {
				if (up) { up = false; live--; }
				state("disconnected");
				setOnline();
				if (!closed) retry();
			};
		}
		function retry() {
			setTimeout(start, delay);
			delay = Math.min(delay * 2, 4000);
		}
		state("connecting");
		start();
		return handle;
	}

	window.xsws = { connect };
	document.addEventListener("DOMContentLoaded", setOnline);
})();
