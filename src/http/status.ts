/** Status lines and synthesized error pages. */

const TEXT: Record<number, string> = {
	100: "Continue", 101: "Switching Protocols",
	200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content",
	301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
	408: "Request Timeout", 411: "Length Required", 413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
	417: "Expectation Failed", 426: "Upgrade Required", 431: "Request Header Fields Too Large",
	500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable", 505: "HTTP Version Not Supported",
};

export function statusText(status: number): string {
	return TEXT[status] ?? "Unknown";
}

/** A status carries no body (RFC 9110: 1xx, 204, 304). */
export function statusHasNoBody(status: number): boolean {
	return status < 200 || status === 204 || status === 304;
}

function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The error page sent when no errorDocument applies; styled by the site's /error.css. */
export function errorPage(status: number, detail?: string): string {
	const t = `${status} ${statusText(status)}`;
	return `<!doctype html><html><head><meta charset="utf-8"><title>${t}</title>` +
		`<link rel="stylesheet" href="/error.css"></head><body class="xsws-error"><h1>${t}</h1>` +
		(detail ? `<p>${escapeHtml(detail)}</p>` : "") + `<hr><address>xsws</address></body></html>\n`;
}
