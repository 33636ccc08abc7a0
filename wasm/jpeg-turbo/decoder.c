/*
 * edgepix: tiny C shim around libjpeg-turbo's libjpeg API, compiled to a
 * standalone WebAssembly module (no emscripten JS glue). See README.md.
 *
 * Driving model (all calls come from src/codecs/jpeg-turbo/index.ts):
 *
 *   ctx = jt_new(len)                 allocate context + input buffer
 *   memcpy(jt_input(ctx), jpeg, len)  (JS copies the file into the heap once)
 *   jt_read_header(ctx, strict)       jpeg_read_header, fills jt_info(ctx)
 *   jt_pick_scale(ctx, minW, minH)    smallest DCT scale >= min size
 *   jt_start(ctx, denom, strict, mem, flags, bands)
 *                                     jpeg_start_decompress (+ progressive
 *                                     early stop, + banded coefficients,
 *                                     see jt_start)
 *   jt_read_rows(ctx, dst, n)         up to n RGBA rows into dst (repeat;
 *                                     starts the next band when needed)
 *   jt_finish(ctx)                    jpeg_finish_decompress (or abort after
 *                                     an early stop)
 *   jt_destroy(ctx)                   free everything (also after an error)
 *
 * Error handling: no setjmp/longjmp; the error hook throws to JS through
 * env.jt_throw (see jt_shim.h), the wrapper then calls jt_destroy(ctx).
 */
#include <stdlib.h>
#include <string.h>

#include "jt_shim.h"

/* Info block shared with JS: one Int32Array view, fixed layout. */
enum {
  INFO_WIDTH = 0,        /* image_width                                   */
  INFO_HEIGHT,           /* image_height                                  */
  INFO_PROGRESSIVE,      /* progressive_mode                              */
  INFO_COMPONENTS,       /* num_components                                */
  INFO_COLOR_SPACE,      /* jpeg_color_space (J_COLOR_SPACE enum)         */
  INFO_ADOBE,            /* saw_Adobe_marker                              */
  INFO_OUT_WIDTH,        /* output_width  (after jt_pick_scale/jt_start)  */
  INFO_OUT_HEIGHT,       /* output_height                                 */
  INFO_SCALE_DENOM,      /* scale_denom in use                            */
  INFO_WARNINGS,         /* number of libjpeg warnings so far             */
  INFO_FIRST_WARNING,    /* msg_code of the first warning, -1 if none     */
  INFO_OUTPUT_SCANLINE,  /* output_scanline                               */
  INFO_SCANS_READ,       /* progressive: scans consumed (decoded, or    */
                         /* stepped over for DC-only components), else 0 */
  INFO_EARLY_STOP,       /* 1 if trailing scans were skipped (not read)   */
  INFO_BANDS,            /* progressive: horizontal bands decoded (1 = whole image) */
  INFO_SAMPLING,         /* h, v sampling factors of components 0..3      */
  INFO_ARITH = INFO_SAMPLING + 8, /* arithmetic-coded                     */
  INFO_COUNT
};

typedef struct {
  /* cinfo must stay first: the error hooks cast j_common_ptr back to us. */
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr jerr;
  int created;         /* jpeg_create_decompress done                     */
  int strict;          /* corrupt-data warnings are fatal                 */
  int cmyk;            /* output is CMYK, converted to RGBA by us         */
  int inverted;        /* Adobe CMYK: stored inverted (Photoshop style)   */
  long max_mem;        /* cinfo->mem->max_memory_to_use (0 = unlimited)   */
  int buffered;        /* progressive file decoded in buffered-image mode */
  int early_stop;      /* ... and the trailing scans were never read      */
  int denom, flags;    /* jt_start arguments, kept for the next band      */
  int bands;           /* banded progressive decode: number of bands      */
  int band;            /* current band                                    */
  JDIMENSION band_out_end; /* first output row past the current band      */
  void *ckpt;          /* banded: one resume checkpoint per scan (patch)  */
  int nckpt;
  unsigned char *input;
  size_t input_len;
  int32_t info[INFO_COUNT];
  char msg[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];
} jt_ctx;

