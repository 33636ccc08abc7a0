/*
 * Streaming Lanczos3 resampling and box pre-shrink for edgepix, in WASM
 * SIMD128. The same operations as src/pipeline/resample.ts and
 * src/pipeline/steps/shrink.ts, with the same arithmetic, so the bytes out
 * are the same (see README.md for why that holds):
 *
 *  - Lanczos3: premultiplied alpha, gamma space, clamped edges. The kernels
 *    (taps, clamped sources, normalised weights) are computed by the TS
 *    wrapper, which owns the one definition, and written into the context.
 *    Each input row is premultiplied once into a padded scratch row (the
 *    padding repeats the edge pixel, which is what clamping does), filtered
 *    horizontally into a ring of `tapsY` rows, and every output row whose last
 *    tap has arrived is filtered vertically, un-premultiplied, rounded (ties
 *    to even) and clamped like Uint8ClampedArray.
 *    Sums are in f64 in tap order, like JS numbers; ring rows hold values
 *    rounded to f32, like the TS Float32Array ring. f64x2 lanes: (r,g), (b,a).
 *
 *    rs_fast switches a context to an f32x4 variant: faster, within 1 of the
 *    exact bytes. rs_opaque switches it to 16-bit fixed point for pictures
 *    without transparency (no premultiplying): faster still, within 1 too.
 *
 *  - Box shrink by an integer factor: alpha-weighted sums per output column,
 *    whole numbers, so exact in f64 like the TS Float64Array ones; one
 *    output row per `factor` input rows (fewer at the bottom edge), divided
 *    in f64 and rounded ties to even.
 *
 * The caller writes one input row at a time into the context's input row
 * (rs_input / bs_input), then calls rs_push / bs_push. Nothing allocates after
 * rs_new / bs_new, so memory cannot grow (and JS views stay valid) while rows
 * stream.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <wasm_simd128.h>

#define EXPORT __attribute__((used, visibility("default")))

/* Output pixels filtered together by the horizontal and the vertical pass (see README.md for the measurements). */
#ifndef HB
#define HB 2
#endif
#ifndef VB
#define VB 4
#endif

enum { EXACT, F32, I16 };

/* Carves 16-byte-aligned blocks out of one allocation. */
static size_t align16(size_t n) { return (n + 15) & ~(size_t)15; }

/* ------------------------------------------------------------------------ */
/* Lanczos3                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
  int inW, inH, outW, outH, tapsX, tapsY, padL, padR, outRows;
  int received, emitted;
  int mode;          /* EXACT, F32 (rs_fast) or I16 (rs_opaque) */
  int32_t *startX;   /* outW: first tap's index in the padded scratch row */
  double *weightsX;  /* outW * tapsX */
  int32_t *sourcesY; /* outH * tapsY: clamped input rows */
  double *weightsY;  /* outH * tapsY */
  uint8_t *input;    /* one input row, inW * 4 bytes */
  double *scratch;   /* (padL + inW + padR) * 4: premultiplied r*a, g*a, b*a, a */
  float *ring;       /* tapsY rows of outW * 4 */
  const v128_t **rows; /* tapsY + 1 (the I16 pass pairs an odd kernel's last tap with a spare): the ring rows of the output row being made (kept here, not on the small stack) */
  uint8_t *output;   /* outRows rows of outW * 4 bytes */
} Rs;

/* Bytes rs_new allocates for these sizes (the wrapper's cost model mirrors it). */
static size_t rs_bytes(int inW, int outW, int outH, int tapsX, int tapsY, int padL, int padR, int outRows) {
  return align16(sizeof(Rs)) + align16((size_t)outW * 4) + align16((size_t)outW * tapsX * 8) +
         align16((size_t)outH * tapsY * 4) + align16((size_t)outH * tapsY * 8) + align16((size_t)inW * 4) +
         align16((size_t)(padL + inW + padR) * 32) + align16((size_t)tapsY * outW * 16) +
         align16((size_t)outRows * outW * 4) + align16((size_t)(tapsY + 1) * sizeof(void *));
}

