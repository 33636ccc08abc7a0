/*
 * edgepix: C shim around libwebp 1.2.4, compiled to a standalone WebAssembly
 * module (no emscripten JS glue). See README.md next to this file.
 *
 * Decoding streams rows instead of filling a full-size RGBA buffer:
 *
 *   d = wp_dec_new(len)             context + input buffer
 *   memcpy(wp_dec_input(d), webp, len)
 *   wp_dec_header(d)                WebPGetFeatures + WebPParseHeaders, fills
 *                                   wp_dec_info(d); refuses animations
 *   wp_dec_run(d, factor)           decodes; finished RGBA rows of the output
 *                                   (size ceil(w / factor) x ceil(h / factor))
 *                                   are handed to the imported env.wp_rows
 *   wp_dec_destroy(d)               frees everything (also after a throw)
 *
 * Lossy (VP8): libwebp's internal frame decoder (VP8New / VP8GetHeaders /
 * VP8Decode) with our own VP8Io setup/put hooks. Each put delivers a band of
 * macroblock rows as YUV 4:2:0 (+ alpha rows from the ALPH chunk); we
 * upsample chroma with libwebp's own "fancy" line-pair upsampler
 * (WebPUpsamplers[MODE_RGBA], the one WebPDecodeRGBA uses, keeping one row
 * back exactly as io_dec.c's EmitFancyRGB does), so full-size output is what
 * WebPDecodeRGBA gives. Memory follows the width: a few rows of YUV cache,
 * our band, the shrink sums. The one full-size buffer left is libwebp's own
 * alpha plane (width * height bytes) when the file has an ALPH chunk.
 *
 * Lossless (VP8L): libwebp's VP8L decoder (VP8LNew / VP8LDecodeHeader /
 * VP8LDecodeImage) has no put hook, but it passes each finished row through
 * the dsp pointer WebPConvertARGBToY when asked for YUV output; we point that
 * at our row function for the decode (see run_lossless). The decoder keeps
 * the whole ARGB image (4 B/pixel) for its backward references; we add no
 * full-size buffer of our own.
 *
 * Shrink-on-load: an integer box filter, alpha-weighted (a transparent
 * pixel's colour does not bleed into its neighbours), computed while rows
 * arrive: one row of 64-bit sums per output row.
 *
 * Encoding: rows of RGBA go straight into a YUV 4:2:0 (+A) WebPPicture, a row
 * pair at a time, with libwebp's VP8RGBToY/U/V (chroma from the alpha-
 * weighted mean of each 2x2 block, as libwebp's own importer does, but
 * without its gamma-compressed averaging); wp_enc_finish runs WebPEncode into
 * a WebPMemoryWriter.
 *
 * Errors: no setjmp/longjmp. Failures call the imported env.wp_throw(msg,
 * status), which throws a JS exception through the wasm frames; the wrapper
 * restores the shadow stack pointer and calls the *_destroy function.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/dec/vp8i_dec.h"
#include "src/dec/vp8li_dec.h"
#include "src/dec/webpi_dec.h"
#include "src/dsp/dsp.h"
#include "src/dsp/yuv.h"
#include "src/enc/vp8i_enc.h"
#include "src/webp/decode.h"
#include "src/webp/encode.h"

#define EXPORT __attribute__((visibility("default"), used))

/* Implemented by the TS wrapper: throws a WebpError carrying the message and
 * libwebp's status. Never returns. */
__attribute__((import_module("env"), import_name("wp_throw"))) void
wp_throw(const char *msg, int status);

/* Implemented by the TS wrapper: `count` finished RGBA rows (stride
 * out_width * 4) start at `rows`; forwarded synchronously to the sink. May
 * re-enter this module (an encoder sink) and may grow the memory. */
__attribute__((import_module("env"), import_name("wp_rows"))) void
wp_rows(const uint8_t *rows, int count);

/* Statuses of our own, after libwebp's VP8StatusCode values (0..7). */
#define WP_STATUS_BAD_ROWS 100     /* encoder fed the wrong number of rows */
#define WP_STATUS_ANIMATED 101     /* animated files are refused           */

static const char *const kStatusNames[] = {
    "OK", "OUT_OF_MEMORY", "INVALID_PARAM", "BITSTREAM_ERROR",
    "UNSUPPORTED_FEATURE", "SUSPENDED", "USER_ABORT", "NOT_ENOUGH_DATA"};

static const char *const kEncErrorNames[] = {
    "OK", "OUT_OF_MEMORY", "BITSTREAM_OUT_OF_MEMORY", "NULL_PARAMETER",
    "INVALID_CONFIGURATION", "BAD_DIMENSION", "PARTITION0_OVERFLOW",
    "PARTITION_OVERFLOW", "BAD_WRITE", "FILE_TOO_BIG", "USER_ABORT"};

