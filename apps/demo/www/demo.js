"use strict";
(function () {
	const $ = (id) => document.getElementById(id);
	function badge(id) {
		return function (s) {
			const b = $(id);
			b.textContent = s;
			b.className = "badge " + s;
		};
	}

	// live counter
	const counter = xsws.connect("dumb-increment-protocol", {
		onMessage(d) { $("counter").textContent = d; },
		onState: badge("counter-state"),
	});
	$("counter-reset").onclick = () => counter.send("reset\n");

	// shared drawing: lines "d #rgb x0 y0 x1 y1;" from pages, circles "c #rgb x y r;" from libwebsockets-test-client
	const cv = $("mirror"), g = cv.getContext("2d");
	const mirror = xsws.connect("lws-mirror-protocol", {
		path: "/?mirror=demo",
		onMessage(d) {
			for (const cmd of String(d).split(";")) {
				const a = cmd.trim().split(/\s+/);
				if (a[0] === "d" && a.length === 6) {
					g.strokeStyle = a[1];
					g.lineWidth = 2;
					g.beginPath();
					g.moveTo(+a[2], +a[3]);
					g.lineTo(+a[4], +a[5]);
					g.stroke();
				}
				else if (a[0] === "c" && a.length === 5) {
					g.strokeStyle = a[1];
					g.beginPath();
					g.arc(+a[2], +a[3], +a[4], 0, 2 * Math.PI);
					g.stroke();
				}
				else if (a[0] === "clear") g.clearRect(0, 0, cv.width, cv.height);
			}
		},
		onState: badge("mirror-state"),
	});
	let last = null;
	function pos(e) {
		const r = cv.getBoundingClientRect();
		return [Math.round((e.clientX - r.left) * cv.width / r.width), Math.round((e.clientY - r.top) * cv.height / r.height)];
	}
	cv.addEventListener("pointerdown", (e) => { last = pos(e); });
	cv.addEventListener("pointerup", () => { last = null; });
	cv.addEventListener("pointerleave", () => { last = null; });
	cv.addEventListener("pointermove", (e) => {
		if (!last) return;
		const p = pos(e);
		mirror.send(`d ${$("mirror-colour").value} ${last[0]} ${last[1]} ${p[0]} ${p[1]};`);
		last = p;
	});
	$("mirror-clear").onclick = () => g.clearRect(0, 0, cv.width, cv.height);

	// status
	xsws.connect("lws-status", {
		onMessage(d) {
			let s;
			try { s = JSON.parse(d); } catch (e) { return; }
			if (s.heap) {
				const h = s.heap;
				$("heap-slots").textContent = `${h.slotsUsed - h.slotsBaseline} of ${h.slotsLimit}`;
				$("heap-chunks").textContent = `${h.chunksUsed - h.chunksBaseline} of ${h.chunksLimit} bytes`;
			}
			$("conn").textContent = `${s.connections} of ${s.maxConnections}`;
			const tb = $("status-clients").tBodies[0];
			tb.textContent = "";
			for (const c of s.clients) {
				const tr = tb.insertRow();
				for (const v of [c.peer, c.protocol, c.age]) tr.insertCell().textContent = v;
			}
		},
		onState: badge("status-state"),
	});
})();