EXPORT Rs *rs_new(int inW, int inH, int outW, int outH, int tapsX, int tapsY, int padL, int padR, int outRows) {
  if (inW < 1 || inH < 1 || outW < 1 || outH < 1 || tapsX < 1 || tapsY < 1 || padL < 0 || padR < 0 || outRows < 1)
    return 0;
  size_t total = rs_bytes(inW, outW, outH, tapsX, tapsY, padL, padR, outRows);
  uint8_t *p = aligned_alloc(16, total);
  if (!p) return 0;
  memset(p, 0, total);
  Rs *c = (Rs *)p;
  p += align16(sizeof(Rs));
  c->inW = inW, c->inH = inH, c->outW = outW, c->outH = outH;
  c->tapsX = tapsX, c->tapsY = tapsY, c->padL = padL, c->padR = padR, c->outRows = outRows;
#define CARVE(field, type, n) (c->field = (type *)p, p += align16((size_t)(n)))
  CARVE(startX, int32_t, (size_t)outW * 4);
  CARVE(weightsX, double, (size_t)outW * tapsX * 8);
  CARVE(sourcesY, int32_t, (size_t)outH * tapsY * 4);
  CARVE(weightsY, double, (size_t)outH * tapsY * 8);
  CARVE(input, uint8_t, (size_t)inW * 4);
  CARVE(scratch, double, (size_t)(padL + inW + padR) * 32);
  CARVE(ring, float, (size_t)tapsY * outW * 16);
  CARVE(output, uint8_t, (size_t)outRows * outW * 4);
  CARVE(rows, const v128_t *, (size_t)(tapsY + 1) * sizeof(void *));
#undef CARVE
  return c;
}

EXPORT size_t rs_size(int inW, int outW, int outH, int tapsX, int tapsY, int padL, int padR, int outRows) {
  return rs_bytes(inW, outW, outH, tapsX, tapsY, padL, padR, outRows);
}
EXPORT int32_t *rs_start_x(Rs *c) { return c->startX; }
EXPORT double *rs_weights_x(Rs *c) { return c->weightsX; }
EXPORT int32_t *rs_sources_y(Rs *c) { return c->sourcesY; }
EXPORT double *rs_weights_y(Rs *c) { return c->weightsY; }
EXPORT uint8_t *rs_input(Rs *c) { return c->input; }
EXPORT uint8_t *rs_output(Rs *c) { return c->output; }
EXPORT void rs_free(Rs *c) { free(c); }

/* [r, g, b, a] bytes → (r*a, g*a) and (b*a, a) as f64 (exact integers). */
static inline void premultiply(const uint8_t *px, v128_t *rg, v128_t *ba) {
  v128_t v = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(px)));
  v128_t alpha = wasm_i32x4_shuffle(v, wasm_i32x4_const_splat(1), 3, 3, 3, 4);
  v = wasm_i32x4_mul(v, alpha);
  *rg = wasm_f64x2_convert_low_i32x4(v);
  *ba = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
}

/* The TS ring is a Float32Array: each sum is rounded to f32 as it is stored. */
static inline void store_f32(float *dst, v128_t rg, v128_t ba) {
  wasm_v128_store(dst, wasm_i64x2_shuffle(wasm_f32x4_demote_f64x2_zero(rg), wasm_f32x4_demote_f64x2_zero(ba), 0, 2));
}

static void push_f32(Rs *c);
static void push_i16(Rs *c);

