/*
 * edgepix: what decoder.c and encoder.c share. Both live in one standalone
 * wasm module (src/codecs/edgepix-codecs.wasm) driven by src/codecs/jpeg-turbo/.
 *
 * Error handling without setjmp/longjmp: a context's error_exit hook formats
 * libjpeg's message into the context's own buffer and calls the imported
 * env.jt_throw(), which throws a JS exception. It unwinds straight through
 * the wasm frames (what longjmp would have done); the JS wrapper restores
 * the shadow-stack pointer it saved before the call and destroys the
 * context (jt_destroy / je_destroy), the cleanup the classic
 * "setjmp -> jpeg_destroy_*" pattern performs. The instance stays usable.
 */
#ifndef JT_SHIM_H
#define JT_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jpeglib.h"
#include "jerror.h"

#define EXPORT __attribute__((visibility("default"), used))

/* Implemented by the TS wrapper: throws an Error carrying the message. Never
 * returns. */
__attribute__((import_module("env"), import_name("jt_throw"))) void
jt_throw(const char *msg, int code);

/* Throws `msg` (a buffer of JMSG_LENGTH_MAX bytes) with the current libjpeg
 * message code. With `format` set, libjpeg's message is formatted into it
 * first; otherwise the caller has already written its own text there. */
static inline __attribute__((noreturn)) void
jt_throw_message(j_common_ptr cinfo, char *msg, int format) {
  if (format) (*cinfo->err->format_message)(cinfo, msg);
  jt_throw(msg, cinfo->err->msg_code);
  __builtin_trap(); /* unreachable: jt_throw always throws */
}

/* output_message hook: libjpeg's default prints to stderr; we print nothing. */
static inline void jt_output_message(j_common_ptr cinfo) { (void)cinfo; }

#endif
