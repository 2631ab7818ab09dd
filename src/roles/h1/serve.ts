/** The h1 role's generic HTTP handler (lws `callback_http_dummy` and lws_http_action): mounts, files, redirects. */
import { Handled } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import type { Mount } from "../../core/types.js";
import { MountProtocol } from "../../core/types.js";
import type { H1State } from "./state.js";
import { currentAh } from "./state.js";
import { header } from "../../http/headers.js";
import { matchMount, acceptsGzip, cacheControl } from "../../http/mounts.js";
import { raiseHttp, returnStatus, redirect, writeHead, sendFile, respond } from "./respond.js";
import { errorPage } from "../../http/status.js";
import { mimeType } from "../../http/mime.js";
import type { FopsFile } from "../../fs/fops.js";
import { FopsBusyError } from "../../fs/fops.js";
import { lwsl } from "../../core/log.js";

/** The generic HTTP handler (lws `callback_http_dummy` plus lws_http_action): mounts, else the default protocol. */
export function serveMount(wsi: Wsi, st: H1State): Handled {
	const vh = wsi.vhost;
	const m = matchMount(vh.mounts, st.path);
	if (!m) {
		if (vh.defaultProtocol) return raiseHttp(wsi, st, vh.defaultProtocol, st.path, null);
		return status(wsi, 404);
	}
	const mp = m.mountpoint;
	let rest = mp === "/" ? st.path : st.path.slice(mp.endsWith("/") ? mp.length - 1 : mp.length);
	switch (m.originProtocol) {
		case MountProtocol.REDIR_HTTP:
		case MountProtocol.REDIR_HTTPS: {
			const scheme = m.originProtocol === MountProtocol.REDIR_HTTPS ? "https://" : "http://";
			const to = /^[a-z]+:\/\//i.test(m.origin) || m.origin[0] === "/" ? m.origin : scheme + m.origin;
			return redirect(wsi, 301, to) < 0 ? Handled.PLEASE_CLOSE : Handled.OK;
		}
		case MountProtocol.CALLBACK: {
			const p = m.protocol ? vh.protocolByName(m.protocol) : undefined;
			if (!p) {
				lwsl.err(`mount ${mp}: protocol "${m.protocol}" is not on vhost ${vh.name}`);
				return status(wsi, 500);
			}
			return raiseHttp(wsi, st, p, rest || "/", m);
		}
		case MountProtocol.FILE: {
			if (st.method !== "GET" && st.method !== "HEAD") {
				return writeHead(wsi, 405, { contentType: "text/plain; charset=utf-8", contentLength: 19, headers: [["Allow", "GET, HEAD"]] },
					wsi.context.encode("Method Not Allowed\n")) ? Handled.OK : Handled.PLEASE_CLOSE;
			}
			if (rest === "" && mp !== "/") return redirect(wsi, 301, mp + "/" + (st.query ? "?" + st.query : "")) < 0 ? Handled.PLEASE_CLOSE : Handled.OK;
			return serveFile(wsi, st, m, rest || "/");
		}
	}
	return status(wsi, 404);
}

/** Busy for now: come back in a second (the connection stays usable). */
function respond503(wsi: Wsi): Handled {
	wsi.context.stats.refusedBusy++;
	return respond(wsi, 503, { contentType: "text/html; charset=utf-8", headers: [["Retry-After", "1"]], body: errorPage(503, "busy: try again") }) < 0
		? Handled.PLEASE_CLOSE : Handled.OK;
}

function status(wsi: Wsi, code: number): Handled {
	return returnStatus(wsi, code, undefined) < 0 ? Handled.PLEASE_CLOSE : Handled.OK;
}

/** Serve a file of a FILE mount: defaultIndex for directories, ETag/If-None-Match, cache headers. */
function serveFile(wsi: Wsi, st: H1State, m: Mount, rel: string): Handled {
	const fops = m.fops ?? wsi.context.options.fops;
	if (!fops) {
		lwsl.err(`mount ${m.mountpoint}: no fops`);
		return status(wsi, 500);
	}
	let path = rel;
	if (path.endsWith("/")) path += m.defaultIndex ?? "index.html";
	let file: FopsFile | undefined;
	const ah = currentAh(wsi);
	const acceptGzip = acceptsGzip(ah ? header(ah, "accept-encoding") : undefined);
	try {
		file = fops.open(m.origin, path, { acceptGzip });
		if (!file && !rel.endsWith("/") && fops.isDirectory(m.origin, rel)) {
			// a directory without its slash: send the client to the slash form so relative links work
			const to = (m.mountpoint === "/" ? "" : m.mountpoint.replace(/\/$/, "")) + rel + "/";
			return redirect(wsi, 301, to + (st.query ? "?" + st.query : "")) < 0 ? Handled.PLEASE_CLOSE : Handled.OK;
		}
	}
	catch (e) {
		if (e instanceof FopsBusyError) {
			lwsl.notice(`mount ${m.mountpoint}: ${e.message}: 503`);
			return respond503(wsi);
		}
		// e.g. a malformed zip: say why in the log, give the client a clean 500
		lwsl.err(`mount ${m.mountpoint}: opening ${path} failed: ${e instanceof Error ? e.message : e}`);
		return status(wsi, 500);
	}
	if (!file) return status(wsi, 404);
	const headers: [string, string][] = [];
	const cc = cacheControl(m);
	if (cc) headers.push(["Cache-Control", cc]);
	if (file.contentEncoding) headers.push(["Content-Encoding", file.contentEncoding]);
	if (file.varyAcceptEncoding) headers.push(["Vary", "Accept-Encoding"]);
	const etag = file.etag;
	if (etag) {
		headers.push(["ETag", etag]);
		const inm = ah ? header(ah, "if-none-match") : undefined;
		if (inm && (inm.trim() === "*" || inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))) {
			file.close();
			return writeHead(wsi, 304, { headers }) ? Handled.OK : Handled.PLEASE_CLOSE;
		}
	}
	return sendFile(wsi, 200, { contentType: mimeType(path, m.extraMimetypes), contentLength: file.length, headers }, file)
		? Handled.OK : Handled.PLEASE_CLOSE;
}