/* ---- error manager ----------------------------------------------------- */

static void jt_error_exit(j_common_ptr cinfo) {
  jt_ctx *ctx = (jt_ctx *)cinfo;
  if (cinfo->err->msg_code == JERR_NO_BACKING_STORE && ctx->max_mem > 0) {
    /* jmemnobs has no backing store: hitting max_memory_to_use ends here. */
    strcpy(ctx->msg, "Image needs more decoder memory than the maxMemory limit");
    jt_throw_message(cinfo, ctx->msg, 0);
  }
  jt_throw_message(cinfo, ctx->msg, 1);
}

/* Warnings that say nothing about pixel integrity: never fatal. */
static int jt_benign_warning(int code) {
  return code == JWRN_EXTRANEOUS_DATA || code == JWRN_JFIF_MAJOR ||
         code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC;
}

static void jt_emit_message(j_common_ptr cinfo, int msg_level) {
  jt_ctx *ctx = (jt_ctx *)cinfo;
  if (msg_level >= 0) return; /* trace messages: ignore */
  int code = cinfo->err->msg_code;
  cinfo->err->num_warnings++;
  ctx->info[INFO_WARNINGS] = (int32_t)cinfo->err->num_warnings;
  if (ctx->info[INFO_FIRST_WARNING] < 0) {
    ctx->info[INFO_FIRST_WARNING] = code;
    (*cinfo->err->format_message)(cinfo, ctx->warning);
  }
  /* Truncated file, bad Huffman code, ...: in strict mode turn the warning
   * into an error instead of silently returning grey/garbled pixels. */
  if (ctx->strict && !jt_benign_warning(code)) jt_error_exit(cinfo);
}

/* ---- lifecycle --------------------------------------------------------- */

EXPORT jt_ctx *jt_new(size_t input_len) {
  jt_ctx *ctx = (jt_ctx *)calloc(1, sizeof(jt_ctx));
  if (!ctx) return NULL;
  ctx->input = (unsigned char *)malloc(input_len ? input_len : 1);
  if (!ctx->input) {
    free(ctx);
    return NULL;
  }
  ctx->input_len = input_len;
  ctx->info[INFO_FIRST_WARNING] = -1;
  ctx->strict = 1;
  return ctx;
}

EXPORT unsigned char *jt_input(jt_ctx *ctx) { return ctx->input; }
EXPORT int32_t *jt_info(jt_ctx *ctx) { return ctx->info; }
EXPORT const char *jt_warning(jt_ctx *ctx) { return ctx->warning; }

EXPORT void jt_destroy(jt_ctx *ctx) {
  if (!ctx) return;
  if (ctx->created) jpeg_destroy_decompress(&ctx->cinfo);
  free(ctx->ckpt);
  free(ctx->input);
  free(ctx);
}

/* jpeg_read_header only: no pixel decode. Returns 1 (errors throw). */
EXPORT int jt_read_header(jt_ctx *ctx, int strict) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  ctx->strict = strict;
  cinfo->err = jpeg_std_error(&ctx->jerr);
  ctx->jerr.error_exit = jt_error_exit;
  ctx->jerr.emit_message = jt_emit_message;
  ctx->jerr.output_message = jt_output_message;
  /* mark first: if jpeg_create_decompress itself fails, jpeg_destroy copes
   * with the partially initialised struct (mem == NULL). */
  ctx->created = 1;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, ctx->input, (unsigned long)ctx->input_len);
  jpeg_read_header(cinfo, TRUE);

  ctx->info[INFO_WIDTH] = (int32_t)cinfo->image_width;
  ctx->info[INFO_HEIGHT] = (int32_t)cinfo->image_height;
  ctx->info[INFO_PROGRESSIVE] = cinfo->progressive_mode ? 1 : 0;
  ctx->info[INFO_COMPONENTS] = cinfo->num_components;
  ctx->info[INFO_COLOR_SPACE] = (int32_t)cinfo->jpeg_color_space;
  ctx->info[INFO_ADOBE] = cinfo->saw_Adobe_marker ? 1 : 0;
  ctx->info[INFO_ARITH] = cinfo->arith_code ? 1 : 0;
  for (int ci = 0; ci < 4; ci++) {
    int ok = ci < cinfo->num_components;
    ctx->info[INFO_SAMPLING + 2 * ci] = ok ? cinfo->comp_info[ci].h_samp_factor : 0;
    ctx->info[INFO_SAMPLING + 2 * ci + 1] = ok ? cinfo->comp_info[ci].v_samp_factor : 0;
  }
  return 1;
}