/* Filters the input row horizontally into the ring slot of input row `received`. */
EXPORT void rs_push(Rs *c) {
  if (c->mode == I16) return push_i16(c);
  if (c->mode == F32) return push_f32(c);
  const int inW = c->inW, outW = c->outW, taps = c->tapsX;
  v128_t *s = (v128_t *)c->scratch; /* two v128 (rg, ba) per pixel */
  v128_t *body = s + 2 * c->padL;
  for (int x = 0; x < inW; x++) premultiply(c->input + 4 * x, &body[2 * x], &body[2 * x + 1]);
  for (int i = 0; i < c->padL; i++) s[2 * i] = body[0], s[2 * i + 1] = body[1];
  v128_t *right = body + 2 * inW;
  for (int i = 0; i < c->padR; i++) right[2 * i] = right[-2], right[2 * i + 1] = right[-1];

  float *dst = c->ring + (size_t)(c->received % c->tapsY) * outW * 4;
  const double *w = c->weightsX;
  int o = 0;
  /*
   * HB output pixels at a time: each pixel's sums still run in tap order,
   * but 2 * HB independent chains of adds hide the add latency.
   */
  for (; o + HB <= outW; o += HB, w += HB * taps) {
    const v128_t *p[HB];
    v128_t acc[2 * HB];
    for (int k = 0; k < HB; k++) p[k] = s + 2 * c->startX[o + k], acc[2 * k] = acc[2 * k + 1] = wasm_f64x2_const_splat(0);
    for (int t = 0; t < taps; t++) {
      for (int k = 0; k < HB; k++) {
        v128_t wt = wasm_v128_load64_splat(w + k * taps + t);
        acc[2 * k] = wasm_f64x2_add(acc[2 * k], wasm_f64x2_mul(p[k][2 * t], wt));
        acc[2 * k + 1] = wasm_f64x2_add(acc[2 * k + 1], wasm_f64x2_mul(p[k][2 * t + 1], wt));
      }
    }
    for (int k = 0; k < HB; k++) store_f32(dst + 4 * (o + k), acc[2 * k], acc[2 * k + 1]);
  }
  for (; o < outW; o++, w += taps) {
    const v128_t *p = s + 2 * c->startX[o];
    v128_t rg = wasm_f64x2_const_splat(0), ba = wasm_f64x2_const_splat(0);
    for (int t = 0; t < taps; t++) {
      v128_t wt = wasm_v128_load64_splat(w + t);
      rg = wasm_f64x2_add(rg, wasm_f64x2_mul(p[2 * t], wt));
      ba = wasm_f64x2_add(ba, wasm_f64x2_mul(p[2 * t + 1], wt));
    }
    store_f32(dst + 4 * o, rg, ba);
  }
  c->received++;
}

/* Premultiplied sums → one RGBA pixel: colour ÷ alpha where alpha > 0, else 0; then Uint8ClampedArray's clamp and round (ties to even). */
static inline void store_u8(uint8_t *out, v128_t rg, v128_t ba) {
  const v128_t zero = wasm_f64x2_const_splat(0), max = wasm_f64x2_const_splat(255);
  v128_t a = wasm_i64x2_shuffle(ba, ba, 1, 1);
  v128_t positive = wasm_f64x2_gt(a, zero);
  rg = wasm_v128_and(wasm_f64x2_div(rg, a), positive);
  ba = wasm_v128_and(wasm_i64x2_shuffle(wasm_f64x2_div(ba, a), ba, 0, 3), positive);
  rg = wasm_f64x2_min(wasm_f64x2_max(wasm_f64x2_nearest(rg), zero), max);
  ba = wasm_f64x2_min(wasm_f64x2_max(wasm_f64x2_nearest(ba), zero), max);
  v128_t px = wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(rg), wasm_i32x4_trunc_sat_f64x2_zero(ba), 0, 1, 4, 5);
  px = wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(px, px), px);
  wasm_v128_store32_lane(out, px, 0);
}

/* Points c->rows at the ring rows that output row `y`'s vertical taps read, in tap order. */
static const v128_t **ring_rows(Rs *c, int y) {
  const int taps = c->tapsY;
  for (int t = 0; t < taps; t++)
    c->rows[t] = (const v128_t *)(c->ring + (size_t)(c->sourcesY[y * taps + t] % taps) * c->outW * 4);
  return c->rows;
}

