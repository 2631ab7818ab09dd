/** File extension to MIME type, extended per mount (lws `extra_mimetypes`). */
const TYPES: Record<string, string> = {
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".json": "application/json", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".ico": "image/x-icon", ".webp": "image/webp",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
	".wasm": "application/wasm", ".pdf": "application/pdf", ".zip": "application/zip",
	".gz": "application/gzip", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".mp4": "video/mp4",
	".map": "application/json", ".bin": "application/octet-stream",
};

export function mimeType(path: string, extra?: Record<string, string>): string {
	const slash = path.lastIndexOf("/");
	const dot = path.lastIndexOf(".");
	if (dot <= slash) return "application/octet-stream";
	const ext = path.slice(dot).toLowerCase();
	return extra?.[ext] ?? extra?.["*" + ext] ?? TYPES[ext] ?? "application/octet-stream";
}
