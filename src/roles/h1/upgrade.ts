/**
 * An HTTP/1.1 request that asks to leave HTTP, as the h1 role hands it to the role that answers
 * its Upgrade token (core/role.ts UpgradeRequest): that role reads the head, answers or refuses
 * through this, and never reaches into h1's state.
 */
import { Handled } from "../../core/reasons.js";
import type { Wsi } from "../../core/wsi.js";
import type { UpgradeRequest } from "../../core/role.js";
import { headerJoined } from "../../http/headers.js";
import { encodeAscii } from "../../util/utf8.js";
import { failRequest, writeHead } from "./respond.js";
import { releaseAhOf } from "./state.js";
import type { H1State } from "./state.js";

export class H1Upgrade implements UpgradeRequest {
	constructor(private readonly wsi: Wsi, private readonly st: H1State) {}

	get method(): string { return this.st.method; }
	get version(): number { return this.st.version; }
	get hasBody(): boolean { return this.st.hasBody; }
	get head(): object { return this.st; }

	header(lname: string): string | undefined {
		const ah = this.st.ah;
		return ah ? headerJoined(ah, lname) : undefined;
	}

	fail(status: number, why: string): Handled {
		return failRequest(this.wsi, status, why);
	}

	refuse(status: number, headers: [string, string][], body: string): Handled {
		const bytes = encodeAscii(body);
		this.st.keepAlive = false;
		writeHead(this.wsi, status, { contentType: "text/plain", contentLength: bytes.length, headers }, bytes);
		this.st.reqDone = true;
		this.wsi.closeAfterFlush(true);
		return Handled.OK;
	}

	sendRaw(bytes: Uint8Array): boolean {
		return this.wsi.sendRaw(bytes) >= 0;
	}

	release(): void {
		releaseAhOf(this.wsi, this.st);
	}
}