/* Select output colour space and DCT scale 1/denom, then compute the output
 * size with jpeg_calc_output_dimensions (no decoding happens here). */
static void jt_setup(jt_ctx *ctx, int denom) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  switch (cinfo->jpeg_color_space) {
  case JCS_CMYK:
  case JCS_YCCK:
    /* libjpeg-turbo converts YCCK -> CMYK; we convert CMYK -> RGB. */
    cinfo->out_color_space = JCS_CMYK;
    ctx->cmyk = 1;
    break;
  default:
    /* gray, RGB, YCbCr: libjpeg-turbo writes RGBA with alpha = 0xFF. */
    cinfo->out_color_space = JCS_EXT_RGBA;
    ctx->cmyk = 0;
    break;
  }
  /* Photoshop writes Adobe-marked CMYK JPEGs with inverted values (0 = full
   * ink). Every decoder in the wild (browsers, libvips' default profile path)
   * assumes inversion whenever the Adobe APP14 marker is present. */
  ctx->inverted = cinfo->saw_Adobe_marker ? 1 : 0;
  cinfo->scale_num = 1;
  cinfo->scale_denom = (unsigned int)denom;
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->do_fancy_upsampling = TRUE;
  jpeg_calc_output_dimensions(cinfo);
  ctx->info[INFO_OUT_WIDTH] = (int32_t)cinfo->output_width;
  ctx->info[INFO_OUT_HEIGHT] = (int32_t)cinfo->output_height;
  ctx->info[INFO_SCALE_DENOM] = denom;
}

/* Smallest scale (1/8, 1/4, 1/2, 1/1) whose output is >= minW x minH.
 * minW == minH == 0 means full size. Returns the denominator. */
EXPORT int jt_pick_scale(jt_ctx *ctx, int min_w, int min_h) {
  static const int denoms[4] = {8, 4, 2, 1};
  if (min_w <= 0 && min_h <= 0) return 1;
  for (int i = 0; i < 3; i++) {
    jt_setup(ctx, denoms[i]);
    if ((int)ctx->cinfo.output_width >= min_w &&
        (int)ctx->cinfo.output_height >= min_h)
      return denoms[i];
  }
  return 1;
}

/* ---- progressive early stop ------------------------------------------ */

/* jt_start flags. */
#define JT_FLAG_EARLY_STOP 1 /* progressive: stop reading once complete */

/* banded-coefficients.patch (jdcoefct.c): the next coefficient controller
 * keeps only iMCU rows [first, end); (0, 0) clears a pending request. */
extern void jpeg_edgepix_request_band(JDIMENSION first, JDIMENSION end,
                                      JDIMENSION alloc);
extern boolean jpeg_edgepix_banded(j_decompress_ptr cinfo);
extern size_t jpeg_edgepix_checkpoint_size(void);
extern void jpeg_edgepix_request_checkpoints(void *store, int count,
                                             JDIMENSION next);
static void jt_begin(jt_ctx *ctx);

/* libjpeg's zigzag -> natural order table (jutils.c; declared in jpegint.h,
 * which is not meant for applications). 64 entries + 16 guard entries. */
extern const int jpeg_natural_order[];