static char g_msg[256];

static void fail(const char *what, int status, const char *detail) {
  const char *name = (status >= 0 && status < 8) ? kStatusNames[status] : "ERROR";
  if (detail && detail[0])
    snprintf(g_msg, sizeof(g_msg), "%s: %s (%s)", what, name, detail);
  else
    snprintf(g_msg, sizeof(g_msg), "%s: %s", what, name);
  wp_throw(g_msg, status);
  __builtin_trap(); /* unreachable: wp_throw always throws */
}

EXPORT void *wp_malloc(size_t n) { return malloc(n ? n : 1); }
EXPORT void wp_free(void *p) { free(p); }

/* ======================================================================= */
/* Decoder                                                                 */
/* ======================================================================= */

/* Info block shared with JS: one Int32Array view, fixed layout. */
enum {
  INFO_WIDTH = 0,
  INFO_HEIGHT,
  INFO_HAS_ALPHA,  /* header says alpha may be present                    */
  INFO_LOSSLESS,   /* VP8L                                                */
  INFO_OUT_WIDTH,  /* after wp_dec_run starts                             */
  INFO_OUT_HEIGHT,
  INFO_FACTOR,
  INFO_ROWS_OUT,   /* output rows handed to wp_rows so far                */
  INFO_COUNT
};

/* Output rows buffered before wp_rows is called (or a put ends). */
#define BAND_ROWS_FULL 32
#define BAND_ROWS_SHRUNK 16

typedef struct {
  uint8_t *input;
  size_t input_len;
  int32_t info[INFO_COUNT];
  WebPHeaderStructure headers;
  int width, height, has_alpha, lossless;

  /* output */
  int factor, out_w, out_h;
  size_t in_stride, out_stride;  /* width * 4, out_w * 4                   */
  uint8_t *band;                 /* finished output rows                   */
  int band_cap, band_rows;
  uint8_t *line;                 /* 2 source rows (factor > 1)             */
  uint64_t *sums;                /* out_w * 4: sum(c * a) x3, sum(a)       */
  int src_y;                     /* source rows consumed                   */
  int box_rows;                  /* source rows in the current output row  */

  /* lossy */
  VP8Decoder *dec;
  VP8Io io;
  uint8_t *tmp;                  /* held-back row: y, u, v, a              */
  uint8_t *tmp_y, *tmp_u, *tmp_v, *tmp_a;

  /* lossless */
  VP8LDecoder *vp8l;
  int hooked;                    /* our VP8L row hooks are installed       */
  void (*prev_to_y)(const uint32_t *, uint8_t *, int);
  void (*prev_to_uv)(const uint32_t *, uint8_t *, uint8_t *, int, int);
  void *prev_vp8l;
} wp_dec;

EXPORT wp_dec *wp_dec_new(size_t input_len) {
  wp_dec *d = (wp_dec *)calloc(1, sizeof(wp_dec));
  if (!d) return NULL;
  d->input = (uint8_t *)malloc(input_len ? input_len : 1);
  if (!d->input) {
    free(d);
    return NULL;
  }
  d->input_len = input_len;
  return d;
}

EXPORT uint8_t *wp_dec_input(wp_dec *d) { return d->input; }
EXPORT int32_t *wp_dec_info(wp_dec *d) { return d->info; }

static void vp8l_unhook(wp_dec *d);

EXPORT void wp_dec_destroy(wp_dec *d) {
  if (!d) return;
  vp8l_unhook(d);
  if (d->dec) VP8Delete(d->dec); /* also frees libwebp's alpha plane */
  if (d->vp8l) VP8LDelete(d->vp8l);
  free(d->tmp);
  free(d->band);
  free(d->line);
  free(d->sums);
  free(d->input);
  free(d);
}

/* Header facts, no pixel decode. Throws on anything we cannot decode. */
EXPORT int wp_dec_header(wp_dec *d) {
  WebPBitstreamFeatures f;
  VP8StatusCode st = WebPGetFeatures(d->input, d->input_len, &f);
  if (st != VP8_STATUS_OK) fail("webp: bad header", st, NULL);
  if (f.has_animation) {
    snprintf(g_msg, sizeof(g_msg),
             "webp: animated WebP is not supported (UNSUPPORTED_FEATURE)");
    wp_throw(g_msg, WP_STATUS_ANIMATED);
  }
  memset(&d->headers, 0, sizeof(d->headers));
  d->headers.data = d->input;
  d->headers.data_size = d->input_len;
  d->headers.have_all_data = 1;
  st = WebPParseHeaders(&d->headers);
  if (st != VP8_STATUS_OK) fail("webp: bad header", st, NULL);
  d->width = f.width;
  d->height = f.height;
  d->has_alpha = f.has_alpha ? 1 : 0;
  d->lossless = d->headers.is_lossless ? 1 : 0;
  d->info[INFO_WIDTH] = d->width;
  d->info[INFO_HEIGHT] = d->height;
  d->info[INFO_HAS_ALPHA] = d->has_alpha;
  d->info[INFO_LOSSLESS] = d->lossless;
  return 1;
}

