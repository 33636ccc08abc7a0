/*
 * edgepix: AVIF still-image decoder shim around dav1d, compiled to a
 * standalone WebAssembly module (no emscripten JS glue). See README.md.
 *
 * It reads the HEIF/ISOBMFF container itself (ftyp, meta: pitm, iinf/infe,
 * iloc, iref, idat, iprp: ipco/ipma with av1C, ispe, pixi, colr, auxC, grid
 * items), decodes the primary item (and, first, its alpha auxiliary item)
 * with dav1d, and converts YUV to 8-bit RGBA band by band, box-shrinking by
 * an integer factor. The colour rows go out while dav1d decodes: our patch
 * (row-window.patch) gives dav1d a picture of a few superblock rows that
 * slides down the frame, so neither a full-size RGBA buffer nor (for a plain
 * av01 item) a full-size YUV picture ever exists. irot/imir/clap are not
 * applied.
 *
 * Driving model (all calls come from src/codecs/libavif/index.ts):
 *
 *   ctx = av_new(len)                 context + input buffer
 *   memcpy(av_input(ctx), avif, len)  (JS copies the file into the heap once)
 *   av_parse(ctx)                     container only; fills av_info(ctx)
 *   av_decode(ctx, max_factor)        dav1d decodes; once the decoded size is
 *                                     known it calls env.av_open(w, h), which
 *                                     answers the box factor, then hands every
 *                                     RGBA band to env.av_emit(rows, n); frees
 *                                     dav1d and the input
 *   av_destroy(ctx)                   free everything (also after an error)
 *
 * Errors: NO setjmp/longjmp. The shim calls the imported env.av_throw(msg),
 * which throws a JS exception; it unwinds through our frames (never through
 * dav1d's: dav1d reports errors by return value, and a row callback that has
 * to stop records why and returns non-zero), the wrapper restores the
 * shadow-stack pointer and calls av_destroy. env.av_open and env.av_emit
 * never throw either: they answer 0 / non-zero and the wrapper rethrows the
 * sink's own error.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dav1d/dav1d.h"

#define EXPORT __attribute__((visibility("default"), used))

/* Implemented by the TS wrapper: throws an AvifError. Never returns. */
__attribute__((import_module("env"), import_name("av_throw"))) void
av_throw(const char *msg);

/* Implemented by the TS wrapper, called once the decoded size is known:
 * opens the row sink and answers the box factor (0: the sink failed, stop). */
__attribute__((import_module("env"), import_name("av_open"))) int
av_open(int width, int height);

/* Implemented by the TS wrapper: n RGBA rows of the output width at rows,
 * lent for the call. Non-zero: the sink failed, stop. */
__attribute__((import_module("env"), import_name("av_emit"))) int
av_emit(uint8_t *rows, int n);

/* Info block shared with JS: one Int32Array view, fixed layout. */
enum {
  INFO_WIDTH = 0,   /* primary item's size: ispe, or the grid's output size */
  INFO_HEIGHT,
  INFO_DEPTH,       /* av1C: 8, 10 or 12                                    */
  INFO_LAYOUT,      /* av1C: 0 = 4:0:0, 1 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4     */
  INFO_HAS_ALPHA,   /* an alpha auxiliary item refers to the primary        */
  INFO_TILES,       /* grid: number of tiles, else 1                        */
  INFO_DEC_WIDTH,   /* once known: the decoded picture                     */
  INFO_DEC_HEIGHT,
  INFO_DEC_DEPTH,
  INFO_DEC_LAYOUT,
  INFO_MATRIX,      /* CICP matrix coefficients in use                      */
  INFO_FULL_RANGE,  /* 1 = full range YUV                                   */
  INFO_PRIMARIES,
  INFO_TRANSFER,
  INFO_PREMULTIPLIED,
  INFO_OUT_WIDTH,   /* once the decoded size is known (env.av_open)         */
  INFO_OUT_HEIGHT,
  INFO_FACTOR,
  INFO_OUT_ROW,     /* output rows emitted so far                           */
  INFO_ALPHA_FULL_RANGE,
  INFO_COUNT
};

/* Rows a converted output row reads above the last finished row: the 4:2:0
 * chroma row above it and the two rows window_rows holds back. */
#define LOOK_BACK_ROWS 8
/* Rows per env.av_emit: at most this many, and at most BAND_BYTES. */
#define MAX_BAND_ROWS 32
#define BAND_BYTES (1024 * 1024)

/* ---- errors ------------------------------------------------------------- */

static char av_msg[256];

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(av_msg, sizeof av_msg, fmt, ap);
  va_end(ap);
  av_throw(av_msg);
  __builtin_trap(); /* unreachable: av_throw always throws */
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) fail("Out of memory (%lu bytes)", (unsigned long)n);
  return p;
}

static void *xcalloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) fail("Out of memory");
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) fail("Out of memory (%lu bytes)", (unsigned long)(count * size));
  return p;
}

/* ---- byte reader -------------------------------------------------------- */

typedef struct {
  const uint8_t *p;
  size_t n, at;
  const char *box; /* for messages */
} rd_t;

