/*
 * edgepix: a packed whole-image coefficient store for the progressive
 * encoder.
 *
 * A progressive JPEG (and optimal Huffman tables) needs every quantized
 * coefficient of the image before the first scan is written: libjpeg keeps
 * them in one virtual block array per component, 128 bytes per 8x8 block
 * (~3 bytes a pixel at 4:2:0, 26 MB for a 2560x3413 output). Quantized
 * photo coefficients are mostly zero, so this store keeps each block row
 * packed instead: per block a 64-bit mask of its nonzero coefficients
 * (natural order) and those coefficients, ~0.4 bytes a pixel at quality 85,
 * ~1.5 at 100. A row that would not pack smaller is kept as it is, so the store
 * never holds more than libjpeg's own array (plus one window per array);
 * jpegEncodeMemory still budgets that bound.
 *
 * It plugs into libjpeg through the memory manager's methods (the way
 * libjpeg lets an application supply its own virtual arrays): the
 * compressor's coefficient controller (jccoefct.c) requests one array per
 * component and accesses it an iMCU row (v_samp_factor block rows) at a
 * time: written once in the first pass, read in order once per later pass
 * (twice per scan with optimize_coding). Each array has a window of
 * maxaccess unpacked rows; moving it packs the window if it was written and
 * unpacks the rows asked for. The output is byte-identical to libjpeg's.
 */
#include <stdlib.h>
#include <string.h>
#include <wasm_simd128.h>

#include "coefficient-store.h"

struct cs_array {
  cs_array *next;
  JDIMENSION blocks_per_row, rows, max_access;
  unsigned char **packed; /* per block row: its bytes, or NULL if never written */
  size_t *packed_len;     /* per block row: length; == raw_row_bytes means unpacked */
  size_t raw_row_bytes;   /* blocks_per_row * sizeof(JBLOCK) */
  JBLOCKROW *window;      /* max_access row pointers into window_blocks */
  JBLOCKROW window_blocks;
  unsigned char *scratch; /* raw_row_bytes, for packing one row */
  JDIMENSION first, count; /* the window holds rows [first, first + count) */
  boolean dirty;           /* the window was handed out writable */
};

static cs_store *store_of(j_common_ptr cinfo) { return (cs_store *)cinfo->client_data; }

/* Packs `row` into a->scratch: per block its nonzero mask, then its nonzero
 * coefficients. Returns the packed length, or raw_row_bytes if packing would
 * not be smaller (the row is then kept as it is). */
static size_t pack_row(cs_array *a, JBLOCKROW row) {
  unsigned char *out = a->scratch;
  size_t room = a->raw_row_bytes, used = 0;
  const v128_t zero = wasm_i16x8_splat(0);
  for (JDIMENSION b = 0; b < a->blocks_per_row; b++) {
    const JCOEF *block = row[b];
    uint64_t mask = 0;
    /* The mask 8 coefficients at a time (wasm SIMD), then only the nonzeros. */
    for (int k = 0; k < DCTSIZE2; k += 8) {
      v128_t v = wasm_v128_load(block + k);
      mask |= (uint64_t)wasm_i16x8_bitmask(wasm_i16x8_ne(v, zero)) << k;
    }
    size_t need = sizeof(mask) + (size_t)__builtin_popcountll(mask) * sizeof(JCOEF);
    if (used + need >= room) return a->raw_row_bytes;
    unsigned char *at = out + used;
    memcpy(at, &mask, sizeof(mask));
    at += sizeof(mask);
    for (uint64_t m = mask; m; m &= m - 1) {
      memcpy(at, &block[__builtin_ctzll(m)], sizeof(JCOEF));
      at += sizeof(JCOEF);
    }
    used += need;
  }
  return used;
}

static void unpack_row(const cs_array *a, const unsigned char *in, size_t len, JBLOCKROW row) {
  if (len == a->raw_row_bytes) {
    memcpy(row, in, len);
    return;
  }
  for (JDIMENSION b = 0; b < a->blocks_per_row; b++) {
    JCOEF *block = row[b];
    uint64_t mask;
    memcpy(&mask, in, sizeof(mask));
    in += sizeof(mask);
    memset(block, 0, sizeof(JBLOCK));
    while (mask) {
      int k = __builtin_ctzll(mask);
      memcpy(&block[k], in, sizeof(JCOEF));
      in += sizeof(JCOEF);
      mask &= mask - 1;
    }
  }
}