/* ---- output: band of finished rows, optional box shrink --------------- */

static void flush(wp_dec *d) {
  if (d->band_rows == 0) return;
  int n = d->band_rows;
  d->band_rows = 0;
  d->info[INFO_ROWS_OUT] += n;
  wp_rows(d->band, n);
}

/* Room for n more rows in the band. */
static uint8_t *band_reserve(wp_dec *d, int n) {
  if (d->band_rows + n > d->band_cap) flush(d);
  return d->band + (size_t)d->band_rows * d->out_stride;
}

/* Where the next n (1 or 2) source rows of RGBA must be written. */
static uint8_t *src_slots(wp_dec *d, int n) {
  return d->factor == 1 ? band_reserve(d, n) : d->line;
}

/* Adds one source row to the current output row's sums. */
static void accumulate(wp_dec *d, const uint8_t *row) {
  const int f = d->factor, w = d->width;
  uint64_t *s = d->sums;
  int x = 0;
  if (d->has_alpha) {
    for (int ox = 0; ox < d->out_w; ox++, s += 4) {
      const int end = x + f < w ? x + f : w;
      uint32_t r = 0, g = 0, b = 0, a = 0;
      for (const uint8_t *p = row + (size_t)x * 4; x < end; x++, p += 4) {
        const uint32_t pa = p[3];
        r += p[0] * pa;
        g += p[1] * pa;
        b += p[2] * pa;
        a += pa;
      }
      s[0] += r; s[1] += g; s[2] += b; s[3] += a;
    }
  } else {
    for (int ox = 0; ox < d->out_w; ox++, s += 4) {
      const int end = x + f < w ? x + f : w;
      uint32_t r = 0, g = 0, b = 0;
      for (const uint8_t *p = row + (size_t)x * 4; x < end; x++, p += 4) {
        r += p[0];
        g += p[1];
        b += p[2];
      }
      s[0] += r; s[1] += g; s[2] += b;
    }
  }
}

/* Writes the current output row from the sums and resets them. */
static void finish_output_row(wp_dec *d) {
  const int f = d->factor, w = d->width;
  uint8_t *o = band_reserve(d, 1);
  uint64_t *s = d->sums;
  for (int ox = 0; ox < d->out_w; ox++, s += 4, o += 4) {
    const int cols = (ox + 1) * f <= w ? f : w - ox * f;
    const uint64_t count = (uint64_t)cols * (uint64_t)d->box_rows;
    if (d->has_alpha) {
      const uint64_t a = s[3];
      if (a > 0) {
        /* alpha-weighted mean: sum(c * a) / sum(a), rounded */
        o[0] = (uint8_t)((s[0] + a / 2) / a);
        o[1] = (uint8_t)((s[1] + a / 2) / a);
        o[2] = (uint8_t)((s[2] + a / 2) / a);
      } else {
        o[0] = o[1] = o[2] = 0;
      }
      o[3] = (uint8_t)((a + count / 2) / count);
    } else {
      o[0] = (uint8_t)((s[0] + count / 2) / count);
      o[1] = (uint8_t)((s[1] + count / 2) / count);
      o[2] = (uint8_t)((s[2] + count / 2) / count);
      o[3] = 255;
    }
  }
  memset(d->sums, 0, (size_t)d->out_w * 4 * sizeof(*d->sums));
  d->box_rows = 0;
  d->band_rows++;
}

/* The n rows written at src_slots(d, n) are complete. */
static void src_commit(wp_dec *d, int n) {
  if (d->factor == 1) {
    d->band_rows += n;
    d->src_y += n;
    return;
  }
  for (int i = 0; i < n; i++) {
    accumulate(d, d->line + (size_t)i * d->in_stride);
    d->src_y++;
    d->box_rows++;
    if (d->box_rows == d->factor || d->src_y == d->height) finish_output_row(d);
  }
}