static void need(rd_t *r, size_t k) {
  if (k > r->n - r->at) fail("BMFF parsing failed: truncated '%.4s' box", r->box);
}
static uint32_t u8(rd_t *r) { need(r, 1); return r->p[r->at++]; }
static uint32_t u16(rd_t *r) {
  need(r, 2);
  uint32_t v = (uint32_t)r->p[r->at] << 8 | r->p[r->at + 1];
  r->at += 2;
  return v;
}
static uint32_t u32(rd_t *r) {
  need(r, 4);
  const uint8_t *p = r->p + r->at;
  r->at += 4;
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t u64(rd_t *r) {
  uint64_t hi = u32(r);
  return hi << 32 | u32(r);
}
/* 0, 4 or 8 byte unsigned integer (iloc fields). */
static uint64_t uN(rd_t *r, unsigned bytes) {
  switch (bytes) {
  case 0: return 0;
  case 4: return u32(r);
  case 8: return u64(r);
  default: fail("BMFF parsing failed: iloc field size %u", bytes);
  }
}
static void skip(rd_t *r, size_t k) { need(r, k); r->at += k; }

typedef struct {
  uint32_t type;
  const uint8_t *body;
  size_t len;
} box_t;

#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Next box header in r; 0 at the end. The body stays inside r's bytes. */
static int next_box(rd_t *r, box_t *b) {
  if (r->at >= r->n) return 0;
  const char *outer = r->box;
  r->box = "box header";
  size_t start = r->at;
  uint64_t size = u32(r);
  b->type = u32(r);
  if (size == 1) size = u64(r);
  else if (size == 0) size = r->n - start;
  size_t header = r->at - start;
  r->box = outer;
  if (size < header || size > r->n - start)
    fail("BMFF parsing failed: box '%c%c%c%c' size %llu exceeds its container",
         (char)(b->type >> 24), (char)(b->type >> 16), (char)(b->type >> 8), (char)b->type,
         (unsigned long long)size);
  b->body = r->p + r->at;
  b->len = (size_t)size - header;
  r->at = start + (size_t)size;
  return 1;
}

static rd_t reader(const box_t *b, const char *name) {
  rd_t r = {b->body, b->len, 0, name};
  return r;
}

/* ---- container model ---------------------------------------------------- */

#define MAX_ITEMS 4096
#define MAX_ITEM_PROPS 32
#define MAX_PROPS 4096

typedef struct {
  uint64_t offset, length;
} extent_t;

typedef struct {
  uint32_t id;
  uint32_t type;         /* infe item_type, 0 if no infe            */
  int has_loc;
  int construction;      /* iloc construction_method: 0 file, 1 idat */
  uint64_t base_offset;
  uint32_t extent_count;
  extent_t *extents;
  uint16_t props[MAX_ITEM_PROPS]; /* 1-based ipco indices            */
  int prop_count;
  uint32_t auxl_to;      /* auxl reference: this item is auxiliary for */
  uint32_t prem_to;      /* prem reference from this item             */
  uint32_t *dimg;        /* dimg references (grid tiles), in order     */
  uint32_t dimg_count;
} item_t;

typedef struct {
  uint32_t width, height;  /* ispe                               */
  int depth, layout;       /* av1C                               */
  int has_av1c, has_ispe;
  int has_nclx, nclx_pri, nclx_trc, nclx_mtx, nclx_full;
  int is_alpha;            /* auxC alpha URN                     */
} props_t;

/* Decoded planes: either a dav1d picture or our own canvas (grids). */
typedef struct {
  int used;
  int w, h, depth, layout; /* layout: Dav1dPixelLayout             */
  int bytes;               /* 1 or 2 per sample                    */
  uint8_t *data[3];
  ptrdiff_t stride[3];
  int full_range, mtx, pri, trc;
  Dav1dPicture pic;        /* valid when have_pic                  */
  int have_pic;
  uint8_t *own[3];         /* canvas planes we allocated           */
  int tile_w, tile_h;      /* grids: every tile's size             */
} planes_t;

/* YUV -> RGB constants of one decode. */
typedef struct {
  float yoff, ys, coff, cs;     /* (v - off) * scale, scale includes 255 */
  float rv, gu, gv, bu;         /* R = Y + rv Cr, G = Y - gu Cb - gv Cr, B = Y + bu Cb */
  float aoff, as;
  int mode;                     /* 0 YCbCr, 1 identity (GBR), 2 YCgCo, 3 gray */
} cvt_t;

typedef struct {
  uint8_t *input;
  size_t input_len;
  int32_t info[INFO_COUNT];

  /* container */
  item_t *items;
  int item_count;
  box_t props[MAX_PROPS];
  int prop_count;
  const uint8_t *idat;
  size_t idat_len;
  uint32_t primary_id;
  int have_ftyp, have_meta, have_pitm;
  item_t *color, *alpha;

  Dav1dContext *dav1d;
  uint8_t *scratch; /* concatenated extents of a multi-extent item */
  planes_t yuv, a;

  /* row streaming: the largest box factor the window allows, 0 = whole picture */
  int max_factor;
  char stop_msg[256]; /* why a row callback stopped dav1d          */

  /* conversion */
  int factor, out_w, out_h, out_row;
  uint8_t *band;    /* band_rows output rows handed to av_emit       */
  int band_rows;
  float kr, kb;
  cvt_t cvt;
  float *acc;       /* out_w * 4 sums (shrink)                      */
  int32_t *crow[2]; /* vertically interpolated chroma row, 4x      */
  int32_t *lut;     /* 8-bit YCbCr: Y, then Cr->R, Cb->G, Cr->G, Cb->B, 16.16 fixed */
} av_ctx;

static uint32_t fourcc_at(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static item_t *find_item(av_ctx *c, uint32_t id) {
  for (int i = 0; i < c->item_count; i++)
    if (c->items[i].id == id) return &c->items[i];
  return NULL;
}

static item_t *get_item(av_ctx *c, uint32_t id) {
  item_t *it = find_item(c, id);
  if (it) return it;
  if (c->item_count >= MAX_ITEMS) fail("BMFF parsing failed: more than %d items", MAX_ITEMS);
  it = &c->items[c->item_count++];
  memset(it, 0, sizeof *it);
  it->id = id;
  return it;
}

/* ---- meta box children -------------------------------------------------- */

static void parse_pitm(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "pitm");
  uint32_t version = u8(&r);
  skip(&r, 3);
  c->primary_id = version == 0 ? u16(&r) : u32(&r);
  c->have_pitm = 1;
}

static void parse_iloc(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "iloc");
  uint32_t version = u8(&r);
  skip(&r, 3);
  if (version > 2) fail("BMFF parsing failed: iloc version %u", version);
  uint32_t sizes = u16(&r);
  unsigned offset_size = sizes >> 12 & 15, length_size = sizes >> 8 & 15;
  unsigned base_offset_size = sizes >> 4 & 15, index_size = version >= 1 ? sizes & 15 : 0;
  uint32_t count = version < 2 ? u16(&r) : u32(&r);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t id = version < 2 ? u16(&r) : u32(&r);
    int construction = 0;
    if (version >= 1) construction = (int)(u16(&r) & 15);
    skip(&r, 2); /* data_reference_index */
    uint64_t base = uN(&r, base_offset_size);
    uint32_t extents = u16(&r);
    item_t *it = get_item(c, id);
    if (it->has_loc) fail("BMFF parsing failed: item %u has two iloc entries", id);
    it->has_loc = 1;
    it->construction = construction;
    it->base_offset = base;
    it->extent_count = extents;
    it->extents = extents ? (extent_t *)xcalloc(extents, sizeof(extent_t)) : NULL;
    for (uint32_t e = 0; e < extents; e++) {
      if (index_size) uN(&r, index_size);
      it->extents[e].offset = uN(&r, offset_size);
      it->extents[e].length = uN(&r, length_size);
    }
  }
}

static void parse_iinf(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "iinf");
  uint32_t version = u8(&r);
  skip(&r, 3);
  if (version == 0) u16(&r); else u32(&r); /* entry_count: we walk the boxes */
  box_t e;
  while (next_box(&r, &e)) {
    if (e.type != FOURCC('i', 'n', 'f', 'e')) continue;
    rd_t q = reader(&e, "infe");
    uint32_t v = u8(&q);
    skip(&q, 3);
    if (v < 2) continue; /* no item_type: not an image item */
    uint32_t id = v == 2 ? u16(&q) : u32(&q);
    skip(&q, 2); /* item_protection_index */
    item_t *it = get_item(c, id);
    it->type = u32(&q);
  }
}

static void parse_iref(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "iref");
  uint32_t version = u8(&r);
  skip(&r, 3);
  box_t ref;
  while (next_box(&r, &ref)) {
    rd_t q = reader(&ref, "iref");
    uint32_t from = version == 0 ? u16(&q) : u32(&q);
    uint32_t n = u16(&q);
    item_t *it = get_item(c, from);
    if (ref.type == FOURCC('d', 'i', 'm', 'g')) {
      if (it->dimg) fail("BMFF parsing failed: item %u has two dimg references", from);
      it->dimg = (uint32_t *)xcalloc(n, sizeof(uint32_t));
      it->dimg_count = n;
    }
    for (uint32_t k = 0; k < n; k++) {
      uint32_t to = version == 0 ? u16(&q) : u32(&q);
      if (ref.type == FOURCC('a', 'u', 'x', 'l') && k == 0) it->auxl_to = to;
      else if (ref.type == FOURCC('p', 'r', 'e', 'm') && k == 0) it->prem_to = to;
      else if (ref.type == FOURCC('d', 'i', 'm', 'g')) it->dimg[k] = to;
    }
  }
}

static void parse_ipco(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "ipco");
  box_t p;
  while (next_box(&r, &p)) {
    if (c->prop_count >= MAX_PROPS) fail("BMFF parsing failed: more than %d properties", MAX_PROPS);
    c->props[c->prop_count++] = p;
  }
}

static void parse_ipma(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "ipma");
  uint32_t version = u8(&r);
  skip(&r, 2);
  uint32_t flags = u8(&r);
  uint32_t entries = u32(&r);
  for (uint32_t i = 0; i < entries; i++) {
    uint32_t id = version < 1 ? u16(&r) : u32(&r);
    uint32_t n = u8(&r);
    item_t *it = get_item(c, id);
    for (uint32_t k = 0; k < n; k++) {
      uint32_t index = (flags & 1) ? (u16(&r) & 0x7fff) : (u8(&r) & 0x7f);
      if (index == 0) continue;
      if (it->prop_count >= MAX_ITEM_PROPS) fail("BMFF parsing failed: item %u has too many properties", id);
      it->props[it->prop_count++] = (uint16_t)index;
    }
  }
}

