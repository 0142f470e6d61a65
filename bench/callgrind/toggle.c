/*
 * The in-process switch of bench/instructions.js: valgrind client requests (callgrind.h)
 * behind three N-API functions, so the counted process itself says where the measured
 * requests begin and end. Built with `gcc -shared` by bench/instructions.js; declares the
 * three N-API functions it uses rather than including node_api.h, so only valgrind's headers
 * are needed. Outside valgrind each request is a few no-op instructions.
 *
 *   start(): instrumentation and collection on (the process runs under
 *            --instr-atstart=no --collect-atstart=no, so nothing before is counted);
 *   dump():  writes the counts so far to the next numbered output file and zeroes them;
 *   stop():  collection and instrumentation off.
 */
#include <stddef.h>
#include <valgrind/callgrind.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
extern int napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
extern int napi_set_named_property(napi_env, napi_value, const char *, napi_value);
extern int napi_get_undefined(napi_env, napi_value *);

static napi_value undefined(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

static napi_value start(napi_env env, napi_callback_info info) {
  (void)info;
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_TOGGLE_COLLECT;
  return undefined(env);
}

static napi_value dump(napi_env env, napi_callback_info info) {
  (void)info;
  CALLGRIND_DUMP_STATS;
  return undefined(env);
}

static napi_value stop(napi_env env, napi_callback_info info) {
  (void)info;
  CALLGRIND_TOGGLE_COLLECT;
  CALLGRIND_STOP_INSTRUMENTATION;
  return undefined(env);
}

static void define(napi_env env, napi_value exports, const char *name, size_t length, napi_callback callback) {
  napi_value fn;
  napi_create_function(env, name, length, callback, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  define(env, exports, "start", 5, start);
  define(env, exports, "dump", 4, dump);
  define(env, exports, "stop", 4, stop);
  return exports;
}