static void init_output(wp_dec *d, int factor) {
  if (factor < 1) factor = 1;
  if (factor > d->width && factor > d->height)
    factor = d->width > d->height ? d->width : d->height;
  d->factor = factor;
  d->out_w = (d->width + factor - 1) / factor;
  d->out_h = (d->height + factor - 1) / factor;
  d->in_stride = (size_t)d->width * 4;
  d->out_stride = (size_t)d->out_w * 4;
  d->band_cap = factor == 1 ? BAND_ROWS_FULL : BAND_ROWS_SHRUNK;
  d->band = (uint8_t *)malloc((size_t)d->band_cap * d->out_stride);
  if (factor > 1) {
    d->line = (uint8_t *)malloc(2 * d->in_stride);
    d->sums = (uint64_t *)calloc((size_t)d->out_w * 4, sizeof(uint64_t));
  }
  if (!d->band || (factor > 1 && (!d->line || !d->sums)))
    fail("webp: output buffers", VP8_STATUS_OUT_OF_MEMORY, NULL);
  d->info[INFO_OUT_WIDTH] = d->out_w;
  d->info[INFO_OUT_HEIGHT] = d->out_h;
  d->info[INFO_FACTOR] = factor;
}

/* ---- lossy: VP8Io hooks ------------------------------------------------ */

static int io_setup(VP8Io *io) {
  wp_dec *d = (wp_dec *)io->opaque;
  const int w = io->width, uv_w = (w + 1) >> 1;
  io->fancy_upsampling = 1; /* informative only: our put upsamples */
  d->tmp = (uint8_t *)malloc((size_t)2 * w + 2 * uv_w);
  if (!d->tmp) return 0;
  d->tmp_y = d->tmp;
  d->tmp_a = d->tmp_y + w;
  d->tmp_u = d->tmp_a + w;
  d->tmp_v = d->tmp_u + uv_w;
  WebPInitUpsamplers();
  return 1;
}

static void io_teardown(const VP8Io *io) { (void)io; }

/* Straight alpha over the 0xff the upsampler wrote. */
static void set_alpha(uint8_t *rgba, const uint8_t *a, int w) {
  if (!a) return;
  for (int x = 0; x < w; x++) rgba[4 * x + 3] = a[x];
}

/*
 * One band of rows [y0, y1) of YUV 4:2:0. Like io_dec.c's EmitFancyRGB, the
 * fancy upsampler works on line pairs straddling chroma rows, so the band's
 * last row is held back (tmp_*) until the next band brings the chroma row
 * below it; the picture's last row is finished with mirrored chroma.
 */
static int io_put(const VP8Io *io) {
  wp_dec *d = (wp_dec *)io->opaque;
  const WebPUpsampleLinePairFunc upsample = WebPUpsamplers[MODE_RGBA];
  const int w = io->mb_w, uv_w = (w + 1) >> 1;
  const int y0 = io->mb_y, y1 = io->mb_y + io->mb_h;
  const uint8_t *cur_y = io->y, *cur_u = io->u, *cur_v = io->v;
  const uint8_t *top_u, *top_v;
  const uint8_t *alpha = io->a; /* row y0, stride io->width, or NULL */
#define ALPHA_ROW(r) (alpha ? alpha + (size_t)((r) - y0) * io->width : NULL)
  uint8_t *o;
  int y = y0;
  if (w <= 0 || io->mb_h <= 0) return 0;

  if (y0 == 0) {
    o = src_slots(d, 1);
    upsample(cur_y, NULL, cur_u, cur_v, cur_u, cur_v, o, NULL, w);
    set_alpha(o, ALPHA_ROW(0), w);
    src_commit(d, 1);
  } else {
    /* finish the held-back row y0 - 1, together with row y0 */
    o = src_slots(d, 2);
    upsample(d->tmp_y, cur_y, d->tmp_u, d->tmp_v, cur_u, cur_v, o,
             o + d->in_stride, w);
    set_alpha(o, alpha ? d->tmp_a : NULL, w);
    set_alpha(o + d->in_stride, ALPHA_ROW(y0), w);
    src_commit(d, 2);
  }
  for (; y + 2 < y1; y += 2) {
    top_u = cur_u;
    top_v = cur_v;
    cur_u += io->uv_stride;
    cur_v += io->uv_stride;
    cur_y += 2 * io->y_stride;
    o = src_slots(d, 2);
    upsample(cur_y - io->y_stride, cur_y, top_u, top_v, cur_u, cur_v, o,
             o + d->in_stride, w);
    set_alpha(o, ALPHA_ROW(y + 1), w);
    set_alpha(o + d->in_stride, ALPHA_ROW(y + 2), w);
    src_commit(d, 2);
  }
  cur_y += io->y_stride; /* row y + 1 */
  if (io->crop_top + y1 < io->crop_bottom) {
    memcpy(d->tmp_y, cur_y, (size_t)w);
    memcpy(d->tmp_u, cur_u, (size_t)uv_w);
    memcpy(d->tmp_v, cur_v, (size_t)uv_w);
    if (alpha) memcpy(d->tmp_a, ALPHA_ROW(y + 1), (size_t)w);
  } else if (!(y1 & 1)) {
    /* last row of an even-height picture */
    o = src_slots(d, 1);
    upsample(cur_y, NULL, cur_u, cur_v, cur_u, cur_v, o, NULL, w);
    set_alpha(o, ALPHA_ROW(y + 1), w);
    src_commit(d, 1);
  }
#undef ALPHA_ROW
  /* hand out what is finished now, so rows stream as macroblocks do */
  if (d->factor == 1 || d->band_rows >= d->band_cap / 2) flush(d);
  return 1;
}