static void parse_meta(av_ctx *c, const box_t *b) {
  rd_t r = reader(b, "meta");
  skip(&r, 4); /* full box */
  box_t k;
  while (next_box(&r, &k)) {
    switch (k.type) {
    case FOURCC('p', 'i', 't', 'm'): parse_pitm(c, &k); break;
    case FOURCC('i', 'l', 'o', 'c'): parse_iloc(c, &k); break;
    case FOURCC('i', 'i', 'n', 'f'): parse_iinf(c, &k); break;
    case FOURCC('i', 'r', 'e', 'f'): parse_iref(c, &k); break;
    case FOURCC('i', 'd', 'a', 't'): c->idat = k.body; c->idat_len = k.len; break;
    case FOURCC('i', 'p', 'r', 'p'): {
      rd_t q = reader(&k, "iprp");
      box_t p;
      while (next_box(&q, &p)) {
        if (p.type == FOURCC('i', 'p', 'c', 'o')) parse_ipco(c, &p);
        else if (p.type == FOURCC('i', 'p', 'm', 'a')) parse_ipma(c, &p);
      }
      break;
    }
    default: break;
    }
  }
}

static void item_props(av_ctx *c, const item_t *it, props_t *out) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < it->prop_count; i++) {
    int index = it->props[i];
    if (index > c->prop_count) fail("BMFF parsing failed: item %u refers to missing property %d", it->id, index);
    const box_t *p = &c->props[index - 1];
    rd_t r = reader(p, "property");
    switch (p->type) {
    case FOURCC('i', 's', 'p', 'e'):
      r.box = "ispe";
      skip(&r, 4);
      out->width = u32(&r);
      out->height = u32(&r);
      out->has_ispe = 1;
      break;
    case FOURCC('a', 'v', '1', 'C'): {
      r.box = "av1C";
      uint32_t b0 = u8(&r), b1 = u8(&r), b2 = u8(&r);
      (void)b0; (void)b1;
      int high = b2 >> 6 & 1, twelve = b2 >> 5 & 1, mono = b2 >> 4 & 1;
      int sx = b2 >> 3 & 1, sy = b2 >> 2 & 1;
      out->depth = high ? (twelve ? 12 : 10) : 8;
      out->layout = mono ? DAV1D_PIXEL_LAYOUT_I400
                         : sx && sy ? DAV1D_PIXEL_LAYOUT_I420
                         : sx       ? DAV1D_PIXEL_LAYOUT_I422
                                    : DAV1D_PIXEL_LAYOUT_I444;
      out->has_av1c = 1;
      break;
    }
    case FOURCC('c', 'o', 'l', 'r'):
      r.box = "colr";
      if (u32(&r) == FOURCC('n', 'c', 'l', 'x')) {
        out->nclx_pri = (int)u16(&r);
        out->nclx_trc = (int)u16(&r);
        out->nclx_mtx = (int)u16(&r);
        out->nclx_full = (int)(u8(&r) >> 7);
        out->has_nclx = 1;
      }
      break;
    case FOURCC('a', 'u', 'x', 'C'): {
      static const char *urns[] = {"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha", "urn:mpeg:hevc:2015:auxid:1"};
      if (p->len > 4) {
        const char *urn = (const char *)p->body + 4;
        size_t max = p->len - 4;
        for (int u = 0; u < 2; u++)
          if (strnlen(urn, max) == strlen(urns[u]) && memcmp(urn, urns[u], strlen(urns[u])) == 0)
            out->is_alpha = 1;
      }
      break;
    }
    default: break;
    }
  }
}

/* An item's payload: a pointer into the input (one extent) or into a
 * scratch buffer (several extents, concatenated). */
static const uint8_t *item_data(av_ctx *c, const item_t *it, size_t *len) {
  if (!it->has_loc) fail("BMFF parsing failed: item %u has no iloc entry", it->id);
  const uint8_t *src;
  size_t src_len;
  if (it->construction == 0) {
    src = c->input;
    src_len = c->input_len;
  } else if (it->construction == 1) {
    if (!c->idat) fail("BMFF parsing failed: item %u is in a missing idat box", it->id);
    src = c->idat;
    src_len = c->idat_len;
  } else {
    fail("BMFF parsing failed: item %u uses unsupported construction method %d", it->id, it->construction);
  }
  uint64_t total = 0;
  for (uint32_t e = 0; e < it->extent_count; e++) {
    const extent_t *x = &it->extents[e];
    uint64_t start = it->base_offset + x->offset;
    uint64_t length = x->length;
    if (length == 0 && it->extent_count == 1 && start <= src_len) length = src_len - start;
    if (start > src_len || length > src_len - start)
      fail("Truncated data: item %u extends past the end of the file", it->id);
    total += length;
  }
  if (total == 0) fail("Missing or empty image item %u", it->id);
  if (it->extent_count == 1) {
    const extent_t *x = &it->extents[0];
    uint64_t start = it->base_offset + x->offset;
    *len = (size_t)total;
    return src + start;
  }
  free(c->scratch);
  c->scratch = (uint8_t *)xmalloc((size_t)total);
  size_t at = 0;
  for (uint32_t e = 0; e < it->extent_count; e++) {
    const extent_t *x = &it->extents[e];
    uint64_t start = it->base_offset + x->offset;
    memcpy(c->scratch + at, src + start, (size_t)x->length);
    at += (size_t)x->length;
  }
  *len = (size_t)total;
  return c->scratch;
}

typedef struct {
  uint32_t rows, cols, width, height;
} grid_t;

static void read_grid(av_ctx *c, const item_t *it, grid_t *g) {
  size_t len;
  const uint8_t *p = item_data(c, it, &len);
  rd_t r = {p, len, 0, "grid"};
  if (u8(&r) != 0) fail("BMFF parsing failed: grid version is not 0");
  uint32_t flags = u8(&r);
  g->rows = u8(&r) + 1;
  g->cols = u8(&r) + 1;
  g->width = (flags & 1) ? u32(&r) : u16(&r);
  g->height = (flags & 1) ? u32(&r) : u16(&r);
  if (it->dimg_count != g->rows * g->cols)
    fail("BMFF parsing failed: grid expects %u tiles, found %u", g->rows * g->cols, it->dimg_count);
  if (g->width == 0 || g->height == 0) fail("BMFF parsing failed: grid has an empty output size");
}

/* Header-level description of an image item (av01 or grid). */
static void describe(av_ctx *c, item_t *it, props_t *pr, int *tiles) {
  item_props(c, it, pr);
  if (it->type == FOURCC('g', 'r', 'i', 'd')) {
    grid_t g;
    read_grid(c, it, &g);
    item_t *first = find_item(c, it->dimg[0]);
    if (!first || first->type != FOURCC('a', 'v', '0', '1'))
      fail("BMFF parsing failed: grid tile %u is not an av01 item", it->dimg[0]);
    props_t tp;
    item_props(c, first, &tp);
    if (!tp.has_av1c) fail("BMFF parsing failed: item %u is missing its mandatory av1C property", first->id);
    pr->depth = tp.depth;
    pr->layout = tp.layout;
    pr->has_av1c = 1;
    if (!pr->has_nclx && tp.has_nclx) {
      pr->has_nclx = 1;
      pr->nclx_pri = tp.nclx_pri;
      pr->nclx_trc = tp.nclx_trc;
      pr->nclx_mtx = tp.nclx_mtx;
      pr->nclx_full = tp.nclx_full;
    }
    if (!pr->has_ispe) {
      pr->width = g.width;
      pr->height = g.height;
    }
    *tiles = (int)(g.rows * g.cols);
  } else if (it->type == FOURCC('a', 'v', '0', '1')) {
    if (!pr->has_av1c) fail("BMFF parsing failed: item %u is missing its mandatory av1C property", it->id);
    if (!pr->has_ispe) fail("BMFF parsing failed: item %u is missing its mandatory ispe property", it->id);
    *tiles = 1;
  } else {
    fail("Missing or empty image item: item %u has type '%c%c%c%c'", it->id, (char)(it->type >> 24),
         (char)(it->type >> 16), (char)(it->type >> 8), (char)it->type);
  }
}

