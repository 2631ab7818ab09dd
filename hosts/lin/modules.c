/*
 * xsws-sim module loader (MIT).
 *
 * - fxFindModule: bare specifiers through the module map (modmap.c),
 *   "./x" and "../x" against the referrer's real path, absolute paths as is. Every module is
 *   keyed by its realpath, so one file is one module instance.
 * - fxLoadModule: compiles the file (source maps followed, mxDebugFlag for file:line in stacks,
 *   mxCFlag so Moddable's `function f() @ "xs_name";` native syntax is accepted), prints syntax
 *   errors as "SyntaxError: file:line: message" and throws.
 * - native functions: when the compiled script has hosts, its callback builds the hosts array
 *   from the names, looking each one up in natives.c.
 */
#include "xsAll.h"
#include "xsScript.h"
#include "host.h"
#include <limits.h>
#include <sys/stat.h>

static int xswsIsFile(const char* path)
{
	struct stat info;
	return (stat(path, &info) == 0) && S_ISREG(info.st_mode);
}

txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	char name[PATH_MAX];
	char path[PATH_MAX + 8];
	char real[PATH_MAX];
	const char* mapped;
	fxToStringBuffer(the, slot, name, sizeof(name));
	if (!strncmp(name, "./", 2) || !strncmp(name, "../", 3)) {
		char* slash;
		if (moduleID == XS_NO_ID) {
			if (!getcwd(path, PATH_MAX))
				return XS_NO_ID;
		}
		else {
			c_strncpy(path, fxGetKeyName(the, moduleID), PATH_MAX - 1);
			path[PATH_MAX - 1] = 0;
			slash = strrchr(path, '/');
			if (!slash)
				return XS_NO_ID;
			*slash = 0;
		}
		if (strlen(path) + 1 + strlen(name) + 4 >= sizeof(path))
			mxRangeError("path too long");
		strcat(path, "/");
		strcat(path, name);
	}
	else if (name[0] == '/') {
		if (strlen(name) + 4 >= sizeof(path))
			mxRangeError("path too long");
		strcpy(path, name);
	}
	else {
		mapped = xswsMapLookup(name);
		if (!mapped)
			return XS_NO_ID;
		if (strlen(mapped) + 4 >= sizeof(path))
			mxRangeError("path too long");
		strcpy(path, mapped);
	}
	if (!xswsIsFile(path)) {
		size_t length = strlen(path);
		if ((length < 3) || strcmp(path + length - 3, ".js")) {
			strcat(path, ".js");
			if (!xswsIsFile(path))
				return XS_NO_ID;
		}
		else
			return XS_NO_ID;
	}
	if (!realpath(path, real))
		return XS_NO_ID;
	return fxNewNameC(the, real);
}

/* ---- compile ---------------------------------------------------------------------------- */

static char gErrorMessage[1024];
static char gErrorPath[PATH_MAX];
static txInteger gErrorLine;

static void xswsReportParserError(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
	if (gErrorMessage[0])
		return;   /* keep the first, the others usually follow from it */
	vsnprintf(gErrorMessage, sizeof(gErrorMessage), format, arguments);
	snprintf(gErrorPath, sizeof(gErrorPath), "%s", path ? path : "?");
	gErrorLine = line;
}

static void xswsReportParserWarning(void* console, txString path, txInteger line, txString format, c_va_list arguments)
{
}

static txScript* xswsCompile(txMachine* the, char* path)
{
	txParser _parser;
	txParser* parser = &_parser;
	txParserJump jump;
	FILE* file = NULL;
	txString name = NULL;
	char map[PATH_MAX];
	txScript* script = NULL;
	txUnsigned flags = mxCFlag;
	int errors;
#ifdef mxDebug
	flags |= mxDebugFlag;
#endif
	gErrorMessage[0] = 0;
	fxInitializeParser(parser, the, the->parserBufferSize, the->parserTableModulo);
	parser->reportError = xswsReportParserError;
	parser->reportWarning = xswsReportParserWarning;
	parser->firstJump = &jump;
	file = fopen(path, "r");
	if (c_setjmp(jump.jmp_buf) == 0) {
		mxParserThrowElse(file);
		parser->path = fxNewParserSymbol(parser, path);
		fxParserTree(parser, file, (txGetter)fgetc, flags, &name);
		fclose(file);
		file = NULL;
		if (name) {
			/* "//# sourceMappingURL=x.js.map": stack lines then point into the .ts */
			if (realpath(fxCombinePath(parser, path, name), map) && (file = fopen(map, "r"))) {
				parser->path = fxNewParserSymbol(parser, map);
				fxParserSourceMap(parser, file, (txGetter)fgetc, flags, &name);
				fclose(file);
				file = NULL;
				if ((parser->errorCount == 0) && name && realpath(fxCombinePath(parser, map, name), map))
					parser->path = fxNewParserSymbol(parser, map);
				else
					parser->path = fxNewParserSymbol(parser, path);
			}
		}
		fxParserHoist(parser);
		fxParserBind(parser);
		if (parser->errorCount == 0)
			script = fxParserCode(parser);
	}
	if (file)
		fclose(file);
	errors = parser->errorCount;
	fxTerminateParser(parser);
	if (!script) {
		if (!gErrorMessage[0])
			snprintf(gErrorMessage, sizeof(gErrorMessage), errors ? "syntax error" : "cannot read file");
		if (!errors)
			snprintf(gErrorPath, sizeof(gErrorPath), "%s", path), gErrorLine = 0;
		fflush(stdout);
		fprintf(stderr, "SyntaxError: %s:%d: %s\n", gErrorPath, (int)gErrorLine, gErrorMessage);
		fflush(stderr);
		mxSyntaxError("%s:%d: %s", gErrorPath, (int)gErrorLine, gErrorMessage);
	}
	return script;
}