/* Which rows/columns of the 8x8 coefficient block the inverse DCT used for a
 * component actually reads, as a bit mask over 0..7, for its scaled size.
 * These are libjpeg-turbo 2.1.5's JDCT_ISLOW methods (jddctmgr.c):
 *   1: jpeg_idct_1x1 (jidctred.c)  DC only
 *   2: jpeg_idct_2x2 (jidctred.c)  rows/cols 0,1,3,5,7 ("Don't bother to
 *      process columns 2,4,6"); NOT just the top-left 2x2: the IJG 6b
 *      reduced IDCTs use every odd frequency
 *   4: jpeg_idct_4x4 (jidctred.c)  rows/cols 0,1,2,3,5,6,7 (not 4)
 *   8: jpeg_idct_islow             everything
 * Note the per-component size: for 4:2:0 at 1/8 the chroma components use
 * the 2x2 IDCT (jpeg_core_output_dimensions scales chroma up by IDCT instead
 * of upsampling), at 1/4 the 4x4 one, at 1/2 the full one. */
static unsigned int jt_idct_mask(int scaled_size) {
  switch (scaled_size) {
  case 1: return 0x01;                      /* 0             */
  case 2: return 0xAB;                      /* 0,1,3,5,7     */
  case 4: return 0xEF;                      /* 0,1,2,3,5,6,7 */
  default: return 0xFF;                     /* all (also any size we do not
                                               know: never stop early) */
  }
}

/* coef_bits[c][k] (jdphuff.c / jdarith.c start_pass): for component c and
 * coefficient k in ZIGZAG order (the order Ss..Se count in), -1 = no scan
 * has touched it yet, n > 0 = the last scan left n low bits unsent
 * (successive approximation), 0 = exact. It is updated when a scan's SOS is
 * processed, so it is only meaningful right after JPEG_SCAN_COMPLETED. */
static int jt_needed_complete(j_decompress_ptr cinfo) {
  if (cinfo->coef_bits == NULL) return 0;
  for (int ci = 0; ci < cinfo->num_components; ci++) {
    const jpeg_component_info *comp = &cinfo->comp_info[ci];
#if JPEG_LIB_VERSION >= 70
    unsigned int rows = jt_idct_mask(comp->DCT_v_scaled_size);
    unsigned int cols = jt_idct_mask(comp->DCT_h_scaled_size);
#else
    unsigned int rows = jt_idct_mask(comp->DCT_scaled_size);
    unsigned int cols = rows;
#endif
    const int *bits = cinfo->coef_bits[ci];
    for (int k = 0; k < DCTSIZE2; k++) {
      int n = jpeg_natural_order[k]; /* natural index = row * 8 + col */
      if ((rows >> (n >> 3) & 1) && (cols >> (n & 7) & 1) && bits[k] != 0)
        return 0;
    }
  }
  return 1;
}

/* jpeg_start_decompress at scale 1/denom.
 *
 * Baseline/sequential files (and progressive ones at 1/1, or without
 * JT_FLAG_EARLY_STOP): plain jpeg_start_decompress, which for multi-scan
 * files reads every scan into the coefficient buffer before returning.
 *
 * Progressive files below 1/1: buffered-image mode. jpeg_consume_input is
 * looped, and after every completed scan we check (jt_needed_complete)
 * whether every coefficient the chosen IDCT reads is exact in every
 * component; if so we stop there and never entropy-decode the remaining
 * scans (nor look at their bytes: corruption or truncation there goes
 * unnoticed, which cannot affect the pixels). Then
 * jpeg_start_output(input_scan_number) and the same output pass as the
 * non-buffered path: identical pixels. Block smoothing is turned off for an
 * early-stopped pass: it would "estimate" coefficients the scans have not
 * delivered yet, and when a component has no AC data at all it also
 * re-interpolates the DC (change_dc in decompress_smooth_data), which would
 * change the 1/8 output. With every needed coefficient exact it has nothing
 * legitimate to do. If the input runs out first (EOI), smoothing stays at
 * libjpeg's default, exactly as in the non-buffered path (lenient mode) —
 * except at 1/8, where smoothing is off from the start (see below).
 *
 * Memory: buffered-image mode allocates the same whole-image coefficient
 * buffer as the non-buffered multi-scan path (plus nothing else for RGB
 * output without colour quantization); at 1/8, components with a 1x1 IDCT
 * keep only their DC coefficients (dc-only-coefficients.patch). With
 * bands > 1 (progressive, 1/1..1/4) only one band's rows are kept at a
 * time (banded-coefficients.patch, see jt_begin).
 *
 * max_mem > 0 caps libjpeg's own allocations (checked when the whole-image
 * coefficient buffer of a multi-scan file is realized): over it, the decode
 * fails cleanly instead of growing the wasm memory. */