/* ---- lifecycle ---------------------------------------------------------- */

EXPORT av_ctx *av_new(size_t input_len) {
  av_ctx *c = (av_ctx *)calloc(1, sizeof(av_ctx));
  if (!c) return NULL;
  c->input = (uint8_t *)malloc(input_len ? input_len : 1);
  if (!c->input) {
    free(c);
    return NULL;
  }
  c->input_len = input_len;
  return c;
}

EXPORT uint8_t *av_input(av_ctx *c) { return c->input; }
EXPORT int32_t *av_info(av_ctx *c) { return c->info; }

static void free_planes(planes_t *p) {
  if (p->have_pic) dav1d_picture_unref(&p->pic);
  p->have_pic = 0;
  for (int i = 0; i < 3; i++) {
    free(p->own[i]);
    p->own[i] = NULL;
  }
  p->used = 0;
}

static void free_container(av_ctx *c) {
  if (c->items) {
    for (int i = 0; i < c->item_count; i++) {
      free(c->items[i].extents);
      free(c->items[i].dimg);
    }
    free(c->items);
    c->items = NULL;
  }
  c->item_count = 0;
  c->color = c->alpha = NULL;
  free(c->scratch);
  c->scratch = NULL;
  free(c->input);
  c->input = NULL;
  c->idat = NULL;
}

EXPORT void av_destroy(av_ctx *c) {
  if (!c) return;
  if (c->dav1d) dav1d_close(&c->dav1d);
  free_planes(&c->yuv);
  free_planes(&c->a);
  free_container(c);
  free(c->acc);
  free(c->crow[0]);
  free(c->crow[1]);
  free(c->lut);
  free(c->band);
  free(c);
}

/* Container only (no pixel decode). Returns 1; errors throw. */
EXPORT int av_parse(av_ctx *c) {
  c->items = (item_t *)xcalloc(MAX_ITEMS, sizeof(item_t));
  rd_t r = {c->input, c->input_len, 0, "file"};
  box_t b;
  while (next_box(&r, &b)) {
    if (b.type == FOURCC('f', 't', 'y', 'p')) {
      c->have_ftyp = 1;
      int ok = 0;
      for (size_t at = 0; at + 4 <= b.len; at += 4) {
        if (at == 4) continue; /* minor_version */
        uint32_t brand = fourcc_at(b.body + at);
        if (brand == FOURCC('a', 'v', 'i', 'f') || brand == FOURCC('a', 'v', 'i', 's')) ok = 1;
      }
      if (!ok) fail("Invalid ftyp: no 'avif' or 'avis' brand");
    } else if (b.type == FOURCC('m', 'e', 't', 'a')) {
      if (c->have_meta) fail("BMFF parsing failed: two meta boxes");
      c->have_meta = 1;
      parse_meta(c, &b);
    }
  }
  if (!c->have_ftyp) fail("Invalid ftyp: the file does not start with an ftyp box");
  if (!c->have_meta) fail("BMFF parsing failed: no meta box (image sequences are not supported)");
  if (!c->have_pitm) fail("Missing or empty image item: no pitm box");
  c->color = find_item(c, c->primary_id);
  if (!c->color) fail("Missing or empty image item: primary item %u not found", c->primary_id);
  props_t pr;
  int tiles = 1;
  describe(c, c->color, &pr, &tiles);
  c->info[INFO_WIDTH] = (int32_t)pr.width;
  c->info[INFO_HEIGHT] = (int32_t)pr.height;
  c->info[INFO_DEPTH] = pr.depth;
  c->info[INFO_LAYOUT] = pr.layout;
  c->info[INFO_TILES] = tiles;
  /* alpha: an auxl reference to the primary with the alpha URN in auxC */
  for (int i = 0; i < c->item_count; i++) {
    item_t *it = &c->items[i];
    if (it == c->color || it->auxl_to != c->primary_id) continue;
    if (it->type != FOURCC('a', 'v', '0', '1') && it->type != FOURCC('g', 'r', 'i', 'd')) continue;
    props_t ap;
    item_props(c, it, &ap);
    if (!ap.is_alpha) continue;
    c->alpha = it;
    break;
  }
  c->info[INFO_HAS_ALPHA] = c->alpha != NULL;
  if (c->alpha) {
    c->info[INFO_PREMULTIPLIED] = c->alpha->prem_to == c->primary_id || c->color->prem_to == c->alpha->id;
  }
  return 1;
}

/* ---- dav1d -------------------------------------------------------------- */

static void no_free(const uint8_t *data, void *cookie) { (void)data; (void)cookie; }

/* Decodes one av01 item's payload to a picture; the decoder is closed
 * before returning, so only the picture's buffer stays allocated. With a
 * row window, dav1d hands finished rows to rw->rows while it decodes and the
 * picture holds only a window of rows (see Dav1dRowWindow). */
static void decode_av01(av_ctx *c, const item_t *it, Dav1dPicture *pic, const char *what, const Dav1dRowWindow *rw) {
  size_t len;
  const uint8_t *p = item_data(c, it, &len);
  Dav1dSettings s;
  dav1d_default_settings(&s);
  s.n_threads = 1;
  s.max_frame_delay = 1;
  s.all_layers = 0;
  s.operating_point = 0;
  s.frame_size_limit = 16384u * 16384u;
  s.logger.callback = NULL;
  if (rw) s.row_window = *rw;
  int res = dav1d_open(&c->dav1d, &s);
  if (res < 0) fail("Decoding of %s failed: dav1d_open error %d", what, res);
  Dav1dData data;
  memset(&data, 0, sizeof data);
  res = dav1d_data_wrap(&data, p, len, no_free, NULL);
  if (res < 0) fail("Decoding of %s failed: dav1d_data_wrap error %d", what, res);
  memset(pic, 0, sizeof *pic);
  for (;;) {
    if (data.data) {
      res = dav1d_send_data(c->dav1d, &data);
      if (res < 0 && res != DAV1D_ERR(EAGAIN)) {
        dav1d_data_unref(&data);
        fail("Decoding of %s failed: dav1d error %d (%s)", what, res, res == DAV1D_ERR(ENOMEM) ? "out of memory" : "invalid data");
      }
    }
    res = dav1d_get_picture(c->dav1d, pic);
    if (res == DAV1D_ERR(EAGAIN)) {
      if (data.data) continue;
      fail("Decoding of %s failed: the AV1 payload holds no frame", what);
    }
    if (res < 0) {
      dav1d_data_unref(&data);
      if (c->stop_msg[0]) fail("%s", c->stop_msg);
      fail("Decoding of %s failed: dav1d error %d (%s)", what, res, res == DAV1D_ERR(ENOMEM) ? "out of memory" : "invalid data");
    }
    break;
  }
  dav1d_data_unref(&data);
  /* The picture is refcounted: closing the decoder frees its frame state,
   * tile contexts and the other pool buffers, not this picture. */
  dav1d_close(&c->dav1d);
}

/* The planes' size, format and colour from a picture, without keeping it. */
static void describe_planes(planes_t *pl, const Dav1dPicture *pic) {
  pl->used = 1;
  pl->w = pic->p.w;
  pl->h = pic->p.h;
  pl->depth = pic->p.bpc;
  pl->layout = pic->p.layout;
  pl->bytes = pic->p.bpc > 8 ? 2 : 1;
  for (int i = 0; i < 3; i++) pl->data[i] = (uint8_t *)pic->data[i];
  pl->stride[0] = pic->stride[0];
  pl->stride[1] = pl->stride[2] = pic->stride[1];
  const Dav1dSequenceHeader *seq = pic->seq_hdr;
  pl->full_range = seq->color_range;
  pl->mtx = seq->mtrx;
  pl->pri = seq->pri;
  pl->trc = seq->trc;
}

/* The planes of a picture we keep (until free_planes). */
static void planes_from_pic(planes_t *pl, Dav1dPicture *pic) {
  describe_planes(pl, pic);
  pl->pic = *pic;
  pl->have_pic = 1;
}