static void run_lossy(wp_dec *d) {
  VP8Io *io = &d->io;
  VP8InitIo(io);
  io->data = d->input + d->headers.offset;
  io->data_size = d->input_len - d->headers.offset;
  io->setup = io_setup;
  io->put = io_put;
  io->teardown = io_teardown;
  io->opaque = d;
  d->dec = VP8New();
  if (!d->dec) fail("webp: decoder", VP8_STATUS_OUT_OF_MEMORY, NULL);
  d->dec->alpha_data_ = d->headers.alpha_data;
  d->dec->alpha_data_size_ = d->headers.alpha_data_size;
  if (!VP8GetHeaders(d->dec, io))
    fail("webp: VP8 header", d->dec->status_, d->dec->error_msg_);
  if (io->width != d->width || io->height != d->height)
    fail("webp: VP8 frame size differs from the container's",
         VP8_STATUS_BITSTREAM_ERROR, NULL);
  if (!VP8Decode(d->dec, io))
    fail("webp: VP8 decode", d->dec->status_, d->dec->error_msg_);
  if (d->src_y != d->height)
    fail("webp: VP8 decode stopped early", VP8_STATUS_NOT_ENOUGH_DATA, NULL);
  VP8Delete(d->dec);
  d->dec = NULL;
}

/*
 * Lossless rows. VP8L has no put hook, but its decoder hands every finished
 * row (inverse transforms applied) to ConvertToYUVA when the output is a YUV
 * buffer, which calls the dsp function pointers WebPConvertARGBToY/UV. We
 * point those at our own functions for the duration of the decode: Y gets the
 * ARGB row (and ignores its destination), UV does nothing, so the YUV output
 * buffer is never written (its planes are one dummy byte with stride 0).
 * Only VP8L's YUV output path uses these pointers (not the encoder), and they
 * are put back when the decode ends or the context is destroyed after a
 * throw. The decoder itself still keeps the whole ARGB image (4 B/pixel)
 * for its backward references; our side needs only rows.
 */
static wp_dec *g_vp8l = NULL; /* the decode receiving VP8L rows */

static void vp8l_row(const uint32_t *argb, uint8_t *unused, int width) {
  wp_dec *d = g_vp8l;
  uint8_t *o = src_slots(d, 1);
  (void)unused;
  for (int x = 0; x < width; x++, o += 4) {
    const uint32_t p = argb[x];
    o[0] = (uint8_t)(p >> 16);
    o[1] = (uint8_t)(p >> 8);
    o[2] = (uint8_t)p;
    o[3] = (uint8_t)(p >> 24);
  }
  src_commit(d, 1);
}

static void vp8l_uv(const uint32_t *argb, uint8_t *u, uint8_t *v, int width,
                    int do_store) {
  (void)argb; (void)u; (void)v; (void)width; (void)do_store;
}

static void vp8l_unhook(wp_dec *d) {
  if (!d->hooked) return;
  WebPConvertARGBToY = d->prev_to_y;
  WebPConvertARGBToUV = d->prev_to_uv;
  g_vp8l = d->prev_vp8l;
  d->hooked = 0;
}

static void run_lossless(wp_dec *d) {
  WebPDecParams params;
  WebPDecBuffer out;
  VP8Io *io = &d->io;
  static uint8_t dummy[1];
  WebPInitConvertARGBToYUV(); /* once; VP8LDecodeImage's call is then a no-op */
  memset(&out, 0, sizeof(out));
  out.colorspace = MODE_YUV;
  out.width = d->width;
  out.height = d->height;
  out.is_external_memory = 1;
  out.u.YUVA.y = out.u.YUVA.u = out.u.YUVA.v = dummy;
  out.u.YUVA.a = NULL;
  WebPResetDecParams(&params);
  params.output = &out;
  VP8InitIo(io);
  io->data = d->input + d->headers.offset;
  io->data_size = d->input_len - d->headers.offset;
  WebPInitCustomIo(&params, io);
  d->vp8l = VP8LNew();
  if (!d->vp8l) fail("webp: decoder", VP8_STATUS_OUT_OF_MEMORY, NULL);
  if (!VP8LDecodeHeader(d->vp8l, io))
    fail("webp: VP8L header", d->vp8l->status_, NULL);
  if (io->width != d->width || io->height != d->height)
    fail("webp: VP8L image size differs from the container's",
         VP8_STATUS_BITSTREAM_ERROR, NULL);
  /* VP8L's alpha_is_used bit is only a hint: shrink alpha-weighted always */
  d->has_alpha = 1;
  d->prev_to_y = WebPConvertARGBToY;
  d->prev_to_uv = WebPConvertARGBToUV;
  d->prev_vp8l = g_vp8l;
  d->hooked = 1;
  WebPConvertARGBToY = vp8l_row;
  WebPConvertARGBToUV = vp8l_uv;
  g_vp8l = d;
  const int ok = VP8LDecodeImage(d->vp8l);
  vp8l_unhook(d);
  if (!ok) fail("webp: VP8L decode", d->vp8l->status_, NULL);
  if (d->src_y != d->height)
    fail("webp: VP8L decode stopped early", VP8_STATUS_NOT_ENOUGH_DATA, NULL);
  VP8LDelete(d->vp8l);
  d->vp8l = NULL;
}

