/*
 * xsws-sim module loader (MIT).
 *
 * - fxFindModule: bare specifiers through the module map (lines "specifier<TAB>/abs/path.js"),
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

typedef struct {
	char* specifier;
	char* path;
} xswsMapEntry;

static xswsMapEntry* gMap = NULL;
static int gMapCount = 0;

int xswsLoadModuleMap(const char* path)
{
	FILE* file = fopen(path, "r");
	char* line = NULL;
	size_t size = 0;
	ssize_t length;
	int capacity = 0, number = 0;
	if (!file) {
		fprintf(stderr, "xsws-sim: cannot open module map %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((length = getline(&line, &size, file)) >= 0) {
		char* tab;
		number++;
		while ((length > 0) && ((line[length - 1] == '\n') || (line[length - 1] == '\r')))
			line[--length] = 0;
		if (!length || (line[0] == '#'))
			continue;
		tab = strchr(line, '\t');
		if (!tab || (tab[1] != '/')) {
			fprintf(stderr, "xsws-sim: %s:%d: expected specifier<TAB>/absolute/path.js\n", path, number);
			fclose(file);
			free(line);
			return -1;
		}
		*tab = 0;
		if (gMapCount == capacity) {
			capacity = capacity ? capacity * 2 : 64;
			gMap = realloc(gMap, capacity * sizeof(xswsMapEntry));
		}
		gMap[gMapCount].specifier = strdup(line);
		gMap[gMapCount].path = strdup(tab + 1);
		gMapCount++;
	}
	free(line);
	fclose(file);
	return 0;
}

const char* xswsMapLookup(const char* specifier)
{
	int i;
	/* later lines win, like later manifests overriding earlier ones */
	for (i = gMapCount - 1; i >= 0; i--) {
		if (!strcmp(gMap[i].specifier, specifier))
			return gMap[i].path;
	}
	return NULL;
}

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

/* ---- native functions of `@ "name"` declarations --------------------------------------- */

static txScript* gHostScript = NULL;
static const char* gHostPath = NULL;

/* The name of a parser symbol ID (1-based index into the script's symbols buffer). */
static const char* xswsScriptSymbol(txScript* script, txID id)
{
	txByte* p = script->symbolsBuffer;
	txID count, i;
	if (!p || (id == XS_NO_ID))
		return NULL;
	mxDecodeID(p, count);
	for (i = 1; i < count; i++) {
		if (i == id)
			return (const char*)p;
		p += strlen((char*)p) + 1;
	}
	return NULL;
}

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
		const char* functionName;
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
		if (length >= 0) {
			txID nameID = XS_NO_ID;
			functionName = xswsScriptSymbol(script, id);
			if (functionName)
				nameID = fxNewNameC(the, (txString)functionName);
			fxNewHostFunction(the, (txCallback)native, length, nameID, XS_NO_ID);
		}
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
	script = xswsCompile(the, path);
	if (script->hostsBuffer) {
		script->callback = xswsBuildHosts;
		gHostScript = script;
		gHostPath = path;
	}
	/* runs the script now: the hosts callback, then the module's function is created */
	fxResolveModule(the, module, moduleID, script, C_NULL, C_NULL);
	gHostScript = NULL;
	gHostPath = NULL;
}
