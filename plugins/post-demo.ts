/**
 * post-demo: a form posted to a CALLBACK mount is echoed back as a table
 * (lws plugins/protocol_post_demo, urlencoded forms). The body is held in
 * memory up to MAX_FORM bytes; past that the peer gets 413.
 */
import { Reason, decodeUtf8, http } from "../src/index.js";
import type { Protocol } from "../src/index.js";

/** Largest form accepted: a device form is small, and the board's heap is too. */
export const MAX_FORM = 4096;

interface Pss {
	body: Uint8Array | null;
	len: number;
	contentType: string;
	tooBig: boolean;
}

function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const postDemo: Protocol<Pss> = {
	name: "post-demo",
	newSession: () => ({ body: null, len: 0, contentType: "", tooBig: false }),
	callback(wsi, reason, pss, data) {
		switch (reason) {
			case Reason.HTTP:
				if (http.method(wsi) !== "POST") {
					return http.respond(wsi, 405, { contentType: "text/plain", headers: [["Allow", "POST"]], body: "POST a form here\n" });
				}
				pss!.contentType = (http.hdrCopy(wsi, "content-type") ?? "").split(";")[0].trim().toLowerCase();
				pss!.body = null;
				pss!.len = 0;
				pss!.tooBig = false;
				return 0;
			case Reason.HTTP_BODY: {
				const chunk = data as Uint8Array;
				if (pss!.tooBig) return 0;
				if (pss!.len + chunk.length > MAX_FORM) {
					pss!.tooBig = true;
					pss!.body = null;
					return 0;
				}
				if (!pss!.body) pss!.body = new Uint8Array(MAX_FORM);
				pss!.body.set(chunk, pss!.len);
				pss!.len += chunk.length;
				return 0;
			}
			case Reason.HTTP_BODY_COMPLETION: {
				if (pss!.tooBig) return http.returnHttpStatus(wsi, 413, `form larger than ${MAX_FORM} bytes`);
				if (pss!.contentType !== "application/x-www-form-urlencoded")
					return http.returnHttpStatus(wsi, 415, "post an application/x-www-form-urlencoded form");
				const text = decodeUtf8(pss!.body ? pss!.body.subarray(0, pss!.len) : new Uint8Array(0));
				pss!.body = null;
				if (text === undefined) return http.returnHttpStatus(wsi, 400, "form is not valid UTF-8");
				const rows = http.parseForm(text).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join("");
				const page = `<!doctype html><html><head><meta charset="utf-8"><title>Form received</title>` +
					`<link rel="stylesheet" href="/demo.css"></head><body><h1>Form received</h1>` +
					`<table><tr><th>name</th><th>value</th></tr>${rows}</table><p><a href="/">back</a></p></body></html>\n`;
				return http.respond(wsi, 200, { contentType: "text/html; charset=utf-8", body: page });
			}
		}
		return 0;
	},
};

export default [postDemo];
