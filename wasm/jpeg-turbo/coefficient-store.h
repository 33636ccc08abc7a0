/*
 * edgepix: a packed whole-image coefficient store for the progressive
 * encoder (encoder.c). See coefficient-store.c and README.md.
 */
#ifndef JT_COEFFICIENT_STORE_H
#define JT_COEFFICIENT_STORE_H

#include "jt_shim.h"

typedef struct cs_array cs_array;

/* Every array one compressor requested. */
typedef struct {
  cs_array *arrays;
} cs_store;

/* Makes cinfo's memory manager hand out packed block arrays from `store`
 * (call after jpeg_create_compress, before jpeg_start_compress). Uses
 * cinfo->client_data. */
void cs_install(j_compress_ptr cinfo, cs_store *store);

/* Frees every array and row in `store` (after finishing, or after an error). */
void cs_release(cs_store *store);

#endif