/* Filters output row `y` vertically into `out` (outW * 4 bytes). */
static void emit_row(Rs *c, int y, uint8_t *out) {
  const int outW = c->outW, taps = c->tapsY;
  const v128_t **rows = ring_rows(c, y);
  const double *w = c->weightsY + (size_t)y * taps;
  const v128_t zero = wasm_f64x2_const_splat(0);
  int o = 0;
  /* VB output pixels at a time, as in rs_push: each pixel's sum in tap order, 2 * VB chains. */
  for (; o + VB <= outW; o += VB) {
    v128_t acc[2 * VB];
    for (int k = 0; k < 2 * VB; k++) acc[k] = zero;
    for (int t = 0; t < taps; t++) {
      const v128_t wt = wasm_v128_load64_splat(w + t), *p = rows[t] + o;
      for (int k = 0; k < VB; k++) {
        v128_t v = p[k];
        acc[2 * k] = wasm_f64x2_add(acc[2 * k], wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v), wt));
        acc[2 * k + 1] = wasm_f64x2_add(acc[2 * k + 1], wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v, v, 1, 1)), wt));
      }
    }
    for (int k = 0; k < VB; k++) store_u8(out + 4 * (o + k), acc[2 * k], acc[2 * k + 1]);
  }
  for (; o < outW; o++) {
    v128_t rg = zero, ba = zero;
    for (int t = 0; t < taps; t++) {
      v128_t wt = wasm_v128_load64_splat(w + t);
      v128_t v = rows[t][o];
      rg = wasm_f64x2_add(rg, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(v), wt));
      ba = wasm_f64x2_add(ba, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v, v, 1, 1)), wt));
    }
    store_u8(out + 4 * o, rg, ba);
  }
}

/*
 * The f32x4 variant (rs_fast): premultiplied values, weights, sums and the
 * division all in f32, one f32x4 per pixel, so a tap costs a multiply and an
 * add instead of two of each, and the vertical pass needs no conversions.
 * About 1.7x faster than the exact path (wasm calls); not byte-identical to the TS
 * version (about 1 byte in 10^5 differs, by 1). See README.md.
 */

/* Output pixels per block in the f32 horizontal pass (twice as many in the vertical one). */
#ifndef FB
#define FB 4
#endif

static void to_f32(double *w, size_t n) {
  float *f = (float *)w;
  for (size_t i = 0; i < n; i++) f[i] = (float)w[i];
}

/* Switches the context to f32 arithmetic: call once, after the kernels are written (their f64 weights become f32 in place). */
EXPORT void rs_fast(Rs *c) {
  to_f32(c->weightsX, (size_t)c->outW * c->tapsX);
  to_f32(c->weightsY, (size_t)c->outH * c->tapsY);
  c->mode = F32;
}

static void push_f32(Rs *c) {
  const int inW = c->inW, outW = c->outW, taps = c->tapsX;
  v128_t *s = (v128_t *)c->scratch, *body = s + c->padL;
  for (int x = 0; x < inW; x++) {
    v128_t v = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(c->input + 4 * x)));
    body[x] = wasm_f32x4_convert_i32x4(wasm_i32x4_mul(v, wasm_i32x4_shuffle(v, wasm_i32x4_const_splat(1), 3, 3, 3, 4)));
  }
  for (int i = 0; i < c->padL; i++) s[i] = body[0];
  for (int i = 0; i < c->padR; i++) body[inW + i] = body[inW - 1];
  v128_t *dst = (v128_t *)(c->ring + (size_t)(c->received % c->tapsY) * outW * 4);
  const float *w = (const float *)c->weightsX;
  int o = 0;
  for (; o + FB <= outW; o += FB, w += FB * taps) {
    const v128_t *p[FB];
    v128_t acc[FB];
    for (int k = 0; k < FB; k++) p[k] = s + c->startX[o + k], acc[k] = wasm_f32x4_const_splat(0);
    for (int t = 0; t < taps; t++)
      for (int k = 0; k < FB; k++) acc[k] = wasm_f32x4_add(acc[k], wasm_f32x4_mul(p[k][t], wasm_v128_load32_splat(w + k * taps + t)));
    for (int k = 0; k < FB; k++) dst[o + k] = acc[k];
  }
  for (; o < outW; o++, w += taps) {
    const v128_t *p = s + c->startX[o];
    v128_t acc = wasm_f32x4_const_splat(0);
    for (int t = 0; t < taps; t++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(p[t], wasm_v128_load32_splat(w + t)));
    dst[o] = acc;
  }
  c->received++;
}

static inline void store_u8_f32(uint8_t *out, v128_t acc) {
  const v128_t zero = wasm_f32x4_const_splat(0), max = wasm_f32x4_const_splat(255);
  v128_t a = wasm_i32x4_shuffle(acc, acc, 3, 3, 3, 3);
  v128_t q = wasm_v128_and(wasm_i32x4_shuffle(wasm_f32x4_div(acc, a), acc, 0, 1, 2, 7), wasm_f32x4_gt(a, zero));
  q = wasm_f32x4_min(wasm_f32x4_max(wasm_f32x4_nearest(q), zero), max);
  v128_t px = wasm_i32x4_trunc_sat_f32x4(q);
  px = wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(px, px), px);
  wasm_v128_store32_lane(out, px, 0);
}