static int chroma_shift_x(int layout) { return layout == DAV1D_PIXEL_LAYOUT_I420 || layout == DAV1D_PIXEL_LAYOUT_I422; }
static int chroma_shift_y(int layout) { return layout == DAV1D_PIXEL_LAYOUT_I420; }

/* Decodes an av01 or grid item into pl. */
static void decode_image(av_ctx *c, const item_t *it, planes_t *pl, const char *what) {
  if (it->type == FOURCC('a', 'v', '0', '1')) {
    Dav1dPicture pic;
    decode_av01(c, it, &pic, what, NULL);
    planes_from_pic(pl, &pic);
    return;
  }
  grid_t g;
  read_grid(c, it, &g);
  for (uint32_t t = 0; t < g.rows * g.cols; t++) {
    const item_t *tile = find_item(c, it->dimg[t]);
    if (!tile || tile->type != FOURCC('a', 'v', '0', '1'))
      fail("BMFF parsing failed: grid tile %u is not an av01 item", it->dimg[t]);
    Dav1dPicture pic;
    decode_av01(c, tile, &pic, what, NULL);
    int tw = pic.p.w, th = pic.p.h, layout = pic.p.layout, bpc = pic.p.bpc;
    if (t == 0) {
      if ((uint64_t)tw * g.cols < g.width || (uint64_t)tw * (g.cols - 1) >= g.width ||
          (uint64_t)th * g.rows < g.height || (uint64_t)th * (g.rows - 1) >= g.height) {
        dav1d_picture_unref(&pic);
        fail("Invalid image grid: %ux%u tiles of %dx%d do not make %ux%u", g.cols, g.rows, tw, th, g.width, g.height);
      }
      if ((chroma_shift_x(layout) && (tw & 1)) || (chroma_shift_y(layout) && (th & 1))) {
        dav1d_picture_unref(&pic);
        fail("Invalid image grid: odd tile size %dx%d with subsampled chroma", tw, th);
      }
      planes_from_pic(pl, &pic); /* copies size/format/colour fields */
      pl->have_pic = 0;
      pl->w = (int)g.width;
      pl->h = (int)g.height;
      int sx = chroma_shift_x(layout), sy = chroma_shift_y(layout);
      int nplanes = layout == DAV1D_PIXEL_LAYOUT_I400 ? 1 : 3;
      for (int i = 0; i < 3; i++) {
        pl->own[i] = NULL;
        pl->data[i] = NULL;
      }
      for (int i = 0; i < nplanes; i++) {
        size_t pw = i ? (g.width + sx) >> sx : g.width;
        size_t ph = i ? (g.height + sy) >> sy : g.height;
        pl->stride[i] = (ptrdiff_t)(pw * pl->bytes);
        pl->own[i] = (uint8_t *)xmalloc(pw * ph * pl->bytes);
        pl->data[i] = pl->own[i];
      }
      pl->tile_w = tw;
      pl->tile_h = th;
    } else if (tw != pl->tile_w || th != pl->tile_h || layout != pl->layout || bpc != pl->depth) {
      dav1d_picture_unref(&pic);
      fail("Invalid image grid: tile %u differs from the first tile", t);
    }
    int sx = chroma_shift_x(layout), sy = chroma_shift_y(layout);
    int nplanes = layout == DAV1D_PIXEL_LAYOUT_I400 ? 1 : 3;
    uint32_t col = t % g.cols, row = t / g.cols;
    for (int i = 0; i < nplanes; i++) {
      int hs = i ? sx : 0, vs = i ? sy : 0;
      size_t x0 = ((size_t)col * tw) >> hs, y0 = ((size_t)row * th) >> vs;
      size_t pw = i ? ((g.width + hs) >> hs) : g.width;
      size_t ph = i ? ((g.height + vs) >> vs) : g.height;
      size_t cw = (size_t)((tw + hs) >> hs), ch = (size_t)((th + vs) >> vs);
      if (x0 + cw > pw) cw = pw - x0;
      if (y0 + ch > ph) ch = ph - y0;
      ptrdiff_t sstride = i ? pic.stride[1] : pic.stride[0];
      const uint8_t *src = (const uint8_t *)pic.data[i];
      for (size_t y = 0; y < ch; y++)
        memcpy(pl->data[i] + (y0 + y) * pl->stride[i] + x0 * pl->bytes, src + y * sstride, cw * pl->bytes);
    }
    dav1d_picture_unref(&pic);
  }
}

/* ---- YUV -> RGBA, band by band ------------------------------------------ */

/* Kr, Kb of a CICP matrix; 12/13 (chromaticity-derived) from the primaries.
 * Unspecified and anything unsupported fall back to BT.601, as libavif does. */
static void primaries_xy(int pri, float xy[8]) {
  /* rx, ry, gx, gy, bx, by, wx, wy */
  static const float bt709[8] = {0.64f, 0.33f, 0.30f, 0.60f, 0.15f, 0.06f, 0.3127f, 0.3290f};
  static const float bt470m[8] = {0.67f, 0.33f, 0.21f, 0.71f, 0.14f, 0.08f, 0.310f, 0.316f};
  static const float bt470bg[8] = {0.64f, 0.33f, 0.29f, 0.60f, 0.15f, 0.06f, 0.3127f, 0.3290f};
  static const float bt601[8] = {0.630f, 0.340f, 0.310f, 0.595f, 0.155f, 0.070f, 0.3127f, 0.3290f};
  static const float bt2020[8] = {0.708f, 0.292f, 0.170f, 0.797f, 0.131f, 0.046f, 0.3127f, 0.3290f};
  static const float xyz[8] = {1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.3333f, 0.3333f};
  static const float dci[8] = {0.680f, 0.320f, 0.265f, 0.690f, 0.150f, 0.060f, 0.314f, 0.351f};
  static const float p3[8] = {0.680f, 0.320f, 0.265f, 0.690f, 0.150f, 0.060f, 0.3127f, 0.3290f};
  static const float ebu3213[8] = {0.630f, 0.340f, 0.295f, 0.605f, 0.155f, 0.077f, 0.3127f, 0.3290f};
  const float *t;
  switch (pri) {
  case 4: t = bt470m; break;
  case 5: t = bt470bg; break;
  case 6: case 7: t = bt601; break;
  case 9: t = bt2020; break;
  case 10: t = xyz; break;
  case 11: t = dci; break;
  case 12: t = p3; break;
  case 22: t = ebu3213; break;
  default: t = bt709; break;
  }
  memcpy(xy, t, sizeof(float) * 8);
}

static void matrix_coeffs(int mtx, int pri, float *kr, float *kb) {
  switch (mtx) {
  case 1: *kr = 0.2126f; *kb = 0.0722f; return;
  case 4: *kr = 0.30f; *kb = 0.11f; return;
  case 7: *kr = 0.212f; *kb = 0.087f; return;
  case 9: case 10: *kr = 0.2627f; *kb = 0.0593f; return;
  case 12: case 13: {
    /* Y coefficients of the primaries (the luminance row of RGB->XYZ) */
    float p[8];
    primaries_xy(pri, p);
    float rx = p[0], ry = p[1], gx = p[2], gy = p[3], bx = p[4], by = p[5], wx = p[6], wy = p[7];
    float rz = 1 - (rx + ry), gz = 1 - (gx + gy), bz = 1 - (bx + by), wz = 1 - (wx + wy);
    float d = rx * (gy * bz - by * gz) + gx * (by * rz - ry * bz) + bx * (ry * gz - gy * rz);
    if (d != 0.0f && wy != 0.0f) {
      float r = ry * (wx * (gy * bz - by * gz) + wy * (bx * gz - gx * bz) + wz * (gx * by - bx * gy)) / (wy * d);
      float b = by * (wx * (ry * gz - gy * rz) + wy * (gx * rz - rx * gz) + wz * (rx * gy - gx * ry)) / (wy * d);
      *kr = r;
      *kb = b;
      return;
    }
    break;
  }
  default: break;
  }
  *kr = 0.299f;
  *kb = 0.114f;
}