/* ---- code in "flash" ---------------------------------------------------------------------
 * On the board, module bytecode and string literals stay in flash and functions point into it.
 * XS copies them into the chunk heap when it runs a script compiled at run time. So that the
 * chunk budget means the same here, the host remaps the script's IDs itself, rewrites the
 * code's CODE_n and STRING_n opcodes into their ARCHIVE_n forms (same operands: "use in place")
 * and keeps the code buffer for the life of the process, outside the XS heaps.
 */
static void xswsArchiveCode(txByte* p, txByte* q)
{
	while (p < q) {
		txU1 code = *((txU1*)p);
		txS1 offset = gxCodeSizes[code];
		switch (code) {
		case XS_CODE_CODE_1: *p = XS_CODE_CODE_ARCHIVE_1; break;
		case XS_CODE_CODE_2: *p = XS_CODE_CODE_ARCHIVE_2; break;
		case XS_CODE_CODE_4: *p = XS_CODE_CODE_ARCHIVE_4; break;
		case XS_CODE_STRING_1: *p = XS_CODE_STRING_ARCHIVE_1; break;
		case XS_CODE_STRING_2: *p = XS_CODE_STRING_ARCHIVE_2; break;
		case XS_CODE_STRING_4: *p = XS_CODE_STRING_ARCHIVE_4; break;
		default: break;
		}
		if (0 < offset)
			p += offset;
		else if (0 == offset)
			p += 1 + sizeof(txID);
		else if (-1 == offset) {
			txU1 length;
			p++;
			length = *((txU1*)p);
			p += 1 + length;
		}
		else if (-2 == offset) {
			txU2 length;
			p++;
			mxDecode2(p, length);
			p += length;
		}
		else {
			txS4 length;
			p++;
			mxDecode4(p, length);
			p += length;
		}
	}
}

extern void fxRemapIDs(txMachine* the, txByte* codeBuffer, txSize codeSize, txID* theIDs);

static long gCodeSize = 0;   /* bytes of module code kept outside the heaps */

/* Remap the script's symbols to machine IDs (what fxRunScript would do) and take the code. */
static txID* xswsPrepareScript(txMachine* the, txScript* script)
{
	txByte* p = script->symbolsBuffer;
	txID count, i;
	txID* ids;
	mxDecodeID(p, count);
	ids = c_malloc((count ? count : 1) * sizeof(txID));
	if (!ids)
		mxUnknownError("out of memory");
	ids[0] = XS_NO_ID;
	for (i = 1; i < count; i++) {
		ids[i] = fxNewNameC(the, (txString)p);
		p += mxStringLength((char*)p) + 1;
	}
	fxRemapIDs(the, script->codeBuffer, script->codeSize, ids);
	xswsArchiveCode(script->codeBuffer, script->codeBuffer + script->codeSize);
	c_free(script->symbolsBuffer);
	script->symbolsBuffer = NULL;   /* fxRunScript then neither remaps nor deletes the script */
	gCodeSize += script->codeSize;
	return ids;
}

long xswsModuleCodeSize(void)
{
	return gCodeSize;
}

/* ---- native functions of `@ "name"` declarations --------------------------------------- */

static txScript* gHostScript = NULL;
static txID* gHostIDs = NULL;
static const char* gHostPath = NULL;

static void xswsBuildHosts(txMachine* the)
{
	txScript* script = gHostScript;
	txByte* p = script->hostsBuffer;
	txID count, i;
	txSlot* array;
	mxDecodeID(p, count);
	mxPush(mxArrayPrototype);
	fxNewArrayInstance(the);
	array = the->stack;
	fxArrayCacheBegin(the, array);
	for (i = 0; i < count; i++) {
		txS1 length = (txS1)*p++;
		txID id;
		const char* name;
		void* native;
		mxDecodeID(p, id);
		name = (const char*)p;
		p += strlen(name) + 1;
		native = xswsFindNative(name);
		if (!native) {
			fflush(stdout);
			fprintf(stderr, "xsws-sim: %s: no native function \"%s\" in this simulator\n", gHostPath, name);
			mxReferenceError("%s: no native function \"%s\" in this simulator", gHostPath, name);
		}
		if (length >= 0)
			fxNewHostFunction(the, (txCallback)native, length, (id == XS_NO_ID) ? XS_NO_ID : gHostIDs[id], XS_NO_ID);
		else
			fxNewHostObject(the, (txDestructor)native);
		fxArrayCacheItem(the, array, the->stack);
		mxPop();
	}
	fxArrayCacheEnd(the, array);
	mxPullSlot(mxResult);
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
	char path[PATH_MAX];
	txScript* script;
	c_strncpy(path, fxGetKeyName(the, moduleID), PATH_MAX - 1);
	path[PATH_MAX - 1] = 0;
	txID* ids = NULL;
	script = xswsCompile(the, path);
	{
		mxTry(the) {
			ids = xswsPrepareScript(the, script);
		}
		mxCatch(the) {
			fxDeleteScript(script);
			fxJump(the);
		}
	}
	if (script->hostsBuffer) {
		script->callback = xswsBuildHosts;
		gHostScript = script;
		gHostIDs = ids;
		gHostPath = path;
	}
	/* runs the script now: the hosts callback, then the module's function is created; the
	   code buffer stays ("flash"), the rest of the script goes */
	{
		int failed = 0;
		mxTry(the) {
			fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
		}
		mxCatch(the) {
			failed = 1;
		}
		gHostScript = NULL;
		gHostIDs = NULL;
		c_free(ids);
		if (script->hostsBuffer)
			c_free(script->hostsBuffer);
		c_free(script);
		if (failed)
			fxJump(the);
	}
}