EXPORT int jt_start(jt_ctx *ctx, int denom, int strict, int max_mem,
                    int flags, int bands) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  ctx->strict = strict;
  ctx->max_mem = max_mem > 0 ? max_mem : 0;
  cinfo->mem->max_memory_to_use = ctx->max_mem;
  ctx->denom = denom;
  ctx->flags = flags;
  ctx->band = 0;
  ctx->bands = 1;
  /* Bands: progressive files at 1/1, 1/2, 1/4 only (1/8 stores DC-only
   * components instead), at most one per iMCU row. */
  if (bands > 1 && cinfo->progressive_mode && denom < 8) {
    if ((JDIMENSION)bands > cinfo->total_iMCU_rows)
      bands = (int)cinfo->total_iMCU_rows;
    if (bands > 1) ctx->bands = bands;
  }
  if (ctx->bands > 1 && !cinfo->arith_code && ctx->ckpt == NULL) {
    /* One checkpoint per scan; every scan starts with an SOS marker (FF DA
     * cannot occur in entropy-coded data; in other segments it only makes
     * the count larger). */
    int n = 1;
    for (size_t i = 0; i + 1 < ctx->input_len; i++)
      if (ctx->input[i] == 0xFF && ctx->input[i + 1] == 0xDA) n++;
    ctx->ckpt = calloc((size_t)n, jpeg_edgepix_checkpoint_size());
    if (ctx->ckpt == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    ctx->nckpt = n;
  }
  jt_setup(ctx, denom);
  jt_begin(ctx);
  return 1;
}

/* Band b of K: iMCU rows [b*T/K, (b+1)*T/K) are output. */
static JDIMENSION jt_band_row(jt_ctx *ctx, int b) {
  return (JDIMENSION)((unsigned long long)ctx->cinfo.total_iMCU_rows * b / ctx->bands);
}

/* iMCU rows band b stores: its own plus one above and one below. */
static void jt_band_stored(jt_ctx *ctx, int b, JDIMENSION *first, JDIMENSION *end) {
  JDIMENSION T = ctx->cinfo.total_iMCU_rows;
  JDIMENSION r0 = jt_band_row(ctx, b), r1 = jt_band_row(ctx, b + 1);
  *first = r0 > 0 ? r0 - 1 : 0;
  *end = r1 < T ? r1 + 1 : T;
}

/* Output rows per iMCU row. */
static JDIMENSION jt_rows_per_iMCU(j_decompress_ptr cinfo) {
#if JPEG_LIB_VERSION >= 70
  return (JDIMENSION)(cinfo->max_v_samp_factor * cinfo->min_DCT_v_scaled_size);
#else
  return (JDIMENSION)(cinfo->max_v_samp_factor * cinfo->min_DCT_scaled_size);
#endif
}

/* Starts the decompressor (header read, jt_setup done) for ctx->band.
 *
 * Banded decode (ctx->bands > 1, banded-coefficients.patch): every band reads
 * the file again from the header, but the coefficient controller keeps only
 * the band's iMCU rows plus one above and one below (h2v2/h1v2 fancy
 * upsampling and the main controller's context rows read the neighbouring
 * sample rows; block smoothing, which would read more, is off). In every
 * scan it resumes at the band's first stored row from the checkpoint the
 * previous band left (Huffman files; arithmetic-coded ones decode the rows
 * above into scratch blocks, keeping only a nonzero mask), leaves one where
 * the next band starts, and steps over the rows below. The output pass then
 * skips (jpeg_skip_scanlines: no IDCT for multi-scan files) to the band's
 * first row; jt_read_rows stops at its last one and starts the next band. */