static void setup_conversion(av_ctx *c) {
  const planes_t *p = &c->yuv;
  int d = p->depth;
  float maxv = (float)((1 << d) - 1);
  if (p->full_range) {
    c->cvt.yoff = 0;
    c->cvt.ys = 255.0f / maxv;
    c->cvt.coff = (float)(1 << (d - 1));
    c->cvt.cs = 255.0f / maxv;
  } else {
    c->cvt.yoff = (float)(16 << (d - 8));
    c->cvt.ys = 255.0f / (float)(219 << (d - 8));
    c->cvt.coff = (float)(128 << (d - 8));
    c->cvt.cs = 255.0f / (float)(224 << (d - 8));
  }
  matrix_coeffs(p->mtx, p->pri, &c->kr, &c->kb);
  float kr = c->kr, kb = c->kb, kg = 1.0f - kr - kb;
  c->cvt.rv = 2.0f * (1.0f - kr);
  c->cvt.bu = 2.0f * (1.0f - kb);
  c->cvt.gu = 2.0f * kb * (1.0f - kb) / kg;
  c->cvt.gv = 2.0f * kr * (1.0f - kr) / kg;
  c->cvt.mode = p->layout == DAV1D_PIXEL_LAYOUT_I400 ? 3 : p->mtx == 0 ? 1 : p->mtx == 8 ? 2 : 0;
  if (c->cvt.mode == 1) { /* identity: every channel is a plain (R, G or B) sample */
    c->cvt.coff = c->cvt.yoff;
    c->cvt.cs = c->cvt.ys;
  }
  if (c->a.used) {
    int ad = c->a.depth;
    if (c->a.full_range) {
      c->cvt.aoff = 0;
      c->cvt.as = 255.0f / (float)((1 << ad) - 1);
    } else {
      c->cvt.aoff = (float)(16 << (ad - 8));
      c->cvt.as = 255.0f / (float)(219 << (ad - 8));
    }
  }
}

static inline uint8_t clamp8(float v) {
  if (!(v > 0.0f)) return 0; /* also NaN */
  if (v >= 255.0f) return 255;
  return (uint8_t)(v + 0.5f);
}

static inline int sample(const uint8_t *row, int x, int hbd) {
  return hbd ? ((const uint16_t *)row)[x] : row[x];
}

/* Vertically interpolated chroma (weight 4: center-sited 3:1 for 4:2:0,
 * 4 x the sample otherwise) for luma row y, into crow[0] (Cb), crow[1] (Cr). */
static inline void chroma_rows(av_ctx *c, int y, int hbd) {
  const planes_t *p = &c->yuv;
  int sy = chroma_shift_y(p->layout), sx = chroma_shift_x(p->layout);
  int cw = (p->w + sx) >> sx, ch = (p->h + sy) >> sy;
  for (int i = 0; i < 2; i++) {
    int32_t *dst = c->crow[i];
    if (sy) {
      int cy = y >> 1;
      int ny = (y & 1) ? cy + 1 : cy - 1;
      if (ny < 0) ny = 0;
      if (ny >= ch) ny = ch - 1;
      const uint8_t *r0 = p->data[1 + i] + (ptrdiff_t)cy * p->stride[1 + i];
      const uint8_t *r1 = p->data[1 + i] + (ptrdiff_t)ny * p->stride[1 + i];
      for (int x = 0; x < cw; x++) dst[x] = 3 * sample(r0, x, hbd) + sample(r1, x, hbd);
    } else {
      const uint8_t *r0 = p->data[1 + i] + (ptrdiff_t)y * p->stride[1 + i];
      for (int x = 0; x < cw; x++) dst[x] = 4 * sample(r0, x, hbd);
    }
  }
}

/* Chroma of luma column x from the vertically interpolated rows, x 16
 * (center-sited 3:1 horizontally for 4:2:0 / 4:2:2). */
static inline void chroma_at(const int32_t *cb, const int32_t *cr, int x, int sx, int cw, int *u16, int *v16) {
  if (sx) {
    int cx = x >> 1;
    int nx = (x & 1) ? cx + 1 : cx - 1;
    if (nx < 0) nx = 0;
    if (nx >= cw) nx = cw - 1;
    *u16 = 3 * cb[cx] + cb[nx];
    *v16 = 3 * cr[cx] + cr[nx];
  } else {
    *u16 = 4 * cb[x];
    *v16 = 4 * cr[x];
  }
}

/* RGB (0..255, unclamped) of one sample: y raw, u16/v16 raw x 16. */
static inline void to_rgb(const cvt_t *k, float y, float u16, float v16, float rgb[3]) {
  float Y = (y - k->yoff) * k->ys;
  if (k->mode == 3) {
    rgb[0] = rgb[1] = rgb[2] = Y;
    return;
  }
  float U = (u16 * (1.0f / 16.0f) - k->coff) * k->cs;
  float V = (v16 * (1.0f / 16.0f) - k->coff) * k->cs;
  if (k->mode == 0) {
    rgb[0] = Y + k->rv * V;
    rgb[1] = Y - k->gu * U - k->gv * V;
    rgb[2] = Y + k->bu * U;
  } else if (k->mode == 1) { /* identity: GBR */
    rgb[0] = V;
    rgb[1] = Y;
    rgb[2] = U;
  } else { /* YCgCo */
    float t = Y - U;
    rgb[1] = Y + U;
    rgb[2] = t - V;
    rgb[0] = t + V;
  }
}

static inline float alpha_at(const cvt_t *k, float a) {
  float v = (a - k->aoff) * k->as;
  return v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v;
}

/* One full-width source row y as RGBA 8-bit (premultiplied if the file is). */
static inline void convert_row_t(av_ctx *c, int y, uint8_t *out, int hbd, int ahbd) {
  const planes_t *p = &c->yuv;
  const int w = p->w;
  const uint8_t *yrow = p->data[0] + (ptrdiff_t)y * p->stride[0];
  const cvt_t k = c->cvt;
  const int sx = chroma_shift_x(p->layout);
  const int cw = (w + sx) >> sx;
  if (k.mode != 3) chroma_rows(c, y, hbd);
  const int32_t *cb = c->crow[0], *cr = c->crow[1];
  for (int x = 0; x < w; x++) {
    int u16 = 0, v16 = 0;
    if (k.mode != 3) chroma_at(cb, cr, x, sx, cw, &u16, &v16);
    float rgb[3];
    to_rgb(&k, (float)sample(yrow, x, hbd), (float)u16, (float)v16, rgb);
    out[4 * x] = clamp8(rgb[0]);
    out[4 * x + 1] = clamp8(rgb[1]);
    out[4 * x + 2] = clamp8(rgb[2]);
    out[4 * x + 3] = 255;
  }
  if (c->a.used) {
    const uint8_t *arow = c->a.data[0] + (ptrdiff_t)y * c->a.stride[0];
    for (int x = 0; x < w; x++) out[4 * x + 3] = clamp8(alpha_at(&k, (float)sample(arow, x, ahbd)));
  }
}

/* Box shrink, in the YUV domain: YUV -> RGB is affine, so the RGB of the
 * box's mean YUV is the mean of the boxes' RGB (up to clamping), at a
 * fraction of the cost. With straight alpha the sums are alpha-weighted
 * (colour averaged as premultiplied, then divided back); premultiplied
 * files are summed as they are and divided by the mean alpha at the end.
 * acc: out_w x {Y, U16, V16, A} sums. */
