/*
 * edgepix: JPEG encoder from RGBA rows, around libjpeg-turbo's compressor.
 * Linked into the same module as decoder.c (src/codecs/edgepix-codecs.wasm). See README.md.
 *
 * Driving model (all calls come from src/codecs/jpeg-turbo/encode.ts):
 *
 *   ctx = je_new(w, h, quality, progressive)   allocate (no libjpeg call yet)
 *   je_start(ctx)                      jpeg_create_compress, parameters,
 *                                      jpeg_start_compress
 *   je_write_rows(ctx, rgba, n)        n rows of RGBA (alpha ignored), repeat
 *   je_finish(ctx)                     jpeg_finish_compress; returns the
 *                                      pointer of the first pending output
 *                                      block, its length in je_info(ctx)
 *   je_destroy(ctx)                    free everything (also after an error)
 *
 * Output goes into a chain of heap blocks (64 KiB, doubling up to 1 MiB; no
 * realloc, so nothing is copied and no stale copy is left behind). After any
 * call JS copies the first pending block out (je_info: JE_OUT_PTR,
 * JE_OUT_LEN) and calls je_drain(ctx), which frees it and exposes the next,
 * until JE_OUT_LEN is 0. Drained after every je_write_rows, a baseline
 * encode keeps only a strip's worth of compressed data in the heap.
 *
 * je_new only allocates so that JS holds the context before libjpeg can
 * fail: after an error (thrown through env.jt_throw, see jt_shim.h) the
 * wrapper calls je_destroy(ctx).
 *
 * Modes, both 4:2:0 YCbCr, ISLOW DCT, jpeg_set_quality's tables:
 *   progressive = 1: jpeg_simple_progression + optimize_coding. libjpeg
 *     needs every coefficient of the image before its first scan and writes
 *     every byte of output in je_finish; the coefficients are kept packed
 *     (coefficient-store.c: ~0.4 bytes a pixel for a photo at q85, ~1.5 at
 *     q100, instead of 3).
 *   progressive = 0: baseline with the standard Huffman tables; no
 *     optimize_coding (its statistics pass would need the same buffer), so
 *     it truly streams: output is produced as rows are written.
 */
#include <stdlib.h>
#include <string.h>

#include "coefficient-store.h"
#include "jt_shim.h"

/* Info block shared with JS: one Int32Array view, fixed layout. */
enum {
  JE_OUT_PTR = 0, /* first output block not yet drained                    */
  JE_OUT_LEN,     /* bytes in it (0: nothing pending)                      */
  JE_ROWS,        /* next_scanline: rows accepted so far                   */
  JE_OUT_HELD,    /* bytes of output blocks currently allocated            */
  JE_BLOCKS,      /* output blocks allocated so far                        */
  JE_INFO_COUNT
};

/* Output block sizes: the first, and the largest the doubling reaches. */
#define JE_FIRST_BLOCK (64 * 1024)
#define JE_MAX_BLOCK (1024 * 1024)

typedef struct je_block {
  struct je_block *next;
  size_t size; /* capacity of data[] */
  size_t len;  /* bytes written, once the block is full (see je_len) */
  unsigned char data[];
} je_block;

typedef struct {
  /* cinfo must stay first: the error hook casts j_common_ptr back to us. */
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  struct jpeg_destination_mgr dest;
  int created; /* jpeg_create_compress done */
  int width, height, quality, progressive;
  cs_store coefficients; /* progressive: every coefficient, packed */
  je_block *head; /* oldest block not drained yet */
  je_block *tail; /* the block libjpeg is writing into */
  size_t held;    /* sum of the blocks' sizes */
  int32_t info[JE_INFO_COUNT];
  char msg[JMSG_LENGTH_MAX];
} je_ctx;

/* ---- errors ------------------------------------------------------------ */

static void je_error_exit(j_common_ptr cinfo) {
  jt_throw_message(cinfo, ((je_ctx *)cinfo)->msg, 1);
}

/* The compressor's only warnings are about the caller's own misuse (more
 * rows than the height, which the wrapper prevents): ignore them like trace
 * messages. */
static void je_emit_message(j_common_ptr cinfo, int msg_level) {
  (void)cinfo;
  (void)msg_level;
}

/* ---- destination manager: a chain of heap blocks --------------------- */

/* Appends an empty block of `size` bytes and points libjpeg at it. */
static void je_add_block(je_ctx *ctx, size_t size) {
  je_block *b = (je_block *)malloc(sizeof(je_block) + size);
  if (!b) ERREXIT1(&ctx->cinfo, JERR_OUT_OF_MEMORY, 20);
  b->next = NULL;
  b->size = size;
  b->len = 0;
  if (ctx->tail) ctx->tail->next = b;
  else ctx->head = b;
  ctx->tail = b;
  ctx->held += size;
  ctx->info[JE_BLOCKS]++;
  ctx->dest.next_output_byte = b->data;
  ctx->dest.free_in_buffer = size;
}

/* Bytes written into block b (the tail is still being filled). */
static size_t je_len(const je_ctx *ctx, const je_block *b) {
  return b == ctx->tail ? b->size - ctx->dest.free_in_buffer : b->len;
}

static void je_init_destination(j_compress_ptr cinfo) {
  je_ctx *ctx = (je_ctx *)cinfo;
  if (!ctx->tail) je_add_block(ctx, JE_FIRST_BLOCK);
}