static void jt_begin(jt_ctx *ctx) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  int denom = ctx->denom, flags = ctx->flags;
  JDIMENSION r0 = 0, r1 = 0, T = cinfo->total_iMCU_rows;
  /* At 1/8 an IDCT may read the DC coefficient alone. Without block
   * smoothing (which would estimate AC from DC neighbours) our patched
   * jdcoefct.c then keeps only DC for such a component and skips its AC
   * scans unread. */
  if (cinfo->progressive_mode && denom == 8) cinfo->do_block_smoothing = FALSE;
  if (ctx->bands > 1) {
    r0 = jt_band_row(ctx, ctx->band);
    r1 = jt_band_row(ctx, ctx->band + 1);
    JDIMENSION first, end, alloc = 0;
    /* Every band allocates the largest band's storage: same sizes every
     * time, so the heap does not grow after the first band. */
    for (int b = 0; b < ctx->bands; b++) {
      jt_band_stored(ctx, b, &first, &end);
      if (end - first > alloc) alloc = end - first;
    }
    jt_band_stored(ctx, ctx->band, &first, &end);
    cinfo->do_block_smoothing = FALSE;
    jpeg_edgepix_request_band(first, end, alloc);
    /* Huffman files: resume each scan where the previous band left it, and
     * leave a checkpoint where the next band starts. */
    if (ctx->ckpt != NULL) {
      JDIMENSION next = 0, next_end;
      if (ctx->band + 1 < ctx->bands) jt_band_stored(ctx, ctx->band + 1, &next, &next_end);
      jpeg_edgepix_request_checkpoints(ctx->ckpt, ctx->nckpt, next);
    }
  } else {
    jpeg_edgepix_request_band(0, 0, 0); /* clear any stale request */
  }
  ctx->buffered = (flags & JT_FLAG_EARLY_STOP) && cinfo->progressive_mode &&
                  denom > 1;
  ctx->early_stop = 0;
  ctx->info[INFO_SCANS_READ] = 0;
  ctx->info[INFO_EARLY_STOP] = 0;
  if (!ctx->buffered) {
    jpeg_start_decompress(cinfo);
  } else {
    cinfo->buffered_image = TRUE;
    jpeg_start_decompress(cinfo); /* buffered: reads no scan data yet */
    for (;;) {
      int rc = jpeg_consume_input(cinfo);
      if (rc == JPEG_REACHED_EOI) break;
      if (rc == JPEG_SUSPENDED) /* impossible with jpeg_mem_src */
        ERREXIT(cinfo, JERR_CANT_SUSPEND);
      if (rc == JPEG_SCAN_COMPLETED && jt_needed_complete(cinfo)) {
        ctx->early_stop = 1;
        break;
      }
      /* JPEG_ROW_COMPLETED (one iMCU row) / JPEG_REACHED_SOS: go on. */
    }
    if (ctx->early_stop) cinfo->do_block_smoothing = FALSE;
    ctx->info[INFO_SCANS_READ] = cinfo->input_scan_number;
    ctx->info[INFO_EARLY_STOP] = ctx->early_stop;
    /* Right after JPEG_SCAN_COMPLETED (or at EOI) input_iMCU_row is past the
     * last row, so the output pass never pulls more input. */
    jpeg_start_output(cinfo, cinfo->input_scan_number);
  }
  ctx->info[INFO_OUT_WIDTH] = (int32_t)cinfo->output_width;
  ctx->info[INFO_OUT_HEIGHT] = (int32_t)cinfo->output_height;
  ctx->info[INFO_BANDS] = ctx->bands;
  ctx->band_out_end = cinfo->output_height;
  if (ctx->bands > 1) {
    JDIMENSION L = jt_rows_per_iMCU(cinfo), y0 = r0 * L, y1 = r1 * L;
    if (!jpeg_edgepix_banded(cinfo)) {
      strcpy(ctx->msg, "jpeg-turbo: banded decode not possible for this file");
      jt_throw_message((j_common_ptr)cinfo, ctx->msg, 0);
    }
    if (y1 < cinfo->output_height) ctx->band_out_end = y1;
    if (y0 > 0) jpeg_skip_scanlines(cinfo, y0);
  }
  ctx->info[INFO_OUTPUT_SCANLINE] = (int32_t)cinfo->output_scanline;
}