static inline void accumulate_row_t(av_ctx *c, int y, int hbd, int ahbd) {
  const planes_t *p = &c->yuv;
  const int w = p->w, f = c->factor, ow = c->out_w;
  const uint8_t *yrow = p->data[0] + (ptrdiff_t)y * p->stride[0];
  const cvt_t k = c->cvt;
  const int sx = chroma_shift_x(p->layout);
  const int cw = (w + sx) >> sx;
  const int chroma = k.mode != 3;
  if (chroma) chroma_rows(c, y, hbd);
  const int32_t *cb = c->crow[0], *cr = c->crow[1];
  const uint8_t *arow = c->a.used ? c->a.data[0] + (ptrdiff_t)y * c->a.stride[0] : NULL;
  const int weighted = arow && !c->info[INFO_PREMULTIPLIED];
  float *acc = c->acc;
  for (int ox = 0; ox < ow; ox++) {
    int x0 = ox * f, x1 = x0 + f;
    if (x1 > w) x1 = w;
    float sy = 0, su = 0, sv = 0, sa = 0;
    for (int x = x0; x < x1; x++) {
      int u16 = 0, v16 = 0;
      if (chroma) chroma_at(cb, cr, x, sx, cw, &u16, &v16);
      float Y = (float)sample(yrow, x, hbd);
      float a = arow ? alpha_at(&k, (float)sample(arow, x, ahbd)) : 255.0f;
      if (weighted) {
        sy += Y * a;
        su += (float)u16 * a;
        sv += (float)v16 * a;
      } else {
        sy += Y;
        su += (float)u16;
        sv += (float)v16;
      }
      sa += a;
    }
    acc[4 * ox] += sy;
    acc[4 * ox + 1] += su;
    acc[4 * ox + 2] += sv;
    acc[4 * ox + 3] += sa;
  }
}

static void accumulate_row(av_ctx *c, int y) {
  int ahbd = c->a.used && c->a.bytes == 2;
  if (c->yuv.bytes == 2) {
    if (ahbd) accumulate_row_t(c, y, 1, 1);
    else accumulate_row_t(c, y, 1, 0);
  } else {
    if (ahbd) accumulate_row_t(c, y, 0, 1);
    else accumulate_row_t(c, y, 0, 0);
  }
}

/* 8-bit YCbCr rows (the common case) with 16.16 fixed-point tables (in
 * c->lut, LUT_BYTES) instead of float maths, and chroma interpolated two
 * luma columns at a time. Same results as convert_row_t up to the last bit
 * of rounding. */
#define LUT_C 4081 /* u16 / v16 range: 0 .. 16 * 255 */
#define LUT_BYTES ((256 + 4 * LUT_C) * sizeof(int32_t))
static void build_lut(av_ctx *c) {
  const cvt_t *k = &c->cvt;
  int32_t *t = c->lut;
  for (int i = 0; i < 256; i++) t[i] = (int32_t)lrintf(((float)i - k->yoff) * k->ys * 65536.0f) + 32768;
  int32_t *rv = t + 256, *gu = rv + LUT_C, *gv = gu + LUT_C, *bu = gv + LUT_C;
  for (int i = 0; i < LUT_C; i++) {
    float ch = ((float)i * (1.0f / 16.0f) - k->coff) * k->cs;
    rv[i] = (int32_t)lrintf(k->rv * ch * 65536.0f);
    gu[i] = (int32_t)lrintf(k->gu * ch * 65536.0f);
    gv[i] = (int32_t)lrintf(k->gv * ch * 65536.0f);
    bu[i] = (int32_t)lrintf(k->bu * ch * 65536.0f);
  }
}

static inline uint8_t clamp_fx(int32_t v) {
  v >>= 16;
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static inline void put_fx(const int32_t *t, uint8_t *o, int y, int u16, int v16) {
  const int32_t *rv = t + 256, *gu = rv + LUT_C, *gv = gu + LUT_C, *bu = gv + LUT_C;
  int32_t Y = t[y];
  o[0] = clamp_fx(Y + rv[v16]);
  o[1] = clamp_fx(Y - gu[u16] - gv[v16]);
  o[2] = clamp_fx(Y + bu[u16]);
  o[3] = 255;
}

static void convert_row8(av_ctx *c, int y, uint8_t *out) {
  const planes_t *p = &c->yuv;
  const int w = p->w;
  const uint8_t *yrow = p->data[0] + (ptrdiff_t)y * p->stride[0];
  const int32_t *t = c->lut;
  chroma_rows(c, y, 0);
  const int32_t *cb = c->crow[0], *cr = c->crow[1];
  if (chroma_shift_x(p->layout)) {
    const int cw = (w + 1) >> 1;
    for (int cx = 0; cx < cw; cx++) {
      int l = cx > 0 ? cx - 1 : 0, r = cx + 1 < cw ? cx + 1 : cw - 1;
      int u3 = 3 * cb[cx], v3 = 3 * cr[cx];
      int x = 2 * cx;
      put_fx(t, out + 4 * x, yrow[x], u3 + cb[l], v3 + cr[l]);
      if (x + 1 < w) put_fx(t, out + 4 * x + 4, yrow[x + 1], u3 + cb[r], v3 + cr[r]);
    }
  } else {
    for (int x = 0; x < w; x++) put_fx(t, out + 4 * x, yrow[x], 4 * cb[x], 4 * cr[x]);
  }
  if (c->a.used) {
    const cvt_t k = c->cvt;
    const uint8_t *arow = c->a.data[0] + (ptrdiff_t)y * c->a.stride[0];
    int ahbd = c->a.bytes == 2;
    for (int x = 0; x < w; x++) out[4 * x + 3] = clamp8(alpha_at(&k, (float)sample(arow, x, ahbd)));
  }
}

static void convert_row(av_ctx *c, int y, uint8_t *out) {
  if (c->lut) {
    convert_row8(c, y, out);
    return;
  }
  int ahbd = c->a.used && c->a.bytes == 2;
  if (c->yuv.bytes == 2) {
    if (ahbd) convert_row_t(c, y, out, 1, 1);
    else convert_row_t(c, y, out, 1, 0);
  } else {
    if (ahbd) convert_row_t(c, y, out, 0, 1);
    else convert_row_t(c, y, out, 0, 0);
  }
}

static void unpremultiply(uint8_t *px, int n) {
  for (int x = 0; x < n; x++, px += 4) {
    int a = px[3];
    if (a == 255) continue;
    if (a == 0) {
      px[0] = px[1] = px[2] = 0;
      continue;
    }
    for (int i = 0; i < 3; i++) {
      int v = (px[i] * 255 + a / 2) / a;
      px[i] = (uint8_t)(v > 255 ? 255 : v);
    }
  }
}

/* One output row: the mean of factor x factor source pixels (fewer at the
 * right and bottom edges). */
static void shrink_row(av_ctx *c, int oy, uint8_t *dst) {
  const int f = c->factor, w = c->yuv.w, ow = c->out_w;
  const int alpha = c->a.used, prem = c->info[INFO_PREMULTIPLIED];
  float *acc = c->acc;
  memset(acc, 0, (size_t)ow * 4 * sizeof(float));
  int y0 = oy * f, y1 = y0 + f;
  if (y1 > c->yuv.h) y1 = c->yuv.h;
  for (int y = y0; y < y1; y++) accumulate_row(c, y);
  const int rows = y1 - y0;
  const cvt_t k = c->cvt;
  for (int ox = 0; ox < ow; ox++) {
    int x1 = (ox + 1) * f;
    if (x1 > w) x1 = w;
    float n = (float)((x1 - ox * f) * rows);
    const float *s = acc + 4 * ox;
    uint8_t *d = dst + 4 * ox;
    float rgb[3] = {0, 0, 0};
    float a = s[3] / n;
    if (alpha && !prem) {
      if (s[3] > 0) to_rgb(&k, s[0] / s[3], s[1] / s[3], s[2] / s[3], rgb);
    } else {
      to_rgb(&k, s[0] / n, s[1] / n, s[2] / n, rgb);
      if (alpha) {
        float mul = a > 0 ? 255.0f / a : 0.0f;
        rgb[0] *= mul;
        rgb[1] *= mul;
        rgb[2] *= mul;
      }
    }
    d[0] = clamp8(rgb[0]);
    d[1] = clamp8(rgb[1]);
    d[2] = clamp8(rgb[2]);
    d[3] = alpha ? clamp8(a) : 255;
  }
}

/* ---- the decode: rows out as they are finished ------------------------- */

/* Why the decode stops, from inside a dav1d callback (where fail() must not
 * throw through dav1d's frames): decode_av01 fails with it once dav1d has
 * unwound. Returns 0. */
__attribute__((format(printf, 2, 3))) static int stop(av_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->stop_msg, sizeof c->stop_msg, fmt, ap);
  va_end(ap);
  return 0;
}