/* Packs the window's rows into the store (they were handed out writable). */
static void store_window(j_common_ptr cinfo, cs_array *a) {
  for (JDIMENSION i = 0; i < a->count; i++) {
    JDIMENSION r = a->first + i;
    size_t len = pack_row(a, a->window[i]);
    unsigned char *bytes = (unsigned char *)malloc(len);
    if (!bytes) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 30);
    memcpy(bytes, len == a->raw_row_bytes ? (const unsigned char *)a->window[i] : a->scratch, len);
    free(a->packed[r]);
    a->packed[r] = bytes;
    a->packed_len[r] = len;
  }
  a->dirty = FALSE;
}

static jvirt_barray_ptr cs_request_virt_barray(j_common_ptr cinfo, int pool_id, boolean pre_zero,
                                               JDIMENSION blocks_per_row, JDIMENSION rows,
                                               JDIMENSION max_access) {
  (void)pre_zero; /* rows never written read as zeros */
  if (pool_id != JPOOL_IMAGE) ERREXIT1(cinfo, JERR_BAD_POOL_ID, pool_id);
  if (blocks_per_row == 0 || rows == 0 || max_access == 0 || max_access > rows)
    ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
  cs_store *store = store_of(cinfo);
  cs_array *a = (cs_array *)calloc(1, sizeof(cs_array));
  if (!a) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 31);
  a->next = store->arrays; /* linked first: cs_release frees a half-made one */
  store->arrays = a;
  a->blocks_per_row = blocks_per_row;
  a->rows = rows;
  a->max_access = max_access;
  a->raw_row_bytes = (size_t)blocks_per_row * sizeof(JBLOCK);
  a->packed = (unsigned char **)calloc(rows, sizeof(*a->packed));
  a->packed_len = (size_t *)calloc(rows, sizeof(*a->packed_len));
  a->window = (JBLOCKROW *)calloc(max_access, sizeof(*a->window));
  a->window_blocks = (JBLOCKROW)malloc(a->raw_row_bytes * max_access);
  a->scratch = (unsigned char *)malloc(a->raw_row_bytes);
  if (!a->packed || !a->packed_len || !a->window || !a->window_blocks || !a->scratch)
    ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 32);
  for (JDIMENSION i = 0; i < max_access; i++) a->window[i] = a->window_blocks + (size_t)i * blocks_per_row;
  return (jvirt_barray_ptr)a;
}

static JBLOCKARRAY cs_access_virt_barray(j_common_ptr cinfo, jvirt_barray_ptr ptr, JDIMENSION start_row,
                                         JDIMENSION num_rows, boolean writable) {
  cs_array *a = (cs_array *)ptr;
  if (num_rows > a->max_access || start_row > a->rows || num_rows > a->rows - start_row)
    ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
  if (start_row != a->first || num_rows != a->count) {
    if (a->dirty) store_window(cinfo, a);
    for (JDIMENSION i = 0; i < num_rows; i++) {
      JDIMENSION r = start_row + i;
      if (a->packed[r]) unpack_row(a, a->packed[r], a->packed_len[r], a->window[i]);
      else memset(a->window[i], 0, a->raw_row_bytes);
    }
    a->first = start_row;
    a->count = num_rows;
  }
  if (writable) a->dirty = TRUE;
  return a->window;
}

void cs_install(j_compress_ptr cinfo, cs_store *store) {
  memset(store, 0, sizeof(*store));
  cinfo->client_data = store;
  cinfo->mem->request_virt_barray = cs_request_virt_barray;
  cinfo->mem->access_virt_barray = cs_access_virt_barray;
}

void cs_release(cs_store *store) {
  for (cs_array *a = store->arrays, *next; a; a = next) {
    next = a->next;
    if (a->packed)
      for (JDIMENSION r = 0; r < a->rows; r++) free(a->packed[r]);
    free(a->packed);
    free(a->packed_len);
    free(a->window);
    free(a->window_blocks);
    free(a->scratch);
    free(a);
  }
  memset(store, 0, sizeof(*store));
}