/* The current band is done: start the next one from the header. */
static void jt_next_band(jt_ctx *ctx) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  jpeg_abort_decompress(cinfo);
  jpeg_mem_src(cinfo, ctx->input, (unsigned long)ctx->input_len);
  jpeg_read_header(cinfo, TRUE);
  jt_setup(ctx, ctx->denom);
  ctx->band++;
  jt_begin(ctx);
}

/* In-place CMYK -> RGBA for one row (both are 4 bytes per pixel). */
static void jt_cmyk_to_rgba(unsigned char *p, JDIMENSION width, int inverted) {
  for (JDIMENSION x = 0; x < width; x++, p += 4) {
    unsigned int c = p[0], m = p[1], y = p[2], k = p[3];
    if (!inverted) {
      c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
    }
    /* now 255 = no ink: R = (1 - C) * (1 - K), rounded x/255 */
    unsigned int r = c * k + 128, g = m * k + 128, b = y * k + 128;
    p[0] = (unsigned char)((r + (r >> 8)) >> 8);
    p[1] = (unsigned char)((g + (g >> 8)) >> 8);
    p[2] = (unsigned char)((b + (b >> 8)) >> 8);
    p[3] = 255;
  }
}

/* Decode up to max_rows RGBA rows (stride output_width * 4) into dst.
 * Returns the number of rows written (0 once all rows are done). */
EXPORT int jt_read_rows(jt_ctx *ctx, unsigned char *dst, int max_rows) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  size_t stride = (size_t)cinfo->output_width * 4;
  int done = 0;
  JSAMPROW rows[16];
  while (done < max_rows && cinfo->output_scanline < cinfo->output_height) {
    if (cinfo->output_scanline >= ctx->band_out_end) {
      jt_next_band(ctx); /* only reached with bands left */
      continue;
    }
    int want = max_rows - done;
    if (want > 16) want = 16;
    if ((JDIMENSION)want > ctx->band_out_end - cinfo->output_scanline)
      want = (int)(ctx->band_out_end - cinfo->output_scanline);
    for (int i = 0; i < want; i++)
      rows[i] = dst + (size_t)(done + i) * stride;
    JDIMENSION got = jpeg_read_scanlines(cinfo, rows, (JDIMENSION)want);
    if (ctx->cmyk)
      for (JDIMENSION i = 0; i < got; i++)
        jt_cmyk_to_rgba(rows[i], cinfo->output_width, ctx->inverted);
    done += (int)got;
    if (got == 0) break; /* suspension cannot happen with a mem source */
  }
  ctx->info[INFO_OUTPUT_SCANLINE] = (int32_t)cinfo->output_scanline;
  return done;
}

EXPORT int jt_finish(jt_ctx *ctx) {
  j_decompress_ptr cinfo = &ctx->cinfo;
  if (ctx->early_stop) {
    /* Do not touch the unread scans: jpeg_finish_output would read the next
     * marker(s) and jpeg_finish_decompress the whole rest of the file. */
    jpeg_abort_decompress(cinfo);
    return 1;
  }
  if (ctx->buffered) jpeg_finish_output(cinfo); /* input is at EOI already */
  /* Reads the rest of the file up to EOI (may raise warnings). */
  jpeg_finish_decompress(cinfo);
  return 1;
}

/* Heap helpers for the output buffer. */
EXPORT void *jt_malloc(size_t n) { return malloc(n ? n : 1); }
EXPORT void jt_free(void *p) { free(p); }