/* The decoded size and colour into the info block: the primary item's nclx
 * colr overrides the sequence header. Returns 0 (after stop) when alpha and
 * colour differ in size. */
static int describe_decoded(av_ctx *c) {
  if (c->a.used && (c->a.w != c->yuv.w || c->a.h != c->yuv.h))
    return stop(c, "Decoding of alpha plane failed: alpha is %dx%d, color %dx%d", c->a.w, c->a.h, c->yuv.w, c->yuv.h);
  props_t pr;
  item_props(c, c->color, &pr);
  if (c->color->type == FOURCC('g', 'r', 'i', 'd') && !pr.has_nclx) {
    item_t *first = find_item(c, c->color->dimg[0]);
    if (first) item_props(c, first, &pr);
  }
  if (pr.has_nclx) {
    c->yuv.mtx = pr.nclx_mtx;
    c->yuv.pri = pr.nclx_pri;
    c->yuv.trc = pr.nclx_trc;
    c->yuv.full_range = pr.nclx_full;
  }
  c->info[INFO_DEC_WIDTH] = c->yuv.w;
  c->info[INFO_DEC_HEIGHT] = c->yuv.h;
  c->info[INFO_DEC_DEPTH] = c->yuv.depth;
  c->info[INFO_DEC_LAYOUT] = c->yuv.layout;
  c->info[INFO_MATRIX] = c->yuv.mtx;
  c->info[INFO_FULL_RANGE] = c->yuv.full_range;
  c->info[INFO_PRIMARIES] = c->yuv.pri;
  c->info[INFO_TRANSFER] = c->yuv.trc;
  c->info[INFO_ALPHA_FULL_RANGE] = c->a.used ? c->a.full_range : 1;
  return 1;
}

/* Once the decoded size is known: the sink's box factor (env.av_open) and
 * the row buffers. Returns 0 (after stop) to end the decode. */
static int open_output(av_ctx *c) {
  if (!describe_decoded(c)) return 0;
  int factor = av_open(c->yuv.w, c->yuv.h);
  if (factor < 1) return stop(c, "the row sink could not be opened");
  /* a windowed picture holds only max_factor + LOOK_BACK_ROWS rows above the unconverted ones */
  if (c->max_factor && factor > c->max_factor)
    return stop(c, "box factor %d is over the %d the row window was made for", factor, c->max_factor);
  c->factor = factor;
  c->out_w = (c->yuv.w + factor - 1) / factor;
  c->out_h = (c->yuv.h + factor - 1) / factor;
  c->out_row = 0;
  setup_conversion(c);
  int sx = chroma_shift_x(c->yuv.layout);
  size_t cw = (size_t)((c->yuv.w + sx) >> sx);
  size_t row_bytes = (size_t)c->out_w * 4;
  c->band_rows = (int)(BAND_BYTES / row_bytes);
  if (c->band_rows > MAX_BAND_ROWS) c->band_rows = MAX_BAND_ROWS;
  if (c->band_rows < 1) c->band_rows = 1;
  const int use_lut = factor == 1 && c->yuv.bytes == 1 && c->cvt.mode == 0;
  c->crow[0] = (int32_t *)malloc(cw * sizeof(int32_t));
  c->crow[1] = (int32_t *)malloc(cw * sizeof(int32_t));
  c->band = (uint8_t *)malloc((size_t)c->band_rows * row_bytes);
  if (use_lut) c->lut = (int32_t *)malloc(LUT_BYTES);
  if (factor > 1) c->acc = (float *)malloc((size_t)c->out_w * 4 * sizeof(float));
  if (!c->crow[0] || !c->crow[1] || !c->band || (use_lut && !c->lut) || (factor > 1 && !c->acc))
    return stop(c, "Out of memory for the %dx%d output's row buffers", c->out_w, c->band_rows);
  if (c->lut) build_lut(c);
  c->info[INFO_OUT_WIDTH] = c->out_w;
  c->info[INFO_OUT_HEIGHT] = c->out_h;
  c->info[INFO_FACTOR] = factor;
  return 1;
}

/* Converts the output rows whose source rows are all below src_end and
 * hands them to env.av_emit a band at a time. Returns 0 (after stop) when
 * the sink stops. */
static int emit_rows(av_ctx *c, int src_end) {
  const size_t row_bytes = (size_t)c->out_w * 4;
  int n = 0;
  while (c->out_row < c->out_h) {
    int needs = (c->out_row + 1) * c->factor;
    if (needs > c->yuv.h) needs = c->yuv.h;
    if (needs > src_end) break;
    uint8_t *row = c->band + (size_t)n * row_bytes;
    if (c->factor == 1) {
      convert_row(c, c->out_row, row);
      if (c->info[INFO_PREMULTIPLIED]) unpremultiply(row, c->out_w);
    } else {
      shrink_row(c, c->out_row, row);
    }
    c->out_row++;
    if (++n == c->band_rows) {
      if (av_emit(c->band, n)) return stop(c, "the row sink stopped");
      n = 0;
    }
  }
  if (n && av_emit(c->band, n)) return stop(c, "the row sink stopped");
  c->info[INFO_OUT_ROW] = c->out_row;
  return 1;
}

/* dav1d's row window callback: rows [y0, y1) of the colour picture are
 * final. A 4:2:0 luma row interpolates the chroma row below it, so the last
 * two rows wait for the next call (the last call has them all). */
static int window_rows(void *cookie, const Dav1dPicture *pic, int y0, int y1) {
  (void)y0;
  av_ctx *c = (av_ctx *)cookie;
  if (!c->yuv.used) {
    describe_planes(&c->yuv, pic);
    if (!open_output(c)) return 1;
  }
  /* the window moved: row y is still at data + y * stride */
  for (int i = 0; i < 3; i++) c->yuv.data[i] = (uint8_t *)pic->data[i];
  return !emit_rows(c, y1 == pic->p.h ? y1 : y1 - 2);
}

/* Decodes the primary item and hands out its RGBA rows: alpha first (whole,
 * its decoder closed), then colour, whose rows go out as dav1d finishes them
 * when max_factor > 0 (env.av_open may then answer at most that factor, and
 * the picture holds only a window of rows); grids, and frames dav1d decodes
 * whole, go out once decoded. Frees the input and the container model.
 * Returns 1; errors throw. */
EXPORT int av_decode(av_ctx *c, int max_factor) {
  if (!c->color) fail("av_decode before av_parse");
  if (c->alpha) decode_image(c, c->alpha, &c->a, "alpha plane");
  c->max_factor = c->color->type == FOURCC('a', 'v', '0', '1') && max_factor > 0 ? max_factor : 0;
  if (c->max_factor) {
    Dav1dRowWindow rw = {c, c->max_factor + LOOK_BACK_ROWS, window_rows};
    Dav1dPicture pic;
    decode_av01(c, c->color, &pic, "color planes", &rw);
    if (c->yuv.used) dav1d_picture_unref(&pic); /* its rows are out */
    else planes_from_pic(&c->yuv, &pic);       /* dav1d decoded it whole */
  } else {
    decode_image(c, c->color, &c->yuv, "color planes");
  }
  if (!c->band) {
    c->max_factor = 0;
    if (!open_output(c) || !emit_rows(c, c->yuv.h)) fail("%s", c->stop_msg);
  }
  if (c->out_row != c->out_h) fail("Decoding of color planes failed: rows stopped at %d of %d", c->out_row, c->out_h);
  free_container(c);
  return 1;
}