static void emit_row_f32(Rs *c, int y, uint8_t *out) {
  const int outW = c->outW, taps = c->tapsY;
  const v128_t **rows = ring_rows(c, y);
  const float *w = (const float *)c->weightsY + (size_t)y * taps;
  int o = 0;
  for (; o + 2 * FB <= outW; o += 2 * FB) {
    v128_t acc[2 * FB];
    for (int k = 0; k < 2 * FB; k++) acc[k] = wasm_f32x4_const_splat(0);
    for (int t = 0; t < taps; t++) {
      const v128_t wt = wasm_v128_load32_splat(w + t), *p = rows[t] + o;
      for (int k = 0; k < 2 * FB; k++) acc[k] = wasm_f32x4_add(acc[k], wasm_f32x4_mul(p[k], wt));
    }
    for (int k = 0; k < 2 * FB; k++) store_u8_f32(out + 4 * (o + k), acc[k]);
  }
  for (; o < outW; o++) {
    v128_t acc = wasm_f32x4_const_splat(0);
    for (int t = 0; t < taps; t++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(rows[t][o], wasm_v128_load32_splat(w + t)));
    store_u8_f32(out + 4 * o, acc);
  }
}

/*
 * The 16-bit fixed-point variant (rs_opaque), for pictures without
 * transparency: nothing to premultiply, so the horizontal pass reads the
 * bytes as they are. Weights are i16 with 14 fractional bits, rounded so that
 * each kernel sums to exactly 1 (an opaque alpha stays 255), and taken two at
 * a time with i32x4.dot_i16x8_s: one instruction is two taps of a whole pixel.
 * The ring holds i16 with 6 fractional bits (a Lanczos overshoot of 255 is
 * well inside: at most ~20 800), half the bytes per value of the f32 ring
 * (its slots keep the f32 stride, so the context is the same size). Sums
 * stay below 2^31: at most 1.55 (Σ|w|, upscales) · 2^14 · 21000. Rounding is
 * half up, once per pass.
 */
#define W_BITS 14
#define RING_BITS 6

/*
 * Each kernel's `taps` f64 weights → (taps + 1) / 2 pairs of i16 (the odd
 * one out pairs with 0), written over the f64s in place: a pair's 4 bytes
 * never reach a weight not yet read. The largest weight takes the rounding
 * remainder so that the pairs sum to 1 << W_BITS.
 */
static void to_i16_pairs(double *w, int kernels, int taps) {
  const int pairs = (taps + 1) / 2;
  int16_t *out = (int16_t *)w;
  for (int k = 0; k < kernels; k++) {
    const double *in = w + (size_t)k * taps;
    int sum = 0, largest = 0;
    for (int t = 0; t < taps; t++) {
      sum += (int)lrint(in[t] * (1 << W_BITS));
      if (in[t] > in[largest]) largest = t;
    }
    const int remainder = (1 << W_BITS) - sum;
    int16_t *dst = out + (size_t)k * pairs * 2;
    for (int t = 0; t < taps; t++) dst[t] = (int16_t)(lrint(in[t] * (1 << W_BITS)) + (t == largest ? remainder : 0));
    if (taps & 1) dst[taps] = 0;
  }
}

/*
 * Kernels longer than this stay in f32. Each weight's rounding is off by up
 * to 2^-15 (the largest takes the remainder), so one pass can be off by
 * 255 · (taps - 1) · 2^-15 of a level; with both passes and the ring's
 * rounding, up to 32 taps stays under one level (~0.7), so the bytes are
 * within 1 of the exact path. The box shrink leaves Lanczos a ratio below 4
 * (at most 25 taps); only extreme aspect changes have longer kernels.
 */
#define MAX_I16_TAPS 32