/* Decodes at 1/factor (box shrink), streaming rows to env.wp_rows. */
EXPORT int wp_dec_run(wp_dec *d, int factor) {
  init_output(d, factor);
  if (d->lossless) {
    run_lossless(d);
  } else {
    run_lossy(d);
  }
  flush(d);
  return 1;
}

/* ======================================================================= */
/* Encoder                                                                 */
/* ======================================================================= */

typedef struct {
  WebPConfig config;
  WebPPicture pic;
  WebPMemoryWriter writer;
  int width, height, has_alpha;
  int y;              /* source rows received (in this pass)               */
  uint8_t *pending;   /* an odd row waiting for its pair                    */
  int has_pending;
  uint8_t *stage;     /* JS copies rows here when they are not in our heap  */
  int stage_rows;
  /* Streamed (wp_enc_new's `streamed`): the planes hold one macroblock row,
   * from picture row `origin`, and the pixel row above it; libwebp analyses
   * the picture in a first pass of the rows and codes it in the next. */
  VP8Encoder *stream;
  int origin;
  int coding;         /* the analysis is done: rows go to the token loop    */
  int coded;          /* the token loop needs no more passes                */
  uint8_t *band;      /* the planes' memory when streamed                   */
} wp_enc;

/* Picture rows a streamed encoder's planes hold: one macroblock row. */
#define MB_ROWS 16

#define ENC_STAGE_BYTES (256 * 1024)

/* Points the picture's planes at a band of one macroblock row plus the row
 * above it (which the analysis reads at the top of each macroblock row). */
static int alloc_band(wp_enc *e) {
  WebPPicture *pic = &e->pic;
  const int uv_width = (e->width + 1) >> 1;
  const size_t y_bytes = (size_t)e->width * (MB_ROWS + 1);
  const size_t uv_bytes = (size_t)uv_width * (MB_ROWS / 2 + 1);
  e->band = (uint8_t *)calloc(1, y_bytes + 2 * uv_bytes);
  if (!e->band) return 0;
  pic->y_stride = e->width;
  pic->uv_stride = uv_width;
  pic->y = e->band + pic->y_stride;
  pic->u = e->band + y_bytes + pic->uv_stride;
  pic->v = e->band + y_bytes + uv_bytes + pic->uv_stride;
  return 1;
}

/* `streamed` (opaque pictures with the token buffer only): the rows come
 * twice or more, see wp_enc_end_pass, and only a macroblock row is held. */
EXPORT wp_enc *wp_enc_new(int width, int height, int has_alpha, float quality,
                          int method, int low_memory, int streamed) {
  wp_enc *e = (wp_enc *)calloc(1, sizeof(wp_enc));
  if (!e) return NULL;
  WebPMemoryWriterInit(&e->writer);
  if (!WebPPictureInit(&e->pic) || !WebPConfigInit(&e->config)) {
    free(e);
    return NULL;
  }
  e->width = width;
  e->height = height;
  e->has_alpha = has_alpha ? 1 : 0;
  e->config.quality = quality;
  e->config.method = method;
  e->config.low_memory = low_memory ? 1 : 0;
  e->config.use_sharp_yuv = 0;
  e->config.thread_level = 0;
  if (!WebPValidateConfig(&e->config)) {
    free(e);
    return NULL;
  }
  e->pic.width = width;
  e->pic.height = height;
  e->pic.use_argb = 0;
  e->pic.colorspace = e->has_alpha ? WEBP_YUV420A : WEBP_YUV420;
  const size_t stride = (size_t)width * 4;
  e->stage_rows = (int)(ENC_STAGE_BYTES / stride);
  if (e->stage_rows < 2) e->stage_rows = 2;
  e->pending = (uint8_t *)malloc(stride);
  e->stage = (uint8_t *)malloc((size_t)e->stage_rows * stride);
  e->pic.writer = WebPMemoryWrite;
  e->pic.custom_ptr = &e->writer;
  /* Streamed, no alpha plane is allocated (its coder needs it whole), and
   * WebPEncodeRowsBegin refuses low_memory (it has no token buffer). */
  const int planes = streamed ? !e->has_alpha && alloc_band(e) &&
                                    (e->stream = WebPEncodeRowsBegin(
                                         &e->config, &e->pic)) != NULL
                              : WebPPictureAlloc(&e->pic);
  if (!e->pending || !e->stage || !planes) {
    WebPPictureFree(&e->pic);
    free(e->band);
    free(e->pending);
    free(e->stage);
    free(e);
    return NULL;
  }
  return e;
}