/* The tail is full: keep it and go on in a new block twice its size. */
static boolean je_empty_output_buffer(j_compress_ptr cinfo) {
  je_ctx *ctx = (je_ctx *)cinfo;
  je_block *full = ctx->tail;
  full->len = full->size;
  je_add_block(ctx, full->size < JE_MAX_BLOCK ? full->size * 2 : JE_MAX_BLOCK);
  return TRUE;
}

static void je_term_destination(j_compress_ptr cinfo) { (void)cinfo; }

static void je_update_info(je_ctx *ctx) {
  ctx->info[JE_OUT_PTR] = ctx->head ? (int32_t)(uintptr_t)ctx->head->data : 0;
  ctx->info[JE_OUT_LEN] = ctx->head ? (int32_t)je_len(ctx, ctx->head) : 0;
  ctx->info[JE_ROWS] = ctx->created ? (int32_t)ctx->cinfo.next_scanline : 0;
  ctx->info[JE_OUT_HELD] = (int32_t)ctx->held;
}

/* ---- lifecycle --------------------------------------------------------- */

/* Allocates a context (0 on OOM). The wrapper has checked the arguments:
 * 1..65500 pixels each way, quality 1..100. */
EXPORT je_ctx *je_new(int width, int height, int quality, int progressive) {
  je_ctx *ctx = (je_ctx *)calloc(1, sizeof(je_ctx));
  if (!ctx) return NULL;
  ctx->width = width;
  ctx->height = height;
  ctx->quality = quality;
  ctx->progressive = progressive ? 1 : 0;
  return ctx;
}

EXPORT int32_t *je_info(je_ctx *ctx) { return ctx->info; }

EXPORT int je_start(je_ctx *ctx) {
  j_compress_ptr cinfo = &ctx->cinfo;
  cinfo->err = jpeg_std_error(&ctx->jerr);
  ctx->jerr.error_exit = je_error_exit;
  ctx->jerr.emit_message = je_emit_message;
  ctx->jerr.output_message = jt_output_message;
  /* mark first: jpeg_destroy copes with a half-created struct */
  ctx->created = 1;
  jpeg_create_compress(cinfo);
  cs_install(cinfo, &ctx->coefficients);

  ctx->dest.init_destination = je_init_destination;
  ctx->dest.empty_output_buffer = je_empty_output_buffer;
  ctx->dest.term_destination = je_term_destination;
  cinfo->dest = &ctx->dest;

  cinfo->image_width = (JDIMENSION)ctx->width;
  cinfo->image_height = (JDIMENSION)ctx->height;
  cinfo->input_components = 4;
  cinfo->in_color_space = JCS_EXT_RGBA; /* the 4th byte is skipped */
  /* YCbCr, 2x2 luma sampling (4:2:0), Huffman, JFIF header. */
  jpeg_set_defaults(cinfo);
  /* libjpeg's standard tables scaled for quality, clamped to 1..255. */
  jpeg_set_quality(cinfo, ctx->quality, TRUE);
  cinfo->dct_method = JDCT_ISLOW;
  if (ctx->progressive) {
    jpeg_simple_progression(cinfo);
    cinfo->optimize_coding = TRUE;
  } else {
    /* Optimal tables would need a statistics pass over a whole-image
     * coefficient buffer: keep the standard tables and stream. */
    cinfo->optimize_coding = FALSE;
  }
  jpeg_start_compress(cinfo, TRUE);
  je_update_info(ctx);
  return 1;
}

/* Writes up to `count` RGBA rows (stride width * 4) from `rgba`. Returns the
 * number of rows accepted (fewer only once the image is complete). */
EXPORT int je_write_rows(je_ctx *ctx, const unsigned char *rgba, int count) {
  j_compress_ptr cinfo = &ctx->cinfo;
  size_t stride = (size_t)cinfo->image_width * 4;
  JSAMPROW rows[16];
  int done = 0;
  while (done < count && cinfo->next_scanline < cinfo->image_height) {
    int want = count - done;
    if (want > 16) want = 16;
    for (int i = 0; i < want; i++)
      rows[i] = (JSAMPROW)(rgba + (size_t)(done + i) * stride);
    JDIMENSION got = jpeg_write_scanlines(cinfo, rows, (JDIMENSION)want);
    done += (int)got;
    if (got == 0) break; /* suspension cannot happen with this destination */
  }
  je_update_info(ctx);
  return done;
}

/* JS has copied the first pending block: free it (the tail, which libjpeg
 * is still writing into, is rewound instead) and expose the next one. */
EXPORT void je_drain(je_ctx *ctx) {
  je_block *b = ctx->head;
  if (!b) {
    /* nothing allocated yet */
  } else if (b == ctx->tail) {
    ctx->dest.next_output_byte = b->data;
    ctx->dest.free_in_buffer = b->size;
  } else {
    ctx->head = b->next;
    ctx->held -= b->size;
    free(b);
  }
  je_update_info(ctx);
}

/* Writes the rest (every scan, for progressive) and EOI. Returns the pointer
 * of the first pending block (info[JE_OUT_LEN] bytes; je_drain for more). */
EXPORT unsigned char *je_finish(je_ctx *ctx) {
  jpeg_finish_compress(&ctx->cinfo);
  cs_release(&ctx->coefficients);
  je_update_info(ctx);
  return ctx->head ? ctx->head->data : NULL;
}

EXPORT void je_destroy(je_ctx *ctx) {
  if (!ctx) return;
  if (ctx->created) jpeg_destroy_compress(&ctx->cinfo);
  cs_release(&ctx->coefficients);
  for (je_block *b = ctx->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  free(ctx);
}