/* Switches the context to 16-bit fixed point (to f32 for longer kernels): call once, after the kernels are written (their f64 weights become i16 pairs in place). */
EXPORT void rs_opaque(Rs *c) {
  if (c->tapsX > MAX_I16_TAPS || c->tapsY > MAX_I16_TAPS) return rs_fast(c);
  to_i16_pairs(c->weightsX, c->outW, c->tapsX);
  to_i16_pairs(c->weightsY, c->outH, c->tapsY);
  c->mode = I16;
}

/* Two RGBA pixels' bytes (8) → i16 lanes r0 r1 g0 g1 b0 b1 a0 a1: each channel's two taps side by side for the dot product. */
static inline v128_t tap_pair(const uint8_t *px) {
  const v128_t v = wasm_u16x8_load8x8(px); /* a widening load and a one-input shuffle (not a two-input one with zeros: 1.5x slower) */
  return wasm_i16x8_shuffle(v, v, 0, 4, 1, 5, 2, 6, 3, 7);
}

/* One output pixel's horizontal sums (i32 lanes r g b a, W_BITS fractional bits). */
static inline v128_t filter_x(const uint8_t *p, const int32_t *w, int pairs) {
  v128_t acc = wasm_i32x4_const_splat(0);
  for (int j = 0; j < pairs; j++) acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(tap_pair(p + 8 * j), wasm_v128_load32_splat(w + j)));
  return acc;
}

/* W_BITS fractional bits → RING_BITS, rounded half up. */
static inline v128_t to_ring(v128_t acc) {
  return wasm_i32x4_shr(wasm_i32x4_add(acc, wasm_i32x4_const_splat(1 << (W_BITS - RING_BITS - 1))), W_BITS - RING_BITS);
}

static void push_i16(Rs *c) {
  const int inW = c->inW, outW = c->outW, pairs = (c->tapsX + 1) / 2;
  /* The padded row of bytes, with one spare pixel for an odd kernel's zero-weight tap. */
  uint32_t *s = (uint32_t *)c->scratch, *body = s + c->padL;
  memcpy(body, c->input, (size_t)inW * 4);
  for (int i = 0; i < c->padL; i++) s[i] = body[0];
  for (int i = 0; i <= c->padR; i++) body[inW + i] = body[inW - 1];
  int16_t *dst = (int16_t *)(c->ring + (size_t)(c->received % c->tapsY) * outW * 4);
  const int32_t *w = (const int32_t *)c->weightsX;
  const uint8_t *row = (const uint8_t *)s;
  int o = 0;
  for (; o + 2 <= outW; o += 2, w += 2 * pairs) {
    v128_t a = filter_x(row + 4 * c->startX[o], w, pairs), b = filter_x(row + 4 * c->startX[o + 1], w + pairs, pairs);
    wasm_v128_store(dst + 4 * o, wasm_i16x8_narrow_i32x4(to_ring(a), to_ring(b)));
  }
  if (o < outW) {
    v128_t a = to_ring(filter_x(row + 4 * c->startX[o], w, pairs));
    wasm_v128_store64_lane(dst + 4 * o, wasm_i16x8_narrow_i32x4(a, a), 0);
  }
  c->received++;
}