EXPORT uint8_t *wp_enc_stage(wp_enc *e) { return e->stage; }
EXPORT int wp_enc_stage_rows(wp_enc *e) { return e->stage_rows; }

EXPORT void wp_enc_destroy(wp_enc *e) {
  if (!e) return;
  WebPEncodeRowsAbort(e->stream);
  if (e->band) {
    WebPPictureInit(&e->pic); /* the planes are the band, not libwebp's */
    free(e->band);
  }
  WebPPictureFree(&e->pic);
  WebPMemoryWriterClear(&e->writer);
  free(e->pending);
  free(e->stage);
  free(e);
}

/* Picture rows y (from r0) and y + 1 (from r1, or none when r1 == NULL: the
 * last row of an odd-height picture, whose chroma then comes from it alone). */
static void convert_pair(wp_enc *e, const uint8_t *r0, const uint8_t *r1) {
  WebPPicture *pic = &e->pic;
  const int w = e->width, y = e->y - e->origin;
  const int two = r1 != NULL;
  const uint8_t *rb = two ? r1 : r0;
  uint8_t *y0 = pic->y + (size_t)y * pic->y_stride;
  uint8_t *y1 = y0 + pic->y_stride;
  uint8_t *u = pic->u + (size_t)(y >> 1) * pic->uv_stride;
  uint8_t *v = pic->v + (size_t)(y >> 1) * pic->uv_stride;
  for (int x = 0; x < w; x++) {
    const uint8_t *p = r0 + 4 * x;
    y0[x] = (uint8_t)VP8RGBToY(p[0], p[1], p[2], YUV_HALF);
  }
  if (two)
    for (int x = 0; x < w; x++) {
      const uint8_t *p = r1 + 4 * x;
      y1[x] = (uint8_t)VP8RGBToY(p[0], p[1], p[2], YUV_HALF);
    }
  if (e->has_alpha) {
    uint8_t *a0 = pic->a + (size_t)y * pic->a_stride;
    for (int x = 0; x < w; x++) a0[x] = r0[4 * x + 3];
    if (two) {
      uint8_t *a1 = a0 + pic->a_stride;
      for (int x = 0; x < w; x++) a1[x] = r1[4 * x + 3];
    }
  }
  for (int ux = 0, x = 0; x < w; ux++, x += 2) {
    const int x1 = x + 1 < w ? x + 1 : x; /* odd width: repeat the column */
    const uint8_t *p[4] = {r0 + 4 * x, r0 + 4 * x1, rb + 4 * x, rb + 4 * x1};
    int r = 0, g = 0, b = 0;
    const int a = p[0][3] + p[1][3] + p[2][3] + p[3][3];
    if (!e->has_alpha || a == 4 * 255 || a == 0) {
      for (int k = 0; k < 4; k++) {
        r += p[k][0];
        g += p[k][1];
        b += p[k][2];
      }
    } else {
      /* 4 x the alpha-weighted mean, so hidden colours do not bleed */
      int wr = 0, wg = 0, wb = 0;
      for (int k = 0; k < 4; k++) {
        wr += p[k][0] * p[k][3];
        wg += p[k][1] * p[k][3];
        wb += p[k][2] * p[k][3];
      }
      r = (4 * wr + a / 2) / a;
      g = (4 * wg + a / 2) / a;
      b = (4 * wb + a / 2) / a;
    }
    u[ux] = (uint8_t)VP8RGBToU(r, g, b, YUV_HALF << 2);
    v[ux] = (uint8_t)VP8RGBToV(r, g, b, YUV_HALF << 2);
  }
  e->y += two ? 2 : 1;
}

static void enc_fail(wp_enc *e, const char *what) {
  const int code = e->pic.error_code;
  snprintf(g_msg, sizeof(g_msg), "webp: %s failed: %s", what,
           (code >= 0 && code < (int)(sizeof(kEncErrorNames) /
                                      sizeof(kEncErrorNames[0])))
               ? kEncErrorNames[code]
               : "ERROR");
  wp_throw(g_msg, 200 + code);
}