/* Two ring pixels (8 i16) of rows t and t+1 → pixel 0's and pixel 1's lanes c_t c_t+1 for the dot product. */
static inline v128_t rows_low(v128_t a, v128_t b) { return wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
static inline v128_t rows_high(v128_t a, v128_t b) { return wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }

/* Vertical sums (W_BITS + RING_BITS fractional bits) of two pixels → their 8 bytes, rounded half up and clamped to 0..255. */
static inline void store_u8_i16(uint8_t *out, v128_t lo, v128_t hi) {
  const v128_t half = wasm_i32x4_const_splat(1 << (W_BITS + RING_BITS - 1));
  lo = wasm_i32x4_shr(wasm_i32x4_add(lo, half), W_BITS + RING_BITS);
  hi = wasm_i32x4_shr(wasm_i32x4_add(hi, half), W_BITS + RING_BITS);
  v128_t px = wasm_i16x8_narrow_i32x4(lo, hi);
  wasm_v128_store64_lane(out, wasm_u8x16_narrow_i16x8(px, px), 0);
}

static void emit_row_i16(Rs *c, int y, uint8_t *out) {
  const int outW = c->outW, taps = c->tapsY, pairs = (taps + 1) / 2;
  const v128_t **rows = ring_rows(c, y);
  /* An odd kernel's zero-weight tap reads some row: the last one again. */
  if (taps & 1) rows[taps] = rows[taps - 1];
  const int32_t *w = (const int32_t *)c->weightsY + (size_t)y * pairs;
  const v128_t zero = wasm_i32x4_const_splat(0);
  /* Two pixels per v128 of the ring; VB of them at a time. */
  const int blocks = outW / 2;
  int b = 0;
  for (; b + VB <= blocks; b += VB) {
    v128_t lo[VB], hi[VB];
    for (int k = 0; k < VB; k++) lo[k] = hi[k] = zero;
    for (int j = 0; j < pairs; j++) {
      const v128_t wt = wasm_v128_load32_splat(w + j), *p = rows[2 * j] + b, *q = rows[2 * j + 1] + b;
      for (int k = 0; k < VB; k++) {
        lo[k] = wasm_i32x4_add(lo[k], wasm_i32x4_dot_i16x8(rows_low(p[k], q[k]), wt));
        hi[k] = wasm_i32x4_add(hi[k], wasm_i32x4_dot_i16x8(rows_high(p[k], q[k]), wt));
      }
    }
    for (int k = 0; k < VB; k++) store_u8_i16(out + 8 * (b + k), lo[k], hi[k]);
  }
  for (; b < blocks; b++) {
    v128_t lo = zero, hi = zero;
    for (int j = 0; j < pairs; j++) {
      const v128_t wt = wasm_v128_load32_splat(w + j), p = rows[2 * j][b], q = rows[2 * j + 1][b];
      lo = wasm_i32x4_add(lo, wasm_i32x4_dot_i16x8(rows_low(p, q), wt));
      hi = wasm_i32x4_add(hi, wasm_i32x4_dot_i16x8(rows_high(p, q), wt));
    }
    store_u8_i16(out + 8 * b, lo, hi);
  }
  if (outW & 1) {
    /* The last pixel alone: its 4 lanes, read 8 bytes at a time. */
    const int o = outW - 1;
    v128_t lo = zero;
    for (int j = 0; j < pairs; j++) {
      const v128_t p = wasm_v128_load64_zero((const int16_t *)rows[2 * j] + 4 * o), q = wasm_v128_load64_zero((const int16_t *)rows[2 * j + 1] + 4 * o);
      lo = wasm_i32x4_add(lo, wasm_i32x4_dot_i16x8(rows_low(p, q), wasm_v128_load32_splat(w + j)));
    }
    uint8_t px[8];
    store_u8_i16(px, lo, lo);
    memcpy(out + 4 * o, px, 4);
  }
}

/*
 * Makes the output rows whose every tap has arrived, up to outRows of them,
 * into the output buffer; returns how many (call again until 0).
 */
EXPORT int rs_emit(Rs *c) {
  int n = 0;
  const int last = c->tapsY - 1;
  while (n < c->outRows && c->emitted < c->outH && c->sourcesY[c->emitted * c->tapsY + last] < c->received) {
    (c->mode == I16 ? emit_row_i16 : c->mode == F32 ? emit_row_f32 : emit_row)(c, c->emitted, c->output + (size_t)n * c->outW * 4);
    c->emitted++, n++;
  }
  return n;
}

/* ------------------------------------------------------------------------ */
/* Box shrink                                                               */
/* ------------------------------------------------------------------------ */

typedef struct {
  int inW, inH, factor, outW, y, gathered;
  double *sums;    /* outW * 4: Σ r*a, Σ g*a, Σ b*a, Σ a */
  uint8_t *input;  /* one input row */
  uint8_t *output; /* one output row */
} Bs;

static size_t bs_bytes(int inW, int factor) {
  int outW = (inW + factor - 1) / factor;
  return align16(sizeof(Bs)) + align16((size_t)outW * 32) + align16((size_t)inW * 4) + align16((size_t)outW * 4);
}

EXPORT size_t bs_size(int inW, int factor) { return bs_bytes(inW, factor); }

EXPORT Bs *bs_new(int inW, int inH, int factor) {
  /* factor · 255 · 255 must fit a u32 lane for one row's segment. */
  if (inW < 1 || inH < 1 || factor < 1 || factor > 66000) return 0;
  size_t total = bs_bytes(inW, factor);
  uint8_t *p = aligned_alloc(16, total);
  if (!p) return 0;
  memset(p, 0, total);
  Bs *c = (Bs *)p;
  p += align16(sizeof(Bs));
  c->inW = inW, c->inH = inH, c->factor = factor, c->outW = (inW + factor - 1) / factor;
  c->sums = (double *)p, p += align16((size_t)c->outW * 32);
  c->input = p, p += align16((size_t)inW * 4);
  c->output = p;
  return c;
}

EXPORT uint8_t *bs_input(Bs *c) { return c->input; }
EXPORT uint8_t *bs_output(Bs *c) { return c->output; }
EXPORT void bs_free(Bs *c) { free(c); }

/* Adds the input row to the sums; returns 1 when an output row is ready in the output buffer. */
EXPORT int bs_push(Bs *c) {
  const int f = c->factor, inW = c->inW, outW = c->outW;
  const v128_t one = wasm_i32x4_const_splat(1);
  v128_t *sums = (v128_t *)c->sums;
  const uint8_t *px = c->input;
  for (int ox = 0, x = 0; ox < outW; ox++) {
    const int end = x + f < inW ? x + f : inW;
    v128_t acc = wasm_i32x4_const_splat(0);
    for (; x < end; x++, px += 4) {
      v128_t v = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(px)));
      acc = wasm_i32x4_add(acc, wasm_i32x4_mul(v, wasm_i32x4_shuffle(v, one, 3, 3, 3, 4)));
    }
    /* Whole numbers below 2^53 (factor² · 65025), so f64 sums are exact, as in the TS Float64Array. */
    sums[2 * ox] = wasm_f64x2_add(sums[2 * ox], wasm_f64x2_convert_low_u32x4(acc));
    sums[2 * ox + 1] = wasm_f64x2_add(sums[2 * ox + 1], wasm_f64x2_convert_low_u32x4(wasm_i32x4_shuffle(acc, acc, 2, 3, 2, 3)));
  }
  c->y++;
  if (++c->gathered < f && c->y < c->inH) return 0;

  /* Colour = Σ c*a ÷ Σ a (0 where Σ a = 0), alpha = Σ a ÷ pixels, each rounded ties to even like Uint8ClampedArray. */
  const v128_t zero = wasm_f64x2_const_splat(0), max = wasm_f64x2_const_splat(255);
  const v128_t colourOnly = wasm_i64x2_make(-1, 0);
  for (int ox = 0; ox < outW; ox++) {
    const int width = (ox + 1) * f <= inW ? f : inW - ox * f;
    const v128_t rg = sums[2 * ox], ba = sums[2 * ox + 1];
    const v128_t a = wasm_i64x2_shuffle(ba, ba, 1, 1);
    const v128_t positive = wasm_f64x2_gt(a, zero);
    v128_t q0 = wasm_v128_and(wasm_f64x2_div(rg, a), positive);
    /* (Σ b*a, Σ a) ÷ (Σ a, pixels); only the colour lane is zeroed when Σ a = 0 (the alpha lane is 0 then anyway). */
    v128_t q1 = wasm_f64x2_div(ba, wasm_i64x2_shuffle(a, wasm_f64x2_splat((double)width * c->gathered), 0, 2));
    q1 = wasm_v128_andnot(q1, wasm_v128_andnot(colourOnly, positive));
    q0 = wasm_f64x2_min(wasm_f64x2_nearest(q0), max);
    q1 = wasm_f64x2_min(wasm_f64x2_nearest(q1), max);
    v128_t p = wasm_i32x4_shuffle(wasm_i32x4_trunc_sat_f64x2_zero(q0), wasm_i32x4_trunc_sat_f64x2_zero(q1), 0, 1, 4, 5);
    p = wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(p, p), p);
    wasm_v128_store32_lane(c->output + 4 * ox, p, 0);
  }
  memset(c->sums, 0, (size_t)outW * 32);
  c->gathered = 0;
  return 1;
}