/* A streamed encoder's band holds a macroblock row (or the picture's last,
 * partial one): it goes to the analysis or the token loop, and its last
 * pixel row becomes the row above the next. */
static void code_band(wp_enc *e) {
  WebPPicture *pic = &e->pic;
  const int ok = e->coding ? VP8EncTokenLoopRow(e->stream)
                           : VP8EncAnalyzeRow(e->stream);
  if (!ok) enc_fail(e, e->coding ? "the token loop" : "the analysis");
  memcpy(pic->y - pic->y_stride, pic->y + (MB_ROWS - 1) * pic->y_stride,
         pic->y_stride);
  memcpy(pic->u - pic->uv_stride, pic->u + (MB_ROWS / 2 - 1) * pic->uv_stride,
         pic->uv_stride);
  memcpy(pic->v - pic->uv_stride, pic->v + (MB_ROWS / 2 - 1) * pic->uv_stride,
         pic->uv_stride);
  e->origin += MB_ROWS;
  e->stream->src_mb_y_ = e->origin / MB_ROWS;
}

static void convert(wp_enc *e, const uint8_t *r0, const uint8_t *r1) {
  convert_pair(e, r0, r1);
  if (e->stream && e->y - e->origin == MB_ROWS) code_band(e);
}

/* count RGBA rows (stride width * 4) at src, top to bottom. */
EXPORT int wp_enc_rows(wp_enc *e, const uint8_t *src, int count) {
  const size_t stride = (size_t)e->width * 4;
  int i = 0;
  if (count <= 0) return 1;
  if (e->y + e->has_pending + count > e->height) {
    snprintf(g_msg, sizeof(g_msg), "webp: encoder got more than %d rows",
             e->height);
    wp_throw(g_msg, WP_STATUS_BAD_ROWS);
  }
  if (e->has_pending) {
    convert(e, e->pending, src);
    e->has_pending = 0;
    i = 1;
  }
  for (; i + 1 < count; i += 2)
    convert(e, src + (size_t)i * stride, src + (size_t)(i + 1) * stride);
  if (i < count) {
    memcpy(e->pending, src + (size_t)i * stride, stride);
    e->has_pending = 1;
  }
  return 1;
}

/* Every row of the picture came: the odd last one is converted alone. */
static void end_rows(wp_enc *e) {
  if (e->has_pending && e->y + 1 == e->height) {
    convert(e, e->pending, NULL);
    e->has_pending = 0;
  }
  if (e->y != e->height) {
    snprintf(g_msg, sizeof(g_msg), "webp: encoder got %d of %d rows", e->y,
             e->height);
    wp_throw(g_msg, WP_STATUS_BAD_ROWS);
  }
}

/* A streamed encoder's pass of the rows is over: 1 if it needs them all once
 * more (after the analysis; after a pass whose modes overflowed partition 0,
 * which libwebp then codes again), 0 when wp_enc_finish can write the file. */
EXPORT int wp_enc_end_pass(wp_enc *e) {
  if (!e->stream || e->coded) wp_throw("webp: no pass to end", WP_STATUS_BAD_ROWS);
  end_rows(e);
  if (e->y > e->origin) code_band(e);
  int again = 1;
  if (!e->coding) {
    if (!WebPEncodeRowsAnalysed(e->stream)) enc_fail(e, "the analysis");
    e->coding = 1;
  } else {
    const int next = VP8EncTokenLoopEndPass(e->stream);
    if (next == 0) enc_fail(e, "the token loop");
    again = next == 1;
    e->coded = !again;
  }
  e->y = 0;
  e->origin = 0;
  e->stream->src_mb_y_ = 0;
  return again;
}

/* WebPEncode; returns the file size, wp_enc_output() its bytes. */
EXPORT int wp_enc_finish(wp_enc *e) {
  free(e->stage);
  e->stage = NULL;
  if (e->stream) {
    if (!e->coded) wp_throw("webp: the rows need another pass", WP_STATUS_BAD_ROWS);
    VP8Encoder *enc = e->stream;
    e->stream = NULL;
    if (!WebPEncodeRowsEnd(enc)) enc_fail(e, "WebPEncode");
    return (int)e->writer.size;
  }
  end_rows(e);
  if (!WebPEncode(&e->config, &e->pic)) enc_fail(e, "WebPEncode");
  WebPPictureFree(&e->pic); /* the planes are no longer needed */
  return (int)e->writer.size;
}

EXPORT uint8_t *wp_enc_output(wp_enc *e) { return e->writer.mem; }
